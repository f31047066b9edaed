"""Openings: what fills a gap between two pieces of one wall line.

A door is a swing arc whose centre is a jamb corner (the hinge) and whose radius is the gap's
width (half of it for a double door), or a pair of sliding leaves; a window is a glazing line
drawn across the whole gap. A face line running on across the gap means a junction (the wall
goes on, another joins it), not an opening.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Gap", "OpeningFound", "classify_gap", "swing_side"]


@dataclass(frozen=True)
class Gap:
    """A gap on a wall line, in page points: from ``s0`` to ``s1`` along ``u`` from ``origin``."""

    origin: np.ndarray
    u: np.ndarray
    s0: float
    s1: float
    thickness: float

    @property
    def n(self) -> np.ndarray:
        return np.array([-self.u[1], self.u[0]])

    @property
    def width(self) -> float:
        return self.s1 - self.s0

    def point(self, s: float, across: float = 0.0) -> np.ndarray:
        return self.origin + self.u * s + self.n * across


@dataclass(frozen=True)
class OpeningFound:
    kind: str
    """door or window."""
    swing: str = "none"
    hinge_at_start: bool = True
    side: int = 0
    """+1: the leaf opens to the wall's ``n`` side (page frame), -1 to the other, 0 unknown."""


def _circle(curve: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Centre and radius of the circle through a Bézier's ends and middle; its ends."""
    p0, c1, c2, p3 = curve[:2], curve[2:4], curve[4:6], curve[6:]
    m = 0.125 * p0 + 0.375 * c1 + 0.375 * c2 + 0.125 * p3
    ax, ay = p0
    bx, by = m
    cx, cy = p3
    dd = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by))
    if abs(dd) < 1e-9:
        return np.array([np.nan, np.nan]), 0.0, p0, p3
    ux = ((ax**2 + ay**2) * (by - cy) + (bx**2 + by**2) * (cy - ay) + (cx**2 + cy**2) * (ay - by)) / dd
    uy = ((ax**2 + ay**2) * (cx - bx) + (bx**2 + by**2) * (ax - cx) + (cx**2 + cy**2) * (bx - ax)) / dd
    c = np.array([ux, uy])
    return c, float(np.hypot(*(p0 - c))), p0, p3


def classify_gap(gap: Gap, curves: np.ndarray, segs: np.ndarray, k_pt_per_m: float,
                 radius_ratio: float, hinge_tol_m: float) -> OpeningFound | None:
    """What fills ``gap``: a door, a window, or None (nothing found).

    ``curves`` (M, 8) and ``segs`` (N, 4) are the drawing's Béziers and straight lines near the gap.
    """
    g, t = gap.width, gap.thickness
    tol = hinge_tol_m * k_pt_per_m
    arcs_at = []
    for cv in curves:
        c, r, e0, e1 = _circle(cv)
        if not np.isfinite(c).all() or r <= 0:
            continue
        for at_start, s in ((True, gap.s0), (False, gap.s1)):
            for side in (1, -1):
                corner = gap.point(s, side * t / 2)
                if np.hypot(*(c - corner)) > tol:
                    continue
                for leaves in (1, 2):
                    want = g / leaves
                    if abs(r - want) <= radius_ratio * want:
                        # the leaf side: where the arc's middle lies across the wall
                        mid = 0.5 * (e0 + e1)
                        across = float((mid - gap.point(0.5 * (gap.s0 + gap.s1))) @ gap.n)
                        sd = 1 if across > 0 else -1
                        arcs_at.append((leaves, at_start, sd, abs(r - want)))
    if arcs_at:
        singles = [a for a in arcs_at if a[0] == 1]
        doubles = {(a[1]) for a in arcs_at if a[0] == 2}
        if len(doubles) == 2 and not singles:
            return OpeningFound("door", "none", True, 0)
        if singles:
            _, at_start, sd, _ = min(singles, key=lambda a: a[3])
            return OpeningFound("door", "", at_start, sd)
        return OpeningFound("door", "none", True, 0)
    # lines parallel to the wall inside its band, across the gap
    if len(segs):
        p = segs[:, :2] - gap.origin
        q = segs[:, 2:] - gap.origin
        a0, a1 = p @ gap.n, q @ gap.n
        s0, s1 = p @ gap.u, q @ gap.u
        d = segs[:, 2:] - segs[:, :2]
        L = np.hypot(d[:, 0], d[:, 1])
        par = np.abs(d @ gap.n) <= 0.02 * np.maximum(L, 1e-9)
        inside = par & (np.maximum(np.abs(a0), np.abs(a1)) <= t / 2 + 0.5)
        lo, hi = np.minimum(s0, s1), np.maximum(s0, s1)
        cover = np.clip(np.minimum(hi, gap.s1) - np.maximum(lo, gap.s0), 0, None)
        span = inside & (lo >= gap.s0 - 1.0) & (hi <= gap.s1 + 1.0)
        if (span & (cover >= 0.8 * g)).any():
            return OpeningFound("window")
        if span.any() and cover[span].sum() >= 0.8 * g:
            return OpeningFound("door", "none")  # sliding leaves
    return None


def swing_side(u_page: np.ndarray, side: int, hinge_at_start: bool) -> str:
    """Hinge side of a swing door seen from the room its leaf opens into: "left" or "right".

    The same convention as the synthetic ground truth (``synth.labels.swing_side``) and the
    IFC export (``SINGLE_SWING_LEFT`` / ``_RIGHT``): stand in the room the door opens into,
    facing the door; the hinge is on your left or your right. Computed in a y-up frame, as the
    plan is (the page frame's y runs down, which would mirror it)."""
    u = np.array([u_page[0], -u_page[1]])
    n = np.array([-u[1], u[0]])  # left normal in the y-up frame
    # the page-frame normal (-u_y, u_x) maps to y-up as (-u_y, -u_x) = -n
    side_up = -side
    facing = -side_up * n
    right = np.array([facing[1], -facing[0]])
    hinge = u * (-1 if hinge_at_start else 1)
    return "right" if float(hinge @ right) > 0 else "left"

