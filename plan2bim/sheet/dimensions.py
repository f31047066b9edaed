"""The scale from dimension chains: a printed "3100" over a line between two ticks N px apart.

Also the mask of dimension chains, so that their lines and ticks never become walls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from plan2bim.sheet.model import BBox, TextItem
from plan2bim.sheet.settings import SheetSettings

_NUMBER = re.compile(r"^\s*(\d{3,6}|\d{1,3}[.,]\d{2})\s*$")


def dimension_value_m(text: str) -> float | None:
    """A dimension label's length in metres: "3100" (mm), "3.10" or "3,10" (m); else None."""
    t = text.replace(" ", "")
    m = _NUMBER.match(t)
    if not m:
        return None
    s = m.group(1)
    if "." in s or "," in s:
        v = float(s.replace(",", "."))
    else:
        v = int(s) / 1000.0
    return v if 0.1 <= v <= 200 else None


@dataclass(frozen=True)
class DimensionHit:
    value_m: float
    span_px: float
    line_y: int
    x0: float
    x1: float

    @property
    def px_per_m(self) -> float:
        return self.span_px / self.value_m


def _ticks(ink: np.ndarray, y: int, x_lo: int, x_hi: int, reach: int) -> np.ndarray:
    """Columns where a stroke crosses the horizontal line at row ``y``: ink just above and just
    below it (a 45° tick or an extension line)."""
    H, W = ink.shape
    a0, a1 = max(0, y - reach), max(0, y - 2)
    b0, b1 = min(H, y + 3), min(H, y + reach + 1)
    if a1 <= a0 or b1 <= b0:
        return np.array([], int)
    above = ink[a0:a1, x_lo:x_hi].any(axis=0)
    below = ink[b0:b1, x_lo:x_hi].any(axis=0)
    # A 45° tick is above on one side and below on the other: widen each by the reach.
    k = np.ones(2 * reach + 1, bool)
    above_w = np.convolve(above, k, mode="same") > 0
    below_w = np.convolve(below, k, mode="same") > 0
    hit = above_w & below_w
    xs = np.flatnonzero(hit) + x_lo
    if len(xs) == 0:
        return xs
    # One position per stroke: the middle of each run.
    runs = np.split(xs, np.flatnonzero(np.diff(xs) > 1) + 1)
    return np.array([int(np.mean(r)) for r in runs])


def _words(texts: list[TextItem]) -> list[TextItem]:
    """Texts split into words, each with its share of the box (a PDF text run holds a whole
    chain: "1000 2000 2000 1000")."""
    out = []
    for t in texts:
        words = t.text.split()
        if len(words) <= 1 or t.angle:
            out.append(t)
            continue
        x0, y0, x1, y1 = t.bbox
        per = (x1 - x0) / max(1, len(t.text))
        pos = 0
        for w in words:
            i = t.text.index(w, pos)
            pos = i + len(w)
            out.append(TextItem(w, (x0 + i * per, y0, x0 + pos * per, y1), t.source, t.confidence))
    return out


def measure(ink: np.ndarray, numbers: list[TextItem]) -> list[DimensionHit]:
    """Each horizontal dimension number paired with the ticks of the line under (or over) it."""
    H, W = ink.shape
    hits = []
    for t in _words(numbers):
        if t.angle:
            continue
        v = dimension_value_m(t.text)
        if v is None:
            continue
        x0, y0, x1, y1 = t.bbox
        h = max(4.0, y1 - y0)
        cx = 0.5 * (x0 + x1)
        lo, hi = int(max(0, x0 - 40 * h)), int(min(W, x1 + 40 * h))
        # The dimension line: the nearest row under (else over) the number inked across it.
        best = None
        cy = int(0.5 * (y0 + y1))
        for y in list(range(cy, int(min(H, y1 + 1.2 * h)))) + \
                list(range(cy, int(max(0, y0 - 1.2 * h)), -1)):
            row = ink[y, int(x0):int(x1) + 1]
            if row.size and row.mean() > 0.95:
                best = y
                break
        if best is None:
            continue
        row = ink[best]
        # The line's extent around the number.
        left, right = int(cx), int(cx)
        while left > lo and (row[left - 1] or row[max(0, left - 2)] or row[max(0, left - 3)]):
            left -= 1
        while right < hi - 1 and (row[right + 1] or row[min(W - 1, right + 2)]
                                  or row[min(W - 1, right + 3)]):
            right += 1
        ticks = _ticks(ink, best, left, right + 1, int(max(3, 0.45 * h)))
        lt, rt = ticks[ticks < x0 - 1], ticks[ticks > x1 + 1]
        if len(lt) == 0 or len(rt) == 0:
            continue
        span = float(rt.min() - lt.max())
        if span > (x1 - x0):
            hits.append(DimensionHit(v, span, best, float(lt.max()), float(rt.min())))
    return hits


def scale_from_dimensions(hits: list[DimensionHit], min_agree: int, agree_ratio: float
                          ) -> tuple[float, int] | None:
    """(px per metre, how many numbers agree) when at least ``min_agree`` of them agree."""
    if len(hits) < min_agree:
        return None
    vals = np.array([h.px_per_m for h in hits])
    best = None
    for v in vals:
        agree = np.abs(vals / v - 1) <= agree_ratio
        if best is None or agree.sum() > best[1]:
            best = (float(np.median(vals[agree])), int(agree.sum()))
    if best and best[1] >= min_agree:
        return best
    return None


def dimension_boxes(hits: list[DimensionHit], pad_px: float) -> list[BBox]:
    """Boxes over the measured dimension lines and their ticks: never walls."""
    return [(h.x0 - pad_px, h.line_y - pad_px, h.x1 + pad_px, h.line_y + pad_px) for h in hits]


def _diagonal_ticks(ink: np.ndarray, y: int, x_lo: int, x_hi: int, reach: int) -> np.ndarray:
    """Columns of the 45° ticks (architectural dimension ticks) crossing the line at row ``y``."""
    H, _ = ink.shape
    if y - reach < 0 or y + reach >= H:
        return np.array([], int)
    seg = ink[y - reach:y + reach + 1, x_lo:x_hi]
    k = reach
    if seg.shape[1] <= 2 * k:
        return np.array([], int)
    # A tick through column x: ink at (y - k, x + k) and (y + k, x - k), or the mirror, but
    # not both ways (a thick stroke across the line inks both); an extension line may pass
    # through the tick.
    up, dn, mid = seg[0], seg[-1], seg[k]
    n = seg.shape[1]
    c = np.arange(k, n - k)
    a = np.zeros(len(c), bool)
    b = np.zeros(len(c), bool)
    for j in range(max(1, k // 3), k + 1):  # ticks drawn from about 30° to 60°
        a |= up[c + j] & dn[c - j]
        b |= up[c - j] & dn[c + j]
    hit = mid[k:-k] & (a ^ b)
    xs = np.flatnonzero(hit)
    if len(xs) == 0:
        return xs
    # One position per tick: hits closer than the tick's reach are one stroke.
    groups = np.split(xs, np.flatnonzero(np.diff(xs) > 2 * k) + 1)
    return np.array([int(round(gr.mean())) for gr in groups]) + x_lo + k


def _companion_share(m: np.ndarray, y0: int, y1: int, x0: int, x1: int, gap: int) -> float:
    """Share of the line's length (rows ``y0..y1``) with ink within ``gap`` px on one side of
    it, the side where there is more: a parallel line, or a wall's fill."""
    H = m.shape[0]
    above = m[max(0, y0 - gap - 1):max(0, y0 - 1), x0:x1]
    below = m[min(H, y1 + 2):min(H, y1 + gap + 2), x0:x1]
    a = float(above.any(axis=0).mean()) if above.size else 0.0
    b = float(below.any(axis=0).mean()) if below.size else 0.0
    return max(a, b)


def dimension_lines(ink: np.ndarray, px_per_mm: float, min_len_mm: float = 15.0,
                    settings: SheetSettings = SheetSettings()) -> list[BBox]:
    """Boxes of horizontal and vertical lines crossed by three or more 45° ticks: dimension
    chains, wherever their numbers are (or are not) read. A line with another running beside
    it along most of its length is a wall's face or a window's frame (hatching between the
    faces reads as ticks), not a dimension line."""
    import cv2

    from plan2bim.sheet.layout import components

    out: list[BBox] = []
    reach = max(2, int(round(0.8 * px_per_mm)))
    gap = max(2, int(round(settings.dimension_companion_gap_mm * px_per_mm)))
    for transpose in (False, True):
        m = ink.T if transpose else ink
        k = max(5, int(min_len_mm * px_per_mm))
        lines = cv2.morphologyEx(m.astype(np.uint8), cv2.MORPH_OPEN,
                                 cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
        # Thin lines are few pixels: their boxes cost less taken from them (a sheet: 14 -> 6 ms).
        n, _, stats = components(lines, 8)
        for i in range(1, n):
            x, y, w, h, _ = stats[i]
            if h > 0.6 * px_per_mm + 2:
                continue  # a heavy bar, not a thin dimension line
            yc = y + h // 2
            ticks = _diagonal_ticks(m, yc, x, x + w, reach)
            # Dimension ticks stand metres apart; a hatched band has a stroke every 1-2 mm.
            if len(ticks) >= 3 and np.median(np.diff(ticks)) >= 5 * px_per_mm \
                    and _companion_share(m, y, y + h - 1, x, x + w, gap) \
                    <= settings.dimension_companion_max_ratio:
                b = (float(x), float(y - reach), float(x + w), float(y + h + reach))
                out.append((b[1], b[0], b[3], b[2]) if transpose else b)
    return out
