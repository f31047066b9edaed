"""The final solids of a storey's elements, computed once and written by every exporter.

IFC, glTF, JSON and the review page read the shapes from here instead of each deriving its own,
so what a BIM tool shows and what a web viewer shows is the same building:

* **walls** are extruded footprints in plan metres. Each wall's rectangle runs half a thickness
  past its axis ends (closing L corners); where rectangles overlap (L, T and X junctions) the
  overlap goes to one wall only, in a fixed priority (external, thicker, longer first), so the
  walls of a storey are disjoint and leave no gap;
* **openings** are clamped inside the part of their wall that is that wall's own (not inside the
  neighbour that won the corner), at least ``min_wall_part_m`` from its ends and top;
* **doors and windows** are boxes (frame, leaf or glass) inside their opening with a clearance,
  in the wall's local frame; a door records its hinge jamb and the side it opens to.

Wall-local frame: origin at the wall's start, x along the axis, y to the axis' left, z up from
the storey's floor. Plan frame: x right, y up the drawing, z up (see ``plan2bim.model``).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from plan2bim.model import Opening, Point, Ring, Storey, Wall

log = logging.getLogger(__name__)

__all__ = ["GeometrySettings", "Box", "WallSolid", "OpeningSolid", "Connection",
           "StoreyGeometry", "storey_geometry", "compute_geometry"]


@dataclass(frozen=True)
class GeometrySettings:
    """Sizes of the built solids, in metres."""

    grid_m: float = 1e-4
    """Footprints are computed on this grid (0.1 mm): overlay operations on a fixed grid give
    exactly disjoint walls, with no float slivers between them."""
    min_piece_area_m2: float = 1e-3
    """Pieces of a wall's footprint smaller than this (10 cm2) after the junctions are resolved
    are dropped: they are corners of a neighbour's rectangle, not wall."""
    min_wall_part_m: float = 0.05
    """An opening is clamped so that at least this much of its own wall stays beside and above it."""
    min_opening_m: float = 0.05
    """Openings narrower or lower than this after clamping are left out."""
    frame_clearance_m: float = 0.005
    """Gap between a door's or window's frame and the reveal of its opening, and between a leaf
    and its frame: no face of a filling touches its wall."""
    frame_width_m: float = 0.05
    """Face width of door and window frames (a common 50 mm softwood lining)."""
    door_frame_depth_m: float = 0.1
    """Depth of a door frame across the wall (at most the wall's thickness less the clearance)."""
    window_frame_depth_m: float = 0.07
    """Depth of a window frame across the wall (a common 68-70 mm timber or PVC profile)."""
    leaf_thickness_m: float = 0.04
    """Door leaf (40 mm, a standard internal door)."""
    glass_thickness_m: float = 0.02
    """Window glazing unit (a double-glazed unit is 20-28 mm)."""
    floor_gap_m: float = 0.01
    """Gap under a door leaf."""
    sliver_width_m: float = 2e-4
    """Faces of the junction arrangement thinner than this on average (area over perimeter,
    0.2 mm), and spikes thinner than this on a footprint, are slivers between nearly collinear
    outlines, not wall (cubicasa-dev 4607, 5586: spikes a quarter of a metre long that the IFC
    kernel drops and the glTF keeps)."""
    connection_tol_m: float = 0.02
    """Two walls are connected when their rectangles come this close."""


SETTINGS = GeometrySettings()

Part = Literal["frame", "leaf", "glass"]


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in a wall's local frame."""

    x0: float
    x1: float
    y0: float
    y1: float
    z0: float
    z1: float

    @property
    def volume(self) -> float:
        return (self.x1 - self.x0) * (self.y1 - self.y0) * (self.z1 - self.z0)


@dataclass(frozen=True)
class WallSolid:
    wall_id: str
    footprint: list[list[Ring]]
    """The wall's own footprint in plan metres: polygons [exterior, *holes], counter-clockwise
    exteriors, rings not closed. Extruded from 0 to the wall's height."""
    footprint_area: float
    cuts: list[Box]
    """The openings' voids in the wall-local frame, spanning exactly the wall's thickness."""
    height: float

    @property
    def gross_volume(self) -> float:
        return self.footprint_area * self.height

    @property
    def net_volume(self) -> float:
        return self.gross_volume - sum(c.volume for c in self.cuts)


@dataclass(frozen=True)
class OpeningSolid:
    opening_id: str
    wall_id: str
    x0: float
    x1: float
    """Clamped extent along the host's axis (wall-local x)."""
    sill: float
    top: float
    thickness: float
    """The host's thickness: the void spans y in [-thickness/2, thickness/2]."""
    parts: list[tuple[Part, Box]]
    """The door's or window's body, in the wall-local frame, inside the void."""
    hinge_at_start: bool | None = None
    """Doors: whether the hinge is the jamb nearer the wall's start (None: not known)."""
    opens_left: bool | None = None
    """Doors: whether the leaf swings into the side to the left of the wall's axis."""

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.top - self.sill

    swing: Literal["left", "right", "double", "sliding", "none"] = "none"
    """Doors: hinged on the left or right, looking the way the door opens; or a double or a
    sliding door."""

    @property
    def operation(self) -> str:
        """IFC door operation type."""
        return {"left": "SINGLE_SWING_LEFT", "right": "SINGLE_SWING_RIGHT",
                "double": "DOUBLE_DOOR_SINGLE_SWING",
                "sliding": "DOUBLE_DOOR_SLIDING"}.get(self.swing, "NOTDEFINED")


@dataclass(frozen=True)
class Connection:
    """Two walls meeting: where on each (IFC's ATSTART, ATEND or ATPATH)."""

    relating: str
    related: str
    relating_at: Literal["ATSTART", "ATEND", "ATPATH"]
    related_at: Literal["ATSTART", "ATEND", "ATPATH"]


@dataclass(frozen=True)
class StoreyGeometry:
    walls: dict[str, WallSolid] = field(default_factory=dict)
    openings: dict[str, OpeningSolid] = field(default_factory=dict)
    connections: list[Connection] = field(default_factory=list)


def storey_geometry(storey: Storey) -> StoreyGeometry:
    """The storey's solids: those the build stage computed, or computed now for a storey made
    elsewhere (tests, synthetic labels)."""
    geom = getattr(storey, "geometry", None)
    return geom if geom is not None else compute_geometry(storey.walls, storey.openings)


# --- frames ------------------------------------------------------------------------------


def wall_frame(wall: Wall) -> tuple[float, float, float, float]:
    """(x0, y0, ux, uy): the wall's start and unit axis direction in plan metres."""
    length = wall.length or 1.0
    return (wall.start[0], wall.start[1], (wall.end[0] - wall.start[0]) / length,
            (wall.end[1] - wall.start[1]) / length)


def to_local(wall: Wall, pts) -> list[Point]:
    x0, y0, ux, uy = wall_frame(wall)
    return [((x - x0) * ux + (y - y0) * uy, -(x - x0) * uy + (y - y0) * ux) for x, y in pts]


def to_plan(wall: Wall, pts) -> list[Point]:
    x0, y0, ux, uy = wall_frame(wall)
    return [(x0 + a * ux - b * uy, y0 + a * uy + b * ux) for a, b in pts]


# --- computation -------------------------------------------------------------------------


def _rectangle(wall: Wall) -> Polygon:
    return LineString([wall.start, wall.end]).buffer(
        wall.thickness / 2, cap_style="square", join_style="mitre")


def _polygons(geom) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]


def _ring(coords) -> Ring:
    return [(float(x), float(y)) for x, y in list(coords)[:-1]]


def _priority(wall: Wall) -> tuple:
    # External walls win corners (their outside faces run through, as drawn), then the thicker
    # and the longer wall; the id keeps the order total so results never depend on input order.
    return (not wall.is_external, -round(wall.thickness, 3), -round(wall.length, 3), wall.id)


def _interval_on(poly_local, y: float, near: float) -> tuple[float, float] | None:
    """The extent along x of ``poly_local`` on the line at height ``y``, in the piece nearest
    to ``near``."""
    line = LineString([(-1e4, y), (1e4, y)])
    hit = poly_local.intersection(line)
    pieces = [g for g in getattr(hit, "geoms", [hit]) if g.geom_type == "LineString" and not g.is_empty]
    if not pieces:
        return None
    best = min(pieces, key=lambda g: 0.0 if g.bounds[0] <= near <= g.bounds[2]
               else min(abs(g.bounds[0] - near), abs(g.bounds[2] - near)))
    return best.bounds[0], best.bounds[2]


def compute_geometry(walls: list[Wall], openings: list[Opening],
                     settings: GeometrySettings = SETTINGS) -> StoreyGeometry:
    """Footprints, opening voids, filling bodies and connections of one storey's elements."""
    s = settings
    grid = s.grid_m
    usable = [w for w in walls if w.length > s.min_wall_part_m and w.thickness > 0 and w.height > 0]
    rects = {w.id: shapely.set_precision(_rectangle(w), grid) for w in usable}
    own = _resolve_junctions(usable, rects, s)

    by_wall: dict[str, list[Opening]] = {}
    for o in openings:
        by_wall.setdefault(o.wall_id, []).append(o)
    wall_by_id = {w.id: w for w in usable}

    solids: dict[str, WallSolid] = {}
    fills: dict[str, OpeningSolid] = {}
    for w in usable:
        if w.id not in own:
            continue
        body = own[w.id]
        local = shapely.union_all([Polygon(to_local(w, p.exterior.coords),
                                           [to_local(w, r.coords) for r in p.interiors])
                                   for p in _polygons(body)])
        placed: list[OpeningSolid] = []
        for o in sorted(by_wall.get(w.id, []), key=lambda o: o.offset):
            sol = _place_opening(o, w, local, placed, s)
            if sol is not None:
                placed.append(sol)
                fills[o.id] = sol
        footprint = []
        for p in _polygons(body):
            # Overlays on the grid leave collinear vertices where neighbours were cut away.
            p = orient(shapely.simplify(p, 0.0), 1.0)
            footprint.append([_ring(p.exterior.coords)] + [_ring(r.coords) for r in p.interiors])
        solids[w.id] = WallSolid(
            wall_id=w.id, footprint=footprint, footprint_area=float(body.area),
            cuts=[Box(o.x0, o.x1, -w.thickness / 2, w.thickness / 2, o.sill, o.top) for o in placed],
            height=float(w.height),
        )
    for o in openings:
        if o.id not in fills and o.wall_id in wall_by_id:
            log.warning("opening %s does not fit its wall %s; left out", o.id, o.wall_id)
    return StoreyGeometry(walls=solids, openings=fills,
                          connections=_connections([w for w in usable if w.id in own], rects, s))


def _resolve_junctions(walls: list[Wall], rects: dict[str, Polygon],
                       s: GeometrySettings) -> dict[str, Polygon | MultiPolygon]:
    """Each wall's own footprint: its rectangle less the parts that higher-priority walls take.

    The rectangles' outlines are noded once, on the grid, and cut into faces; each face goes to
    the first wall (in ``_priority`` order) whose rectangle holds it. Neighbours then share
    their boundary edges exactly: cutting each wall separately would put the intersections of
    oblique edges on the grid independently, leaving overlaps a tenth of a millimetre wide
    that a clash check finds."""
    if not walls:
        return {}
    order = sorted(walls, key=_priority)
    rank = {w.id: k for k, w in enumerate(order)}
    lines = shapely.union_all([rects[w.id].exterior for w in walls], grid_size=s.grid_m)
    faces = list(shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))))
    tree = shapely.STRtree([rects[w.id] for w in walls])
    # Nearly collinear outlines cut slivers (a fraction of a millimetre wide, up to a wall's
    # thickness long) that would hang off a footprint as a spike; leaving them out leaves a gap
    # no viewer or clash check can see.
    faces_a = np.array(faces, dtype=object)
    area = shapely.area(faces_a)
    keep = (area > 0) & (area >= s.sliver_width_m * shapely.length(faces_a))
    kept = faces_a[keep]
    # each face to the first wall (in priority order) whose rectangle holds a point of it
    face_i, wall_i = tree.query(shapely.point_on_surface(kept), predicate="intersects")
    best: dict[int, int] = {}
    for f, k in zip(face_i.tolist(), wall_i.tolist(), strict=True):
        r = rank[walls[k].id]
        if f not in best or r < rank[walls[best[f]].id]:
            best[f] = k
    mine: dict[str, list[Polygon]] = {}
    for f in sorted(best):
        mine.setdefault(walls[best[f]].id, []).append(kept[f])
    own: dict[str, Polygon | MultiPolygon] = {}
    eps = s.sliver_width_m / 2
    for w in order:
        body = shapely.union_all(mine.get(w.id, []))
        # ... and the spikes such slivers leave on a footprint (an opening by a tenth of a
        # millimetre; mitred, so square and oblique corners come back where they were).
        # (Off the grid first: a buffer keeps a geometry's grid and would snap it away.)
        body = shapely.set_precision(body, 0.0)
        body = body.buffer(-eps, join_style="mitre").buffer(eps, join_style="mitre")
        parts = [p for p in _polygons(body) if p.area >= s.min_piece_area_m2]
        if not parts:
            log.info("wall %s lies inside other walls; it has no body of its own", w.id)
            continue
        own[w.id] = MultiPolygon(parts) if len(parts) > 1 else parts[0]
    return own


def _place_opening(o: Opening, w: Wall, local, placed: list[OpeningSolid],
                   s: GeometrySettings) -> OpeningSolid | None:
    t, part = w.thickness, s.min_wall_part_m
    # The wall's own extent on its two faces and its axis: the opening must stay inside all three.
    lo, hi = -math.inf, math.inf
    for y in (-t / 2 + s.grid_m * 2, 0.0, t / 2 - s.grid_m * 2):
        iv = _interval_on(local, y, o.offset)
        if iv is None:
            return None
        lo, hi = max(lo, iv[0]), min(hi, iv[1])
    lo, hi = lo + part, hi - part
    if placed:  # openings of one wall never overlap: the later one starts where the last ends
        lo = max(lo, placed[-1].x1 + part)
    width = min(o.width, hi - lo)
    sill = min(max(0.0, o.sill_height), w.height - part - s.min_opening_m)
    top = min(sill + o.height, w.height - part)
    if width < s.min_opening_m or top - sill < s.min_opening_m:
        return None
    centre = min(max(o.offset, lo + width / 2), hi - width / 2)
    x0, x1 = centre - width / 2, centre + width / 2
    hinge_at_start = opens_left = None
    swing = o.swing if o.kind == "door" and o.swing in ("left", "right", "double", "sliding") else "none"
    if swing in ("left", "right") and o.opens_to in ("left", "right"):
        opens_left = o.opens_to == "left"
        # Looking along the wall's left normal its start is on the left; along the right
        # normal, on the right.
        hinge_at_start = (swing == "left") == opens_left
    parts = (_door_parts if o.kind == "door" else _window_parts)(x0, x1, sill, top, t, s)
    return OpeningSolid(opening_id=o.id, wall_id=w.id, x0=x0, x1=x1, sill=sill, top=top,
                        thickness=t, parts=parts, hinge_at_start=hinge_at_start,
                        opens_left=opens_left, swing=swing)


def _frame(x0, x1, z0, z1, depth, s: GeometrySettings, bottom: bool) -> tuple[list, tuple]:
    """Jambs, head and (for windows) sill member inside the void; returns the parts and the
    clear inner box (x0, x1, z0, z1)."""
    c, fw = s.frame_clearance_m, s.frame_width_m
    fw = min(fw, (x1 - x0 - 2 * c) / 4, (z1 - z0 - 2 * c) / 4)
    y0, y1 = -depth / 2, depth / 2
    ax0, ax1 = x0 + c, x1 - c
    az0 = z0 + c if bottom else z0
    az1 = z1 - c
    parts = [("frame", Box(ax0, ax0 + fw, y0, y1, az0, az1)),
             ("frame", Box(ax1 - fw, ax1, y0, y1, az0, az1)),
             ("frame", Box(ax0 + fw, ax1 - fw, y0, y1, az1 - fw, az1))]
    if bottom:
        parts.append(("frame", Box(ax0 + fw, ax1 - fw, y0, y1, az0, az0 + fw)))
    return parts, (ax0 + fw, ax1 - fw, az0 + (fw if bottom else 0.0), az1 - fw)


def _door_parts(x0, x1, sill, top, t, s: GeometrySettings) -> list[tuple[Part, Box]]:
    depth = min(s.door_frame_depth_m, t - 2 * s.frame_clearance_m)
    parts, (ix0, ix1, iz0, iz1) = _frame(x0, x1, sill, top, depth, s, bottom=False)
    c = s.frame_clearance_m
    leaf = min(s.leaf_thickness_m, depth)
    parts.append(("leaf", Box(ix0 + c, ix1 - c, -leaf / 2, leaf / 2,
                              iz0 + min(s.floor_gap_m, (iz1 - iz0) / 4), iz1 - c)))
    return parts


def _window_parts(x0, x1, sill, top, t, s: GeometrySettings) -> list[tuple[Part, Box]]:
    depth = min(s.window_frame_depth_m, t - 2 * s.frame_clearance_m)
    parts, (ix0, ix1, iz0, iz1) = _frame(x0, x1, sill, top, depth, s, bottom=True)
    g = min(s.glass_thickness_m, depth)
    parts.append(("glass", Box(ix0, ix1, -g / 2, g / 2, iz0, iz1)))
    return parts


def _where(wall: Wall, at: Point, reach: float) -> Literal["ATSTART", "ATEND", "ATPATH"]:
    a = to_local(wall, [at])[0][0]
    if a <= reach:
        return "ATSTART"
    if a >= wall.length - reach:
        return "ATEND"
    return "ATPATH"


def _connections(walls: list[Wall], rects: dict[str, Polygon],
                 s: GeometrySettings) -> list[Connection]:
    tree = shapely.STRtree([rects[w.id] for w in walls])
    grown = [rects[w.id].buffer(s.connection_tol_m) for w in walls]
    out: list[Connection] = []
    for i, a in enumerate(walls):
        for j in sorted(int(k) for k in tree.query(grown[i])):
            if j <= i:
                continue
            b = walls[j]
            meet = grown[i].intersection(rects[b.id])
            if meet.is_empty:
                continue
            c = meet.centroid
            at_a = _where(a, (c.x, c.y), b.thickness / 2 + a.thickness / 2 + s.connection_tol_m)
            at_b = _where(b, (c.x, c.y), a.thickness / 2 + b.thickness / 2 + s.connection_tol_m)
            if at_a == "ATPATH" and at_b == "ATPATH" and _parallel(a, b):
                continue  # two parallel walls touching along their faces are not a junction
            first, second = (a, b) if _priority(a) <= _priority(b) else (b, a)
            fa, sa = (at_a, at_b) if first is a else (at_b, at_a)
            out.append(Connection(first.id, second.id, fa, sa))
    return out


def _parallel(a: Wall, b: Wall) -> bool:
    _, _, ax, ay = wall_frame(a)
    _, _, bx, by = wall_frame(b)
    return abs(ax * by - ay * bx) < 0.1
