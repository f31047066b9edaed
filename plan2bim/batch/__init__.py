"""Converting an archive of plans: resumable, in parallel on this machine or on a Dask cluster.

Layers, bottom up (like black's ``reformat_one`` -> ``reformat_many``): the pipeline converts one
plan; :func:`~plan2bim.batch.runner.convert_one` turns that plan's failure into a record;
:mod:`~plan2bim.batch.runner` runs many (processes or Dask); :func:`run_batch` adds finding the
plans, the manifest that makes a batch resumable, and the report. The ``plan2bim batch`` command
is a thin layer over :func:`run_batch`.
"""

from plan2bim.batch.core import BatchResult, Progress, run_batch
from plan2bim.batch.discover import Job, discover
from plan2bim.batch.manifest import MANIFEST_NAME, Manifest, Record
from plan2bim.batch.runner import convert_one

__all__ = [
    "MANIFEST_NAME", "BatchResult", "Job", "Manifest", "Progress", "Record", "convert_one",
    "discover", "run_batch",
]
