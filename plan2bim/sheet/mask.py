"""Take sheet furniture out of a drawing before recognition: none of it may become a wall.

Inside a viewport: text, grid bubbles and tag circles, dimension chains (their lines, ticks and
extension lines), section and elevation markers (isolated heavy bars and arrows), and whatever
of the title block and panels reaches into the crop are painted paper white.
"""

from __future__ import annotations

import cv2
import numpy as np

from plan2bim.sheet.dimensions import DimensionHit, dimension_lines
from plan2bim.sheet.model import BBox, Sheet, TextItem
from plan2bim.sheet.settings import SheetSettings


def _paint(img: np.ndarray, b: BBox, ox: float, oy: float, pad: float) -> None:
    H, W = img.shape[:2]
    x0, y0 = int(max(0, b[0] - ox - pad)), int(max(0, b[1] - oy - pad))
    x1, y1 = int(min(W, b[2] - ox + pad + 1)), int(min(H, b[3] - oy + pad + 1))
    if x1 > x0 and y1 > y0:
        img[y0:y1, x0:x1] = 255


def _paint_text(img: np.ndarray, b: BBox, ox: float, oy: float, pad: float) -> None:
    """Paint a text's box white but for the long straight strokes running through it: a wall
    or a dimension line a label or a marker's letter sits on keeps its ink."""
    H, W = img.shape[:2]
    x0, y0 = int(max(0, b[0] - ox - pad)), int(max(0, b[1] - oy - pad))
    x1, y1 = int(min(W, b[2] - ox + pad + 1)), int(min(H, b[3] - oy + pad + 1))
    if x1 <= x0 or y1 <= y0:
        return
    region = img[y0:y1, x0:x1]
    gray = region if region.ndim == 2 else cv2.cvtColor(region, cv2.COLOR_RGB2GRAY)
    ink = (gray < 160).astype(np.uint8)
    k = max(5, int(2 * (b[3] - b[1])))
    keep = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    keep |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    region[keep == 0] = 255


def fill_thin_walls(crop: np.ndarray, px_per_mm: float, s: SheetSettings) -> np.ndarray:
    """Ink between strokes closer than a wall's thickness, filled: a CAD sheet draws walls as
    two thin faces with a light hatch between (windows as three thin lines), which the raster
    detector, made for solid walls, sees as nothing; filled, they are solid bands. Tile grids
    and furniture stand further apart and stay open."""
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    ink = (gray < 160).astype(np.uint8)
    k = max(3, int(round(s.wall_fill_gap_mm * px_per_mm)))
    n = max(5, int(round(s.wall_fill_min_run_mm * px_per_mm)))
    # Only between long straight strokes: text, tags and marker symbols are short strokes, and
    # filled they became walls.
    rows = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (n, 1)))
    cols = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, n)))
    across_h = cv2.morphologyEx(rows, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    across_v = cv2.morphologyEx(cols, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    tol = max(1, int(round(s.glazing_gap_tol_mm * px_per_mm)))
    r = s.glazing_min_length_ratio
    g = max(1, int(round(s.glazing_min_pane_mm * px_per_mm)))
    across_h[glazing_bands(rows, across_h, ink, tol, r, g)] = 0
    across_v[glazing_bands(np.ascontiguousarray(cols.T), np.ascontiguousarray(across_v.T),
                           np.ascontiguousarray(ink.T), tol, r, g).T] = 0
    across = across_h | across_v
    out = crop.copy()
    out[across > 0] = 0
    return out


def glazing_bands(strokes: np.ndarray, filled: np.ndarray, ink: np.ndarray, tol: int,
                  min_ratio: float, min_gap: int) -> np.ndarray:
    """The filled runs (down each column) that close exactly three strokes with equal gaps
    between them: a window's glazing drawn as three parallel lines (the wall's two faces carried
    through the opening and the glass between), which filled became a solid wall and the
    window was lost. A wall's two faces are two strokes, its hatch no long strokes across. The
    glass ends at the opening's jambs (ink across the band at both ends): a dash of a grid or
    centre line along a wall's middle has none (the rasterised tandas plan's partitions lost
    their toilets' rooms). A window is longer than ``min_ratio`` times its wall's thickness: a
    short box of cross lines over a wall's centre line is a wall's mark, not glazing. Panes are
    at least ``min_gap`` pixels wide: a heavy line's anti-aliased rows with a dashed white line
    along it (the RBT plan's corridor kerb) are no panes.

    ``strokes``, ``filled``, ``ink``: uint8 masks of long strokes along the rows, of their
    closing across and of all ink; ``tol``: pixels the two gaps may differ by. Returns a bool
    mask of ``filled``."""
    H, W = filled.shape
    out = np.zeros((H, W), bool)
    f = filled > 0
    r = strokes > 0
    f_start = f.copy()
    f_start[1:] &= ~f[:-1]
    r_start = r.copy()
    r_start[1:] &= ~r[:-1]
    c = np.vstack([np.zeros((1, W), np.int32), np.cumsum(r_start, axis=0, dtype=np.int32)])
    # Per filled pixel, the row its run starts on and the row it ends on; strokes started in it.
    ys = np.arange(H, dtype=np.int32)[:, None]
    start = np.maximum.accumulate(np.where(f_start, ys, 0), axis=0)
    f_end = f.copy()
    f_end[:-1] &= ~f[1:]
    end = np.minimum.accumulate(np.where(f_end, ys, H - 1)[::-1], axis=0)[::-1]
    n = np.take_along_axis(c, end + 1, axis=0) - np.take_along_axis(c, start, axis=0)
    cols = np.nonzero((f_start & (n >= 3)).any(axis=0))[0]
    for x in cols:
        col_f, col_r = f[:, x], r[:, x]
        y = 0
        while y < H:
            if not col_f[y]:
                y += 1
                continue
            y1 = y
            while y1 < H and col_f[y1]:
                y1 += 1
            seg = col_r[y:y1]
            edges = np.flatnonzero(np.diff(np.r_[0, seg.astype(np.int8), 0]))
            runs = edges.reshape(-1, 2)
            if len(runs) == 3:
                g1 = runs[1, 0] - runs[0, 1]
                g2 = runs[2, 0] - runs[1, 1]
                if abs(g1 - g2) <= tol and min(g1, g2) >= min_gap:
                    out[y:y1, x] = True
            y = y1
    n_comp, lab, stats, _ = cv2.connectedComponentsWithStats(out.astype(np.uint8), connectivity=8)
    for i in range(1, n_comp):
        x0, y0, w, h = stats[i, :4]
        if (w < min_ratio * h or not (_jamb_at(ink, x0, y0, h)
                                       and _jamb_at(ink, x0 + w - 1, y0, h))):
            out[lab == i] = False
    return out


def _jamb_at(ink: np.ndarray, x: int, y0: int, h: int) -> bool:
    """Ink across rows ``y0``..``y0 + h`` (most of it) in a column within two pixels of ``x``."""
    seg = ink[y0:y0 + h, max(0, x - 2):x + 3] > 0
    return seg.size > 0 and bool((seg.mean(axis=0) >= 0.8).any())


def bubbles(ink: np.ndarray, px_per_mm: float, s: SheetSettings) -> list[BBox]:
    """Circles of grid-bubble size (grid bubbles, section-marker circles): found with a Hough
    transform (a grid line touching the ring does not hide it), kept where ink runs round at
    least 80% of the circle."""
    lo, hi = (0.5 * d * px_per_mm for d in (s.bubble_min_diameter_mm, s.bubble_max_diameter_mm))
    u8 = (ink * 255).astype(np.uint8)
    circles = cv2.HoughCircles(cv2.GaussianBlur(u8, (5, 5), 1.2), cv2.HOUGH_GRADIENT, dp=1.5,
                               minDist=2 * lo, param1=100, param2=24,
                               minRadius=int(lo), maxRadius=int(hi) + 1)
    if circles is None:
        return []
    H, W = ink.shape
    grown = cv2.dilate(u8, np.ones((3, 3), np.uint8)) > 0
    t = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    out = []
    for cx, cy, r in circles[0]:
        xs = np.clip(np.round(cx + r * np.cos(t)).astype(int), 0, W - 1)
        ys = np.clip(np.round(cy + r * np.sin(t)).astype(int), 0, H - 1)
        # A ring alone: ink round it, little just outside (a square's corners stick out).
        xo = np.clip(np.round(cx + (r + 4) * np.cos(t)).astype(int), 0, W - 1)
        yo = np.clip(np.round(cy + (r + 4) * np.sin(t)).astype(int), 0, H - 1)
        if grown[ys, xs].mean() >= 0.8 and ink[yo, xo].mean() <= 0.25:
            out.append((float(cx - r - 1), float(cy - r - 1), float(cx + r + 1), float(cy + r + 1)))
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


def _heavy_strokes(ink: np.ndarray, px_per_mm: float) -> tuple[np.ndarray, float, np.ndarray]:
    """The cores of strokes at least 0.7 mm wide on paper (``half`` px from their edges), and
    the heavy ink itself (the cores grown back over the ink): markers, bold letters, cut lines
    and solid walls, not the thin line work."""
    u8 = ink.astype(np.uint8)
    half = max(1.5, 0.35 * px_per_mm)
    core = (cv2.distanceTransform(u8, cv2.DIST_L2, 3) >= half).astype(np.uint8)
    k = int(2 * half) | 1
    heavy = cv2.dilate(core, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))) & u8
    return core, half, heavy


def peripheral_marks(ink: np.ndarray, px_per_mm: float) -> list[BBox]:
    """Heavy strokes outside the drawing's heavy mass: section and elevation markers (a bold
    letter and its heavy dash or arrow), north arrows. The walls are the heavy mass; a mark
    standing outside its bounding box is not a wall."""
    u8 = ink.astype(np.uint8)
    core, _, heavy = _heavy_strokes(ink, px_per_mm)
    if not core.any():
        return []
    n, _, stats, _ = cv2.connectedComponentsWithStats(heavy, connectivity=8)
    if n <= 1:
        return []
    # The drawing's mass: its largest piece of joined ink (walls joined at their corners),
    # with what lies in its box.
    g = max(3, int(px_per_mm) | 1)
    joined = cv2.dilate(u8, cv2.getStructuringElement(cv2.MORPH_RECT, (g, g)))
    m, _, mst, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    if m <= 1:
        return []
    big = 1 + int(np.argmax(mst[1:, 4]))
    x0, y0 = mst[big, 0], mst[big, 1]
    x1, y1 = x0 + mst[big, 2], y0 + mst[big, 3]
    out = []
    max_len = 15 * px_per_mm
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        cx, cy = x + w / 2, y + h / 2
        if max(w, h) <= max_len and not (x0 <= cx <= x1 and y0 <= cy <= y1):
            out.append((float(x), float(y), float(x + w), float(y + h)))
    return out


def cut_lines(ink: np.ndarray, px_per_mm: float, s: SheetSettings = SheetSettings()) -> list[BBox]:
    """Section and elevation cut lines with their markers: rows of three or more heavy dashes
    of one size on one axis, evenly spaced, the gaps between them empty (a bold dashed line
    across the drawing), and the heavy flags, arrows and letters at the row's ends.

    A dash that crosses a wall is joined to the wall's ink, so :func:`heavy_bars` (isolated
    bars) misses it; here a dash is known by the row it stands in. Pieces of a wall between
    windows stand in a row too, but glazing fills their gaps, and between doors the gaps are
    door-wide, not dash gaps."""
    core, half, heavy = _heavy_strokes(ink, px_per_mm)
    if not core.any():
        return []
    n, _, stats, _ = cv2.connectedComponentsWithStats(core, connectivity=8)
    max_len = s.cut_dash_max_mm * px_per_mm
    max_gap = s.cut_gap_max_mm * px_per_mm
    bars: dict[bool, list[tuple[float, float, float, float]]] = {True: [], False: []}
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        along, across = (w, h) if w >= h else (h, w)
        length, thick = along + 2 * half, across + 2 * half
        if length > max_len or length < s.cut_dash_elongation * thick:
            continue
        horizontal = bool(w >= h)
        axis = y + h / 2 if horizontal else x + w / 2
        start = x - half if horizontal else y - half
        bars[horizontal].append((axis, start, start + length, thick))
    out: list[BBox] = []
    ends: list[tuple[float, float]] = []
    for horizontal, items in bars.items():
        items.sort()
        groups: list[list[tuple[float, float, float, float]]] = []
        for b in items:
            if groups and abs(b[0] - groups[-1][-1][0]) <= max(2.0, 0.5 * b[3]):
                groups[-1].append(b)
            else:
                groups.append([b])
        for g in groups:
            g.sort(key=lambda b: b[1])
            run = [g[0]]
            for b in g[1:] + [None]:
                if b is not None and _dash_follows(run[-1], b, ink, horizontal, max_gap, half):
                    run.append(b)
                    continue
                if len(run) >= s.cut_min_dashes:
                    out += _cut_line_boxes(run, horizontal)
                    a0, a1 = run[0][0], run[-1][0]
                    ends += [(run[0][1], a0), (run[-1][2], a1)] if horizontal else \
                        [(a0, run[0][1]), (a1, run[-1][2])]
                run = [b] if b is not None else []
    if not out:
        return out
    return out + _marker_ends(ends, heavy, px_per_mm, s)


def _dash_follows(a, b, ink: np.ndarray, horizontal: bool, max_gap: float, half: float) -> bool:
    """Whether dash ``b`` continues the row ending in dash ``a``: a dash's gap away, of a
    like size, with paper between them on the row's axis (crossing lines aside)."""
    gap = b[1] - a[2]
    if not (0 < gap <= min(max_gap, 0.8 * max(a[2] - a[1], b[2] - b[1]))):
        return False
    la, lb = a[2] - a[1], b[2] - b[1]
    if max(la, lb) > 2.5 * min(la, lb) or max(a[3], b[3]) > 1.6 * min(a[3], b[3]):
        return False
    t = 0.5 * min(a[3], b[3])
    lo, hi = int(np.ceil(a[2])), int(np.floor(b[1]))
    c0, c1 = int(round(a[0] - t)), int(round(a[0] + t)) + 1
    if hi <= lo:
        return True
    band = ink[max(0, c0):c1, lo:hi] if horizontal else ink[lo:hi, max(0, c0):c1].T
    return band.size == 0 or float(band.any(axis=0).mean()) < 0.5


def _cut_line_boxes(run, horizontal: bool) -> list[BBox]:
    out = []
    for axis, s0, s1, thick in run:
        t = 0.5 * thick + 1
        out.append((s0, axis - t, s1, axis + t) if horizontal else (axis - t, s0, axis + t, s1))
    return out


def _marker_ends(ends: list[tuple[float, float]], heavy: np.ndarray, px_per_mm: float,
                 s: SheetSettings) -> list[BBox]:
    """The marker at a cut line's ends: heavy pieces no larger than a marker near an end, and
    not solid blocks (a flag with its first dash, an arrow, a bold letter; a wall's stub is a
    solid rectangle)."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(heavy, connectivity=8)
    reach = s.cut_marker_reach_mm * px_per_mm
    biggest = s.cut_marker_max_mm * px_per_mm
    e = np.asarray(ends, dtype=np.float64)
    out = []
    for i in range(1, n):
        x, y, w, h, a = stats[i]
        if max(w, h) > biggest or a > s.cut_marker_max_fill * w * h:
            continue
        dx = np.maximum(0, np.maximum(x - e[:, 0], e[:, 0] - (x + w)))
        dy = np.maximum(0, np.maximum(y - e[:, 1], e[:, 1] - (y + h)))
        if float(np.min(np.hypot(dx, dy))) <= reach:
            out.append((float(x), float(y), float(x + w), float(y + h)))
    return out


def note_boxes(ink: np.ndarray, px_per_mm: float, s: SheetSettings = SheetSettings()) -> list[BBox]:
    """Framed notes and tags inside a drawing (a specification note, a level tag "1.150 kt
    ls"): a thin rectangle that text fills. Its frame next to a leader or another note's edge
    made two close parallel strokes, which are filled as a wall on a raster sheet. A room is a
    rectangle too, but its name fills little of it, and furniture, doors and hatch in it are
    larger than letters."""
    u8 = ink.astype(np.uint8)
    contours, hier = cv2.findContours(u8, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hier is None:
        return []
    lo = s.note_min_mm * px_per_mm
    wmax, hmax = s.note_max_width_mm * px_per_mm, s.note_max_height_mm * px_per_mm
    letter = s.label_max_height_mm * px_per_mm
    pad = s.note_frame_mm * px_per_mm + 1
    out: list[BBox] = []
    for c, h in zip(contours, hier[0], strict=True):
        if h[3] < 0:
            continue  # an outer boundary: a note's interior is a hole in its frame
        x, y, w, hh = cv2.boundingRect(c)
        if not (lo <= w <= wmax and lo <= hh <= hmax) or cv2.contourArea(c) < 0.85 * w * hh:
            continue
        sub = u8[y + 2:y + hh - 2, x + 2:x + w - 2]
        if sub.size == 0 or not sub.any():
            continue
        n, _, st, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
        if int(st[1:, cv2.CC_STAT_HEIGHT].max()) > letter:
            continue
        x0, y0 = st[1:, 0].min(), st[1:, 1].min()
        x1 = (st[1:, 0] + st[1:, 2]).max()
        y1 = (st[1:, 1] + st[1:, 3]).max()
        if (x1 - x0) * (y1 - y0) < s.note_text_cover * sub.size:
            continue
        out.append((float(x - pad), float(y - pad), float(x + w + pad), float(y + hh + pad)))
    return out


def grid_line_pixels(ink: np.ndarray, bubble_boxes: list[BBox], px_per_mm: float) -> np.ndarray:
    """The thin ink of the grid lines that leave the grid bubbles (dash-dot lines across the
    drawing): on a grid line, a pixel is grid unless it belongs to a stroke running across it
    (a wall crossing the grid keeps its ink)."""
    from plan2bim.sheet.layout import _run_lengths

    H, W = ink.shape
    out = np.zeros_like(ink)
    across_h = None
    across_v = None
    half = max(1, int(round(0.4 * px_per_mm)))
    thin = max(3, int(round(0.8 * px_per_mm)))
    for b in bubble_boxes:
        cx, cy = int(0.5 * (b[0] + b[2])), int(0.5 * (b[1] + b[3]))
        r = int(0.5 * max(b[2] - b[0], b[3] - b[1]))
        col = ink[:, max(0, cx - half):cx + half + 1].any(axis=1)
        row = ink[max(0, cy - half):cy + half + 1, :].any(axis=0)
        down, up = col[cy + r + 1:], col[:max(0, cy - r)]
        right, left = row[cx + r + 1:], row[:max(0, cx - r)]
        if max(down.mean() if down.size else 0, up.mean() if up.size else 0) >= 0.3:
            if across_h is None:
                across_h = _run_lengths(ink)
            band = np.zeros_like(ink)
            band[:, max(0, cx - half):cx + half + 1] = True
            out |= band & ink & (across_h <= thin)
        if max(right.mean() if right.size else 0, left.mean() if left.size else 0) >= 0.3:
            if across_v is None:
                across_v = _run_lengths(np.ascontiguousarray(ink.T)).T
            band = np.zeros_like(ink)
            band[max(0, cy - half):cy + half + 1, :] = True
            out |= band & ink & (across_v <= thin)
    return out


def masked_viewport(image: np.ndarray, sheet: Sheet, bbox: BBox, *,
                    dims: list[DimensionHit] = (), settings: SheetSettings = SheetSettings(),
                    mask_texts: bool = True, labels: list[BBox] = (),
                    fill_walls: bool = False) -> np.ndarray:
    """The viewport's crop of ``image`` with the sheet furniture in it painted white.

    ``labels``: unread text lines (crop pixels) painted out too; ``fill_walls``: thin-line
    walls filled solid (a raster sheet, see :func:`fill_thin_walls`)."""
    x0, y0, x1, y1 = (int(round(v)) for v in bbox)
    crop = image[y0:y1, x0:x1].copy()
    px_per_mm = (sheet.dpi / 25.4) if sheet.dpi else max(sheet.size_px) / 420.0
    # Before anything is painted: painted text and dimension lines cut a cut line's dashes
    # into pieces that no longer make a row.
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    cuts = cut_lines(gray < 160, px_per_mm, settings)
    if fill_walls:
        cuts += note_boxes(gray < 160, px_per_mm, settings)
    for fb in sheet.furniture:
        _paint(crop, fb, x0, y0, 2)
    if mask_texts:
        for t in sheet.texts:
            _paint_text(crop, t.bbox, x0, y0, 0.15 * (t.bbox[3] - t.bbox[1]) + 1)
    for b in labels:
        _paint_text(crop, b, 0, 0, 0.15 * (b[3] - b[1]) + 1)
    for d in dims:
        _paint(crop, (d.x0, d.line_y, d.x1, d.line_y), x0, y0, 0.8 * px_per_mm)
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    ink = gray < 160
    for b in dimension_lines(ink, px_per_mm, settings=settings):
        _paint(crop, b, 0, 0, 1)
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    ink = gray < 160
    rings = bubbles(ink, px_per_mm, settings)
    crop[grid_line_pixels(ink, rings, px_per_mm)] = 255
    marks = rings + heavy_bars(ink, px_per_mm) + peripheral_marks(ink, px_per_mm)
    for b in marks + cuts:
        _paint(crop, b, 0, 0, 2)
    if not fill_walls:
        return crop
    crop = fill_thin_walls(crop, px_per_mm, settings)
    # Filled, a marker's thin letter and arrow are heavy strokes too: those standing outside
    # the drawing's mass go (the rasterised RBT plan's section markers became walls).
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    for b in peripheral_marks(gray < 160, px_per_mm):
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
