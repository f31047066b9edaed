"""Take sheet furniture out of a drawing before recognition: none of it may become a wall.

Inside a viewport: text, grid bubbles and tag circles, dimension chains (their lines, ticks and
extension lines), section and elevation markers (isolated heavy bars and arrows), and whatever
of the title block and panels reaches into the crop are painted paper white.
"""

from __future__ import annotations

import cv2
import numpy as np

from .dimensions import DimensionHit
from .model import BBox, Sheet, TextItem
from .settings import SheetSettings


def _paint(img: np.ndarray, b: BBox, ox: float, oy: float, pad: float) -> None:
    H, W = img.shape[:2]
    x0, y0 = int(max(0, b[0] - ox - pad)), int(max(0, b[1] - oy - pad))
    x1, y1 = int(min(W, b[2] - ox + pad + 1)), int(min(H, b[3] - oy + pad + 1))
    if x1 > x0 and y1 > y0:
        img[y0:y1, x0:x1] = 255


def bubbles(ink: np.ndarray, px_per_mm: float, s: SheetSettings) -> list[BBox]:
    """Rings of grid-bubble size (grid bubbles, section-marker circles, door and window tags)."""
    lo, hi = (d * px_per_mm for d in s.bubble_diameter_mm)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, a = stats[i]
        if not (lo <= w <= hi and lo <= h <= hi) or abs(w - h) > 0.2 * max(w, h):
            continue
        # A ring (circle or hexagon outline) inks little of its box; a filled disc inks ~0.8.
        if a < 0.35 * w * h:
            out.append((float(x), float(y), float(x + w), float(y + h)))
    return out


def heavy_bars(ink: np.ndarray, px_per_mm: float) -> list[BBox]:
    """Isolated short solid bars: the dashes of section and elevation markers. A wall on a
    sheet is joined to other walls or is longer than a marker's dash (at most ~10 mm on paper
    on the dev sheets); a column is square, not a bar."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    out = []
    max_len = 12 * px_per_mm
    for i in range(1, n):
        x, y, w, h, a = stats[i]
        long_side, short_side = max(w, h), min(w, h)
        if long_side > max_len or short_side < max(2.0, 0.5 * px_per_mm):
            continue
        if long_side >= 2.5 * short_side and a >= 0.6 * w * h:
            out.append((float(x), float(y), float(x + w), float(y + h)))
    return out


def masked_viewport(image: np.ndarray, sheet: Sheet, bbox: BBox, *,
                    dims: list[DimensionHit] = (), settings: SheetSettings = SheetSettings(),
                    mask_texts: bool = True) -> np.ndarray:
    """The viewport's crop of ``image`` with the sheet furniture in it painted white."""
    x0, y0, x1, y1 = (int(round(v)) for v in bbox)
    crop = image[y0:y1, x0:x1].copy()
    px_per_mm = (sheet.dpi / 25.4) if sheet.dpi else max(sheet.size_px) / 420.0
    for fb in sheet.furniture:
        _paint(crop, fb, x0, y0, 2)
    if mask_texts:
        for t in sheet.texts:
            _paint(crop, t.bbox, x0, y0, 0.15 * (t.bbox[3] - t.bbox[1]) + 1)
    for d in dims:
        _paint(crop, (d.x0, d.line_y, d.x1, d.line_y), x0, y0, 0.8 * px_per_mm)
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    ink = gray < 160
    for b in bubbles(ink, px_per_mm, settings) + heavy_bars(ink, px_per_mm):
        _paint(crop, b, 0, 0, 2)
    return crop


def texts_in(texts: list[TextItem], bbox: BBox) -> list[TextItem]:
    """Texts whose centre lies in ``bbox``."""
    out = []
    for t in texts:
        cx, cy = 0.5 * (t.bbox[0] + t.bbox[2]), 0.5 * (t.bbox[1] + t.bbox[3])
        if bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]:
            out.append(t)
    return out
