"""Standard paper sizes, and the scale a printed 1:N gives on a scan that carries no dpi.

A scan of a whole sheet is as many pixels across as the paper is millimetres, times the scan's
resolution. With the paper's size known, the printed 1:N is the scale, exactly. The size is not
written on the sheet, but the image's proportions leave a few candidates (A4, A3, A2... are all
1:sqrt(2), each sqrt(2) larger than the last), and the drawing's dimension chains, read to a
few per cent, tell them apart.
"""

from __future__ import annotations

PAPER_MM: dict[str, tuple[float, float]] = {
    "A0": (1189.0, 841.0), "A1": (841.0, 594.0), "A2": (594.0, 420.0), "A3": (420.0, 297.0),
    "A4": (297.0, 210.0),
    "ANSI A": (279.4, 215.9), "ANSI B": (431.8, 279.4), "ANSI C": (558.8, 431.8),
    "ANSI D": (863.6, 558.8), "ANSI E": (1117.6, 863.6),
    "ARCH A": (304.8, 228.6), "ARCH B": (457.2, 304.8), "ARCH C": (609.6, 457.2),
    "ARCH D": (914.4, 609.6), "ARCH E": (1219.2, 914.4),
}
"""(long side, short side) in millimetres: ISO 216, ANSI and ARCH sheets."""

__all__ = ["PAPER_MM", "nearest_paper", "paper_scales"]


def paper_scales(size_px: tuple[int, int], denominator: float, aspect_tolerance: float
                 ) -> list[tuple[float, str]]:
    """(px/m, paper) of a printed 1:``denominator`` on each standard paper whose proportions are
    the image's (``size_px``) within ``aspect_tolerance``."""
    long_px, short_px = max(size_px), min(size_px)
    if short_px <= 0 or denominator <= 0:
        return []
    aspect = long_px / short_px
    return [(long_px / long_mm * 1000.0 / denominator, name)
            for name, (long_mm, short_mm) in PAPER_MM.items()
            if abs(aspect / (long_mm / short_mm) - 1) <= aspect_tolerance]


def nearest_paper(candidates: list[tuple[float, str]], px_per_m: float, max_off_ratio: float
                  ) -> tuple[float, str] | None:
    """The candidate nearest ``px_per_m``, if within ``max_off_ratio`` of it."""
    near = [(abs(c / px_per_m - 1), c, name) for c, name in candidates if px_per_m > 0]
    near = [n for n in near if n[0] <= max_off_ratio]
    if not near:
        return None
    _, c, name = min(near)
    return c, name
