"""What plan2bim accepts as a plan at all: limits that refuse an input with a clear message
instead of converting it into something no one asked for (hundreds of junk walls, a 580 km
building)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["InputLimits", "count_short", "refuse_texture"]


@dataclass(frozen=True)
class InputLimits:
    """Plausibility limits, checked per page."""

    min_page_extent_m: float = 2.0
    """A page whose longer side, at the scale given (``--scale``, or ``--dpi`` with
    ``--drawing-scale``), spans less than this is refused: no room fits (``--scale 1e9`` made a
    580 px plan 0.6 micrometres wide)."""
    max_page_extent_m: float = 5000.0
    """... or more than this: a floor plan is not 5 km across (``--scale 0.001`` gave
    147,625,000,000 m² of floor). A site plan of a campus at 1:5000 stays under it."""
    short_bar_elongation: float = 3.0
    """A wall piece shorter than this many times its thickness is "short": plans are made of
    long bars, textures (a photo, noise, a scan of a surface) of short blobs."""
    max_short_bars: int = 250
    """A page with at least this many short pieces ..."""
    max_short_bars_per_mp: float = 300.0
    """... and at least this many per megapixel is not a drawing; it is refused before the
    detectors and the vectorizer spend minutes making hundreds of junk walls of it. Measured
    on the classical wall mask: cubicasa-dev and r3d-dev pages have at most 190 short pieces
    and at most 150 per MP (never both high: the most pieces are on a 2.7 MP page); blurred
    noise gives 320 to 1316 pieces at 670 to 1970 per MP."""


def refuse_texture(n_short: int, megapixels: float, limits: InputLimits = InputLimits()) -> None:
    """Raise :class:`NoPlanError` if a page of ``megapixels`` with ``n_short`` short wall pieces
    is a texture, not a drawing (see :class:`InputLimits`)."""
    from plan2bim.errors import NoPlanError

    per_mp = n_short / max(megapixels, 1e-6)
    if n_short >= limits.max_short_bars and per_mp >= limits.max_short_bars_per_mp:
        raise NoPlanError(
            f"this does not look like a drawing: {n_short} short wall pieces, {per_mp:.0f} per "
            f"megapixel (floor plans have long walls; a photo or noise has pieces like these)")


def count_short(segs, limits: InputLimits = InputLimits()) -> int:
    """How many of the bars ``segs`` (``plan2bim.raster.segments.Segment``) are short."""
    return sum(s.length < limits.short_bar_elongation * s.thickness for s in segs)
