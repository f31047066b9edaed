"""Synthetic floor plans with exact ground truth, for scoring and for training the learned detector.

``generate(n, out_dir, seed)`` writes, per plan ``<id>`` (six digits, the plan's index):

- ``images/<id>.png``: the drawing, RGB, styled and degraded like a real plan or scan;
- ``gt/<id>.json``: the exact building model in the project's JSON format (validates against
  ``plan2bim/schemas/plan.schema.json``), pixels being those of the image;
- ``masks/<id>.png``: uint8 semantic mask, 0 background, 1 wall, 2 door, 3 window: what
  ``plan2bim train`` learns from.

Plan ``i`` of seed ``s`` depends on nothing but ``(s, i)``: the same seed gives byte-identical
files, whatever the number of workers or the order in which plans are made.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from plan2bim.errors import InputError

if TYPE_CHECKING:  # numpy and the model load with the generator, not with the CLI's option parsing
    import numpy as np

    from plan2bim.model import Building
    from plan2bim.tools.synth.render import Style

__all__ = ["STYLES", "Sample", "generate", "make_sample"]

log = logging.getLogger(__name__)

STYLES = ("mixed", "cubicasa", "r3d")
R3D_SHARE = 0.35
"""Fraction of estate-agent (R3D-like) plans in a mixed set."""


@dataclass(frozen=True)
class Sample:
    id: str
    image: np.ndarray
    """RGB uint8."""
    png: bytes
    building: Building
    mask: np.ndarray
    family: str
    style: Style
    """How it was drawn."""


def make_sample(index: int, seed: int = 0, style: str = "mixed", *, px_per_m: float | None = None,
                angle: float | None = None, scanned: bool = True) -> Sample:
    """Plan ``index`` of the set made with ``seed``: pure, no file is written.

    ``px_per_m`` (the drawing's scale before any scan resize; estate-agent pages are then
    resized to ~500 px), ``angle`` (the page's turn, degrees counter-clockwise) and ``scanned``
    (False: no printing and scanning damage) pin what is otherwise drawn at random, for test
    cases across scales, turns and degradations; the rest of the plan is the same.
    """
    import cv2
    import numpy as np

    from plan2bim.model import content_hash
    from plan2bim.tools.synth import degrade, labels, layout, render

    if style not in STYLES:
        raise InputError(f"unknown synthetic style {style!r}; choose one of {', '.join(STYLES)}")
    rng = np.random.default_rng([int(seed), int(index)])
    family = style if style != "mixed" else ("r3d" if rng.random() < R3D_SHARE else "cubicasa")
    parts = layout.make_sheet(rng, density=float(rng.uniform(0.4, 1.0)), extra_part=0.15 if family == "cubicasa" else 0.03)
    st = render.sample_style(rng, family)
    if px_per_m is not None:
        st = render.with_scale(st, px_per_m)
    drawing = render.render(parts, st, rng)
    image, warp = degrade.degrade(drawing.image, rng, family, drawing.px_per_m, st.paper,
                                  angle=angle, factor=1.0 if px_per_m and family != "r3d" else None,
                                  scanned=scanned)
    to_img = warp @ drawing.to_px
    h, w = image.shape[:2]
    ok, buf = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    png = buf.tobytes()
    pid = f"{index:06d}"
    b = labels.building(parts, to_img, (w, h), content_hash(png), pid)
    mask = labels.semantic_mask(parts, to_img, (w, h))
    return Sample(pid, image, png, b, mask, family, st)


def _write_one(args: tuple[int, int, str, str]) -> str:
    import cv2

    from plan2bim.export.json import building_to_dict

    index, seed, style, out = args
    out_dir = Path(out)
    s = make_sample(index, seed, style)
    (out_dir / "images" / f"{s.id}.png").write_bytes(s.png)
    (out_dir / "gt" / f"{s.id}.json").write_text(json.dumps(building_to_dict(s.building), indent=1), encoding="utf-8")
    ok, buf = cv2.imencode(".png", s.mask)
    (out_dir / "masks" / f"{s.id}.png").write_bytes(buf.tobytes())
    return s.id


def _init_worker() -> None:
    import cv2

    cv2.setNumThreads(1)  # the processes are the parallelism


def generate(n: int, out_dir: Path | str, seed: int = 0, style: str = "mixed", workers: int = 1,
             start: int = 0) -> list[str]:
    """Write plans ``start`` .. ``start + n - 1`` of ``seed`` to ``out_dir``; returns their ids.

    Re-running with another ``start`` adds plans to the same set.
    """
    if style not in STYLES:
        raise InputError(f"unknown synthetic style {style!r}; choose one of {', '.join(STYLES)}")
    if n < 0 or start < 0:
        raise InputError("the number of plans and the first index must not be negative")
    out_dir = Path(out_dir)
    for sub in ("images", "gt", "masks"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    tasks = [(i, int(seed), style, str(out_dir)) for i in range(start, start + n)]
    ids: list[str] = []
    workers = max(1, min(int(workers), n, os.cpu_count() or 1))
    if workers == 1:
        for k, t in enumerate(tasks, 1):
            ids.append(_write_one(t))
            if k % 100 == 0:
                log.info("synth: %d / %d plans", k, n)
    else:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_init_worker) as ex:
            for k, pid in enumerate(ex.map(_write_one, tasks, chunksize=4), 1):
                ids.append(pid)
                if k % 100 == 0:
                    log.info("synth: %d / %d plans", k, n)
    return ids

