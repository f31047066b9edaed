"""Scoring what only drawing sheets with an exact truth tell: the scale and the doors' swing
(synthetic vector PDFs).

A synthetic sheet's ground truth (``plan2bim synth --format pdf``) has a sheet record beside it
(``sheets/<id>.json``: printed 1:N, page size) and its storey's exact ``scale.px_per_m`` on the
rendered page; a prediction's scale is compared with it. ``scale_within_1pct`` is the share of such sheets whose
predicted scale is within 1% (a failed conversion counts as wrong). ``door_swing_right`` is
the share of the true swing doors found (matched to a predicted door as the door F1 matches
them) whose predicted hinge side (``left``/``right``) is the true one.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

__all__ = ["SCALE_TOLERANCE", "scale_error", "swing_agreement", "truth_scale"]

SCALE_TOLERANCE = 0.01
"""A scale is right within this relative error (the issue's 1%)."""


def _is_sheet(gt_path: Path) -> bool:
    gt_path = Path(gt_path)
    return (gt_path.parent.parent / "sheets" / gt_path.name).is_file()


def truth_scale(gt_path: Path) -> float | None:
    """The exact px per metre of a sheet's ground truth, or None where the set does not record one."""
    if not _is_sheet(gt_path):
        return None
    try:
        data = json.loads(Path(gt_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not data.get("storeys"):
        return None
    return float(data["storeys"][0]["scale"]["px_per_m"])


def scale_error(pred: dict[str, Any] | None, truth_px_per_m: float | None) -> float | None:
    """Relative error of the prediction's scale (its first storey's); inf for no prediction;
    None where the truth is unknown."""
    if truth_px_per_m is None:
        return None
    if not pred or not pred.get("storeys"):
        return math.inf
    p = float(pred["storeys"][0]["scale"]["px_per_m"])
    return abs(p / truth_px_per_m - 1.0)


def swing_agreement(pred: dict[str, Any] | None, gt_path: Path, tol_px: float) -> tuple[int, int] | None:
    """(doors whose swing is right, true swing doors found) for one sheet; None where the truth
    is no sheet. Doors are paired one-to-one by centre within ``tol_px``, nearest first."""
    import numpy as np

    from plan2bim.tools.evaluate.metrics import _assign

    if not _is_sheet(gt_path):
        return None
    try:
        gt = json.loads(Path(gt_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None

    def doors(data: dict[str, Any] | None) -> list[tuple[tuple[float, float], str]]:
        if not data:
            return []
        return [(tuple(o["center_px"]), o.get("swing", "none")) for st in data.get("storeys", [])
                for o in st.get("openings", []) if o["kind"] == "door"]

    t, p = doors(gt), doors(pred)
    swung = [i for i, (_, s) in enumerate(t) if s in ("left", "right")]
    if not swung or not p:
        return 0, 0
    a = np.array([c for c, _ in t], float)
    b = np.array([c for c, _ in p], float)
    d = np.linalg.norm(a[:, None] - b[None], axis=2)
    pairs = _assign(d <= tol_px, 1.0 - d / max(tol_px, 1e-9))
    matched = [(i, j) for i, j in pairs if i in swung]
    return sum(1 for i, j in matched if t[i][1] == p[j][1]), len(matched)


def rasterised_sheets(dataset: Path, dpi: int, out: Path, limit: int | None = None) -> Path:
    """A copy of a synthetic vector-sheet set as scans: each sheet's plan page rendered to a
    PNG with no dpi, no text layer and no vector lines, beside the same truth. The raster path
    is then scored on whole sheets (frame, title block, dimension chains, notes around the
    plan) with an exact truth, as no real scan gives one.

    The truth is drawn in the pixels of the page at the sheet's own dpi, so ``dpi`` must be
    that one."""
    import shutil

    import pypdfium2 as pdfium

    from plan2bim.errors import InputError
    from plan2bim.load import PDFIUM_LOCK

    dataset, out = Path(dataset), Path(out)
    sheets = sorted((dataset / "sheets").glob("*.json"))[:limit]
    if not sheets:
        raise InputError(f"{dataset}: --rasterise needs a drawing-set folder or a synthetic "
                         "vector set (plan2bim synth --format pdf)")
    for sub in ("images", "gt", "sheets"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for rec in sheets:
        meta = json.loads(rec.read_text(encoding="utf-8"))
        if int(meta.get("dpi", 0)) != dpi:
            raise InputError(f"{rec.name}: its truth is drawn at {meta.get('dpi')} dpi; "
                             f"rasterise at that dpi (--rasterise {meta.get('dpi')})")
        gt = dataset / "gt" / rec.name
        truth = json.loads(gt.read_text(encoding="utf-8"))
        page = int(truth["storeys"][0].get("page") or 1) if truth.get("storeys") else 1
        pdf = dataset / "images" / f"{rec.stem}.pdf"
        with PDFIUM_LOCK:
            doc = pdfium.PdfDocument(str(pdf))
            try:
                image = doc[page - 1].render(scale=dpi / 72.0).to_pil()
            finally:
                doc.close()
        image.convert("RGB").save(out / "images" / f"{rec.stem}.png")
        for st in truth.get("storeys", []):
            st["page"] = 1
        (out / "gt" / rec.name).write_text(json.dumps(truth), encoding="utf-8")
        shutil.copy(rec, out / "sheets" / rec.name)
    return out
