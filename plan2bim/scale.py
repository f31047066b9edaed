"""The drawing's scale in pixels per metre: given, from dpi and drawing scale, or estimated."""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np

from .config import Config
from .model import Scale

log = logging.getLogger(__name__)


def resolve_scale(config: Config, door_widths_px: list[float], wall_thickness_px: float,
                  page_dpi: float | None = None) -> Scale:
    if config.px_per_m is not None:
        return Scale(float(config.px_per_m), "user", "given with --scale")
    if config.drawing_scale is not None:
        dpi = config.dpi or page_dpi
        if dpi:
            s = replace(config, dpi=dpi).resolved_scale()
            return Scale(s, "dpi", f"{dpi:g} dpi at 1:{config.drawing_scale:g}")
    st = config.scale
    widths = sorted(w for w in door_widths_px if w > 0)
    if len(widths) >= st.min_doors:
        s = float(np.median(widths)) / st.door_width_m
        if st.min_px_per_m <= s <= st.max_px_per_m:
            return Scale(s, "doors", f"median width of {len(widths)} doors taken as {st.door_width_m} m")
        log.warning("door widths give an implausible scale (%.1f px/m); not used", s)
    if wall_thickness_px > 0:
        s = wall_thickness_px / st.wall_thickness_m
        if st.min_px_per_m <= s <= st.max_px_per_m:
            return Scale(s, "walls", f"typical wall thickness taken as {st.wall_thickness_m} m")
    return Scale(st.default_px_per_m, "default", "no doors or walls to measure; assumed")
