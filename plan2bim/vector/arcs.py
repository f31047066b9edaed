"""Arcs drawn as chains of short straight pieces: a door's swing exported as a dashed or
flattened polyline instead of a Bézier (rbt-2bd p2: every swing is 12 dashes of 2 segments).

Short lines are chained end to end where one runs on from the other (a small gap along the
direction, a small turn); a chain whose points lie on one circle, turning through a door
swing's angle, becomes a Bézier arc like the ones CAD writes, so that the door finder reads both
the same way. Hatch strokes (short and parallel, side by side) do not chain: the gap between
them runs across their direction.
"""

from __future__ import annotations

import numpy as np

from plan2bim.vector.settings import VectorSettings

__all__ = ["arc_bezier", "chained_arcs"]


def arc_bezier(centre: np.ndarray, r: float, a0: float, a1: float) -> np.ndarray:
    """The cubic Bézier (x0, y0, c1x, c1y, c2x, c2y, x3, y3) of the circular arc from angle ``a0``
    to ``a1`` (radians, at most a half turn apart)."""
    da = a1 - a0
    h = 4.0 / 3.0 * np.tan(da / 4.0)
    p0 = centre + r * np.array([np.cos(a0), np.sin(a0)])
    p3 = centre + r * np.array([np.cos(a1), np.sin(a1)])
    t0 = np.array([-np.sin(a0), np.cos(a0)])
    t1 = np.array([-np.sin(a1), np.cos(a1)])
    return np.concatenate([p0, p0 + h * r * t0, p3 - h * r * t1, p3])


def _fit_circle(pts: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Least-squares circle through ``pts``: centre, radius, RMS distance of the points off it."""
    x, y = pts[:, 0], pts[:, 1]
    A = np.stack([x, y, np.ones_like(x)], 1)
    b = x * x + y * y
    sol, *_ = np.linalg.lstsq(A, b, rcond=None)
    c = sol[:2] / 2
    r2 = sol[2] + c @ c
    if r2 <= 0:
        return c, 0.0, np.inf
    r = float(np.sqrt(r2))
    return c, r, float(np.sqrt(np.mean((np.hypot(x - c[0], y - c[1]) - r) ** 2)))


def _kdtree():
    """scipy's k-d tree class (imported here: a conversion with no vector page never loads
    scipy)."""
    from scipy.spatial import cKDTree

    return cKDTree


def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Connected components of the undirected graph on ``n`` nodes with edges ``i``-``j``:
    each node's component number, numbered in the order of their lowest nodes (as
    scipy.sparse.csgraph.connected_components numbers them; importing it took ~0.15 s)."""
    lab = np.arange(n)
    while len(i):
        li, lj = lab[i], lab[j]
        diff = li != lj
        if not diff.any():
            break
        li, lj = li[diff], lj[diff]
        m = np.minimum(li, lj)
        # hook each root onto the lowest label across its edges, then point every node at its root
        np.minimum.at(lab, li, m)
        np.minimum.at(lab, lj, m)
        while True:
            nxt = lab[lab]
            if np.array_equal(nxt, lab):
                break
            lab = nxt
    return np.unique(lab, return_inverse=True)[1].ravel()


def chained_arcs(segs: np.ndarray, k_pt_per_m: float, st: VectorSettings,
                 stroked: np.ndarray | None = None, width: np.ndarray | None = None) -> np.ndarray:
    """Door-swing arcs made of chains of short lines in ``segs`` (N, 4), as (M, 8) Béziers;
    ``stroked``: which lines may be pieces (a fill's edges are not: an arrow head's crowd the
    dashes it touches); ``width``: line weights (one arc is drawn with one pen: a jamb line
    running on from a swing's end, tangent to it, is heavier)."""
    if not len(segs):
        return np.zeros((0, 8))
    d = segs[:, 2:] - segs[:, :2]
    L = np.hypot(d[:, 0], d[:, 1])
    ok = (L > 1e-6) & (L <= st.arc_piece_max_m * k_pt_per_m)
    short = np.nonzero(ok if stroked is None else ok & stroked)[0]
    if len(short) < st.arc_min_pieces:
        return np.zeros((0, 8))
    cKDTree = _kdtree()
    s = segs[short]
    u = (s[:, 2:] - s[:, :2]) / L[short, None]
    ends = np.concatenate([s[:, :2], s[:, 2:]])  # end e of piece i: row i + e * n
    n = len(s)
    # each end's outward direction: away from its own piece
    out_dir = np.concatenate([-u, u])
    gap_max = st.arc_gap_max_m * k_pt_per_m
    # the few nearest ends only (hatching puts millions of end pairs within a dash gap)
    _, nb = cKDTree(ends).query(ends, k=st.arc_neighbours, distance_upper_bound=gap_max)
    # b's piece runs on from a's end: b's own direction (into b) continues a's outward one.
    # The cheapest test first, on the (end, neighbour) table and flat columns: most of the ~1M
    # neighbour pairs of a hatched sheet (surau p3) fail it, and gathering (n, 2) rows for all
    # of them cost ~0.2 s. A neighbour is another piece's end: not the end itself, nor its
    # piece's other end (2n where it has no more neighbours within the gap).
    ox, oy = out_dir[:, 0].copy(), out_dir[:, 1].copy()
    me = np.arange(2 * n)
    nbc = np.minimum(nb, 2 * n - 1)
    turn = ox[:, None] * -ox[nbc] + oy[:, None] * -oy[nbc]
    a, col = np.nonzero((turn >= np.cos(np.radians(st.arc_turn_max_deg))) & (nb < 2 * n) & (nb != me[:, None])
                        & (nb != ((me + n) % (2 * n))[:, None]))
    b = nb[a, col]
    if width is not None:
        wt = np.concatenate([width[short], width[short]])
        wa, wb = wt[a], wt[b]
        ok = np.nonzero(np.abs(wa - wb) <= 0.01 + 0.05 * np.maximum(wa, wb))[0]
        a, b = a[ok], b[ok]
    ex, ey = ends[:, 0].copy(), ends[:, 1].copy()
    gx, gy = ex[b] - ex[a], ey[b] - ey[a]
    g = np.hypot(gx, gy)
    along = gx * ox[a] + gy * oy[a]
    ok = (g <= 0.05) | (along >= 0.8 * g)
    a, b, g = a[ok], b[ok], g[ok]
    # each end links to its nearest follower only, and only where the follower's nearest is it
    # too (mutual): a chain never branches into a hatch
    order = np.lexsort((g, a))
    a, b = a[order], b[order]
    first = np.ones(len(a), bool)
    first[1:] = a[1:] != a[:-1]
    best = np.full(2 * n, -1)
    best[a[first]] = b[first]
    ea = np.nonzero(best >= 0)[0]
    mutual = ea[best[best[ea]] == ea]
    label = _components(n, mutual % n, best[mutual] % n)
    # The chains long enough to be arcs, each its pieces in index order (most components are
    # single pieces: splitting all of them out cost ~0.1 s on the surau roof plan).
    order = np.argsort(label, kind="stable")
    sizes = np.bincount(label)
    at = np.concatenate([[0], np.cumsum(sizes)])
    groups = [order[at[c]:at[c + 1]] for c in np.nonzero(sizes >= st.arc_min_pieces)[0]]
    lo, hi = st.door_leaf_min_m * k_pt_per_m, st.door_leaf_max_m * k_pt_per_m
    out = []
    for g_idx in groups:
        pts = np.concatenate([s[g_idx, :2], s[g_idx, 2:]])
        c, r, rms = _fit_circle(pts)
        if not (lo <= r <= hi) or rms > st.arc_fit_ratio * r:
            continue
        ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
        # the arc's extent: the widest empty stretch of angle is where it is not
        srt = np.sort(ang)
        gaps = np.diff(np.concatenate([srt, srt[:1] + 2 * np.pi]))
        j = int(np.argmax(gaps))
        a0 = float(srt[(j + 1) % len(srt)])
        span = 2 * np.pi - float(gaps[j])
        if not (np.radians(st.arc_span_min_deg) <= span <= np.radians(st.arc_span_max_deg)):
            continue
        out.append(arc_bezier(c, r, a0, a0 + span))
    return np.array(out) if out else np.zeros((0, 8))
