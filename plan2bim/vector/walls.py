"""Walls from the drawing's lines: pairs of parallel lines at a wall-like spacing, in page points.

A wall is drawn as two parallel face lines (empty, hatched or filled between them). Each line is
paired with the nearest parallel line on each side over the stretch where they face each other
with no other parallel line between; the stretch becomes a wall piece (axis midway, thickness
the spacing). Pieces on one axis line are then joined across the gaps that are openings or
junctions (see :mod:`plan2bim.vector.openings`), and wall ends are joined at L, T and X junctions
at any angle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Polygon

from plan2bim.vector.settings import VectorSettings

__all__ = ["Lines", "Piece", "WallLine", "pair_lines"]


@dataclass(frozen=True)
class Lines:
    """Straight lines of the page as arrays (points, y down)."""

    segs: np.ndarray
    """(N, 4) x0, y0, x1, y1."""
    width: np.ndarray
    """(N,) stroke weight, points (0 for fill edges)."""
    filled: np.ndarray
    """(N,) bool: an edge of a filled area."""
    block: np.ndarray | None = None
    """(N,) bool: an edge of a small closed shape of its own (a furniture block, a fitting, a
    window's frame): its sides face each other at wall-like spacings but are no wall."""

    def __len__(self) -> int:
        return len(self.segs)

    @property
    def length(self) -> np.ndarray:
        return np.hypot(self.segs[:, 2] - self.segs[:, 0], self.segs[:, 3] - self.segs[:, 1])


@dataclass
class Piece:
    """A straight stretch of wall between two face lines."""

    p0: np.ndarray
    p1: np.ndarray
    thickness: float
    lines: tuple[int, int]
    """Indices of the two face lines in :class:`Lines`."""
    weight: float = 0.0
    """The thinner face line's weight."""

    @property
    def u(self) -> np.ndarray:
        d = self.p1 - self.p0
        return d / max(float(np.hypot(*d)), 1e-12)

    @property
    def length(self) -> float:
        return float(np.hypot(*(self.p1 - self.p0)))


@dataclass
class WallLine:
    """One wall: an axis from ``p0`` to ``p1`` with a thickness, its openings, and how far its
    outline reaches past each end (into the wall it joins)."""

    p0: np.ndarray
    p1: np.ndarray
    thickness: float
    openings: list = field(default_factory=list)
    ext0: float = 0.0
    ext1: float = 0.0
    clip0: tuple | None = None
    """(point, outward normal) of the face the outline stops at past ``p0`` (a joined wall's far face)."""
    clip1: tuple | None = None

    @property
    def u(self) -> np.ndarray:
        d = self.p1 - self.p0
        return d / max(float(np.hypot(*d)), 1e-12)

    @property
    def n(self) -> np.ndarray:
        u = self.u
        return np.array([-u[1], u[0]])

    @property
    def length(self) -> float:
        return float(np.hypot(*(self.p1 - self.p0)))

    def band(self, ext: bool = True) -> Polygon:
        """The outline: the axis widened by the thickness, reaching ``ext0``/``ext1`` past the ends."""
        u, n = self.u, self.n * self.thickness / 2
        a = self.p0 - u * (self.ext0 if ext else 0.0)
        b = self.p1 + u * (self.ext1 if ext else 0.0)
        # shapely.polygons on one array: the same ring as Polygon([...]) makes of the points, in a
        # third of the time (1,700 bands on surau p3)
        poly = shapely.polygons(np.array([a + n, b + n, b - n, a - n]))
        if ext:
            for clip in (self.clip0, self.clip1):
                if clip is not None:
                    poly = _keep_behind(poly, *clip)
        return poly


def _keep_behind(poly: Polygon, point: np.ndarray, normal: np.ndarray) -> Polygon:
    """``poly`` less what lies beyond the line through ``point`` in the direction ``normal``."""
    x0, y0, x1, y1 = poly.bounds
    big = 2.0 * (max(abs(x0 - point[0]), abs(x1 - point[0])) + max(abs(y0 - point[1]), abs(y1 - point[1]))) + 10.0
    t = np.array([-normal[1], normal[0]])
    half = shapely.polygons(np.array([point + t * big, point + t * big - normal * big, point - t * big - normal * big,
                                      point - t * big]))
    out = poly.intersection(half)
    return out if isinstance(out, Polygon) and not out.is_empty else poly


def _frame(segs: np.ndarray):
    d = segs[:, 2:] - segs[:, :2]
    L = np.hypot(d[:, 0], d[:, 1])
    u = d / np.maximum(L, 1e-12)[:, None]
    # one direction per line: angle folded into [0, pi)
    flip = (u[:, 1] < 0) | ((u[:, 1] == 0) & (u[:, 0] < 0))
    u[flip] *= -1
    p0 = np.where(flip[:, None], segs[:, 2:], segs[:, :2])
    return p0, u, L


def pair_lines(lines: Lines, idx: np.ndarray, k_pt_per_m: float, st: VectorSettings) -> list[Piece]:
    """Wall pieces from the lines ``idx`` of ``lines``.

    Every parallel neighbour of a line within the widest wall spacing is found with an R-tree;
    for a pair at a wall-like spacing, the stretches where a third parallel line lies between
    them are taken out (that line pairs with the nearer one instead).
    """
    dmin, dmax = st.min_wall_m * k_pt_per_m, st.max_wall_m * k_pt_per_m
    # a piece is never longer than its lines: lines shorter than the shortest piece pair with nothing
    idx = idx[lines.length[idx] >= max(st.min_piece_m * k_pt_per_m, st.min_piece_ratio * dmin)]
    segs = lines.segs[idx]
    if len(segs) < 2:
        return []
    p0, u, L = _frame(segs)
    theta = np.arctan2(u[:, 1], u[:, 0])  # in [0, pi]
    # candidates by bounding boxes grown by the widest spacing (GEOS distances for every pair
    # took 18 s on a 40,000-line sheet); the exact across distance is taken below with numpy
    x0, x1 = np.minimum(segs[:, 0], segs[:, 2]), np.maximum(segs[:, 0], segs[:, 2])
    y0, y1 = np.minimum(segs[:, 1], segs[:, 3]), np.maximum(segs[:, 1], segs[:, 3])
    # (as diagonals of the boxes: a query without a predicate reads envelopes only, and
    # 11,000 boxes took 4 times as long to make as lines, ~0.02 s on surau p3)
    tree = shapely.STRtree(shapely.linestrings(np.stack([x0, y0, x1, y1], 1).reshape(-1, 2, 2)))
    a, b = tree.query(shapely.linestrings(np.stack([x0 - dmax, y0 - dmax, x1 + dmax, y1 + dmax], 1).reshape(-1, 2, 2)))
    dth = np.abs(theta[a] - theta[b])
    dth = np.minimum(dth, np.pi - dth)
    par = np.nonzero((a != b) & (dth < np.radians(st.parallel_deg)))[0]
    a, b = a[par], b[par]
    # b's geometry in a's frame: across distance of b's midpoint, b's end points along a (on
    # flat columns: gathering (n, 2) rows for ~300,000 pairs cost ~0.03 s on surau p3)
    n = np.stack([-u[:, 1], u[:, 0]], axis=1)
    ux, uy, nx, ny = u[:, 0].copy(), u[:, 1].copy(), n[:, 0].copy(), n[:, 1].copy()
    px, py = p0[:, 0].copy(), p0[:, 1].copy()
    bx0, by0, bx1, by1 = (segs[b, c] for c in range(4))
    pxa, pya = px[a], py[a]
    d = ((bx0 + bx1) / 2 - pxa) * nx[a] + ((by0 + by1) / 2 - pya) * ny[a]
    uxa, uya = ux[a], uy[a]
    s_b0 = (bx0 - pxa) * uxa + (by0 - pya) * uya
    s_b1 = (bx1 - pxa) * uxa + (by1 - pya) * uya
    lo = np.maximum(np.minimum(s_b0, s_b1), 0.0)
    hi = np.minimum(np.maximum(s_b0, s_b1), L[a])
    ov = hi > lo
    a, b, d, lo, hi = a[ov], b[ov], d[ov], lo[ov], hi[ov]
    # neighbours of each line, for the "nothing between" test
    order = np.argsort(a, kind="stable")
    a, b, d, lo, hi = a[order], b[order], d[order], lo[order], hi[order]
    starts = np.searchsorted(a, np.arange(len(segs) + 1))
    pieces: list[Piece] = []
    min_len = st.min_piece_m * k_pt_per_m
    cand = np.nonzero((a < b) & (np.abs(d) >= dmin) & (np.abs(d) <= dmax)
                      & (hi - lo >= np.maximum(min_len, st.min_piece_ratio * np.abs(d))))[0]
    if lines.block is not None:
        cand = cand[~(lines.block[idx[a[cand]]] & lines.block[idx[b[cand]]])]
    c, s0, s1 = _uncovered(cand, a, d, lo, hi, starts, st.same_line_pt)
    dd = d[cand[c]]
    long_ = s1 - s0 >= np.maximum(min_len, st.min_piece_ratio * np.abs(dd))
    for r, sa, sb in zip(cand[c[long_]].tolist(), s0[long_].tolist(), s1[long_].tolist(), strict=True):
        i, j, dd = int(a[r]), int(b[r]), float(d[r])
        off = n[i] * dd / 2
        pieces.append(Piece(p0[i] + u[i] * sa + off, p0[i] + u[i] * sb + off, abs(dd),
                            (int(idx[i]), int(idx[j])),
                            float(min(lines.width[idx[i]], lines.width[idx[j]]))))
    return pieces


def _uncovered(cand: np.ndarray, a: np.ndarray, d: np.ndarray, lo: np.ndarray, hi: np.ndarray,
               starts: np.ndarray, same_pt: float, *, max_rows: int = 2_000_000
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_uncovered_rows`` over the candidates in runs of at most about ``max_rows`` rows of
    lines to test between (each row costs ~100 bytes in the arrays made at once: a sheet of
    dense parallel hatching, surau p9, made 2.4 GB of them in one piece); the same result."""
    cnt = starts[a[cand] + 1] - starts[a[cand]]
    if int(cnt.sum()) <= max_rows:
        return _uncovered_rows(cand, a, d, lo, hi, starts, same_pt)
    run = np.cumsum(cnt) // max(max_rows, 1)
    cuts = np.concatenate([[0], np.nonzero(np.diff(run))[0] + 1, [len(cand)]])
    out = []
    for i, j in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        c, s0, s1 = _uncovered_rows(cand[i:j], a, d, lo, hi, starts, same_pt)
        out.append((c + i, s0, s1))
    return tuple(np.concatenate([o[k] for o in out]) for k in range(3))


def _uncovered_rows(cand: np.ndarray, a: np.ndarray, d: np.ndarray, lo: np.ndarray,
                    hi: np.ndarray, starts: np.ndarray, same_pt: float
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each candidate pair row ``cand`` (rows sorted by line ``a``, line ``i``'s rows from
    ``starts[i]``): the stretches of its overlap ``lo``..``hi`` where no third parallel line of
    ``i`` lies between the pair (across distance ``d``, same side, farther than ``same_pt``
    from both), as (candidate position, start, end), each candidate's in order along the line.
    The stretches are the ones taking each such line's overlap out of the span in turn gives,
    with the same end values; a Python loop doing that over the
    candidates took 0.45 s on surau p3 (11,756 candidates, 90,203 lines between)."""
    m = len(cand)
    ai = a[cand]
    cnt = starts[ai + 1] - starts[ai]
    rep = np.repeat(np.arange(m), cnt)
    k = np.repeat(starts[ai], cnt) + (np.arange(len(rep)) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    rc = cand[rep]
    between = (np.sign(d[k]) == np.sign(d[rc])) & (np.abs(d[k]) > same_pt) & \
              (np.abs(d[k]) < np.abs(d[rc]) - same_pt) & (hi[k] > lo[rc]) & (lo[k] < hi[rc])
    rep, k = rep[between], k[between]
    # each candidate's lines between, by start along; the farthest end reached so far (a
    # running maximum within each candidate, taken on integer ranks so that it stays exact)
    o = np.lexsort((lo[k], rep))
    rep, bl, bh = rep[o], lo[k][o], hi[k][o]
    uniq, rank = np.unique(bh, return_inverse=True)
    reach = uniq[np.maximum.accumulate(rank.ravel() + rep * (len(uniq) + 1)) - rep * (len(uniq) + 1)]
    first = np.ones(len(rep), bool)
    first[1:] = rep[1:] != rep[:-1]
    last = np.ones(len(rep), bool)
    last[:-1] = rep[1:] != rep[:-1]
    lo_c, hi_c = lo[cand], hi[cand]
    free = np.ones(m, bool)
    free[rep] = False
    # stretches: before the first line between, between the reach so far and the next line's
    # start, after the last reach; a candidate with none between keeps its whole overlap
    parts = [
        (np.nonzero(free)[0], lo_c[free], hi_c[free]),
        (rep[first], lo_c[rep[first]], bl[first]),
        (rep[1:][~first[1:]], reach[:-1][~first[1:]], bl[1:][~first[1:]]),
        (rep[last], reach[last], hi_c[rep[last]]),
    ]
    c = np.concatenate([p[0] for p in parts])
    s0 = np.concatenate([p[1] for p in parts])
    s1 = np.concatenate([p[2] for p in parts])
    ok = s1 > s0
    c, s0, s1 = c[ok], s0[ok], s1[ok]
    o = np.lexsort((s0, c))
    return c[o], s0[o], s1[o]


def _bands(pieces: list) -> np.ndarray:
    """Each piece's ``WallLine(p0, p1, thickness).band(ext=False)``, made at once (the same
    arithmetic on arrays, so the same coordinates)."""
    p0 = np.array([p.p0 for p in pieces], dtype=float)
    p1 = np.array([p.p1 for p in pieces], dtype=float)
    t = np.array([p.thickness for p in pieces], dtype=float)
    d = p1 - p0
    u = d / np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-12)[:, None]
    n = np.stack([-u[:, 1], u[:, 0]], axis=1) * t[:, None] / 2
    a = p0 - u * 0.0
    b = p1 + u * 0.0
    return shapely.polygons(np.stack([a + n, b + n, b - n, a - n], axis=1))


def drop_contained(pieces: list, tol: float) -> list:
    """Pieces (or walls) lying inside the bands of thicker ones: hatch strokes, glazing,
    cavity leaves, a window's frame in its gap."""
    if len(pieces) < 2:
        return pieces
    bands = list(_bands(pieces))
    tree = shapely.STRtree(bands)
    out = []
    for k, p in enumerate(pieces):
        # only a piece longer than it is thick holds others (a short pier's two jambs face
        # each other at a wall-like spacing, across the pier)
        hits = [h for h in tree.query(bands[k], predicate="intersects")
                if h != k and pieces[h].thickness > p.thickness + tol and pieces[h].length >= pieces[h].thickness]
        if hits:
            cover = shapely.union_all([bands[h] for h in hits]).buffer(tol, join_style="mitre")
            if cover.contains(bands[k]):
                continue
        out.append(p)
    return out
