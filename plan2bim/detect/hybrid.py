"""The hybrid detector: the classical detector's walls with the learned model's doors and windows.

Measured on the real dev sets, the learned model finds doors and windows far better than the
gap rules, while the classical wall mask (a thickness filter tuned to each drawing) still
outlines walls better than the model trained on synthetic sheets; each does what it is best at.
The model vetoes classical wall strokes it does not see (furniture, stairs, handwriting), except
oblique ones, and fills walls drawn as outlines, which a thickness filter cannot see.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from ..config import Config
from ..detections import Detections, OpeningDetection
from ..preprocess import Prepared
from . import classical, learned

AGREE_PX = 11
"""The classical wall mask is kept within this many pixels of the learned one."""
SURE_ALONE = 0.9
"""A door or window of the model's that no classical gap confirms needs this confidence. Below
it, unconfirmed blobs are mostly furniture, stair treads, dashed lines and plain wall; confirmed
ones keep the model's own 0.75 (cubicasa-dev door F1 0.795 -> 0.834, window 0.691 -> 0.728;
r3d-dev, whose small pages leave the model less sure, prefers 0.85. With pages at 1200 px:
0.9 gives cubicasa-dev door / window F1 0.824 / 0.785 and r3d-dev opening F1 0.691; 0.85 gives
0.809 / 0.774 and 0.708)."""
OBLIQUE_MIN_DEG = 10.0
"""Classical strokes the model does not see are kept when this far from the axes (degrees),"""
OBLIQUE_ELONGATION = 4.0
"""... this many times as long as wide,"""
OBLIQUE_MIN_THICKNESS = 0.6
"""... at least this fraction of the typical wall thickness thick,"""
OBLIQUE_MIN_LENGTH = 3.0
"""... and this many wall thicknesses long."""
ADD_GAPS: tuple[str, ...] = ("window",)
"""Kinds of classical gap openings added where the model found nothing."""
ADD_MIN_CONF = 0.5
"""The classical confidence such an added gap needs."""
HOLLOW_MIN_WALL = 0.45
"""A strip of paper between outline lines is a hollow wall's inside when at least this fraction
of it is wall to the model (balcony railings, drawn the same way, score lower)."""
HOLLOW_MIN_WIDTH = 0.5
"""... and when it is at least this many of the model's wall thicknesses wide (a railing's or a
window's glazing gap is narrower)."""
HOLLOW_MIN_ELONGATION = 4.0
"""... and when its area is this many times its width squared: a strip, not a room or a box."""


def detect(prepared: Prepared, config: Config = Config()) -> Detections:
    cl = classical.detect(prepared, config)
    le = learned.detect(prepared, config)
    near_learned = cv2.dilate(le.wall_mask.astype(np.uint8), np.ones((AGREE_PX, AGREE_PX), np.uint8)) > 0
    hollow = hollow_walls(prepared.ink, le.wall_mask, le.wall_thickness_px)
    mask = (cl.wall_mask & near_learned) | hollow | oblique_bars(cl.wall_mask & ~near_learned, cl.wall_thickness_px)
    openings = []
    for o in le.openings:
        gap = _matching_gap(o, cl.openings)
        if gap is not None:
            # The gap is measured between the wall ends, where the model's blob edges are soft
            # (and the scale is estimated from door widths).
            openings.append(replace(o, center=gap.center, width=gap.width, angle=gap.angle,
                                          swing_px=gap.swing_px if gap.kind == o.kind else None))
        elif o.confidence >= SURE_ALONE:
            openings.append(o)
    if ADD_GAPS:
        # Gaps the model missed but the classical rules are sure of.
        for g in cl.openings:
            if g.kind not in ADD_GAPS or g.confidence < ADD_MIN_CONF:
                continue
            if all(np.hypot(g.center[0] - o.center[0], g.center[1] - o.center[1])
                   > 0.5 * max(g.width, o.width) for o in openings):
                openings.append(g)
    # Openings on classical gaps are cut from the mask; one the model alone found, where wall is
    # drawn across, stays in the mask so that its wall is one piece (its box is cut from the
    # wall's footprint later, in the model): r3d-dev room F1 0.499 -> 0.507.
    gaps = {g.center for g in cl.openings}
    for o in openings:
        if o.center in gaps:
            classical._erase_box(mask, o)
    return Detections(wall_mask=mask, openings=openings,
                      wall_thickness_px=cl.wall_thickness_px or le.wall_thickness_px)


def hollow_walls(ink: np.ndarray, learned_wall: np.ndarray, thickness: float) -> np.ndarray:
    """Walls drawn as outlines (two thin lines with paper between): the strips of paper the model
    calls wall, with the lines that bound them.

    The classical filter keeps thick strokes, so it sees such a wall as two thin lines and drops
    it; the model, which sees the shape, finds it but with soft edges. The strip between the
    drawn lines gives the exact extent. Measured on cubicasa-dev, unrotated plans: raw wall-mask
    IoU 0.723 -> 0.757 (plans 4550 0.14 -> 0.51, 5668 0.20 -> 0.57; two balconies' railings
    become walls); r3d-dev unchanged.
    """
    paper = (~ink).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(paper, connectivity=4)
    area = stats[:, cv2.CC_STAT_AREA].astype(float)
    wall_frac = np.bincount(lab[learned_wall], minlength=n) / np.maximum(area, 1)
    candidate = (wall_frac >= HOLLOW_MIN_WALL) & (area >= 50)
    # The paper around the drawing is not inside anything.
    candidate[np.unique(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]]))] = False
    candidate[0] = False
    strip = np.zeros(n, bool)
    for i in np.nonzero(candidate)[0]:
        x, y, bw, bh = stats[i, :4]
        comp = np.pad((lab[y:y + bh, x:x + bw] == i).astype(np.uint8), 1)
        # The widest point of the strip: twice the largest distance to its edge.
        width = 2.0 * float(cv2.distanceTransform(comp, cv2.DIST_L2, 3).max())
        strip[i] = width >= HOLLOW_MIN_WIDTH * thickness and area[i] >= HOLLOW_MIN_ELONGATION * max(width, 1.0) ** 2
    inside = strip[lab]
    lines = ink & learned_wall & (cv2.dilate(inside.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0)
    return inside | lines


def oblique_bars(mask: np.ndarray, thickness: float) -> np.ndarray:
    """The straight, wall-thick, oblique strokes of ``mask``.

    The model was trained on axis-parallel layouts and misses diagonal walls (bay windows,
    canted corners, polygonal buildings), which the classical filter finds cleanly; handwriting,
    text and symbols that the model rightly rejects are short, thin or axis-parallel.
    Measured on unrotated dev plans: r3d-dev raw wall IoU 0.906 -> 0.909, cubicasa-dev unchanged.
    """
    out = np.zeros(mask.shape, bool)
    if thickness <= 0 or not mask.any():
        return out
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if area < 0.5 * OBLIQUE_MIN_LENGTH * thickness**2:
            continue
        sub = lab[y:y + h, x:x + w] == i
        ys, xs = np.nonzero(sub)
        (_, _), (rw, rh), ang = cv2.minAreaRect(np.column_stack([xs, ys]).astype(np.float32))
        length, across = max(rw, rh), max(min(rw, rh), 1.0)
        direction = (ang if rw >= rh else ang + 90.0) % 90.0
        if (min(direction, 90.0 - direction) > OBLIQUE_MIN_DEG and length >= OBLIQUE_ELONGATION * across
                and area / length >= OBLIQUE_MIN_THICKNESS * thickness
                and length >= OBLIQUE_MIN_LENGTH * thickness):
            out[y:y + h, x:x + w] |= sub
    return out


def _matching_gap(o: OpeningDetection, gaps: list[OpeningDetection]) -> OpeningDetection | None:
    """The classical gap that is this opening, if any."""
    best, best_d = None, np.inf
    for g in gaps:
        d = float(np.hypot(o.center[0] - g.center[0], o.center[1] - g.center[1]))
        da = abs((o.angle - g.angle + 90.0) % 180.0 - 90.0)
        if d < min(best_d, 0.5 * max(o.width, g.width)) and da < 15.0 and 0.6 < g.width / o.width < 1.4:
            best, best_d = g, d
    return best
