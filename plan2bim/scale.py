"""The drawing's scale in pixels per metre: given, from dpi and drawing scale, or estimated."""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np

from .config import Config
from .model import Scale

log = logging.getLogger(__name__)

DOOR_WIDTH_M = 0.75
"""The opening drawn for a door, jamb to jamb, is about 0.75 m wide: domestic leaves are 0.7 to
0.9 m. On cubicasa-dev, whose dimension labels give its scale (100 px/m), the ground truth door
openings have a median width of 0.74 m; a 0.9 m assumption put estimates ~20% low."""
WALL_THICKNESS_M = 0.2
"""Fallback: a typical wall is about 0.2 m thick."""
DEFAULT_PX_PER_M = 100.0
MIN_DOORS = 2
PLAUSIBLE = (8.0, 2000.0)
"""Estimates outside this range (px per metre) are not believed."""


def resolve_scale(config: Config, door_widths_px: list[float], wall_thickness_px: float,
                  page_dpi: float | None = None) -> Scale:
    if config.px_per_m is not None:
        return Scale(float(config.px_per_m), "user", "given with --scale")
    if config.drawing_scale is not None:
        dpi = config.dpi or page_dpi
        if dpi:
            s = replace(config, dpi=dpi).resolved_scale()
            return Scale(s, "dpi", f"{dpi:g} dpi at 1:{config.drawing_scale:g}")
    widths = sorted(w for w in door_widths_px if w > 0)
    if len(widths) >= MIN_DOORS:
        s = float(np.median(widths)) / DOOR_WIDTH_M
        if PLAUSIBLE[0] <= s <= PLAUSIBLE[1]:
            return Scale(s, "doors", f"median width of {len(widths)} doors taken as {DOOR_WIDTH_M} m")
        log.warning("door widths give an implausible scale (%.1f px/m); not used", s)
    if wall_thickness_px > 0:
        s = wall_thickness_px / WALL_THICKNESS_M
        if PLAUSIBLE[0] <= s <= PLAUSIBLE[1]:
            return Scale(s, "walls", f"typical wall thickness taken as {WALL_THICKNESS_M} m")
    return Scale(DEFAULT_PX_PER_M, "default", "no doors or walls to measure; assumed")
