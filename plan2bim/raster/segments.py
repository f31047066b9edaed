"""Wall bars: straight pieces of a wall mask, as axes with a thickness, in pixels.

Shared by the classical detector (which looks for the gaps between bars) and the vectorizer
(which joins bars into walls).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import cv2
import numpy as np

from plan2bim.settings import SegmentSettings


@dataclass(frozen=True)
class Segment:
    """A straight wall piece: its axis from ``p0`` to ``p1`` and its thickness, in pixels.

    The footprint is the axis buffered by half the thickness with square caps.
    """

    p0: tuple[float, float]
    p1: tuple[float, float]
    thickness: float

    @cached_property
    def vector(self) -> np.ndarray:
        return np.subtract(self.p1, self.p0)

    @cached_property
    def length(self) -> float:
        return float(np.hypot(*self.vector))

    @cached_property
    def direction(self) -> np.ndarray:
        v = self.vector
        n = float(np.hypot(*v))
        return v / n if n > 0 else np.array([1.0, 0.0])

    @cached_property
    def angle(self) -> float:
        """Direction in degrees, folded into [0, 180)."""
        return float(np.degrees(np.arctan2(*self.vector[::-1])) % 180.0)

    def corners(self) -> np.ndarray:
        """The footprint rectangle's four corners."""
        d = self.direction
        n = np.array([-d[1], d[0]]) * self.thickness / 2
        e = d * self.thickness / 2
        a, b = np.asarray(self.p0) - e, np.asarray(self.p1) + e
        return np.array([a + n, b + n, b - n, a - n])

    def project(self, p) -> tuple[float, float]:
        """(distance along the axis from p0, signed distance across it) of point ``p``."""
        d = self.direction
        v = np.subtract(p, self.p0)
        return float(v @ d), float(v[0] * -d[1] + v[1] * d[0])

    def point_at(self, s: float) -> tuple[float, float]:
        p = np.asarray(self.p0) + self.direction * s
        return (float(p[0]), float(p[1]))

    def with_ends(self, p0, p1) -> Segment:
        return replace(self, p0=(float(p0[0]), float(p0[1])), p1=(float(p1[0]), float(p1[1])))


def box_corners(center, direction, length: float, depth: float) -> np.ndarray:
    """The four corners of the rectangle centred at ``center``, ``length`` along the unit vector
    ``direction`` and ``depth`` across it: the one box of an opening in its wall (the classical
    detector cuts it from the mask; the model cuts it from the wall's footprint)."""
    c = np.asarray(center, dtype=float)
    d = np.asarray(direction, dtype=float)
    e = d * (length / 2)
    n = np.array([-d[1], d[0]]) * (depth / 2)
    return np.array([c - e + n, c + e + n, c + e - n, c - e - n])


def typical_stroke_width(mask: np.ndarray, percentile: float = SegmentSettings.stroke_width_percentile) -> float:
    """The width of the thick strokes of a mask: ``percentile`` of the widths (twice the distance
    to the background) at the distance transform's ridges, in pixels (0 for an empty mask).

    The one estimate of a drawing's wall thickness from a mask; :func:`typical_bar_thickness`
    is the one from wall bars."""
    m = mask.astype(np.uint8)
    if not m.any():
        return 0.0
    dt = cv2.distanceTransform(m, cv2.DIST_L2, 5)
    ridge = (dt >= cv2.dilate(dt, np.ones((3, 3), np.uint8))) & (dt > 0)
    return float(np.percentile(dt[ridge] * 2, percentile))


def typical_bar_thickness(segs: list[Segment], fallback: float, by_length: bool = True) -> float:
    """The median thickness of wall bars, pixels: each bar weighted by its length (a long wall
    counts more than a stub), or each bar once; ``fallback`` when there are none."""
    if not segs:
        return fallback
    th = np.array([s.thickness for s in segs])
    if not by_length:
        return float(np.median(th))
    w = np.array([s.length for s in segs])
    order = np.argsort(th)
    cum = np.cumsum(w[order])
    return float(th[order][np.searchsorted(cum, cum[-1] / 2)])


def extract_segments(mask: np.ndarray, min_thickness: float, max_thickness: float,
                     st: SegmentSettings = SegmentSettings()) -> list[Segment]:
    """Decompose a wall mask into horizontal, vertical and diagonal bars.

    Axis-parallel bars come from morphological openings with long line kernels (a scan is
    deskewed before this); what is left over is fitted with rotated rectangles, which covers
    diagonal walls and the facets of curved ones.
    """
    m = mask.astype(np.uint8)
    t = max(min_thickness, 2.0)
    tmax = max(max_thickness, t)
    length = max(int(round(st.min_bar_length_wt * t)), int(st.min_bar_length_px))
    # Each wall pixel belongs to the direction in which its run of wall is longer, so a thick
    # wall running across a thin one is not taken for part of it.
    h_run, v_run = run_lengths(m, axis=1), run_lengths(m, axis=0)
    horiz = ((h_run >= v_run) & (h_run >= length)).astype(np.uint8)
    vert = ((v_run > h_run) & (v_run >= length)).astype(np.uint8)
    horiz = cv2.morphologyEx(horiz, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    vert = cv2.morphologyEx(vert, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    segs = _axis_bars(horiz, tmax, length, horizontal=True)
    segs += _axis_bars(vert, tmax, length, horizontal=False)
    covered = cv2.dilate(horiz | vert, np.ones((3, 3), np.uint8))
    rest = m & (1 - covered)
    segs += _oblique_bars(rest, t, tmax, length, st.oblique_min_elongation)
    return segs


def run_lengths(mask: np.ndarray, axis: int) -> np.ndarray:
    """For each pixel of ``mask``, the length of the run of set pixels it lies in along ``axis``."""
    m = mask.astype(bool)
    if axis == 0:
        return run_lengths(m.T, 1).T
    h, w = m.shape
    padded = np.zeros((h, w + 1), bool)
    padded[:, :w] = m
    flat = padded.ravel()
    starts = flat & ~np.concatenate([[False], flat[:-1]])
    ids = np.cumsum(starts) * flat
    counts = np.bincount(ids)
    counts[0] = 0
    return counts[ids].reshape(h, w + 1)[:, :w].astype(np.int32)


def _axis_bars(bars: np.ndarray, tmax: float, min_len: int, horizontal: bool) -> list[Segment]:
    n, lab, stats, cent = cv2.connectedComponentsWithStats(bars, connectivity=4)
    out: list[Segment] = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        along, across = (w, h) if horizontal else (h, w)
        if along < min_len:
            continue
        th = area / along
        if th > tmax:  # a solid blob (a filled stair, a logo), not a wall
            continue
        cx, cy = float(cent[i][0]), float(cent[i][1])
        half = th / 2
        if horizontal:
            p0, p1 = (x + half, cy + 0.5), (x + w - half, cy + 0.5)
        else:
            p0, p1 = (cx + 0.5, y + half), (cx + 0.5, y + h - half)
        if p1[0] - p0[0] + p1[1] - p0[1] <= 0:
            continue
        out.append(Segment(p0, p1, th))
    return out


def _oblique_bars(rest: np.ndarray, t: float, tmax: float, min_len: int, elongation: float) -> list[Segment]:
    n, lab, stats, _ = cv2.connectedComponentsWithStats(rest, connectivity=8)
    out: list[Segment] = []
    for i in range(1, n):
        if stats[i, cv2.CC_STAT_AREA] < min_len * t:
            continue
        x, y, w, h = (int(v) for v in stats[i, :4])
        ys, xs = np.nonzero(lab[y : y + h, x : x + w] == i)
        pts = np.stack([xs + x, ys + y], axis=1).astype(np.float32)
        (cx, cy), (rw, rh), ang = cv2.minAreaRect(pts)
        long_, short = max(rw, rh), min(rw, rh)
        if long_ < min_len or short > tmax or long_ < elongation * short:
            continue
        th = max(float(stats[i, cv2.CC_STAT_AREA]) / long_, 1.0)
        a = np.radians(ang if rw >= rh else ang + 90.0)
        d = np.array([np.cos(a), np.sin(a)])
        half = max(long_ / 2 - th / 2, 0.5)
        c = np.array([cx + 0.5, cy + 0.5])
        out.append(Segment(tuple(c - d * half), tuple(c + d * half), th))
    return out
