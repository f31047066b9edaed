"""The drawing's content as a second cue for its kind, where no title names it.

Only what the ink shows plainly is said: a schedule is a grid of cells (long rules across the
drawing whose ends meet the same two verticals). Other kinds are left to the title: the dev sets'
elevations and plans do not part on simple measures of their ink (the lowest long line spans
0.58-1.0 of an elevation's width and 0.52-0.72 of a plan's; plans hold as many long verticals).
"""

from __future__ import annotations

import cv2
import numpy as np

from plan2bim.sheet.model import PageKind
from plan2bim.sheet.settings import SheetSettings


def _long_lines(ink: np.ndarray, length: int, horizontal: bool, merge_px: float
                ) -> list[tuple[int, int, int]]:
    """(position, start, end) of the straight lines at least ``length`` long, lines closer
    than ``merge_px`` taken as one."""
    k = (length, 1) if horizontal else (1, length)
    op = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, k))
    if not horizontal:
        op = op.T
    rows = np.flatnonzero(op.any(axis=1))
    out = []
    for g in np.split(rows, np.flatnonzero(np.diff(rows) > merge_px) + 1) if len(rows) else []:
        xs = np.flatnonzero(op[g].any(axis=0))
        out.append((int(g.mean()), int(xs.min()), int(xs.max())))
    return out


def looks_like_table(ink: np.ndarray, px_per_mm: float, s: SheetSettings = SheetSettings()) -> bool:
    """A grid of cells: enough rules across the drawing, each running between the same two
    verticals (a table's border), with column rules between."""
    H, W = ink.shape
    if min(H, W) < 10 * px_per_mm:
        return False
    merge = 0.5 * px_per_mm
    rows = _long_lines(ink, int(s.table_rule_span_ratio * W), True, merge)
    cols = _long_lines(ink, int(s.table_rule_span_ratio * H), False, merge)
    if len(rows) < s.table_min_rows or len(cols) < s.table_min_columns:
        return False
    left, right = min(c[0] for c in cols), max(c[0] for c in cols)
    tol = s.table_end_tolerance_mm * px_per_mm
    meet = sum(abs(r[1] - left) <= tol and abs(r[2] - right) <= tol for r in rows)
    return meet >= s.table_min_rows


def content_kind(gray: np.ndarray, px_per_mm: float, s: SheetSettings = SheetSettings()
                 ) -> tuple[PageKind, str] | None:
    """The kind the drawing's ink shows plainly (see module doc), with the cue in words."""
    ink = gray < 160
    if looks_like_table(ink, px_per_mm, s):
        return "schedule", "a grid of cells"
    return None
