"""From detections to plan topology in pixels: wall axes joined at junctions, openings hosted in
their walls, and rooms as the regions the walls enclose with door gaps closed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import cv2
import numpy as np
import shapely
from shapely.geometry import Polygon

from plan2bim.config import Config
from plan2bim.raster.detections import Detections, OpeningDetection
from plan2bim.raster.limits import count_short, refuse_texture
from plan2bim.raster.segments import Segment, extract_segments, typical_stroke_width
from plan2bim.settings import VectorizeSettings

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class HostedOpening:
    kind: str
    wall: int
    """Index of the host wall in ``PlanGraph.walls``."""
    offset: float
    """Distance along the host wall's axis from its p0 to the opening's centre, pixels."""
    width: float
    center: tuple[float, float]
    confidence: float
    swing: str = "none"
    swing_px: tuple[tuple[float, float], tuple[float, float]] | None = None
    """Doors: (hinge, tip of the open leaf) as the detector saw them, pixels; None if unknown."""


@dataclass(frozen=True)
class PlanGraph:
    """The plan in the working frame's pixels."""

    walls: list[Segment]
    openings: list[HostedOpening]
    rooms: list[Polygon]
    external: list[bool]
    """Per wall: whether one of its faces touches the outside."""
    thickness: float
    """Typical wall thickness, pixels."""
    footprints: list[list[Polygon]]
    """Per wall: its outline as drawn (the wall-mask pixels nearest to its axis), in pixels."""


def vectorize(det: Detections, px_per_m: float, config: Config = Config()) -> PlanGraph:
    """Build the plan graph; ``px_per_m`` sets the sizes that are known in metres (door gaps, rooms)."""
    st = config.vectorize
    mask = det.wall_mask
    width = det.wall_thickness_px or typical_stroke_width(mask, config.segments.stroke_width_percentile)
    t_min = max(2.0, st.min_bar_thickness_wt * width)
    t_max = max(st.max_bar_thickness_wt * max(width, 1.0),
                st.max_bar_thick_stroke_ratio * typical_stroke_width(mask, st.thick_stroke_percentile))
    segs = extract_segments(mask, t_min, t_max, config.segments)
    refuse_texture(count_short(segs), mask.size / 1e6)  # whichever detector made the mask
    segs = _merge_collinear(segs, gap=max(st.merge_gap_wt * width, 3.0), parallel_deg=st.merge_parallel_deg,
                            max_thickness_change=st.merge_max_thickness_change)
    segs, hosted = _host_openings(segs, det.openings, width, st)
    segs = _snap_junctions(segs, st.snap_min_angle_deg, st.snap_reach_px)
    # Snapping moves wall ends, so offsets measured from the old p0 would shift every opening
    # along its wall (by up to a wall thickness): measure them again from the centres.
    hosted = [_reoffset(h, segs[h.wall]) for h in hosted]
    lone = _lone_blobs(segs, hosted, st.lone_min_length_m * px_per_m, st)
    keep = [i for i, s in enumerate(segs)
            if s.length >= max(st.min_wall_length_px, t_min) and i not in lone]
    remap = {old: new for new, old in enumerate(keep)}
    segs = [segs[i] for i in keep]
    hosted = [replace(h, wall=remap[h.wall]) for h in hosted if h.wall in remap]
    rooms, outside = _rooms(mask, segs, width, px_per_m, st)
    external = [_is_external(s, outside) for s in segs]
    footprints = _drawn_footprints(mask, segs, width, st)
    return PlanGraph(walls=segs, openings=hosted, rooms=rooms, external=external, thickness=width,
                     footprints=footprints)


def _drawn_footprints(mask: np.ndarray, segs: list[Segment], width: float,
                      st: VectorizeSettings) -> list[list[Polygon]]:
    """Split the wall mask among the walls: each pixel goes to the nearest axis within reach;
    pixels beyond it go to the wall of the nearest pixel that was reached, up to
    ``st.footprint_grow_wt`` typical wall thicknesses away.

    The drawn outline is what a person checks the result against (and what ground truth is
    drawn as); curved and irregular walls keep their shape here while their axis is straight.
    """
    h, w = mask.shape
    if not segs:
        return []
    axes = np.zeros((h, w), np.uint16)
    for i, s in enumerate(segs):
        a = tuple(int(round(v)) for v in s.p0)
        b = tuple(int(round(v)) for v in s.p1)
        cv2.line(axes, a, b, i + 1, 1)
    dist, labels = cv2.distanceTransformWithLabels(
        (axes == 0).astype(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
    lab2wall = np.zeros(int(labels.max()) + 1, np.int32)
    on_axis = axes > 0
    lab2wall[labels[on_axis]] = axes[on_axis]
    owner = lab2wall[labels]
    reach = np.array([0.0] + [s.thickness * st.footprint_reach_wt + 2.0 for s in segs])
    owner = np.where(mask & (dist <= reach[owner]), owner, 0)
    owner = _grow_within(owner, mask, st.footprint_grow_wt * width)
    out: list[list[Polygon]] = []
    for i, s in enumerate(segs):
        x0, y0, x1, y1 = _bbox(s, h, w)
        crop = (owner[y0:y1, x0:x1] == i + 1).astype(np.uint8)
        polys = _mask_polygons(crop, (x0, y0))
        if not polys:  # nothing drawn there (an opening-only wall): fall back to the rectangle
            polys = [Polygon(s.corners())]
        out.append(polys)
    return out


def _grow_within(owner: np.ndarray, mask: np.ndarray, reach: float) -> np.ndarray:
    """Hand the wall pixels that no axis reached (the thicker part of a wall whose axis was
    fitted to a thinner one, a stub, a rounded corner) to the nearest wall pixel's wall, within
    ``reach`` pixels."""
    free = mask & (owner == 0)
    owned = owner > 0
    if reach <= 0 or not free.any() or not owned.any():
        return owner
    dist, labels = cv2.distanceTransformWithLabels(
        (~owned).astype(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
    lab2owner = np.zeros(int(labels.max()) + 1, owner.dtype)
    lab2owner[labels[owned]] = owner[owned]
    take = free & (dist <= reach)
    owner = owner.copy()
    owner[take] = lab2owner[labels[take]]
    return owner


def _bbox(s: Segment, h: int, w: int) -> tuple[int, int, int, int]:
    c = s.corners()
    pad = int(s.thickness) + 3
    x0, y0 = np.floor(c.min(axis=0)).astype(int) - pad
    x1, y1 = np.ceil(c.max(axis=0)).astype(int) + pad
    return max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)


def _mask_polygons(crop: np.ndarray, origin: tuple[int, int]) -> list[Polygon]:
    """Polygons (with holes) of a binary crop, in full-image pixel coordinates (pixel edges)."""
    contours, hier = cv2.findContours(crop, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hier is None:
        return []
    hier = hier.reshape(-1, 4)
    out = []
    ox, oy = origin
    for k, c in enumerate(contours):
        if hier[k][3] != -1 or len(c) < 3:
            continue
        # contour points are pixel centres; push them out by half a pixel so areas match
        shell = Polygon(c.reshape(-1, 2) + (ox + 0.5, oy + 0.5)).buffer(0.5, join_style="mitre")
        holes = []
        j = hier[k][2]
        while j != -1:
            if len(contours[j]) >= 3:
                holes.append(Polygon(contours[j].reshape(-1, 2) + (ox + 0.5, oy + 0.5)).buffer(-0.5, join_style="mitre"))
            j = hier[j][0]
        poly = shell
        for hole in holes:
            if not hole.is_empty:
                poly = poly.difference(hole)
        if not poly.is_empty and poly.area >= 2.0:
            out.extend(list(poly.geoms) if hasattr(poly, "geoms") else [poly])
    return out


def _parallel(a: Segment, b: Segment, tol: float) -> bool:
    d = abs(a.angle - b.angle) % 180.0
    return min(d, 180.0 - d) <= tol


def _merge_collinear(segs: list[Segment], gap: float, parallel_deg: float,
                     max_thickness_change: float = VectorizeSettings.merge_max_thickness_change) -> list[Segment]:
    """Join bars that continue one another (same line, touching or nearly so).

    Pass after pass, each bar takes in the later bars that continue it, in list order, until a
    pass joins nothing. Only bars near enough to join are looked at (a spatial index of their
    boxes, rebuilt per pass): the same joins in the same order as comparing every pair, in
    near-linear time (1,900 bars of a noisy scan took minutes pair by pair).
    """
    segs = list(segs)
    changed = True
    while changed and len(segs) > 1:
        changed = False
        # Two bars join only if each end of the second lies within t/2 of the first's line and
        # their spans along it come within gap + t: their axes are then within this distance.
        t_max = max(s.thickness for s in segs)
        reach = gap + 1.5 * t_max + 1.0
        tree = shapely.STRtree(_axis_boxes(segs))
        alive = [True] * len(segs)
        for i in range(len(segs)):
            if not alive[i]:
                continue
            pos = i + 1
            while True:
                cand = tree.query(_axis_box(segs[i], reach))
                cand = sorted(int(j) for j in cand if j >= pos and alive[j])
                for j in cand:
                    merged = _merged(segs[i], segs[j], gap, parallel_deg, max_thickness_change)
                    if merged is not None:
                        segs[i] = merged
                        alive[j] = False
                        changed = True
                        pos = j + 1
                        break
                else:
                    break
        segs = [sg for sg, keep in zip(segs, alive, strict=True) if keep]
    return segs


def _axis_box(s: Segment, pad: float = 0.0):
    (x0, y0), (x1, y1) = s.p0, s.p1
    return shapely.box(min(x0, x1) - pad, min(y0, y1) - pad, max(x0, x1) + pad, max(y0, y1) + pad)


def _axis_boxes(segs: list[Segment]) -> np.ndarray:
    e = np.array([[*sg.p0, *sg.p1] for sg in segs], dtype=float).reshape(-1, 4)
    return shapely.box(np.minimum(e[:, 0], e[:, 2]), np.minimum(e[:, 1], e[:, 3]),
                       np.maximum(e[:, 0], e[:, 2]), np.maximum(e[:, 1], e[:, 3]))


def _merged(a: Segment, b: Segment, gap: float, parallel_deg: float,
            max_thickness_change: float = VectorizeSettings.merge_max_thickness_change) -> Segment | None:
    if not _parallel(a, b, parallel_deg):
        return None
    t = max(a.thickness, b.thickness)
    if abs(a.thickness - b.thickness) > max_thickness_change * t:
        return None
    s0, o0 = a.project(b.p0)
    s1, o1 = a.project(b.p1)
    if max(abs(o0), abs(o1)) > t / 2:
        return None
    lo, hi = min(s0, s1), max(s0, s1)
    if lo > a.length + gap + t or hi < -gap - t:
        return None
    new_lo, new_hi = min(0.0, lo), max(a.length, hi)
    th = (a.thickness * a.length + b.thickness * b.length) / max(a.length + b.length, 1e-9)
    return Segment(a.point_at(new_lo), a.point_at(new_hi), th)


def _host_openings(
    segs: list[Segment], openings: list[OpeningDetection], width: float, st: VectorizeSettings,
) -> tuple[list[Segment], list[HostedOpening]]:
    """Make each opening's wall continuous across it, and record where in the wall it sits."""
    segs = list(segs)
    placed: list[tuple[OpeningDetection, int]] = []
    for o in sorted(openings, key=lambda o: -o.confidence):
        a = np.radians(o.angle)
        d = np.array([np.cos(a), -np.sin(a)])  # image y points down
        c = np.asarray(o.center)
        half = o.width / 2
        probe = Segment(tuple(c - d * half), tuple(c + d * half), max(o.depth, 1.0))
        reach = max(o.depth, width) * st.host_reach_wt
        near = []
        for i, s in enumerate(segs):
            if not _parallel(s, probe, st.host_parallel_deg):
                continue
            along, across = s.project(c)
            if abs(across) > max(s.thickness, o.depth) * st.host_max_offset_wt:
                continue
            if -half - reach <= along <= s.length + half + reach:
                near.append(i)
        if near:
            # Span the union of the nearby bars and the opening along the first bar's line.
            base = segs[near[0]]
            ext = [0.0, base.length]
            for i in near[1:]:
                ext += [base.project(segs[i].p0)[0], base.project(segs[i].p1)[0]]
            along_c, _ = base.project(c)
            ext += [along_c - half, along_c + half]
            lo, hi = min(ext), max(ext)
            ths = [segs[i].thickness for i in near]
            wall = Segment(base.point_at(lo), base.point_at(hi), float(np.median(ths)))
            for i in sorted(near, reverse=True):
                del segs[i]
                placed = [(p, w - (w > i)) if w != i else (p, -1) for p, w in placed]
            segs.append(wall)
            idx = len(segs) - 1
            placed = [(p, idx if w == -1 else w) for p, w in placed]
        else:
            # No wall drawn around it (a wall that is all glazing): the opening makes its own
            # wall, but only along the drawing's axes and when sure; a lone oblique or doubtful
            # box is more often a misread symbol than a glazed wall.
            oblique = min(probe.angle % 90.0, 90.0 - probe.angle % 90.0) > st.parallel_deg
            if oblique or o.confidence < st.no_host_min_confidence:
                log.debug("opening at %s has no host wall and an oblique angle; dropped", o.center)
                continue
            segs.append(Segment(probe.p0, probe.p1, max(o.depth, 0.5 * width)))
            idx = len(segs) - 1
        placed.append((o, idx))
    hosted = []
    for o, i in placed:
        along, _ = segs[i].project(o.center)
        along = float(np.clip(along, 0.0, segs[i].length))
        hosted.append(HostedOpening(kind=o.kind, wall=i, offset=along, width=o.width,
                                    center=segs[i].point_at(along), confidence=o.confidence,
                                    swing_px=o.swing_px))
    return segs, hosted


def _lone_blobs(segs: list[Segment], hosted: list[HostedOpening], min_length: float,
                st: VectorizeSettings) -> set[int]:
    """Short bars touching no other wall and holding no opening: filled symbols (a north arrow,
    a bold letter, a logo), not walls."""
    hosts = {h.wall for h in hosted}
    short = [i for i, s in enumerate(segs)
             if i not in hosts and s.length < max(min_length, st.lone_min_elongation * s.thickness)
             # oblique pieces stand alone in a polygonal or round outline broken by its windows
             and min(s.angle % 90.0, 90.0 - s.angle % 90.0) <= st.parallel_deg]
    if not short:
        return set()
    boxes = [Polygon(s.corners()) for s in segs]
    tree = shapely.STRtree(boxes)
    return {i for i in short
            if all(j == i for j in tree.query(boxes[i], predicate="dwithin", distance=2.0))}


def _reoffset(h: HostedOpening, wall: Segment) -> HostedOpening:
    along = float(np.clip(wall.project(h.center)[0], 0.0, wall.length))
    return replace(h, offset=along, center=wall.point_at(along))


def _snap_junctions(segs: list[Segment], min_angle_deg: float, reach_px: float) -> list[Segment]:
    """Move each bar end that meets another bar onto that bar's axis, so axes join at junctions.

    Only the bars near an end are looked at (a spatial index), in list order as before."""
    out = list(segs)
    if not segs:
        return out
    # An end snaps to a bar whose axis line it meets within (t_end + t_bar)/2 + reach_px, at most
    # t_bar beyond the bar's ends: the end is then within this distance of the bar's axis box.
    t_max = max(s.thickness for s in segs)
    reach_max = 2.0 * t_max + max(reach_px, 0.0) + 1.0
    tree = shapely.STRtree(_axis_boxes(segs))
    for i, s in enumerate(segs):
        ends = [np.asarray(s.p0, float), np.asarray(s.p1, float)]
        for k in range(2):
            best, best_d = None, np.inf
            x0, y0 = ends[k]
            near = tree.query(shapely.box(x0 - reach_max, y0 - reach_max, x0 + reach_max,
                                          y0 + reach_max))
            for j in sorted(int(j) for j in near):
                o = segs[j]
                if j == i or _parallel(s, o, min_angle_deg):
                    continue
                x = _line_intersection(s, o)
                if x is None:
                    continue
                reach = (s.thickness + o.thickness) / 2 + reach_px
                d = float(np.hypot(*(x - ends[k])))
                along_o, _ = o.project(x)
                if d <= reach and -o.thickness <= along_o <= o.length + o.thickness and d < best_d:
                    best, best_d = x, d
            if best is not None:
                # never flip the bar: the new end must stay on its own side of the other end
                other = ends[1 - k]
                if np.dot(best - other, ends[k] - other) > 0:
                    ends[k] = best
        out[i] = s.with_ends(ends[0], ends[1])
    return out


def _line_intersection(a: Segment, b: Segment) -> np.ndarray | None:
    p, r = np.asarray(a.p0, float), a.vector
    q, s = np.asarray(b.p0, float), b.vector
    den = r[0] * s[1] - r[1] * s[0]
    if abs(den) < 1e-9:
        return None
    t = ((q[0] - p[0]) * s[1] - (q[1] - p[1]) * s[0]) / den
    return p + t * r


def _rooms(
    mask: np.ndarray, segs: list[Segment], width: float, px_per_m: float, st: VectorizeSettings,
) -> tuple[list[Polygon], np.ndarray]:
    """Rooms: the regions enclosed by walls, with door gaps closed; and the outside region."""
    h, w = mask.shape
    min_area = st.min_room_area_m2 * px_per_m**2
    solid = mask.astype(np.uint8).copy()
    for s in segs:
        cv2.fillPoly(solid, [np.round(s.corners()).astype(np.int32)], 1)
    _close_gaps(solid, segs, st.max_bridge_m * px_per_m, st.max_collinear_bridge_m * px_per_m,
                st.parallel_deg)
    free = (1 - solid).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(free, connectivity=4)
    border = np.unique(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]]))
    outside = np.isin(lab, border[border > 0])
    rooms: list[Polygon] = []
    max_area = st.max_room_fraction * h * w
    eps = max(1.0, width * st.room_simplify_wt)
    for i in range(1, n):
        area = stats[i, cv2.CC_STAT_AREA]
        if i in border or area < min_area or area > max_area:
            continue
        x, y, bw, bh = (int(v) for v in stats[i, :4])
        comp = (lab[y : y + bh, x : x + bw] == i).astype(np.uint8)
        contours, _ = cv2.findContours(comp, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        if not contours:
            continue
        c = max(contours, key=cv2.contourArea)
        c = cv2.approxPolyDP(c, eps, True).reshape(-1, 2).astype(float) + (x, y)
        if len(c) < 3:
            continue
        poly = Polygon(c).buffer(0)
        if poly.geom_type == "MultiPolygon":
            poly = max(poly.geoms, key=lambda g: g.area)
        if poly.is_empty or poly.area < min_area * 0.5:
            continue
        rooms.append(poly)
    return rooms, outside


def _close_gaps(solid: np.ndarray, segs: list[Segment], limit: float, collinear_limit: float,
                parallel_deg: float) -> None:
    """Bridge each bar end to the wall it faces across a door-sized gap (rooms only).

    A gap between two pieces of one straight wall is an opening in that wall (windows run to
    several metres), so it is bridged up to ``collinear_limit``; a gap between a wall end and
    another wall is a passage, bridged only up to ``limit`` so open-plan spaces stay open.
    """
    h, w = solid.shape
    reach = max(limit, collinear_limit)
    near = _Near(segs)
    for s in segs:
        d = s.direction
        for end, sign in ((np.asarray(s.p1), 1.0), (np.asarray(s.p0), -1.0)):
            step = d * sign
            start = end + step * (s.thickness / 2 + 1)
            for i in range(int(reach)):
                x, y = start + step * i
                xi, yi = int(round(x)), int(round(y))
                if not (0 <= xi < w and 0 <= yi < h):
                    break
                if solid[yi, xi]:
                    if i > limit and not _continues(s, (x, y), near.around((x, y)), parallel_deg):
                        break
                    if i > 0:
                        bridge = Segment(tuple(end), tuple(start + step * i), s.thickness)
                        cv2.fillPoly(solid, [np.round(bridge.corners()).astype(np.int32)], 1)
                    break


class _Near:
    """The bars whose footprint may hold a point: a spatial index of their axis boxes."""

    def __init__(self, segs: list[Segment]) -> None:
        self.segs = segs
        self.pad = 1.5 * max((s.thickness for s in segs), default=0.0) + 1.0
        self.tree = shapely.STRtree(_axis_boxes(segs)) if segs else None

    def around(self, p: tuple[float, float]) -> list[Segment]:
        if self.tree is None:
            return []
        x, y = p
        idx = self.tree.query(shapely.box(x - self.pad, y - self.pad, x + self.pad, y + self.pad))
        return [self.segs[int(j)] for j in sorted(idx)]


def _continues(s: Segment, p: tuple[float, float], segs: list[Segment], parallel_deg: float) -> bool:
    """Whether point ``p`` lies on another bar (of ``segs``) that continues ``s``'s line."""
    for o in segs:
        if o is s or not _parallel(s, o, parallel_deg):
            continue
        along, across = o.project(p)
        if -o.thickness <= along <= o.length + o.thickness and abs(across) <= o.thickness:
            if abs(s.project(o.point_at(o.length / 2))[1]) <= max(s.thickness, o.thickness):
                return True
    return False


def _is_external(s: Segment, outside: np.ndarray) -> bool:
    h, w = outside.shape
    d = s.direction
    n = np.array([-d[1], d[0]])
    for f in (0.25, 0.5, 0.75):
        c = np.asarray(s.point_at(f * s.length))
        for side in (1, -1):
            x, y = c + n * side * (s.thickness / 2 + 3)
            xi, yi = int(round(x)), int(round(y))
            if 0 <= xi < w and 0 <= yi < h and outside[yi, xi]:
                return True
    return False
