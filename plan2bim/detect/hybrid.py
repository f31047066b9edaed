"""The hybrid detector: the classical detector's walls with the learned model's doors and windows.

Measured on the real dev sets, the learned model finds doors and windows far better than the
gap rules, while the classical wall mask (a thickness filter tuned to each drawing) still
outlines walls better than the model trained on synthetic sheets; each does what it is best at.
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
ADD_GAPS: tuple[str, ...] = ("window",)
"""Kinds of classical gap openings added where the model found nothing."""
ADD_MIN_CONF = 0.5
"""The classical confidence such an added gap needs."""


def detect(prepared: Prepared, config: Config = Config()) -> Detections:
    cl = classical.detect(prepared, config)
    le = learned.detect(prepared, config)
    near_learned = cv2.dilate(le.wall_mask.astype(np.uint8), np.ones((AGREE_PX, AGREE_PX), np.uint8)) > 0
    mask = cl.wall_mask & near_learned
    openings = [_refine(o, cl.openings) for o in le.openings]
    if ADD_GAPS:
        # Gaps the model missed but the classical rules are sure of.
        for g in cl.openings:
            if g.kind not in ADD_GAPS or g.confidence < ADD_MIN_CONF:
                continue
            if all(np.hypot(g.center[0] - o.center[0], g.center[1] - o.center[1])
                   > 0.5 * max(g.width, o.width) for o in openings):
                openings.append(g)
    for o in openings:
        classical._erase_box(mask, o)
    return Detections(wall_mask=mask, openings=openings,
                      wall_thickness_px=cl.wall_thickness_px or le.wall_thickness_px)


def _refine(o: OpeningDetection, gaps: list[OpeningDetection]) -> OpeningDetection:
    """Take the extent of a matching classical gap: it is measured between the wall ends,
    where the model's blob edges are soft (and the scale is estimated from door widths)."""
    best, best_d = None, np.inf
    for g in gaps:
        d = float(np.hypot(o.center[0] - g.center[0], o.center[1] - g.center[1]))
        da = abs((o.angle - g.angle + 90.0) % 180.0 - 90.0)
        if d < min(best_d, 0.5 * max(o.width, g.width)) and da < 15.0 and 0.6 < g.width / o.width < 1.4:
            best, best_d = g, d
    if best is None:
        return o
    return replace(o, center=best.center, width=best.width, angle=best.angle)
