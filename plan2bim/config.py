"""Settings and tolerances: one dataclass each, passed as ``config=``, varied with ``dataclasses.replace``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Tolerances:
    """Geometric tolerances of the vectorizer, in pixels of the working image unless named otherwise."""

    min_wall_length_px: float = 12.0
    """Wall axes shorter than this (after joining) are dropped as noise."""
    min_room_area_m2: float = 0.7
    """Enclosed regions smaller than this are not rooms (shafts, wall gaps)."""
    max_room_fraction: float = 0.6
    """A region covering more than this fraction of the image is the outside, not a room."""


@dataclass(frozen=True)
class Config:
    """Everything that changes what a conversion produces. Also the key of the batch cache."""

    px_per_m: float | None = None
    """Scale of the input in pixels per metre; None means estimate it."""
    dpi: float | None = None
    drawing_scale: float | None = None
    """The denominator of a drawing scale such as 1:100 (with ``dpi``)."""
    wall_height: float = 2.7
    door_height: float = 2.1
    window_height: float = 1.2
    window_sill: float = 0.9
    slab_thickness: float = 0.2
    storey_name: str | None = None
    pages: tuple[int, ...] | None = None
    """1-based page numbers of a PDF to use; None means all pages."""
    detector: str = "hybrid"
    pdf_dpi: float = 150
    """Resolution PDF pages are read at (``--dpi`` on a PDF sets it)."""
    max_pixels: int = 150_000_000
    """Raster pages larger than this many pixels are refused before decoding (decompression
    bombs). An A0 sheet scanned at 300 dpi is 108 MP; decoding 150 MP RGB takes 450 MB."""
    detect_max_pixels: int = 16_000_000
    """Pages larger than this are recognised at this size (downsampled, results mapped back to
    the input's pixels). Measured: a 16 MP page converts at 1.0 GB peak memory, so a 108 MP
    scan stays under 2 GB; no page of cubicasa-dev or r3d-dev comes near it."""
    max_pages: int = 100
    """Files with more pages than this are refused (``--max-pages`` raises it)."""
    deskew: bool = True
    tolerances: Tolerances = field(default_factory=Tolerances)

    def resolved_scale(self) -> float | None:
        """The scale the user asked for, in px per metre, or None to estimate it."""
        if self.px_per_m is not None:
            return float(self.px_per_m)
        if self.dpi is not None and self.drawing_scale is not None:
            # dpi px per inch on paper; 1 m in reality is 1/drawing_scale m on paper.
            return self.dpi / 0.0254 / self.drawing_scale
        return None
