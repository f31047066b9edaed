"""Curved walls: two concentric arcs at a wall-like spacing (a bay, a round apse).

The building model holds straight walls only, so a curved wall becomes a chain of short straight
walls along its mid-radius, each turning through at most ``curved_step_deg``; their ends meet
exactly, so the wall outline and the rooms it closes follow the arc (the chord's sagitta at
15 deg on a 2 m radius is 17 mm).
"""

from __future__ import annotations

import numpy as np

from plan2bim.vector.openings import circle
from plan2bim.vector.settings import VectorSettings
from plan2bim.vector.walls import WallLine

__all__ = ["CurvedWall", "curved_walls", "on_arcs"]


class CurvedWall:
    """A pair of concentric arcs: centre, inner and outer radius, angular extent (radians)."""

    def __init__(self, centre: np.ndarray, r_in: float, r_out: float, a0: float, a1: float,
                 weight: float = 0.0) -> None:
        self.centre, self.r_in, self.r_out, self.a0, self.a1 = centre, r_in, r_out, a0, a1
        self.weight = weight
        """The lighter face arc's line weight."""

    def chain(self, step_deg: float) -> list[WallLine]:
        """The straight walls along the mid-radius, end to end."""
        r = (self.r_in + self.r_out) / 2
        n = max(1, int(np.ceil(np.degrees(self.a1 - self.a0) / step_deg)))
        ang = np.linspace(self.a0, self.a1, n + 1)
        pts = self.centre + r * np.stack([np.cos(ang), np.sin(ang)], 1)
        t = self.r_out - self.r_in
        # each piece's outline reaches past a joint by what closes the wedge between two chords
        ext = t / 2 * float(np.tan((ang[1] - ang[0]) / 2))
        out = [WallLine(pts[i].copy(), pts[i + 1].copy(), t) for i in range(n)]
        for i, w in enumerate(out):
            w.ext0 = ext if i > 0 else 0.0
            w.ext1 = ext if i < n - 1 else 0.0
        return out


def _extent(curve: np.ndarray, c: np.ndarray) -> tuple[float, float]:
    """Angles of an arc's ends about ``c``, ordered counter-clockwise through its middle."""
    _, _, mid, _ = circle(curve)
    a = np.arctan2(curve[1] - c[1], curve[0] - c[0])
    b = np.arctan2(curve[7] - c[1], curve[6] - c[0])
    m = np.arctan2(mid[1] - c[1], mid[0] - c[0])
    # counter-clockwise from a: does it pass the middle before b?
    if (m - a) % (2 * np.pi) <= (b - a) % (2 * np.pi):
        return a, a + (b - a) % (2 * np.pi)
    return b, b + (a - b) % (2 * np.pi)


def curved_walls(curves: np.ndarray, weights: np.ndarray, k_pt_per_m: float,
                 st: VectorSettings) -> tuple[list[CurvedWall], np.ndarray]:
    """Walls from pairs of concentric arcs among ``curves`` (M, 8) at a wall's spacing, and which
    curves they used. Arcs drawn as several Béziers (a half circle is two or more) are merged
    first: same centre, same radius, touching extents."""
    used = np.zeros(len(curves), bool)
    if len(curves) < 2:
        return [], used
    fits = []
    for i, cv in enumerate(curves):
        c, r, _, _ = circle(cv)
        if not np.isfinite(c).all() or r < st.curved_min_radius_m * k_pt_per_m:
            continue
        a0, a1 = _extent(cv, c)
        fits.append([c, r, a0, a1, [i], float(weights[i])])
    # one arc drawn as several Béziers
    tol = 0.5
    merged = True
    while merged:
        merged = False
        for x in fits:
            for y in fits:
                if x is y or np.hypot(*(x[0] - y[0])) > tol or abs(x[1] - y[1]) > tol:
                    continue
                if abs((y[2] - x[3] + np.pi) % (2 * np.pi) - np.pi) < 0.02:  # y starts where x ends
                    x[3] += y[3] - y[2]
                    x[4] += y[4]
                    x[5] = min(x[5], y[5])
                    merged = True
                    break
            if merged:
                fits = [f for f in fits if f is not y]
                break
    dmin, dmax = st.min_wall_m * k_pt_per_m, st.max_wall_m * k_pt_per_m
    out: list[CurvedWall] = []
    taken: set[int] = set()
    for i, (c, r, a0, a1, idx, wt) in enumerate(fits):
        if i in taken:
            continue
        best = None
        for j, (c2, r2, b0, b1, _, _) in enumerate(fits):
            if j == i or j in taken or np.hypot(*(c - c2)) > max(1.0, 0.02 * r) or not (dmin <= r2 - r <= dmax):
                continue
            # the overlap of the two extents (the outer one measured in the inner's turn)
            shift = (b0 - a0 + np.pi) % (2 * np.pi) - np.pi
            lo, hi = max(a0, a0 + shift), min(a1, a0 + shift + (b1 - b0))
            if hi - lo < np.radians(st.curved_min_span_deg):
                continue
            if best is None or r2 - r < best[1] - r:
                best = (j, r2, lo, hi)
        if best is None:
            continue
        j, r2, lo, hi = best
        taken.update((i, j))
        used[idx] = True
        used[fits[j][4]] = True
        out.append(CurvedWall((c + fits[j][0]) / 2, r, r2, lo, hi, min(wt, fits[j][5])))
    return out, used


def on_arcs(segs: np.ndarray, walls: list[CurvedWall], tol: float = 0.5) -> np.ndarray:
    """Which of ``segs`` lie on a curved wall's face arcs (their flattened pieces)."""
    out = np.zeros(len(segs), bool)
    for w in walls:
        for r in (w.r_in, w.r_out):
            d0 = np.hypot(segs[:, 0] - w.centre[0], segs[:, 1] - w.centre[1])
            d1 = np.hypot(segs[:, 2] - w.centre[0], segs[:, 3] - w.centre[1])
            out |= (np.abs(d0 - r) < tol + 0.02 * r) & (np.abs(d1 - r) < tol + 0.02 * r)
    return out
