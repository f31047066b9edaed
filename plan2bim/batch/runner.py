"""Running the plans of a batch: one plan safely (:func:`convert_one`), many on this machine
(:func:`run_local`), or on a Dask cluster (:func:`run_dask`).

Every runner yields one :class:`~plan2bim.batch.manifest.Record` per job, in the order they
finish, and never raises for a plan: a plan's error, a crash of the process converting it (a
segfault in a native library, the kernel's OOM killer) and a plan running past the timeout all
become records with status ``failed`` or ``timeout``.

:func:`run_local` runs on :func:`plan2bim.runtime.workers.run_pool`, the pool ``bench`` uses too: its
own processes, warmed up before the clock starts, the one over time or dead killed and replaced.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

from plan2bim.batch.discover import Job
from plan2bim.batch.manifest import Record
from plan2bim.config import Config
from plan2bim.errors import Plan2BimError
from plan2bim.model import Building
from plan2bim.runtime.workers import PoolFailure, default_workers, run_pool, warm_up

log = logging.getLogger(__name__)

__all__ = ["PlanFn", "convert_one", "default_workers", "pipeline_convert", "run_dask", "run_local"]

PlanFn = Callable[[Path, Path, Config, tuple[str, ...], str], tuple[Building, dict[str, Path], dict[str, float]]]
"""Converts one plan: (source, outdir, config, formats, stem) -> (building, outputs, timings).

The default is :func:`pipeline_convert`; tests pass their own (it must be picklable: a
module-level function)."""


def pipeline_convert(
    source: Path, outdir: Path, config: Config, formats: tuple[str, ...], stem: str
) -> tuple[Building, dict[str, Path], dict[str, float]]:
    """The real conversion: :func:`plan2bim.pipeline.convert_file` (its writers are atomic)."""
    from plan2bim.pipeline import convert_file

    result = convert_file(source, outdir, config, formats, stem)
    return result.building, dict(result.outputs), dict(result.timings)


def convert_one(
    job: Job, config: Config, formats: tuple[str, ...], convert: PlanFn | None = None
) -> Record:
    """Convert one plan and describe how it went; never raises for the plan's own failure.

    The record has status ``done`` only once every output file exists. Its ``sha256`` and
    ``config_key`` are left empty: the caller, which decided to convert it, knows them.
    """
    convert = convert or pipeline_convert
    rec = Record(key=job.key, source=str(job.source), sha256="", config_key="", status="failed",
                 worker=f"{socket.gethostname()}:{os.getpid()}")
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        building, outputs, timings = convert(job.source, job.outdir, config, tuple(formats), job.stem)
        missing = [f for f, p in outputs.items() if not Path(p).is_file()]
        if missing:
            raise Plan2BimError(f"{job.source}: the {missing[0]} output was not written")
        rec = _describe(rec, building)
        rec.status = "done"
        rec.outputs = {f: str(Path(p)) for f, p in outputs.items()}
        rec.timings = {k: round(float(v), 4) for k, v in timings.items()}
    except Plan2BimError as e:
        rec.error = str(e)
    except MemoryError:
        rec.error = f"{job.source}: out of memory"
    except Exception as e:  # a bug or a library failing on odd input: one plan, not the batch
        log.exception("%s: unexpected error", job.source)
        rec.error = f"{job.source}: unexpected {type(e).__name__}: {e}"
    rec.seconds = round(time.perf_counter() - t0, 4)
    rec.cpu_seconds = round(time.process_time() - c0, 4)
    rec.peak_mb = _peak_mb()
    return rec


def _describe(rec: Record, b: Building) -> Record:
    storeys = b.storeys
    rec.storeys = len(storeys)
    rec.walls = sum(len(s.walls) for s in storeys)
    rec.doors = sum(o.kind == "door" for s in storeys for o in s.openings)
    rec.windows = sum(o.kind == "window" for s in storeys for o in s.openings)
    rec.spaces = sum(len(s.spaces) for s in storeys)
    rec.floor_area_m2 = round(sum(sp.area for s in storeys for sp in s.spaces), 3)
    if storeys:  # the first page's scale; the pages of one PDF share it as a rule
        rec.px_per_m = round(storeys[0].scale.px_per_m, 4)
        rec.scale_method = storeys[0].scale.method
    return rec


def _peak_mb() -> float | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kb / (1 << 20 if sys.platform == "darwin" else 1 << 10), 1)


def _failure(job: Job, status: str, error: str, seconds: float) -> Record:
    return Record(key=job.key, source=str(job.source), sha256="", config_key="", status=status,
                  error=error, seconds=round(seconds, 4))


# ---------------------------------------------------------------------------------------------
# This machine: the shared pool of worker processes (plan2bim.runtime.workers), one killed at a time


def run_local(
    jobs: Sequence[Job],
    config: Config,
    formats: tuple[str, ...],
    *,
    workers: int | None = None,
    timeout: float | None = None,
    convert: PlanFn | None = None,
    on_start: Callable[[Job], None] | None = None,
) -> Iterator[Record]:
    """Convert ``jobs`` with ``workers`` processes; yield a record as each plan finishes.

    Each worker is warmed up with these settings and formats before its first plan (see
    :func:`plan2bim.runtime.workers.warm_up`). A plan still running ``timeout`` seconds after it
    started is killed (with its process, which is replaced) and yields status ``timeout``.
    Closing the generator (or an exception in the consumer, such as Ctrl-C) stops and reaps
    every worker.
    """
    task = partial(convert_one, config=config, formats=formats, convert=convert)
    warm = partial(warm_up, config, formats)
    for job, out in run_pool(jobs, task, workers=workers, timeout=timeout, warm=warm,
                             on_start=on_start):
        if not isinstance(out, PoolFailure):
            yield out
        elif out.status == "timeout":
            log.warning("%s: over the %g s timeout, killed", job.source, timeout)
            yield _failure(job, "timeout", f"{job.source}: took longer than {timeout:g} s "
                           "(--timeout-per-plan), stopped", out.seconds)
        else:
            log.warning("%s: worker process died (%s)", job.source, out.detail)
            yield _failure(job, "failed", f"{job.source}: the worker process died "
                           f"({out.detail}); out of memory, or a crash in a native library",
                           out.seconds)


# ---------------------------------------------------------------------------------------------
# One plan in a child process of its own, for a timeout where the pool cannot kill its workers


def convert_isolated(
    job: Job, config: Config, formats: tuple[str, ...], timeout: float | None,
    convert: PlanFn | None = None,
) -> Record:
    """:func:`convert_one` in a fresh Python process, killed ``timeout`` seconds after it is ready.

    For Dask workers: their tasks run in threads that cannot be stopped, and their processes are
    daemons that ``multiprocessing`` will not let have children; a plain subprocess is allowed.
    The child warms up (:func:`plan2bim.runtime.workers.warm_up`) and says so before the plan's clock
    starts, so the timeout measures the plan, not Python starting. Costs about a second a plan.
    """
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="plan2bim-") as tmp:
        src, dst = Path(tmp) / "job.pickle", Path(tmp) / "record.pickle"
        src.write_bytes(pickle.dumps((job, config, formats, convert)))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        code = "import sys; from plan2bim.batch.runner import _isolated_main; _isolated_main(*sys.argv[1:])"
        with open(Path(tmp) / "stderr.txt", "w+b") as err:
            proc = subprocess.Popen([sys.executable, "-c", code, str(src), str(dst)], env=env,
                                    stdout=subprocess.PIPE, stderr=err)
            try:
                proc.stdout.readline()  # "ready", or nothing if it died while starting
                started = time.monotonic()
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    return _failure(job, "timeout", f"{job.source}: took longer than "
                                    f"{timeout:g} s (--timeout-per-plan), stopped",
                                    time.monotonic() - started)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                proc.stdout.close()
            if proc.returncode == 0 and dst.is_file():
                return pickle.loads(dst.read_bytes())
            err.seek(0)
            tail = err.read().decode(errors="replace").strip().splitlines()[-1:] or [""]
        return _failure(job, "failed", f"{job.source}: the conversion process died "
                        f"(exit code {proc.returncode}) {tail[0]}".rstrip(), time.monotonic() - t0)


def _isolated_main(src: str, dst: str) -> None:
    job, config, formats, convert = pickle.loads(Path(src).read_bytes())
    warm_up(config, formats)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    rec = convert_one(job, config, formats, convert)
    Path(dst).write_bytes(pickle.dumps(rec))


# ---------------------------------------------------------------------------------------------
# A Dask cluster


def _dask_task(job: Job, config: Config, formats: tuple[str, ...], timeout: float | None,
               convert: PlanFn | None) -> Record:
    if timeout:
        return convert_isolated(job, config, formats, timeout, convert)
    return convert_one(job, config, formats, convert)


def run_dask(
    jobs: Sequence[Job],
    config: Config,
    formats: tuple[str, ...],
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    timeout: float | None = None,
    convert: PlanFn | None = None,
    on_start: Callable[[Job], None] | None = None,
) -> Iterator[Record]:
    """Convert ``jobs`` on a Dask cluster; yield a record as each plan finishes.

    ``scheduler`` is the address of a running scheduler (``tcp://host:8786``); without one, a
    ``LocalCluster`` of ``workers`` single-threaded worker processes is started for the batch
    and closed after it. Workers need plan2bim installed, and the inputs and OUTDIR at the same
    paths as on this machine (a shared file system). Only this process writes the manifest.
    """
    if not jobs:
        return
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as e:  # pragma: no cover - a dependency of the package
        raise Plan2BimError(f"--dask and --scheduler need the 'distributed' package ({e})") from None

    # distributed sets its own loggers to INFO; follow the level the application chose (-v).
    root_level = logging.getLogger().getEffectiveLevel()
    if root_level > logging.INFO:
        logging.getLogger("distributed").setLevel(root_level)

    with contextlib.ExitStack() as stack:
        try:
            if scheduler:
                client = stack.enter_context(Client(scheduler, timeout="30s"))
            else:
                cluster = stack.enter_context(LocalCluster(
                    n_workers=max(1, workers or default_workers()), threads_per_worker=1,
                    processes=True, dashboard_address=":0", silence_logs=root_level))
                client = stack.enter_context(Client(cluster))
        except (OSError, TimeoutError) as e:
            raise Plan2BimError(f"cannot reach the Dask scheduler {scheduler or ''}: {e}") from None
        log.info("dask: %s", client)
        futures = {}
        for job in jobs:
            fut = client.submit(_dask_task, job, config, formats, timeout, convert,
                                key=f"plan2bim-{job.key}-{time.time_ns()}", pure=False, retries=0)
            futures[fut] = job
            if on_start is not None:
                on_start(job)
        t0 = time.monotonic()
        try:
            for fut in as_completed(futures):
                job = futures.pop(fut)
                try:
                    rec = fut.result()
                except Exception as e:  # a worker lost with the task (KilledWorker) and the like
                    rec = _failure(job, "failed", f"{job.source}: the Dask task failed "
                                   f"({type(e).__name__}: {e})", time.monotonic() - t0)
                yield rec
        finally:
            if futures:
                client.cancel(list(futures))
