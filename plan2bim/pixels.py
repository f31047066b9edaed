"""A storey's pixel coordinates at another resolution of its page, or on the whole page.

A large page is recognised on a reduced image (``Config.detect_max_pixels``); its storey is then
given back in the input's own pixels, and the overlay, drawn on the reduced image, takes them
back down. Only the ``*_px`` fields, ``image_size`` and the scale change: metres do not.
"""

from __future__ import annotations

from dataclasses import replace

from plan2bim.model import Ring, Scale, Storey

__all__ = ["rescale_storey", "shift_storey"]


def _moved(storey: Storey, f: float, dx: float, dy: float, image_size: tuple[int, int]) -> Storey:
    """``storey`` with every pixel coordinate p taken to p * f + (dx, dy), and ``image_size``."""

    def ring(r: Ring) -> Ring:
        return [(x * f + dx, y * f + dy) for x, y in r]

    walls = [replace(w, footprint_px=[[ring(r) for r in poly] for poly in w.footprint_px])
             for w in storey.walls]
    openings = [replace(o, center_px=(o.center_px[0] * f + dx, o.center_px[1] * f + dy),
                        width_px=o.width_px * f) for o in storey.openings]
    spaces = [replace(s, polygon_px=ring(s.polygon_px)) for s in storey.spaces]
    columns = [replace(c, outline_px=ring(c.outline_px)) for c in storey.columns]
    return replace(storey, walls=walls, openings=openings, spaces=spaces, columns=columns,
                   image_size=(int(image_size[0]), int(image_size[1])))


def rescale_storey(storey: Storey, factor: float, image_size: tuple[int, int]) -> Storey:
    """``storey`` with every pixel coordinate multiplied by ``factor`` and ``image_size`` set."""
    if factor == 1.0 and tuple(image_size) == tuple(storey.image_size):
        return storey
    f = float(factor)
    scale = Scale(storey.scale.px_per_m * f, storey.scale.method, storey.scale.detail)
    return replace(_moved(storey, f, 0.0, 0.0, image_size), scale=scale)


def shift_storey(storey: Storey, offset: tuple[float, float], image_size: tuple[int, int]) -> Storey:
    """``storey``, recognised on a crop of its page whose top-left corner is at ``offset``, with
    every pixel coordinate on the whole page (``image_size``): drawn over the page, and scored
    against a truth drawn on it. The metres do not change (their origin is the crop's corner)."""
    dx, dy = float(offset[0]), float(offset[1])
    if (dx, dy) == (0.0, 0.0) and tuple(image_size) == tuple(storey.image_size):
        return storey
    return _moved(storey, 1.0, dx, dy, image_size)
