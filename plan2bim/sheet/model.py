"""The sheet model: what a page of a drawing holds around and inside its drawings.

Shared by the raster and vector paths. Coordinates are the page image's pixels (x right, y down)
at the page's rendering resolution; for a PDF page, ``px_per_pt`` converts from PDF points
(PDF y runs up: ``y_px = (page_height_pt - y_pt) * px_per_pt``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BBox = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in page image pixels, x0 < x1, y0 < y1."""

PageKind = Literal[
    "floor_plan", "roof_plan", "ceiling_plan", "services_plan", "site_plan",
    "section", "elevation", "schedule", "details", "other",
]


@dataclass(frozen=True)
class TextItem:
    """A piece of text on the page: a word or a line, as the text layer or OCR gives it."""

    text: str
    bbox: BBox
    source: Literal["pdf", "ocr"]
    confidence: float = 1.0
    angle: float = 0.0
    """Reading direction, degrees counter-clockwise from the page's x axis (90: reads upwards)."""


@dataclass(frozen=True)
class Viewport:
    """One drawing on the sheet (a sheet may hold two side by side)."""

    bbox: BBox
    kind: PageKind
    title: str = ""
    """The caption under the drawing, as printed ("PELAN ARAS DUA"), or empty."""
    scale_denominator: float | None = None
    """N of a printed 1:N for this drawing (its caption, else the title block's), or None."""
    level_name: str | None = None
    """The storey the drawing shows, normalised from its title ("Ground floor", "Level 2")."""
    level_order: float | None = None
    """Sort key of the storey: 0 ground, 1 first ..., -1 basement; None where unknown."""
    elevation_m: float | None = None
    """A printed level mark for the drawing (FL 4.800), where one was read."""
    confidence: float = 1.0
    reason: str = ""
    """How the kind was decided, in words (title words, content cues)."""


@dataclass(frozen=True)
class Sheet:
    """A page understood: its furniture (frame, title block, panels, tables) and its drawings."""

    page: int
    size_px: tuple[int, int]
    """(width, height) of the page image."""
    dpi: float | None
    """Pixels per inch of the page image where known (a rendered PDF page; a scan's metadata)."""
    px_per_pt: float | None = None
    """For a PDF page: image pixels per PDF point (dpi / 72)."""
    texts: list[TextItem] = field(default_factory=list)
    viewports: list[Viewport] = field(default_factory=list)
    frame: BBox | None = None
    title_block: BBox | None = None
    furniture: list[BBox] = field(default_factory=list)
    """Areas that are sheet furniture (title block, legend and notes panels, schedule tables,
    north arrow, grid bubbles...): never walls, doors, windows or rooms."""
    scale_denominator: float | None = None
    """The title block's printed 1:N, where one was read."""
    vector: bool = False
    """True where the page's drawing is PDF vector content (read from its lines)."""
