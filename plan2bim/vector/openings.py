"""Openings: what fills a gap between two pieces of one wall line.

A door is a swing arc whose centre is a jamb corner (the hinge) and whose radius is the gap's
width (half of it for a double door), or a pair of sliding leaves; a window is a glazing line
drawn across the whole gap. A face line running on across the gap means a junction (the wall
goes on, another joins it), not an opening.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Gap", "OpeningFound", "face_continues", "find_doors", "find_window", "inner_lines", "swing_side"]


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
    s0: float
    s1: float
    """Where the opening runs along the gap's line (jamb to jamb), points from the gap's origin."""
    swing: str = "none"
    """left/right (a single leaf), double (two leaves from opposite jambs), sliding, none; empty
    until the side is worked out."""
    hinge_at_start: bool = True
    side: int = 0
    """+1: the leaf opens to the wall's ``n`` side (page frame), -1 to the other, 0 unknown."""


def circle(curve: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Centre and radius of the circle through a Bézier's ends and middle; its middle point."""
    p0, c1, c2, p3 = curve[:2], curve[2:4], curve[4:6], curve[6:]
    m = 0.125 * p0 + 0.375 * c1 + 0.375 * c2 + 0.125 * p3
    ax, ay = p0
    bx, by = m
    cx, cy = p3
    dd = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by))
    if abs(dd) < 1e-9:
        return np.array([np.nan, np.nan]), 0.0, m, p0
    ux = ((ax**2 + ay**2) * (by - cy) + (bx**2 + by**2) * (cy - ay) + (cx**2 + cy**2) * (ay - by)) / dd
    uy = ((ax**2 + ay**2) * (cx - bx) + (bx**2 + by**2) * (ax - cx) + (cx**2 + cy**2) * (bx - ax)) / dd
    c = np.array([ux, uy])
    return c, float(np.hypot(*(p0 - c))), m, p0


def find_doors(gap: Gap, curves: np.ndarray, k_pt_per_m: float, hinge_tol_m: float,
               door_m: tuple[float, float] = (0.4, 1.6), segs: np.ndarray | None = None,
               circles: list | None = None) -> list[OpeningFound]:
    """Swing doors in ``gap``: arcs whose centre is on a face of the wall inside the gap (the
    hinge) and whose other end reaches a point of the gap (the far jamb), radius a leaf's width.
    ``circles``: ``circle`` of each of ``curves`` where the caller has them (a page's few arcs
    come up in many gaps).

    The gap may be longer than the door (a junction beside it), so the door's span comes from
    its arc, not from the gap."""
    t = gap.thickness
    tol = hinge_tol_m * k_pt_per_m
    leaves = []
    for q, cv in enumerate(curves):
        c, r, mid, _ = circle(cv) if circles is None else circles[q]
        if not np.isfinite(c).all() or not (door_m[0] * k_pt_per_m / 2 <= r <= door_m[1] * k_pt_per_m):
            continue
        v = c - gap.origin
        sc, ac = float(v @ gap.u), float(v @ gap.n)
        if abs(abs(ac) - t / 2) > tol or not (gap.s0 - tol <= sc <= gap.s1 + tol):
            continue
        # the swing side: where the arc's middle lies across the wall
        side = 1 if float((mid - c) @ gap.n) > 0 else -1
        if (side > 0) != (ac > 0) and abs(ac) > 0.25 * t:
            continue  # an arc on the far face swinging through the wall: not a door leaf
        # the far jamb: the side of the hinge the arc's middle lies on along the wall
        along = 1 if float((mid - c) @ gap.u) > 0 else -1
        far = sc + along * r
        if not (gap.s0 - tol <= far <= gap.s1 + tol):
            continue
        # one end of the arc is the far jamb, on the hinge's face line (an arc of a door in a
        # wall that meets this one ends across this wall, not along it)
        ends = np.array([cv[:2], cv[6:]]) - gap.origin
        if not any(abs(float(e @ gap.u) - far) < tol and abs(float(e @ gap.n) - ac) < tol for e in ends):
            continue
        if segs is not None and not _has_leaf(segs, c, gap.point(sc, ac + side * r), tol):
            continue  # no leaf from the hinge across the wall: the arc of another wall's door
        leaves.append((min(sc, far), max(sc, far), r, along, side))
    out: list[OpeningFound] = []
    leaves.sort()
    used = [False] * len(leaves)
    for i, (a, b, r, along, side) in enumerate(leaves):
        if used[i]:
            continue
        used[i] = True
        # a double door: a second leaf of the same size from the other jamb, meeting this one
        mate = next((j for j in range(i + 1, len(leaves)) if not used[j] and abs(leaves[j][2] - r) < 0.15 * r
                     and abs(leaves[j][0] - b) < tol and leaves[j][3] != along), None)
        if mate is not None:
            used[mate] = True
            out.append(OpeningFound("door", a, leaves[mate][1], "double", True, side))
            continue
        if any(o.s0 - tol < (a + b) / 2 < o.s1 + tol for o in out):
            continue  # the same leaf drawn twice
        out.append(OpeningFound("door", a, b, "", along > 0, side))
    return out


def face_continues(gap: Gap, segs: np.ndarray, tol: float = 0.6) -> bool:
    """Whether one of the wall's face lines runs on across the gap: a junction (another wall
    joins from the other side), not an opening."""
    if not len(segs):
        return False
    p = segs[:, :2] - gap.origin
    q = segs[:, 2:] - gap.origin
    a0, a1 = p @ gap.n, q @ gap.n
    s0, s1 = p @ gap.u, q @ gap.u
    runs_on = []
    for face in (gap.thickness / 2, -gap.thickness / 2):
        on = (np.abs(a0 - face) < tol) & (np.abs(a1 - face) < tol)
        reach = gap.s0
        if on.any():
            spans = sorted(zip(np.minimum(s0, s1)[on], np.maximum(s0, s1)[on], strict=True))
            for lo, hi in spans:
                if lo <= reach + tol:
                    reach = max(reach, hi)
        runs_on.append(reach >= gap.s1 - tol)
    return any(runs_on)


def _has_leaf(segs: np.ndarray, hinge: np.ndarray, tip: np.ndarray, tol: float) -> bool:
    """Whether a line runs from ``hinge`` to ``tip`` (either way): the door's leaf."""
    if not len(segs):
        return False
    a, b = segs[:, :2], segs[:, 2:]
    d1 = np.maximum(np.hypot(*(a - hinge).T), np.hypot(*(b - tip).T))
    d2 = np.maximum(np.hypot(*(a - tip).T), np.hypot(*(b - hinge).T))
    return bool((np.minimum(d1, d2) < tol).any())


def inner_lines(gap: Gap, segs: np.ndarray, inset_ratio: float) -> np.ndarray:
    """The lines of ``segs`` lying strictly inside the wall's band in the gap (both ends more
    than ``inset_ratio`` of the thickness from either face): glazing, never a face running on."""
    if not len(segs):
        return segs
    a0 = (segs[:, :2] - gap.origin) @ gap.n
    a1 = (segs[:, 2:] - gap.origin) @ gap.n
    lim = gap.thickness / 2 - inset_ratio * gap.thickness
    return segs[(np.abs(a0) < lim) & (np.abs(a1) < lim)]


def find_window(gap: Gap, segs: np.ndarray, min_m: float = 0.3, k_pt_per_m: float = 1.0,
                inset_ratio: float = 0.15) -> OpeningFound | None:
    """A window (glazing lines along the wall inside its band, all over one span), a sliding
    door (leaves along the wall at two offsets, each over part of the span), or None.

    The span is the glazing's, not the gap's: a gap may hold a junction beside the window."""
    if not len(segs):
        return None
    t = gap.thickness
    p = segs[:, :2] - gap.origin
    q = segs[:, 2:] - gap.origin
    a0, a1 = p @ gap.n, q @ gap.n
    s0, s1 = p @ gap.u, q @ gap.u
    d = segs[:, 2:] - segs[:, :2]
    L = np.hypot(d[:, 0], d[:, 1])
    par = np.abs(d @ gap.n) <= 0.02 * np.maximum(L, 1e-9)
    lo, hi = np.minimum(s0, s1), np.maximum(s0, s1)
    keep = par & (np.maximum(np.abs(a0), np.abs(a1)) <= t / 2 + 0.5) & (lo >= gap.s0 - 1.0) & \
        (hi <= gap.s1 + 1.0) & (hi - lo >= min_m * k_pt_per_m)
    if not keep.any():
        return None
    # glazing inside the band is the window's own; lines on or just outside a face may be
    # furniture set against the wall, reaching past the jamb
    inner = keep & (np.maximum(np.abs(a0), np.abs(a1)) < t / 2 - inset_ratio * t)
    if inner.any():
        keep = inner
    lo, hi = lo[keep], hi[keep]
    j = int(np.argmax(hi - lo))
    a, b = float(lo[j]), float(hi[j])
    same = (np.minimum(hi, b) - np.maximum(lo, a)) >= 0.8 * (b - a)
    others = ~same
    if others.any():
        # leaves at another offset over another part of the span: a sliding door
        oa, ob = float(lo[others].min()), float(hi[others].max())
        if min(b, ob) - max(a, oa) < 0.8 * min(b - a, ob - oa):
            return OpeningFound("door", min(a, oa), max(b, ob), "sliding")
    return OpeningFound("window", max(a, gap.s0), min(b, gap.s1))


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

