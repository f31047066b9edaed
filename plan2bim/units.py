"""Pixels of a page to metres of the plan: the one conversion every stage and writer uses."""

from __future__ import annotations

import numpy as np

__all__ = ["px_to_m"]


def px_to_m(pts, px_per_m: float, image_height: float) -> np.ndarray:
    """(N, 2) image pixels (x right, y down, origin at the top-left corner) to plan metres
    (x right, y up, origin at the bottom-left corner) at ``px_per_m`` pixels per metre."""
    p = np.asarray(pts, dtype=float).reshape(-1, 2)
    return np.stack([p[:, 0] / px_per_m, (image_height - p[:, 1]) / px_per_m], axis=1)
