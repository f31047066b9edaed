"""A plausible apartment or house as geometry in metres: outline, rooms, walls, doors, windows, fixtures.

The plan frame is the building model's: x to the right, y up, metres. The outline is the centre
line of the exterior walls; it is cut into rooms by a treemap over a room programme (so that
rooms get realistic areas), and every cut becomes an interior wall. Doors follow a spanning tree
of the room adjacency rooted at the entrance hall, windows go in exterior walls of rooms that
would have them. Everything here is exact: the ground truth is read from these objects, and the
renderer draws exactly them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from shapely import affinity
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from shapely.ops import linemerge, unary_union

__all__ = ["Fixture", "Layout", "OpeningSpec", "RoomSpec", "WallSpec", "make_layout", "make_sheet"]

Pt = tuple[float, float]

GRID = 0.05
"""Cuts and outline corners snap to this grid (metres), as drawn dimensions do."""
SLIVER = 0.8
"""No cut runs closer than this to a parallel edge of the cell it cuts (metres)."""
MARGIN = 0.06
"""Free wall left between an opening and a junction, besides the joining wall's half thickness."""

# Room types use CubiCasa5K's space classes, so that ground truth reads like theirs.
LIVING, KITCHEN, BEDROOM, BATH, TOILET, SAUNA, HALL, CLOSET, UTILITY, OUTDOOR = (
    "LivingRoom", "Kitchen", "Bedroom", "Bath", "Toilet", "Sauna", "Entry", "Storage",
    "Utility", "Outdoor",
)

# (low, high) target area in m2 and the narrowest acceptable width in m, per room type.
_AREA = {
    LIVING: (15.0, 30.0, 2.8), KITCHEN: (6.0, 12.0, 1.8), BEDROOM: (8.5, 15.0, 2.3),
    BATH: (3.2, 6.5, 1.4), TOILET: (1.4, 2.6, 0.9), SAUNA: (2.2, 4.0, 1.2), HALL: (3.5, 9.0, 1.1),
    CLOSET: (1.0, 3.0, 0.8), UTILITY: (2.5, 6.0, 1.2),
}


@dataclass
class WallSpec:
    a: Pt
    b: Pt
    thickness: float
    exterior: bool
    ext_a: float = 0.0
    """How far the footprint reaches beyond ``a`` along the axis (into the wall it joins)."""
    ext_b: float = 0.0
    quad: list[Pt] | None = None
    """Exterior walls: the mitred piece of the outline's wall band (exact corners)."""

    @property
    def length(self) -> float:
        return math.hypot(self.b[0] - self.a[0], self.b[1] - self.a[1])

    @cached_property
    def u(self) -> np.ndarray:
        d = np.subtract(self.b, self.a)
        return d / np.hypot(*d)

    @cached_property
    def n(self) -> np.ndarray:
        """Left normal of a->b."""
        u = self.u
        return np.array([-u[1], u[0]])

    def point(self, offset: float, across: float = 0.0) -> np.ndarray:
        return np.asarray(self.a) + self.u * offset + self.n * across

    def footprint(self) -> Polygon:
        """The wall's full outline (openings not cut)."""
        if self.quad is not None:
            return Polygon(self.quad)
        h = self.thickness / 2
        return Polygon([tuple(self.point(o, s)) for o, s in (
            (-self.ext_a, -h), (self.length + self.ext_b, -h), (self.length + self.ext_b, h), (-self.ext_a, h))])


@dataclass
class OpeningSpec:
    kind: str
    """"door" or "window"."""
    wall: int
    offset: float
    """Distance from the wall's start to the opening's centre, along the axis."""
    width: float
    style: str = "swing"
    """Doors: swing, double, sliding. Windows: window."""
    hinge_at_start: bool = True
    """Swing doors: the hinge is on the jamb nearer the wall's start."""
    side: int = 1
    """+1: the leaf swings to the wall's left normal side; -1: to the right."""
    height: float = 2.1
    sill: float = 0.0
    entrance: bool = False
    _symbol: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def rect(self, w: WallSpec) -> Polygon:
        """The opening's rectangle in the wall: its clear width by the wall thickness."""
        h, t = self.width / 2, w.thickness / 2
        return Polygon([tuple(w.point(self.offset + a, b)) for a, b in ((-h, -t), (h, -t), (h, t), (-h, t))])

    def symbol(self, w: WallSpec) -> Polygon:
        """Everything the drawing of the opening covers: the rectangle plus the door swing."""
        key = (id(w), self.offset, self.width, self.style, self.hinge_at_start, self.side)
        if self._symbol is None or self._symbol[0] != key:
            self._symbol = (key, self._make_symbol(w))
        return self._symbol[1]

    def _make_symbol(self, w: WallSpec) -> Polygon:
        shape = self.rect(w)
        if self.kind != "door" or self.style == "sliding":
            return shape
        t = w.thickness / 2
        leaves = [(self.hinge_at_start, self.width)] if self.style == "swing" else [(True, self.width / 2), (False, self.width / 2)]
        parts = [shape]
        for at_start, r in leaves:
            hinge = w.point(self.offset + (-1 if at_start else 1) * self.width / 2, self.side * t)
            parts.append(_sector(hinge, w.n * self.side, w.u * (1 if at_start else -1), r))
        # the pieces share edges; a hair of buffer fuses what rounding leaves apart
        return _largest(unary_union(parts).buffer(1e-6, join_style="mitre"))


@dataclass
class RoomSpec:
    kind: str
    cell: Polygon
    """The room's share of the outline, bounded by wall centre lines."""
    polygon: Polygon | None = None
    """The clear floor: the cell less the wall bands."""


@dataclass
class Fixture:
    kind: str
    center: Pt
    size: Pt
    """(width along the wall it stands against, depth into the room)."""
    angle: float
    """Degrees counter-clockwise of the fixture's local x axis; local +y points into the room."""
    room: int = -1

    def polygon(self) -> Polygon:
        w, d = self.size
        p = box(-w / 2, -d / 2, w / 2, d / 2)
        return affinity.translate(affinity.rotate(p, self.angle, origin=(0, 0)), *self.center)


@dataclass
class Layout:
    """One building (or one storey of it) in the plan frame, metres."""

    outline: Polygon
    walls: list[WallSpec] = field(default_factory=list)
    openings: list[OpeningSpec] = field(default_factory=list)
    rooms: list[RoomSpec] = field(default_factory=list)
    fixtures: list[Fixture] = field(default_factory=list)
    balconies: list[Polygon] = field(default_factory=list)
    level: int = 0
    kind: str = "apartment"

    def cut_footprints(self) -> list:
        """Per wall, its footprint with its openings' rectangles cut out (a shapely geometry)."""
        cuts: dict[int, list[Polygon]] = {}
        for op in self.openings:
            cuts.setdefault(op.wall, []).append(op.rect(self.walls[op.wall]).buffer(1e-6, join_style="mitre"))
        return [w.footprint().difference(unary_union(cuts[i])) if i in cuts else w.footprint()
                for i, w in enumerate(self.walls)]

    def translate(self, dx: float, dy: float) -> Layout:
        def t(p: Pt) -> Pt:
            return (p[0] + dx, p[1] + dy)

        walls = [WallSpec(t(w.a), t(w.b), w.thickness, w.exterior, w.ext_a, w.ext_b,
                          [t(p) for p in w.quad] if w.quad else None) for w in self.walls]
        rooms = [RoomSpec(r.kind, affinity.translate(r.cell, dx, dy),
                          affinity.translate(r.polygon, dx, dy) if r.polygon is not None else None) for r in self.rooms]
        fixtures = [Fixture(f.kind, t(f.center), f.size, f.angle, f.room) for f in self.fixtures]
        return Layout(affinity.translate(self.outline, dx, dy), walls, list(self.openings), rooms, fixtures,
                      [affinity.translate(b, dx, dy) for b in self.balconies], self.level, self.kind)


# --------------------------------------------------------------------------------------------
# small geometry helpers


def _cross(a, b) -> float:
    return float(a[0] * b[1] - a[1] * b[0])


def _snap(v: float) -> float:
    return round(round(v / GRID) * GRID, 6)


def _sector(center: np.ndarray, d0: np.ndarray, d1: np.ndarray, r: float, n: int = 12) -> Polygon:
    """Quarter disc at ``center`` between unit directions d0 and d1 (90 degrees apart)."""
    a = np.linspace(0, np.pi / 2, n)
    pts = center + r * (np.cos(a)[:, None] * d0 + np.sin(a)[:, None] * d1)
    return Polygon([tuple(center), *map(tuple, pts)])


def _largest(g) -> Polygon | None:
    if g.is_empty:
        return None
    if isinstance(g, Polygon):
        return g
    polys = [p for p in getattr(g, "geoms", []) if isinstance(p, Polygon)]
    return max(polys, key=lambda p: p.area) if polys else None


def _fits(p: Polygon | None, width: float) -> bool:
    """True when ``p`` is one piece at least ``width`` wide everywhere (no thin arms)."""
    if p is None or p.is_empty or not isinstance(p, Polygon):
        return False
    x0, y0, x1, y1 = p.bounds
    if min(x1 - x0, y1 - y0) < width:
        return False
    with np.errstate(all="ignore"):  # GEOS warns on the collapsed corners of a negative buffer
        core = p.buffer(-width / 2, join_style="mitre")
    if core.is_empty or isinstance(core, MultiPolygon):
        return False
    with np.errstate(all="ignore"):
        return core.buffer(width / 2, join_style="mitre").area >= p.area * 0.96


def _clean(p: Polygon) -> Polygon:
    """Round to micrometres, drop the spikes and slivers rounding leaves, and collinear vertices."""
    p = _largest(p)
    ring = Polygon(np.round(np.asarray(p.exterior.coords), 6))
    return _largest(ring.buffer(0).simplify(1e-7, preserve_topology=True))


def _ccw(coords: list[Pt]) -> list[Pt]:
    a = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(coords, coords[1:] + coords[:1], strict=True))
    return coords if a > 0 else coords[::-1]


# --------------------------------------------------------------------------------------------
# outline and programme


def _outline(rng: np.random.Generator, area: float) -> Polygon:
    """A rectangle with corners or a middle bite taken out: rectangle, L, U, T or notched."""
    aspect = rng.uniform(1.0, 1.9)
    shape = rng.choice(["rect", "L", "U", "T", "notch"], p=[0.4, 0.3, 0.07, 0.08, 0.15])
    grow = {"rect": 1.0, "L": 1.3, "U": 1.35, "T": 1.3, "notch": 1.08}[shape]
    w = _snap(math.sqrt(area * grow * aspect))
    h = _snap(area * grow / w)
    if rng.random() < 0.5:
        w, h = h, w
    p = box(0, 0, w, h)
    if shape == "L" or shape == "notch":
        f = (0.3, 0.5) if shape == "L" else (0.12, 0.25)
        cw, ch = _snap(w * rng.uniform(*f)), _snap(h * rng.uniform(*f))
        cx = 0 if rng.random() < 0.5 else _snap(w - cw)
        cy = 0 if rng.random() < 0.5 else _snap(h - ch)
        p = p.difference(box(cx, cy, cx + cw, cy + ch))
    elif shape == "U":
        cw, ch = _snap(w * rng.uniform(0.25, 0.4)), _snap(h * rng.uniform(0.25, 0.4))
        cx = _snap((w - cw) / 2 + rng.uniform(-0.1, 0.1) * w)
        cy = 0 if rng.random() < 0.5 else _snap(h - ch)
        p = p.difference(box(cx, cy, cx + cw, cy + ch))
    elif shape == "T":
        cw, ch = _snap(w * rng.uniform(0.2, 0.32)), _snap(h * rng.uniform(0.25, 0.4))
        cy = 0 if rng.random() < 0.5 else _snap(h - ch)
        p = p.difference(box(0, cy, cw, cy + ch)).difference(box(_snap(w - cw), cy, w, cy + ch))
    return _clean(_largest(p))


def _programme(rng: np.random.Generator, area: float, kind: str) -> list[str]:
    """The rooms a home of this size has, in an order that keeps related rooms together."""
    beds = int(np.clip(round((area - 32) / 15 + rng.normal(0, 0.5)), 0, 5))
    day = [LIVING] + ([KITCHEN] if area > 38 and rng.random() < 0.75 else [])
    wet = [BATH]
    if area > 60 and rng.random() < 0.55:
        wet.append(TOILET)
    if rng.random() < (0.5 if kind == "house" else 0.3) and area > 45:
        wet.append(SAUNA)
    if kind == "house" and rng.random() < 0.6:
        wet.append(UTILITY)
    night = [BEDROOM] * beds
    for _ in range(int(rng.integers(0, 3 if area > 50 else 2))):
        night.insert(int(rng.integers(0, len(night) + 1)), CLOSET)
    hall = [HALL] if area > 28 or rng.random() < 0.5 else []
    groups = [day, hall + wet, night]
    if rng.random() < 0.5:
        groups = groups[::-1]
    if rng.random() < 0.3:
        groups[0], groups[1] = groups[1], groups[0]
    return [r for g in groups for r in g]


def _targets(rng: np.random.Generator, rooms: list[str], total: float) -> list[float]:
    raw = np.array([rng.uniform(*_AREA[r][:2]) for r in rooms])
    return list(raw * total / raw.sum())


# --------------------------------------------------------------------------------------------
# treemap subdivision


@dataclass
class _Cut:
    line: LineString
    rank: int
    """How early the cut was made: 0 is the first (long, often load-bearing) wall."""


def _split_at(cell: Polygon, axis: int, pos: float) -> tuple[Polygon, Polygon, LineString] | None:
    x0, y0, x1, y1 = cell.bounds
    if not (x0 if axis == 0 else y0) < pos < (x1 if axis == 0 else y1):
        return None
    lo = box(x0 - 1, y0 - 1, pos, y1 + 1) if axis == 0 else box(x0 - 1, y0 - 1, x1 + 1, pos)
    hi = box(pos, y0 - 1, x1 + 1, y1 + 1) if axis == 0 else box(x0 - 1, pos, x1 + 1, y1 + 1)
    coords = np.asarray(cell.exterior.coords)[:, axis]
    if np.any((np.abs(coords - pos) > 1e-6) & (np.abs(coords - pos) < SLIVER)):
        return None
    a, b = cell.intersection(lo), cell.intersection(hi)
    if not isinstance(a, Polygon) or not isinstance(b, Polygon) or a.is_empty or b.is_empty:
        return None
    line = LineString([(pos, y0 - 1), (pos, y1 + 1)] if axis == 0 else [(x0 - 1, pos), (x1 + 1, pos)])
    # only the part through the interior: a cut in line with an outline edge must not double it
    seg = cell.intersection(line).difference(cell.exterior)
    if not isinstance(seg, LineString):
        seg = linemerge(seg) if not seg.is_empty else seg
    if not isinstance(seg, LineString) or seg.length < 0.5:
        return None
    return a, b, seg


def _cut_for_fraction(cell: Polygon, axis: int, frac: float) -> float:
    """Position of an axis-parallel cut that leaves ``frac`` of the area on the low side.

    The cells are rectilinear, so the area below a cut is piecewise linear in its position
    between the cell's vertex coordinates: a few clips and an interpolation find it exactly.
    """
    x0, y0, x1, y1 = cell.bounds
    coords = np.unique(np.asarray(cell.exterior.coords)[:, axis])
    if len(coords) == 2:
        return _snap(coords[0] + frac * (coords[1] - coords[0]))
    areas = [0.0]
    for v in coords[1:-1]:
        clip = box(x0 - 1, y0 - 1, v, y1 + 1) if axis == 0 else box(x0 - 1, y0 - 1, x1 + 1, v)
        areas.append(cell.intersection(clip).area)
    areas.append(cell.area)
    pos = _snap(float(np.interp(frac * cell.area, areas, coords)))
    # A cut just beside a corner of the cell would leave a sliver: continue the corner's edge instead.
    inner = coords[1:-1]
    if len(inner):
        near = inner[np.argmin(np.abs(inner - pos))]
        if abs(near - pos) < SLIVER:
            pos = float(near)
    return pos


def _width(p: Polygon) -> tuple[float, float]:
    """(narrowest extent, aspect) of a cell, cheaply: an L-shaped cell counts its thinner arm."""
    x0, y0, x1, y1 = p.bounds
    lo, hi = sorted((x1 - x0, y1 - y0))
    w = min(lo, p.area / hi) if hi > 0 else 0.0
    return w, hi / max(w, 1e-6)


def _min_width(rooms: list[str]) -> float:
    return _AREA[rooms[0]][2] if len(rooms) == 1 else max(1.6, min(_AREA[r][2] for r in rooms) * 1.4)


def _badness(p: Polygon, rooms: list[str]) -> float:
    w, aspect = _width(p)
    bad = max(0.0, _min_width(rooms) - w) * 4
    if len(rooms) == 1 and rooms[0] != HALL:
        bad += 0.5 * max(0.0, aspect - 2.2)
    return bad


def _treemap(rng, cell: Polygon, rooms: list[str], areas: list[float], cuts: list[_Cut], out: list[tuple[str, Polygon]],
             depth: int = 0, corridor: bool = False) -> None:
    """Cut ``cell`` into one piece per room, areas in proportion to ``areas``.

    Greedy: each level tries a few cuts (where to divide the room list, which axis, which side)
    and keeps the least bad; a room that ends up too narrow for its type is retyped later.
    """
    if len(rooms) == 1:
        out.append((rooms[0], cell))
        return
    x0, y0, x1, y1 = cell.bounds
    long_axis = 0 if (x1 - x0) >= (y1 - y0) else 1
    # A corridor strip: the hall runs the length of the cell with rooms on both sides.
    if corridor and HALL in rooms and len(rooms) >= 4 and max(x1 - x0, y1 - y0) > 6:
        rest = [(r, a) for r, a in zip(rooms, areas, strict=True) if r != HALL]
        k = int(rng.integers(1, len(rest)))
        g1, g2 = rest[:k], rest[k:]
        width = _snap(rng.uniform(1.15, 1.6))
        axis = 1 - long_axis
        span = (x1 - x0) if long_axis == 0 else (y1 - y0)
        a1, a2 = sum(a for _, a in g1), sum(a for _, a in g2)
        frac = (a1 / (a1 + a2)) * (cell.area - width * span) / cell.area
        s1 = _split_at(cell, axis, _cut_for_fraction(cell, axis, frac))
        s2 = s1 and _split_at(s1[1], axis, _snap((s1[2].coords[0][axis]) + width))
        if s1 and s2 and _badness(s1[0], [r for r, _ in g1]) + _badness(s2[1], [r for r, _ in g2]) < 0.01 \
                and _width(s2[0])[0] >= 1.0:
            cuts += [_Cut(s1[2], depth), _Cut(s2[2], depth)]
            out.append((HALL, s2[0]))
            _treemap(rng, s1[0], [r for r, _ in g1], [a for _, a in g1], cuts, out, depth + 1)
            _treemap(rng, s2[1], [r for r, _ in g2], [a for _, a in g2], cuts, out, depth + 1)
            return
    tot = sum(areas)
    ks = sorted(range(1, len(rooms)), key=lambda k: abs(sum(areas[:k]) / tot - 0.5) + rng.uniform(0, 0.25))[:2]
    best = None
    for k in ks:
        for axis in (0, 1):
            flip = bool(rng.random() < 0.5)
            ga, gb = (rooms[:k], rooms[k:]) if not flip else (rooms[k:], rooms[:k])
            aa, ab = (areas[:k], areas[k:]) if not flip else (areas[k:], areas[:k])
            s = _split_at(cell, axis, _cut_for_fraction(cell, axis, sum(aa) / tot))
            if s is None:
                continue
            score = _badness(s[0], ga) + _badness(s[1], gb) + (0.3 if axis != long_axis else 0.0) + rng.uniform(0, 0.3)
            if best is None or score < best[0]:
                best = (score, s, ga, gb, aa, ab)
    if best is None:  # nothing cuts: the rooms share one space
        out.append((rooms[0], cell))
        return
    _, s, ga, gb, aa, ab = best
    cuts.append(_Cut(s[2], depth))
    _treemap(rng, s[0], ga, aa, cuts, out, depth + 1)
    _treemap(rng, s[1], gb, ab, cuts, out, depth + 1)


def _retype(cells: list[tuple[str, Polygon]]) -> list[tuple[str, Polygon]]:
    """Rooms too small or narrow for their programme become what such a space is used for."""
    out = []
    for kind, c in cells:
        w, aspect = _width(c)
        if kind not in (HALL, CLOSET) and (w < _AREA[kind][2] * 0.85 or c.area < _AREA[kind][0] * 0.6):
            kind = CLOSET if c.area < 3.0 else HALL if aspect > 2.5 else TOILET if c.area < 4.5 else UTILITY
        out.append((kind, _clean(c)))
    return out


# --------------------------------------------------------------------------------------------
# walls


def _exterior_walls(outline: Polygon, t: float) -> list[WallSpec]:
    pts = _ccw([tuple(map(float, p)) for p in outline.exterior.coords[:-1]])
    v = np.array(pts)
    n = len(v)
    d = np.roll(v, -1, axis=0) - v
    d /= np.hypot(d[:, 0], d[:, 1])[:, None]
    nrm = np.stack([d[:, 1], -d[:, 0]], axis=1)  # outward for a counter-clockwise ring
    walls = []
    mit = np.empty_like(v)
    for i in range(n):
        n1, n2 = nrm[i - 1], nrm[i]
        mit[i] = (n1 + n2) / (1 + n1 @ n2)
    for i in range(n):
        j = (i + 1) % n
        h = t / 2
        quad = [tuple(v[i] + mit[i] * h), tuple(v[j] + mit[j] * h), tuple(v[j] - mit[j] * h), tuple(v[i] - mit[i] * h)]
        walls.append(WallSpec(pts[i], pts[j], t, True, quad=quad))
    return walls


def _on_segment(p: Pt, w: WallSpec, tol: float = 1e-6) -> float | None:
    """Offset of ``p`` along ``w`` when it lies on the wall's axis, else None."""
    rel = np.subtract(p, w.a)
    along = float(rel @ w.u)
    if -tol <= along <= w.length + tol and abs(float(rel @ w.n)) <= tol:
        return along
    return None


def _junctions(walls: list[WallSpec]) -> list[list[tuple[float, float]]]:
    """Per wall, (offset, clearance) of every point where another wall joins or meets it."""
    out: list[list[tuple[float, float]]] = [[] for _ in walls]
    for i, w in enumerate(walls):
        for end, p in ((0.0, w.a), (w.length, w.b)):
            c = MARGIN
            for j, o in enumerate(walls):
                if j == i:
                    continue
                if _on_segment(p, o, 1e-5) is not None:
                    if w.exterior and o.exterior:
                        cosang = abs(float(w.u @ o.u))
                        c = max(c, w.thickness / 2 * math.tan(math.acos(min(1.0, cosang)) / 2) + MARGIN)
                    else:
                        c = max(c, o.thickness / 2 + MARGIN)
            out[i].append((end, c))
        for j, o in enumerate(walls):
            if j == i:
                continue
            for p in (o.a, o.b):
                off = _on_segment(p, w, 1e-5)
                if off is not None and 1e-3 < off < w.length - 1e-3:
                    out[i].append((off, o.thickness / 2 + MARGIN))
    return out


# --------------------------------------------------------------------------------------------
# diagonal and curved exterior walls


def _exterior_runs(room: RoomSpec, outline: Polygon) -> list[LineString]:
    shared = room.cell.boundary.intersection(outline.exterior)
    lines = [g for g in getattr(shared, "geoms", [shared]) if isinstance(g, LineString) and g.length > 1e-6]
    if not lines:
        return []
    merged = linemerge(lines)
    parts = [merged] if isinstance(merged, LineString) else list(merged.geoms)
    out = []
    for part in parts:  # straight pieces only
        c = list(part.coords)
        start = 0
        for k in range(1, len(c) - 1):
            a, b, e = np.array(c[start]), np.array(c[k]), np.array(c[k + 1])
            if abs(_cross(b - a, e - b)) > 1e-9:
                out.append(LineString(c[start:k + 1]))
                start = k
        out.append(LineString([c[start], c[-1]]))
    return [r for r in out if r.length > 1e-6]


def _add_bay(rng, lay: Layout, t_ext: float) -> None:
    """Push a canted or curved bay out of one room's exterior wall."""
    cands = [(i, run) for i, r in enumerate(lay.rooms) if r.kind in (LIVING, BEDROOM, KITCHEN)
             for run in _exterior_runs(r, lay.outline) if run.length >= 3.0]
    if not cands:
        return
    i, run = cands[int(rng.integers(len(cands)))]
    a, b = np.array(run.coords[0]), np.array(run.coords[-1])
    u = (b - a) / np.hypot(*(b - a))
    out_n = np.array([u[1], -u[0]])
    mid = (a + b) / 2
    if lay.outline.contains(Point(*(mid + out_n * 0.2))):
        out_n = -out_n
    width = _snap(min(run.length - 1.2, rng.uniform(1.8, 3.2)))
    s0 = _snap(rng.uniform(0.6 + t_ext, run.length - width - 0.6 - t_ext)) if run.length - width > 1.2 + 2 * t_ext else _snap((run.length - width) / 2)
    p0, p1 = a + u * s0, a + u * (s0 + width)
    if rng.random() < 0.55:
        depth = _snap(rng.uniform(0.5, min(1.1, width / 3)))
        pts = [p0, p0 + u * depth + out_n * depth, p1 - u * depth + out_n * depth, p1]
    else:
        sag = rng.uniform(0.35, 0.5) * width
        r = (width**2 / 4 + sag**2) / (2 * sag)
        c = (p0 + p1) / 2 + out_n * (sag - r)
        half = math.asin(min(1.0, width / 2 / r))
        segs = int(rng.integers(6, 11))
        base = math.atan2(out_n[1], out_n[0])
        angs = np.linspace(base + half, base - half, segs + 1)
        if _cross(u, out_n) < 0:  # run the arc from p0 to p1
            angs = angs[::-1]
        pts = [c + r * np.array([math.cos(t), math.sin(t)]) for t in angs]
        pts[0], pts[-1] = p0, p1
    bay = Polygon([tuple(p) for p in pts])
    if not bay.is_valid or bay.area < 0.3:
        return
    bay = bay.buffer(0)
    if bay.intersection(lay.outline).area > 1e-6 or bay.buffer(-1e-6).intersects(
            unary_union([r.cell for j, r in enumerate(lay.rooms) if j != i])):
        return
    grown = unary_union([lay.outline, bay])
    if not isinstance(grown, Polygon) or grown.interiors:
        return
    lay.outline = _clean(grown)
    lay.rooms[i].cell = _clean(_largest(unary_union([lay.rooms[i].cell, bay])))


def _add_chamfer(rng, lay: Layout, cuts: list[_Cut]) -> None:
    """Cut one convex corner of the outline at 45 degrees, inside a single room."""
    pts = _ccw([tuple(p) for p in lay.outline.exterior.coords[:-1]])
    order = rng.permutation(len(pts))
    for k in order:
        v = np.array(pts[k])
        prev, nxt = np.array(pts[k - 1]), np.array(pts[(k + 1) % len(pts)])
        e1, e2 = prev - v, nxt - v
        if _cross(nxt - v, prev - v) <= 0:  # reflex corner
            continue
        l1, l2 = np.hypot(*e1), np.hypot(*e2)
        if abs(e1 @ e2) > 1e-9:
            continue
        rooms = [r for r in lay.rooms if r.cell.buffer(1e-6).contains(Point(*v))]
        if len(rooms) != 1:
            continue
        room = rooms[0]
        leg = _snap(rng.uniform(0.8, 2.2))
        tri = Polygon([tuple(v), tuple(v + e1 / l1 * leg), tuple(v + e2 / l2 * leg)])
        if leg > min(l1, l2) - 0.8:
            continue
        # no interior wall may end inside the cut corner
        if any(tri.buffer(0.4).intersects(c.line) for c in cuts):
            continue
        cell = room.cell.difference(tri)
        if not _fits(cell, 1.5):
            continue
        room.cell = _clean(cell)
        lay.outline = _clean(lay.outline.difference(tri))
        return


# --------------------------------------------------------------------------------------------
# openings


def _free(lay: Layout, junc, wi: int, lo: float, hi: float) -> list[tuple[float, float]]:
    """Stretches of wall ``wi`` within [lo, hi] clear of junctions and of other openings."""
    block = [(o - c, o + c) for o, c in junc[wi]]
    block += [(op.offset - op.width / 2 - 0.12, op.offset + op.width / 2 + 0.12) for op in lay.openings if op.wall == wi]
    spans = [(lo, hi)]
    for b0, b1 in block:
        nxt = []
        for s0, s1 in spans:
            if b1 <= s0 or b0 >= s1:
                nxt.append((s0, s1))
                continue
            if b0 > s0:
                nxt.append((s0, b0))
            if b1 < s1:
                nxt.append((b1, s1))
        spans = nxt
    return [(a, b) for a, b in spans if b - a > 0.3]


def _run_on_wall(lay: Layout, run: LineString, interior: bool) -> tuple[int, float, float] | None:
    """The wall carrying a straight run of room boundary, and the run's offsets along it."""
    a, b = run.coords[0], run.coords[-1]
    for i, w in enumerate(lay.walls):
        if w.exterior == interior:
            continue
        oa, ob = _on_segment(a, w, 1e-5), _on_segment(b, w, 1e-5)
        if oa is not None and ob is not None:
            return i, min(oa, ob), max(oa, ob)
    return None


def _place(rng, spans: list[tuple[float, float]], width: float, near_end: bool) -> float | None:
    ok = [(a, b) for a, b in spans if b - a >= width]
    if not ok:
        return None
    a, b = ok[int(rng.integers(len(ok)))]
    if near_end:
        gap = min(rng.uniform(0.0, 0.25), b - a - width)
        return a + gap + width / 2 if rng.random() < 0.5 else b - gap - width / 2
    return rng.uniform(a + width / 2, b - width / 2)


def _door_width(rng, a: str, b: str) -> float:
    small = {BATH, TOILET, SAUNA, CLOSET, UTILITY}
    if a in small or b in small:
        return _snap(rng.uniform(0.65, 0.8))
    return _snap(rng.uniform(0.8, 0.95))


_WEIGHT = {
    frozenset([HALL, LIVING]): 1, frozenset([HALL, KITCHEN]): 1.2, frozenset([HALL, BEDROOM]): 1,
    frozenset([HALL, BATH]): 1, frozenset([HALL, TOILET]): 1, frozenset([HALL, CLOSET]): 1.2,
    frozenset([HALL, UTILITY]): 1, frozenset([LIVING, KITCHEN]): 1, frozenset([BATH, SAUNA]): 0.5,
    frozenset([BEDROOM, CLOSET]): 1.1, frozenset([LIVING, BEDROOM]): 2.5, frozenset([UTILITY, BATH]): 2,
    frozenset([KITCHEN, UTILITY]): 2.5, frozenset([LIVING]): 3, frozenset([HALL]): 1,
}


def _adjacency(lay: Layout) -> dict[tuple[int, int], list[tuple[int, float, float]]]:
    """Pairs of rooms and the interior wall stretches they share: wall, from, to."""
    adj: dict[tuple[int, int], list[tuple[int, float, float]]] = {}
    for i in range(len(lay.rooms)):
        for j in range(i + 1, len(lay.rooms)):
            shared = lay.rooms[i].cell.boundary.intersection(lay.rooms[j].cell.boundary)
            for g in getattr(shared, "geoms", [shared]):
                if not isinstance(g, LineString) or g.length < 0.75:
                    continue
                hit = _run_on_wall(lay, LineString([g.coords[0], g.coords[-1]]), interior=True)
                if hit:
                    adj.setdefault((i, j), []).append(hit)
    return adj


def _swing_ok(lay: Layout, op: OpeningSpec, room: Polygon | None) -> bool:
    """The leaf's sweep stays in the room it opens into and clear of other doors' sweeps."""
    w = lay.walls[op.wall]
    sym = op.symbol(w).difference(op.rect(w))
    if room is not None and sym.difference(room.buffer(0.02)).area > 0.02:
        return False
    return not any(o.kind == "door" and o.symbol(lay.walls[o.wall]).intersection(sym).area > 1e-4 for o in lay.openings)


def _add_door(rng, lay: Layout, junc, hit, width: float, into: int, other: int, style: str = "swing") -> bool:
    wi, lo, hi = hit
    spans = _free(lay, junc, wi, lo, hi)
    for _ in range(3):
        off = _place(rng, spans, width, near_end=rng.random() < 0.65)
        if off is None:
            return False
        w = lay.walls[wi]
        side = 1 if lay.rooms[into].cell.contains(Point(*w.point(off, 0.3))) else -1
        rooms = {side: lay.rooms[into].cell, -side: lay.rooms[other].cell}
        # hinge on the side nearer the corner, so that the leaf opens against the wall
        near_start = (off - lo) < (hi - off)
        for s, h in ((side, near_start), (side, not near_start), (-side, near_start), (-side, not near_start)):
            if s != side and rng.random() < 0.5:
                continue
            op = OpeningSpec("door", wi, off, width, style, bool(h), s)
            if style == "sliding" or _swing_ok(lay, op, rooms[s]):
                lay.openings.append(op)
                return True
    return False


def _doors(rng, lay: Layout, junc) -> None:
    adj = _adjacency(lay)
    n = len(lay.rooms)
    kinds = [r.kind for r in lay.rooms]
    root = kinds.index(HALL) if HALL in kinds else kinds.index(LIVING) if LIVING in kinds else 0
    seen = {root}
    edges: list[tuple[int, int]] = []
    # Prim's tree over the adjacency, cheapest (most usual) connections first; (parent, child)
    while len(seen) < n:
        best = None
        for (i, j) in adj:
            if (i in seen) == (j in seen):
                continue
            key = frozenset([kinds[i], kinds[j]])
            w = _WEIGHT.get(key) or _WEIGHT.get(frozenset([kinds[i]])) or _WEIGHT.get(frozenset([kinds[j]])) or 4
            w += rng.uniform(0, 0.6)
            if best is None or w < best[0]:
                best = (w, i, j) if i in seen else (w, j, i)
        if best is None:
            break
        _, i, j = best
        seen.add(j)
        edges.append((i, j))
    # an extra door now and then: kitchen to living room, hall to living room, walk-through
    for (i, j) in adj:
        if (i, j) in edges or (j, i) in edges:
            continue
        key = frozenset([kinds[i], kinds[j]])
        if (key == frozenset([LIVING, KITCHEN]) and rng.random() < 0.5) or (
                key == frozenset([HALL, LIVING]) and rng.random() < 0.3) or rng.random() < 0.06:
            edges.append((i, j) if kinds[j] != HALL else (j, i))
    done = set()
    for parent, child in edges:
        hits = sorted(adj.get((parent, child)) or adj.get((child, parent)), key=lambda h: -(h[2] - h[1]))
        a, b = kinds[parent], kinds[child]
        style, width = "swing", _door_width(rng, a, b)
        r = rng.random()
        if {a, b} <= {LIVING, KITCHEN, HALL, BEDROOM} and r < 0.12:
            style, width = "double", _snap(rng.uniform(1.2, 1.6))
        elif (CLOSET in (a, b) and r < 0.4) or r < 0.05:
            style, width = "sliding", _snap(rng.uniform(0.8, 1.6))
        for hit in hits:
            if _add_door(rng, lay, junc, hit, width, child, parent, style):
                done.add(child)
                break
            if style != "swing" and _add_door(rng, lay, junc, hit, _door_width(rng, a, b), child, parent):
                done.add(child)
                break
    # rooms still shut: a narrow door, sliding if no leaf has room to swing
    for parent, child in edges:
        if child in done:
            continue
        hits = adj.get((parent, child)) or adj.get((child, parent))
        for hit in hits:
            if any(_add_door(rng, lay, junc, hit, 0.6, child, parent, st) for st in ("swing", "sliding")):
                done.add(child)
                break


def _exterior_openings(rng, lay: Layout, junc) -> None:
    kinds = [r.kind for r in lay.rooms]
    runs = {i: [h for run in _exterior_runs(r, lay.outline) if (h := _run_on_wall(lay, run, interior=False))]
            for i, r in enumerate(lay.rooms)}
    # the entrance, into the hall if the hall reaches the outside
    order = [i for i, k in enumerate(kinds) if k == HALL] + [i for i, k in enumerate(kinds) if k in (LIVING, KITCHEN)]
    for i in order:
        done = False
        for wi, lo, hi in sorted(runs[i], key=lambda h: h[1] - h[2]):
            width = _snap(rng.uniform(0.9, 1.05))
            style = "double" if rng.random() < 0.08 else "swing"
            width = _snap(rng.uniform(1.2, 1.5)) if style == "double" else width
            off = _place(rng, _free(lay, junc, wi, lo, hi), width, near_end=rng.random() < 0.5)
            if off is not None:
                w = lay.walls[wi]
                inside = 1 if lay.outline.contains(Point(*w.point(off, 0.3))) else -1
                side = inside * (1 if rng.random() < 0.75 else -1)
                op = OpeningSpec("door", wi, off, width, style, bool(rng.random() < 0.5), side, entrance=True)
                if side == inside and not _swing_ok(lay, op, lay.rooms[i].cell):
                    op.side = -side
                lay.openings.append(op)
                done = True
                break
        if done:
            break
    # a balcony off the living room, reached by a door
    if rng.random() < 0.35:
        for i in [k for k, v in enumerate(kinds) if v == LIVING]:
            for wi, lo, hi in runs[i]:
                w = lay.walls[wi]
                if hi - lo < 2.8 or abs(w.u[0] * w.u[1]) > 1e-9:
                    continue
                blen = _snap(min(hi - lo - 0.2, rng.uniform(2.4, 4.5)))
                b0 = _snap(rng.uniform(lo + 0.1, hi - blen - 0.1)) if hi - lo - blen > 0.2 else lo
                spans = _free(lay, junc, wi, max(lo, b0 + 0.2), min(hi, b0 + blen - 0.2))
                width = _snap(rng.uniform(0.8, 0.95))
                off = _place(rng, spans, width, near_end=True)
                if off is None:
                    continue
                inside = 1 if lay.outline.contains(Point(*w.point(off, 0.3))) else -1
                depth = _snap(rng.uniform(1.2, 2.2))
                h = w.thickness / 2
                pts = [w.point(b0, -inside * h), w.point(b0 + blen, -inside * h),
                       w.point(b0 + blen, -inside * (h + depth)), w.point(b0, -inside * (h + depth))]
                bal = Polygon([tuple(p) for p in pts])
                if bal.buffer(-0.01).intersects(lay.outline.buffer(h)):
                    continue
                lay.openings.append(OpeningSpec("door", wi, off, width, "swing", bool(rng.random() < 0.5),
                                                inside * (1 if rng.random() < 0.5 else -1)))
                lay.balconies.append(bal)
                break
            if lay.balconies:
                break
    # windows
    per = {LIVING: (1.0, 3), BEDROOM: (1.0, 1), KITCHEN: (0.9, 1), BATH: (0.25, 1), TOILET: (0.15, 1),
           SAUNA: (0.3, 1), HALL: (0.12, 1), CLOSET: (0.03, 1), UTILITY: (0.35, 1)}
    sizes = {LIVING: (1.2, 2.4), BEDROOM: (1.0, 1.8), KITCHEN: (0.9, 1.5), HALL: (0.6, 1.0)}
    for i, k in enumerate(kinds):
        p, most = per.get(k, (0.2, 1))
        if rng.random() > p:
            continue
        placed = 0
        for wi, lo, hi in sorted(runs[i], key=lambda h: h[1] - h[2]):
            count = 1 if hi - lo < 4.5 else int(rng.integers(1, 3))
            for _ in range(count):
                if placed >= most and not (k == LIVING and rng.random() < 0.3):
                    break
                lo_w, hi_w = sizes.get(k, (0.5, 0.8))
                width = _snap(min(rng.uniform(lo_w, hi_w), (hi - lo) * 0.7))
                if width < 0.4:
                    continue
                off = _place(rng, _free(lay, junc, wi, lo, hi), width, near_end=False)
                if off is None:
                    continue
                sill = 0.0 if width > 2.0 and rng.random() < 0.3 else float(rng.choice([0.6, 0.8, 0.9, 1.0]))
                lay.openings.append(OpeningSpec("window", wi, off, width, "window", height=min(1.5, 2.1 - sill), sill=sill))
                placed += 1


# --------------------------------------------------------------------------------------------
# furniture and fixtures


_FURNITURE = {
    LIVING: [("sofa", 2.0, 0.9, 0.9), ("armchair", 0.8, 0.8, 0.4), ("table", 1.4, 0.9, 0.5), ("shelf", 1.6, 0.4, 0.4),
             ("fireplace", 0.8, 0.6, 0.12)],
    KITCHEN: [("counter", 2.4, 0.6, 1.0), ("counter", 1.8, 0.6, 0.5), ("table", 1.2, 0.8, 0.5), ("fridge", 0.6, 0.6, 0.5)],
    BEDROOM: [("bed", 1.6, 2.0, 0.8), ("wardrobe", 1.8, 0.6, 0.7), ("desk", 1.2, 0.6, 0.3)],
    BATH: [("toilet", 0.4, 0.65, 0.9), ("basin", 0.55, 0.45, 0.95), ("shower", 0.9, 0.9, 0.7), ("tub", 1.7, 0.75, 0.25),
           ("washer", 0.6, 0.6, 0.4)],
    TOILET: [("toilet", 0.4, 0.65, 1.0), ("basin", 0.45, 0.35, 0.8)],
    SAUNA: [("bench", 1.6, 0.6, 1.0), ("stove", 0.5, 0.5, 0.9)],
    HALL: [("wardrobe", 1.2, 0.6, 0.55)],
    CLOSET: [("shelf", 1.2, 0.5, 0.8)],
    UTILITY: [("washer", 0.6, 0.6, 0.8), ("boiler", 0.6, 0.6, 0.6), ("counter", 1.2, 0.6, 0.5)],
}


def _edges(poly: Polygon) -> list[tuple[np.ndarray, np.ndarray, float]]:
    c = np.asarray(poly.exterior.coords)
    out = []
    for p, q in zip(c, c[1:], strict=False):
        L = float(np.hypot(*(q - p)))
        if L > 0.5:
            out.append((p, q, L))
    return out


def _place_fixture(rng, lay: Layout, ri: int, kind: str, fw: float, fd: float, blocked: list) -> bool:
    """Stand a fixture against a wall of room ``ri``, clear of doors, windows' swings and other fixtures."""
    poly = lay.rooms[ri].polygon
    edges = _edges(poly)
    for _ in range(10):
        p, q, L = edges[int(rng.integers(len(edges)))]
        if L < fw + 0.05:
            continue
        u = (q - p) / L
        inward = np.array([-u[1], u[0]])  # polygon exterior is counter-clockwise
        if not poly.contains(Point(*((p + q) / 2 + inward * 0.05))):
            inward = -inward
        s = rng.uniform(fw / 2, L - fw / 2)
        if rng.random() < 0.5:  # furniture likes corners
            s = fw / 2 if rng.random() < 0.5 else L - fw / 2
        center = p + u * s + inward * (fd / 2 + 0.005)
        ang = math.degrees(math.atan2(u[1], u[0]))
        if _cross(u, inward) < 0:
            ang += 180
        f = Fixture(kind, (float(center[0]), float(center[1])), (fw, fd), ang % 360, ri)
        fp = f.polygon()
        if not poly.buffer(1e-3).contains(fp) or any(fp.intersects(b) for b in blocked):
            continue
        blocked.append(fp.buffer(0.05))
        lay.fixtures.append(f)
        return True
    return False


def _furnish(rng, lay: Layout, density: float, stairs: bool) -> None:
    blocked = []
    for op in lay.openings:
        w = lay.walls[op.wall]
        sym = op.symbol(w)
        if op.kind == "door":
            sym = unary_union([sym, Polygon([tuple(w.point(op.offset + a, b)) for a, b in (
                (-op.width / 2, -w.thickness / 2 - 0.7), (op.width / 2, -w.thickness / 2 - 0.7),
                (op.width / 2, w.thickness / 2 + 0.7), (-op.width / 2, w.thickness / 2 + 0.7))])])
        blocked.append(sym)
    kinds = [r.kind for r in lay.rooms]
    if stairs:  # a straight flight along a wall of the hall, else of the living room, else anywhere
        order = sorted(range(len(kinds)), key=lambda i: ({HALL: 0, LIVING: 1}.get(kinds[i], 2), -lay.rooms[i].cell.area))
        run, width = _snap(rng.uniform(2.4, 3.6)), _snap(rng.uniform(0.85, 1.1))
        for ri in order:
            if lay.rooms[ri].polygon is not None and _place_fixture(rng, lay, ri, "stairs", run, width, blocked):
                break
    for ri, room in enumerate(lay.rooms):
        if room.polygon is None:
            continue
        items = list(_FURNITURE.get(room.kind, []))
        if room.kind == LIVING and KITCHEN not in kinds:
            items = [("counter", 2.4, 0.6, 1.0), ("fridge", 0.6, 0.6, 0.6)] + items
        if room.kind == BEDROOM and rng.random() < 0.5:
            items[0] = ("bed", 0.9, 2.0, 0.8)
        for kind, fw, fd, prob in items:
            if rng.random() <= prob * density:
                _place_fixture(rng, lay, ri, kind, fw, fd, blocked)


# --------------------------------------------------------------------------------------------


def _walls_from_cuts(lay: Layout, cuts: list[_Cut], t_ext: float, t_int: float, t_bear: float | None) -> None:
    lay.walls = _exterior_walls(lay.outline, t_ext)
    for c in cuts:
        a, b = c.line.coords[0], c.line.coords[-1]
        t = t_bear if (t_bear and c.rank == 0) else t_int
        lay.walls.append(WallSpec(tuple(map(float, a)), tuple(map(float, b)), t, False))
    # an interior wall reaches to the far face of the wall it ends on
    for w in lay.walls:
        if w.exterior:
            continue
        for end in ("a", "b"):
            p = getattr(w, end)
            hosts = [o.thickness for o in lay.walls if o is not w and _on_segment(p, o, 1e-5) is not None]
            setattr(w, "ext_" + end, max(hosts) / 2 if hosts else 0.0)


def make_layout(rng: np.random.Generator, kind: str | None = None, outline: Polygon | None = None,
                density: float = 0.7) -> Layout:
    """One storey: rooms, walls and openings of a plausible home."""
    kind = kind or ("house" if rng.random() < 0.3 else "apartment")
    if outline is not None and outline.area < 20:  # a shed, a sauna cabin, a storage room
        cells, cuts, shape = [(str(rng.choice([CLOSET, SAUNA, UTILITY])), outline)], [], outline
    else:
        area = float(rng.uniform(45, 160) if kind == "house" else rng.lognormal(math.log(62), 0.4))
        area = float(np.clip(area, 24, 180))
        shape = outline if outline is not None else _outline(rng, area)
        rooms = _programme(rng, shape.area, kind)
        areas = _targets(rng, rooms, shape.area)
        cuts: list[_Cut] = []
        cells: list[tuple[str, Polygon]] = []
        _treemap(rng, shape, rooms, areas, cuts, cells, corridor=rng.random() < 0.45)
        cells = _retype(cells)
    lay = Layout(outline=shape, rooms=[RoomSpec(k, c) for k, c in cells], kind=kind)
    t_ext = _snap(rng.uniform(0.25, 0.5)) if rng.random() < 0.85 else _snap(rng.uniform(0.15, 0.25))
    t_int = round(float(rng.uniform(0.08, 0.18)), 2)
    t_bear = _snap(rng.uniform(t_int + 0.04, max(t_int + 0.06, t_ext))) if rng.random() < 0.45 else None
    if rng.random() < 0.15:
        _add_chamfer(rng, lay, cuts)
    if rng.random() < 0.12:
        _add_bay(rng, lay, t_ext)
    _walls_from_cuts(lay, cuts, t_ext, t_int, t_bear)
    junc = _junctions(lay.walls)
    _doors(rng, lay, junc)
    _exterior_openings(rng, lay, junc)
    bands = unary_union([w.footprint() for w in lay.walls])
    for r in lay.rooms:
        r.polygon = _largest(r.cell.difference(bands))
        if r.polygon is not None:
            r.polygon = Polygon(_ccw(list(r.polygon.exterior.coords[:-1])))
    _furnish(rng, lay, density, stairs=rng.random() < (0.7 if kind == "house" else 0.05))
    return lay


def make_sheet(rng: np.random.Generator, kind: str | None = None, density: float = 0.7,
               extra_part: float = 0.15) -> list[Layout]:
    """What one drawing shows: usually one layout; sometimes a second storey or an outbuilding beside it."""
    main = make_layout(rng, kind, density=density)
    parts = [main]
    if rng.random() < extra_part:
        x0, y0, x1, y1 = main.outline.bounds
        gap = rng.uniform(1.5, 4.0)
        if main.kind == "house" and rng.random() < 0.7:
            second = make_layout(rng, "house", outline=main.outline, density=density)
            second.level = 1
        else:
            w, h = _snap(rng.uniform(2.5, 5)), _snap(rng.uniform(2.5, 4.5))
            second = make_layout(rng, "apartment", outline=box(0, 0, w, h), density=density)
        sx0, sy0, sx1, sy1 = second.outline.bounds
        if (x1 - x0) < (y1 - y0) * 1.3 or rng.random() < 0.5:  # beside
            parts.append(second.translate(x1 + gap - sx0, y0 - sy0 + (rng.uniform(0, max(0.0, (y1 - y0) - (sy1 - sy0))))))
        else:  # below
            parts.append(second.translate(x0 - sx0, y0 - gap - sy1))
    return parts
