"""The drawing's content as a second cue for its kind, where no title names it.

Only what the drawing shows plainly is said: a schedule is a grid of cells (long rules across the
drawing whose ends meet the same two verticals); an elevation or a section has a column of level
labels up its side ("ARAS TANAH", "ARAS LANTAI", "ARAS RASUK" one above the other), heights that no
plan shows, or it stands on a ground line that runs on past it at both ends with nothing standing
there (a plan's lowest long line, a wall or a dimension chain, meets the ink above at its ends). Other kinds are left to the title: the dev sets' elevations and plans do not part on
simple measures of their ink (the lowest long line spans 0.58-1.0 of an elevation's width and
0.52-0.72 of a plan's; plans hold as many long verticals; closed free regions of room size: 2-29
on the plans, 3-21 on the elevations, which close them between windows, eaves and plinth).
"""

from __future__ import annotations

import cv2
import numpy as np

from plan2bim.sheet.classify import _has, level_marks, normalise
from plan2bim.sheet.model import PageKind, TextItem
from plan2bim.sheet.settings import SheetSettings
from plan2bim.sheet.words import LEVEL_LABEL_WORDS


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


def ground_overhang_mm(ink: np.ndarray, px_per_mm: float, s: SheetSettings = SheetSettings()
                       ) -> float | None:
    """How far the drawing's ground line runs on past the ink standing on it, the shorter of its
    two ends, in mm on paper; None where the drawing stands on no ground line (its lowest long
    line with ink above it, and next to no ink below)."""
    H, W = ink.shape
    gap = max(1, int(round(px_per_mm)))
    for y, a, b in sorted(_long_lines(ink, int(s.ground_line_span_ratio * W), True, 0.5 * px_per_mm),
                          reverse=True):
        cols = np.flatnonzero(ink[:max(0, y - gap)].any(axis=0))
        if not len(cols):
            continue
        if ink[y + gap:].sum() > s.ground_line_below_max_ratio * ink.sum():
            return None
        return min(cols.min() - a, b - cols.max()) / px_per_mm
    return None


def is_level_label(text: str) -> bool:
    """Whether a text names a level: a level word ("ARAS RASUK", "FFL") or a height mark."""
    norm = normalise(text)
    squashed = norm.replace(" ", "")
    return bool(level_marks([text])) or any(_has(w, norm, squashed) for w in LEVEL_LABEL_WORDS)


def level_column(texts: list[TextItem], px_per_mm: float, s: SheetSettings = SheetSettings()) -> int:
    """The most level labels stacked in one column (left edges aligned, at distinct heights,
    with distinct texts): the level scale of an elevation or a section."""
    labels = [t for t in texts if not t.angle and is_level_label(t.text)]
    tol, sep = s.level_column_x_tolerance_mm * px_per_mm, s.level_column_min_step_mm * px_per_mm
    best = 0
    for a in labels:
        col = sorted((t for t in labels if abs(t.bbox[0] - a.bbox[0]) <= tol), key=lambda t: t.bbox[1])
        kept: list[TextItem] = []
        for t in col:
            if all(abs(t.bbox[1] - k.bbox[1]) >= sep and normalise(t.text) != normalise(k.text) for k in kept):
                kept.append(t)
        best = max(best, len(kept))
    return best


def content_kind(gray: np.ndarray, px_per_mm: float, s: SheetSettings = SheetSettings(),
                 texts: list[TextItem] = ()) -> tuple[PageKind, str] | None:
    """The kind the drawing shows plainly (see module doc), with the cue in words; ``texts`` are
    the texts on the drawing (page pixels, as ``gray``'s scale)."""
    ink = gray < 160
    if looks_like_table(ink, px_per_mm, s):
        return "schedule", "a grid of cells"
    over = ground_overhang_mm(ink, px_per_mm, s)
    if over is not None and over >= s.ground_line_overhang_mm:
        return "elevation", f"an elevation or section (it stands on a ground line running {over:.0f} mm past it)"
    n = level_column(list(texts), px_per_mm, s)
    if n >= s.level_column_min_labels:
        return "elevation", f"an elevation or section ({n} level labels one above the other)"
    return None
