"""The drawing's scale in pixels per metre: given, from dpi and drawing scale, or estimated."""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np

from plan2bim.config import Config
from plan2bim.model import Scale
from plan2bim.sheet.paper import nearest_paper

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


def resolve_scale_ordered(
    config: Config, door_widths_px: list[float], wall_thickness_px: float,
    page_dpi: float | None = None, *, printed: tuple[float, str] | None = None,
    dimensions: tuple[float, str] | None = None, extent_px: float | None = None,
    max_wall_thickness_m: float = 1.0, max_door_width_m: float = 3.0,
    max_building_m: float = 400.0, paper: list[tuple[float, str]] = (),
) -> Scale:
    """The scale by the drawing sets' order: the user's option; the printed 1:N with the page's
    physical size (``printed``: px/m and how it was read); the dimension chains
    (``dimensions``); then the estimates of :func:`resolve_scale`.

    A scan without dpi gives the printed 1:N's px/m on each standard paper of its proportions
    (``paper``: px/m, paper name): the one the chains confirm, else the one the estimates
    point to, is the scale, read as printed.

    A scale after the user's is rejected, with a warning, where it makes the walls thicker than
    ``max_wall_thickness_m``, the doors wider than ``max_door_width_m`` or the drawing
    (``extent_px`` across) larger than ``max_building_m``; the next method is tried."""
    if config.px_per_m is not None:
        return Scale(float(config.px_per_m), "user", "given with --scale")
    if config.drawing_scale is not None:
        dpi = config.dpi or page_dpi
        if not dpi:
            from plan2bim.errors import InputError

            raise InputError(
                f"--drawing-scale 1:{config.drawing_scale:g} needs the image's resolution: the "
                "image carries no dpi, so give it with --dpi (or give --scale in px per metre)")
        s = replace(config, dpi=dpi).resolved_scale()
        return Scale(s, "dpi", f"{dpi:g} dpi at 1:{config.drawing_scale:g}")
    widths = sorted(w for w in door_widths_px if w > 0)
    door_px = float(np.median(widths)) if len(widths) >= config.scale.min_doors else None
    rejected: list[str] = []

    def insane(px_per_m: float) -> str | None:
        if wall_thickness_px > 0 and wall_thickness_px / px_per_m > max_wall_thickness_m:
            return f"walls {wall_thickness_px / px_per_m:.1f} m thick"
        if door_px and door_px / px_per_m > max_door_width_m:
            return f"doors {door_px / px_per_m:.1f} m wide"
        if extent_px and extent_px / px_per_m > max_building_m:
            return f"a drawing {extent_px / px_per_m:.0f} m across"
        return None

    for method, cand in (("printed", printed), ("dimensions", dimensions)):
        if cand is None:
            continue
        if method == "dimensions" and paper:
            hit = nearest_paper(list(paper), cand[0], config.scale.paper_max_off_dimensions_ratio)
            if hit is not None and insane(hit[0]) is None:
                return _on_paper(hit, cand[1])
        why = insane(cand[0])
        if why is None and method == "printed" and dimensions is not None \
                and abs(cand[0] / dimensions[0] - 1) > config.scale.printed_max_off_dimensions_ratio:
            # The drawing's own dimensions outweigh its printed ratio: a sheet printed on
            # another paper size than drawn for keeps its "1:50" but is no longer at 1:50.
            why = f"a scale {abs(cand[0] / dimensions[0] - 1):.0%} off the dimension chains"
        if why is None:
            detail = cand[1] + (f" ({'; '.join(rejected)})" if rejected else "")
            return Scale(float(cand[0]), method, detail)  # type: ignore[arg-type]
        log.warning("scale from %s (%.1f px/m) rejected: it makes %s", method, cand[0], why)
        rejected.append(f"{method} {cand[0]:.1f} px/m rejected: {why}")
    fallback = resolve_scale(config, door_widths_px, wall_thickness_px, page_dpi)
    if paper and fallback.method in ("doors", "walls"):
        hit = nearest_paper(list(paper), fallback.px_per_m, config.scale.paper_max_off_estimate_ratio)
        if hit is not None and insane(hit[0]) is None:
            return _on_paper(hit, f"{fallback.detail}, {abs(hit[0] / fallback.px_per_m - 1):.0%} off")
    if rejected:
        return replace(fallback, detail=f"{fallback.detail} ({'; '.join(rejected)})")
    return fallback


def _on_paper(hit: tuple[float, str], by: str) -> Scale:
    return Scale(float(hit[0]), "printed",
                 f"printed scale on {hit[1]} paper, its size from the scan's proportions and {by}")
