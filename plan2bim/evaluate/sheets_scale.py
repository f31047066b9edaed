"""Scale scoring for sets of drawing sheets whose ground truth knows the scale (synthetic vector PDFs).

A synthetic sheet's ground truth (``plan2bim synth --format pdf``) carries a ``sheet`` record
(printed 1:N, page size) and its storey's exact ``scale.px_per_m`` on the rendered page; a
prediction's scale is compared with it. ``scale_within_1pct`` is the share of such sheets whose
predicted scale is within 1% (a failed conversion counts as wrong).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

__all__ = ["SCALE_TOLERANCE", "scale_error", "truth_scale"]

SCALE_TOLERANCE = 0.01
"""A scale is right within this relative error (the issue's 1%)."""


def truth_scale(gt_path: Path) -> float | None:
    """The exact px per metre of a sheet's ground truth, or None where the set does not record one."""
    try:
        data = json.loads(Path(gt_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or "sheet" not in data or not data.get("storeys"):
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
