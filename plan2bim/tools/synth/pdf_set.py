"""Writing a synthetic vector PDF set: ``images/<id>.pdf`` with ``gt/<id>.json``, as ``plan2bim eval`` reads.

``gt/<id>.json`` is the building model (valid against the project's schema); ``sheets/<id>.json``
records what only a sheet has (the printed 1:N, the page size, the pages, the style drawn).

Sheet ``i`` of seed ``s`` depends on nothing but ``(s, i)``; the ground truth's pixels are those
of the plan page (page 1) rendered at ``dpi``, which is what the pipeline renders for the overlay.
"""

from __future__ import annotations

import json
import logging
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from plan2bim.errors import InputError

__all__ = ["generate_pdf"]

log = logging.getLogger(__name__)


def _write_one(args: tuple[int, int, str, int]) -> str:
    from plan2bim.export.json import building_to_dict
    from plan2bim.tools.synth.pdf_sheet import make_pdf_sheet

    index, seed, out, dpi = args
    out_dir = Path(out)
    s = make_pdf_sheet(index, seed, dpi)
    (out_dir / "images" / f"{s.id}.pdf").write_bytes(s.pdf)
    (out_dir / "gt" / f"{s.id}.json").write_text(json.dumps(building_to_dict(s.building), indent=1),
                                                 encoding="utf-8")
    sheet = {"scale": s.scale, "page_mm": list(s.page_mm), "pages": s.pages, "dpi": dpi,
             "style": dict(vars(s.style))}
    (out_dir / "sheets" / f"{s.id}.json").write_text(json.dumps(sheet, indent=1), encoding="utf-8")
    return s.id


def generate_pdf(n: int, out_dir: Path | str, seed: int = 0, workers: int = 1, start: int = 0,
                 dpi: int = 150) -> list[str]:
    """Write sheets ``start`` .. ``start + n - 1`` of ``seed`` to ``out_dir``; returns their ids."""
    if n < 0 or start < 0:
        raise InputError("the number of sheets and the first index must not be negative")
    out_dir = Path(out_dir)
    for sub in ("images", "gt", "sheets"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    tasks = [(i, int(seed), str(out_dir), int(dpi)) for i in range(start, start + n)]
    workers = max(1, min(int(workers), n, os.cpu_count() or 1))
    if workers == 1:
        return [_write_one(t) for t in tasks]
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as ex:
        return list(ex.map(_write_one, tasks, chunksize=4))
