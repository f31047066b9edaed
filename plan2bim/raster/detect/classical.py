"""The classical detector: walls are the thick strokes of a drawing, openings the gaps between them.

Walls are found by a morphological opening sized to the drawing's own wall thickness (thin lines:
text, furniture, door arcs, dimension lines vanish). Doors and windows are the gaps between
collinear wall bars, told apart by what is drawn in and beside the gap: a window's parallel
glazing lines inside it, a door's leaf and swing arc beside it.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

from plan2bim.config import Config
from plan2bim.raster.detections import Detections, OpeningDetection
from plan2bim.raster.limits import count_short, refuse_texture
from plan2bim.raster.preprocess import Prepared
from plan2bim.raster.segments import (
    Segment,
    box_corners,
    extract_segments,
    typical_bar_thickness,
    typical_stroke_width,
)
from plan2bim.settings import ClassicalSettings, SegmentSettings

log = logging.getLogger(__name__)


def wall_mask(ink: np.ndarray, st: ClassicalSettings = ClassicalSettings(),
              seg: SegmentSettings = SegmentSettings()) -> tuple[np.ndarray, float, int]:
    """The thick-stroke mask of an ink image, the typical wall thickness and the kernel used."""
    ink8 = ink.astype(np.uint8)
    width = typical_stroke_width(ink8, seg.stroke_width_percentile)
    # Solid areas much thicker than the walls (sheet borders, filled stairs, dark furniture,
    # shaded zones) are not walls.
    big = max(int(round(st.solid_blob_wt * width)), st.solid_blob_min_px)
    core = cv2.morphologyEx(ink8, cv2.MORPH_OPEN, np.ones((big, big), np.uint8))
    if core.any():
        m = st.solid_blob_margin_px
        ink8 = ink8 & (1 - cv2.dilate(core, np.ones((m, m), np.uint8)))
    k = max(3, int(round(st.open_kernel_wt * width)) | 1)
    mask = cv2.morphologyEx(ink8, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
    # Small isolated blobs (bold letters, arrow heads, dots) are not walls.
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    min_area = (st.min_blob_area_kernels * k) ** 2
    keep = stats[:, cv2.CC_STAT_AREA] >= min_area
    keep[0] = False
    out = keep[lab]
    if _strip_sheet_frame(out, lab, stats, keep, k, st):
        n, lab, stats, _ = cv2.connectedComponentsWithStats(out.astype(np.uint8), connectivity=8)
        keep = stats[:, cv2.CC_STAT_AREA] >= min_area
        keep[0] = False
        out = keep[lab]
    return out, width, k


def _strip_sheet_frame(mask: np.ndarray, lab: np.ndarray, stats: np.ndarray, keep: np.ndarray,
                       k: int, st: ClassicalSettings) -> bool:
    """Erase a border drawn around the sheet: a component spanning most of the sheet that lies
    mostly in the strip along its own bounding box. A building's outline spanning a tightly
    cropped plan is not erased: it has walls inside it, far from that strip."""
    H, W = mask.shape
    band = max(3 * k, int(st.sheet_frame_band_fraction * min(W, H)))
    span = st.sheet_frame_min_span_ratio
    found = False
    for i in np.nonzero(keep)[0]:
        x, y, w, h, area = (int(v) for v in stats[i])
        if w < span * W or h < span * H or h <= 2 * band or w <= 2 * band:
            continue
        comp = lab[y : y + h, x : x + w] == i
        if comp[band:-band, band:-band].sum() > st.sheet_frame_max_inner_ratio * area:
            continue
        # A frame runs unbroken along all four sides (a building's outer walls have openings),
        if min(float(sd.mean()) for sd in (comp[:band].any(axis=0), comp[-band:].any(axis=0),
                                           comp[:, :band].any(axis=1), comp[:, -band:].any(axis=1))) \
                < st.sheet_frame_min_side_ratio:
            continue
        # and it frames a drawing: other walls inside it.
        inside = mask[y + band : y + h - band, x + band : x + w - band] & ~comp[band:-band, band:-band]
        if inside.sum() < st.sheet_frame_min_inside_ratio * area:
            continue
        # The whole component goes: the title block and legend boxes drawn against the
        # border belong to it too.
        mask[y : y + h, x : x + w] &= ~comp
        found = True
    return found


def detect(prepared: Prepared, config: Config = Config()) -> Detections:
    st = config.classical
    mask, width, k = wall_mask(prepared.ink, st, config.segments)
    segs = extract_segments(mask, k, st.max_bar_wt * width, config.segments)
    # Before the gap search, whose work grows with the bars: a texture is no plan.
    refuse_texture(count_short(segs), mask.size / 1e6)
    thick = typical_bar_thickness(segs, width)
    gap_unit = typical_bar_thickness(segs, width, by_length=False)
    # Door and window symbols are thin lines that scanning makes faint: look for them with a
    # lighter cut than the walls'.
    paper = float(np.median(prepared.gray))
    lines = prepared.ink | (prepared.gray < min(st.symbol_line_max_grey, paper - st.symbol_line_contrast_grey))
    openings = find_gap_openings(segs, mask, lines, gap_unit, st)
    # Openings are not wall: the ground truth of every data set cuts them out, and so do we.
    for o in openings:
        _erase_box(mask, o)
    log.debug("classical: wall width %.1f px, kernel %d, %d bars, %d openings",
              width, k, len(segs), len(openings))
    return Detections(wall_mask=mask, openings=openings, wall_thickness_px=thick)


def find_gap_openings(
    segs: list[Segment], mask: np.ndarray, ink: np.ndarray, thickness: float,
    st: ClassicalSettings = ClassicalSettings(),
) -> list[OpeningDetection]:
    """Doors and windows as the gaps at the ends of wall bars.

    From each bar end, walk outward along the axis until wall is met again; a gap of door or
    window size is an opening candidate, kept if a window's glazing lines or a door's leaf
    and arc are drawn there.
    """
    h, w = mask.shape
    near = _near_ink(ink, st)
    found: list[OpeningDetection] = []
    lo, hi = st.min_gap_wt * thickness, st.max_gap_wt * thickness
    for s in segs:
        if s.length < thickness:
            continue
        d = s.direction
        for end, sign in ((np.asarray(s.p1), 1.0), (np.asarray(s.p0), -1.0)):
            step = d * sign
            start = end + step * (s.thickness / 2 + 1)
            gap = _march(mask, start, step, hi, s.thickness)
            if gap is None or gap < lo:
                continue
            centre = start + step * gap / 2
            if any(np.hypot(*(np.asarray(o.center) - centre)) < thickness for o in found):
                continue
            kind, conf = _classify_gap(ink, near, centre, d, gap, s.thickness, st)
            if kind is None:
                continue
            found.append(OpeningDetection(
                kind=kind, center=(float(centre[0]), float(centre[1])), width=float(gap),
                depth=float(s.thickness), angle=float(np.degrees(np.arctan2(-d[1], d[0]))),
                confidence=conf,
                swing_px=door_swing(near, centre, d, gap, s.thickness, st)
                if kind == "door" else None,
            ))
    return found


def _march(mask: np.ndarray, start: np.ndarray, step: np.ndarray, limit: float, t: float) -> float | None:
    """Distance from ``start`` along ``step`` to the next wall pixel on the axis, if within ``limit``."""
    h, w = mask.shape
    n = np.array([-step[1], step[0]])
    offsets = (0.0, -t / 4, t / 4)
    for i in range(int(limit) + 1):
        hits = 0
        for o in offsets:
            x, y = start + step * i + n * o
            xi, yi = int(round(x)), int(round(y))
            if not (0 <= xi < w and 0 <= yi < h):
                return None
            hits += bool(mask[yi, xi])
        if hits >= 2:
            return float(i)
    return None


def _sample_box(img: np.ndarray, centre, d, length: float, depth: float) -> np.ndarray:
    """Pixels of ``img`` in the rotated box (length along ``d``, depth across), axis-aligned."""
    L, D = max(int(round(length)), 2), max(int(round(depth)), 2)
    n = np.array([-d[1], d[0]])
    src = np.float32([
        np.asarray(centre) - d * L / 2 - n * D / 2,
        np.asarray(centre) + d * L / 2 - n * D / 2,
        np.asarray(centre) + d * L / 2 + n * D / 2,
    ])
    dst = np.float32([[0, 0], [L, 0], [L, D]])
    m = cv2.getAffineTransform(src, dst)
    return cv2.warpAffine(img.astype(np.uint8), m, (L, D), flags=cv2.INTER_NEAREST) > 0


def _classify_gap(ink, near, centre, d, gap: float, t: float,
                  st: ClassicalSettings) -> tuple[str | None, float]:
    inside = _sample_box(ink, centre, d, gap * st.gap_sample_length_ratio, t * st.gap_sample_depth_ratio)
    rows = inside.mean(axis=1)  # coverage of each line across the wall, along the gap
    lines = _count_runs(rows > st.glazing_line_coverage)
    door = _door_symbol_score(near, centre, d, gap, t, st)
    if door >= st.door_symbol_min_fraction and door >= st.door_per_glazing_line * lines:
        return "door", float(min(1.0, door))
    if lines >= 2:
        return "window", float(min(1.0, st.window_confidence + st.window_confidence_per_line * lines))
    if lines == 1 and rows.max() > st.single_line_window_coverage:
        return "window", st.single_line_window_confidence
    return None, 0.0


def _hinge_scores(near: np.ndarray, centre, d, gap: float, t: float,
                  st: ClassicalSettings) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """(score, hinge, open leaf tip) for each of the four hinge positions (either jamb, either
    side of the wall): the fraction of a door leaf and its quarter-circle swing drawn there."""
    h, w = near.shape
    n = np.array([-d[1], d[0]])
    c = np.asarray(centre, float)
    k = max(st.door_min_samples, int(gap / 2))
    m = st.door_arc_end_margin_rad
    theta = np.linspace(m, np.pi / 2 - m, k)
    radii = np.linspace(st.door_leaf_from_ratio, st.door_leaf_to_ratio, k)
    scored = []
    for jamb in (-1.0, 1.0):
        for side in (-1.0, 1.0):
            hinge = c + d * jamb * gap / 2 + n * side * t / 2
            # arc from the far jamb swinging out to the open leaf, radius = gap
            u, v = -d * jamb, n * side
            arc = hinge + gap * (np.cos(theta)[:, None] * u + np.sin(theta)[:, None] * v)
            leaf = hinge + gap * radii[:, None] * v
            score = 0.5 * (_hits(near, arc, h, w) + _hits(near, leaf, h, w))
            scored.append((score, hinge, hinge + gap * v))
    return scored


def _door_symbol_score(near: np.ndarray, centre, d, gap: float, t: float,
                       st: ClassicalSettings) -> float:
    """How much of a door leaf and its swing is drawn, at the best hinge position."""
    return max(sc for sc, _, _ in _hinge_scores(near, centre, d, gap, t, st))


def _near_ink(ink: np.ndarray, st: ClassicalSettings) -> np.ndarray:
    m = st.door_near_ink_px
    return cv2.dilate(ink.astype(np.uint8), np.ones((m, m), np.uint8)) > 0


def _hits(near: np.ndarray, pts: np.ndarray, h: int, w: int) -> float:
    xi = np.round(pts[:, 0]).astype(int)
    yi = np.round(pts[:, 1]).astype(int)
    ok = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
    if not ok.any():
        return 0.0
    return float(near[yi[ok], xi[ok]].sum()) / len(pts)


def _count_runs(flags: np.ndarray) -> int:
    f = np.concatenate([[False], flags, [False]]).astype(np.int8)
    return int((np.diff(f) == 1).sum())


def _erase_box(mask: np.ndarray, o: OpeningDetection) -> None:
    a = np.radians(o.angle)
    d = np.array([np.cos(a), -np.sin(a)])  # image y points down
    pts = box_corners(o.center, d, o.width, o.depth + 4)  # 2 px beyond the wall's faces
    tmp = np.zeros(mask.shape, np.uint8)
    cv2.fillPoly(tmp, [np.round(pts).astype(np.int32)], 1)
    mask[tmp > 0] = False


def door_swing(near: np.ndarray, centre, d, gap: float, t: float,
               st: ClassicalSettings = ClassicalSettings()):
    """The drawn door's hinge and the tip of its open leaf, in pixels, or None when no hinge
    position scores ``st.door_swing_margin_ratio`` more than every other."""
    scored = sorted(_hinge_scores(near, centre, d, gap, t, st), key=lambda s: -s[0])
    if scored[0][0] - scored[1][0] < st.door_swing_margin_ratio:
        return None
    _, hinge, tip = scored[0]
    return (float(hinge[0]), float(hinge[1])), (float(tip[0]), float(tip[1]))
