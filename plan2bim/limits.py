"""What plan2bim accepts as a plan at all: limits that refuse an input with a clear message
instead of converting it into something no one asked for (hundreds of junk walls, a 580 km
building)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["InputLimits"]


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
    max_ink_ratio: float = 0.35
    """A page whose wall mask covers more than this fraction of the page is not a drawing (a
    photo, noise, a scan of a textured surface): refused before the vectorizer, whose work grows
    with the number of bars. Measured: cubicasa-dev and r3d-dev pages reach at most 0.21 (see
    the pull request); a 1.9 MP noise image gives 0.50."""
    max_bars_per_mp: float = 4000.0
    """... or whose wall mask breaks into more wall pieces than this per megapixel of the page.
    Measured: the dev pages stay under 700 per MP; noise gives several thousand."""
