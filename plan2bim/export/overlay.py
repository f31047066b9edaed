"""The overlay PNG: what was recognised, drawn over the input pages, for a person to check at a glance.

Everything is drawn from the pixel coordinates the model keeps (``footprint_px``, ``polygon_px``,
``center_px``), so the drawing lands exactly on the input whatever the scale; only the direction
of an opening's marker comes from the host wall's axis in metres (with y flipped back to rows).
Storeys are stacked top to bottom into one image, in the model's order.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from shapely.geometry import LineString, Polygon, box
from shapely.ops import polylabel

from plan2bim.errors import ExportError
from plan2bim.model import Building, Opening, Ring, Storey, Wall

log = logging.getLogger(__name__)

__all__ = ["write_overlay", "render_storey", "render_building"]

Color = tuple[int, int, int]

# Colours are RGB (the model's images are RGB; converted to BGR only when encoding).
WALL_FILL: Color = (230, 30, 30)
WALL_EDGE: Color = (150, 0, 0)
DOOR: Color = (0, 170, 0)
WINDOW: Color = (0, 90, 255)
TEXT: Color = (0, 0, 0)
HALO: Color = (255, 255, 255)
ROOM_COLORS: tuple[Color, ...] = (
    (255, 190, 60), (120, 200, 255), (190, 140, 255), (140, 230, 140), (255, 150, 200),
    (250, 235, 110), (110, 220, 210), (210, 180, 140), (180, 180, 250), (255, 170, 120),
)
"""Distinct, light room fills (cycled), chosen to stay apart from the wall/door/window colours."""
WALL_ALPHA = 0.45
ROOM_ALPHA = 0.3
LEGEND_ALPHA = 0.85
SHIFT = 4
"""Sub-pixel bits for cv2's polygon and line drawing: coordinates are drawn to 1/16 px."""
FONT = cv2.FONT_HERSHEY_SIMPLEX


def _ui_scale(width: int, height: int) -> float:
    """Font and line size for an image: legible on a 1000 px page, not huge on a 6000 px scan."""
    return float(np.clip(min(width, height) / 800, 0.5, 3.0))


def _fixed(points: Sequence[Sequence[float]]) -> np.ndarray:
    return np.round(np.asarray(points, dtype=np.float64) * (1 << SHIFT)).astype(np.int32)


def _fill(target: np.ndarray, rings: list[Ring], value: Color | int) -> None:
    """Fill the area bounded by ``rings`` (even-odd, so holes stay open) into ``target``."""
    rings = [r for r in rings if len(r) >= 3]
    if rings:
        cv2.fillPoly(target, [_fixed(r) for r in rings], value, lineType=cv2.LINE_8, shift=SHIFT)


def _blend(img: np.ndarray, mask: np.ndarray, layer: np.ndarray | Color, alpha: float) -> None:
    """Mix ``layer`` (an image, or one colour) into ``img`` where ``mask`` is set; every other
    pixel is left as it was.

    All shapes of a kind are drawn into one mask and blended once: one pass over the image
    however many walls, and overlapping wall ends are not darkened twice.
    """
    # Only the masks' bounding box is looked at: the shapes cover a small part of a sheet, and
    # selecting from the whole page cost more than the mixing (surau p3: 4.3 Mpx, ~0.07 s).
    x, y, w, h = cv2.boundingRect(mask)
    if w == 0 or h == 0:
        return
    window = (slice(y, y + h), slice(x, x + w))
    inside = mask[window].astype(bool)
    sub = img[window]
    if isinstance(layer, tuple):
        # One colour: each channel's 256 results computed once, with the same arithmetic as
        # below, and looked up (surau p3's walls: 0.025 -> 0.01 s).
        lut = (np.arange(256, dtype=np.float64)[:, None] * (1 - alpha)
               + np.asarray(layer, np.float64) * alpha).round().astype(np.uint8)
        np.copyto(sub, cv2.LUT(sub, lut.reshape(256, 1, 3)), where=inside[:, :, None])
        return
    top = layer[window]
    sub[inside] = (sub[inside] * (1 - alpha) + top[inside] * alpha).round().astype(np.uint8)


def _outline(img: np.ndarray, rings: list[Ring], color: Color, thickness: int) -> None:
    rings = [r for r in rings if len(r) >= 2]
    if rings:
        cv2.polylines(img, [_fixed(r) for r in rings], True, color, thickness, cv2.LINE_AA, SHIFT)


def _text(img: np.ndarray, text: str, org: tuple[float, float], scale: float,
          color: Color = TEXT) -> None:
    """Text with a white halo so it reads over any background."""
    x, y = int(round(org[0])), int(round(org[1]))
    thick = max(1, int(round(scale * 2)))
    cv2.putText(img, text, (x, y), FONT, scale, HALO, thick + 2, cv2.LINE_AA)
    cv2.putText(img, text, (x, y), FONT, scale, color, thick, cv2.LINE_AA)


def _text_size(text: str, scale: float) -> tuple[int, int]:
    (w, h), base = cv2.getTextSize(text, FONT, scale, max(1, int(round(scale * 2))) + 2)
    return w, h + base


def _wrap(words: list[str], scale: float, width: float) -> list[str]:
    """Words greedily into lines no wider than ``width`` (a single long word stays whole)."""
    lines: list[str] = []
    for word in words:
        if lines and _text_size(f"{lines[-1]} {word}", scale)[0] <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fit_label(room: Polygon, name: str, area_text: str,
               scale: float) -> tuple[tuple[float, float], list[str], float]:
    """Where and how large a room's label goes: the point deepest inside the room (an L-shaped
    room's label stays in it), the name wrapped into lines and the font made smaller (to half
    size at most) until the block fits inside the room. A room too small for any is labelled
    at the smallest size: legibility over overlap."""
    if room.is_empty:
        x, y = room.centroid.coords[0] if not room.centroid.is_empty else (0.0, 0.0)
        return (x, y), [name], scale
    if room.geom_type == "MultiPolygon":
        room = max(room.geoms, key=lambda g: g.area)
    # The point deepest inside; the centroid where it is nearly as deep (a plain room's label
    # then sits in its middle, as a person would put it).
    c = polylabel(room, tolerance=1.0)
    mid = room.centroid
    if room.contains(mid) and room.exterior.distance(mid) >= 0.8 * room.exterior.distance(c):
        c = mid
    words = name.split() or [name]
    best: tuple[list[str], float] | None = None
    x0, _, x1, _ = room.bounds
    across = room.intersection(LineString([(x0 - 1, c.y), (x1 + 1, c.y)]))
    pieces = [g for g in getattr(across, "geoms", [across]) if g.length > 0]
    room_w = min(pieces, key=lambda g: g.distance(c)).length if pieces else x1 - x0
    for f in (1.0, 0.85, 0.7, 0.6, 0.5):
        sc = scale * f
        lines = _wrap(words, sc, max(room_w * 0.9, 1.0))
        sizes = [_text_size(t, sc) for t in [*lines, area_text]]
        bw = max(w for w, _ in sizes)
        bh = sum(h for _, h in sizes)
        block = box(c.x - bw / 2, c.y - bh / 2, c.x + bw / 2, c.y + bh / 2)
        best = (lines, sc)
        if room.contains(block):
            break
    assert best is not None
    return (c.x, c.y), best[0], best[1]


def _area_label(img: np.ndarray, room: Polygon, name: str, area: float, scale: float) -> None:
    """The room's name (wrapped) over its area in m², centred, fitted inside the room. Hershey
    fonts are ASCII only, so the square is a small raised '2'."""
    area_text = f"{area:.1f} m"
    (cx, cy), lines, scale = _fit_label(room, name, area_text, scale)
    sizes = [_text_size(t, scale) for t in [*lines, area_text]]
    y = cy - sum(h for _, h in sizes) / 2
    for text, (w, h) in zip(lines, sizes, strict=False):
        y += h
        _text(img, text, (cx - w / 2, y - 2), scale)
    aw, ah = sizes[-1]
    sup = scale * 0.6
    sw, _ = _text_size("2", sup)
    ax = cx - (aw + sw) / 2
    y += ah
    _text(img, area_text, (ax, y - 2), scale)
    _text(img, "2", (ax + aw - scale * 4, y - 2 - ah * 0.45), sup)


def _room_polygon(ring: Ring) -> Polygon:
    poly = Polygon(ring)
    return poly if poly.is_valid else poly.buffer(0)


def _opening_direction(o: Opening, wall: Wall | None) -> tuple[float, float] | None:
    """Unit direction of the host wall in image pixels (rows grow downwards, y in metres up)."""
    if wall is None or wall.length == 0:
        return None
    dx = wall.end[0] - wall.start[0]
    dy = -(wall.end[1] - wall.start[1])
    n = float(np.hypot(dx, dy))
    return dx / n, dy / n


def _draw_opening(img: np.ndarray, o: Opening, wall: Wall | None, ui: float) -> None:
    color = DOOR if o.kind == "door" else WINDOW
    cx, cy = o.center_px
    direction = _opening_direction(o, wall)
    line = max(2, int(round(3 * ui)))
    if direction is not None and o.width_px > 0:
        ux, uy = direction
        half = o.width_px / 2
        a, b = (cx - ux * half, cy - uy * half), (cx + ux * half, cy + uy * half)
        pts = _fixed([a, b])
        cv2.line(img, tuple(pts[0]), tuple(pts[1]), color, line, cv2.LINE_AA, SHIFT)
        # Short ticks across the wall at both jambs show the opening's extent.
        tick = max(3.0, min(o.width_px * 0.08, 8 * ui))
        for px, py in (a, b):
            t = _fixed([(px - uy * tick, py + ux * tick), (px + uy * tick, py - ux * tick)])
            cv2.line(img, tuple(t[0]), tuple(t[1]), color, max(1, line // 2 + 1), cv2.LINE_AA, SHIFT)
    radius = max(3.0, min(o.width_px * 0.12 if o.width_px > 0 else 6.0, 12 * ui))
    c = _fixed([(cx, cy)])[0]
    cv2.circle(img, tuple(c), int(round(radius * (1 << SHIFT))), color, -1, cv2.LINE_AA, SHIFT)
    cv2.circle(img, tuple(c), int(round(radius * (1 << SHIFT))), HALO, 1, cv2.LINE_AA, SHIFT)


def _legend_lines(storey: Storey) -> list[tuple[str, Color | None]]:
    s = storey.scale
    scale_line = f"scale {s.px_per_m:.1f} px/m ({s.method})"
    return [
        (storey.name, None),
        (f"walls {len(storey.walls)}", WALL_FILL),
        (f"doors {sum(o.kind == 'door' for o in storey.openings)}", DOOR),
        (f"windows {sum(o.kind == 'window' for o in storey.openings)}", WINDOW),
        (f"rooms {len(storey.spaces)}", ROOM_COLORS[0]),
        (scale_line, None),
    ]


def _draw_legend(img: np.ndarray, storey: Storey, busy: np.ndarray, ui: float) -> None:
    """A small key with counts and the scale (and a 1 m bar), put in the emptiest corner."""
    lines = _legend_lines(storey)
    scale = 0.5 * ui
    pad = int(round(8 * ui))
    swatch = int(round(12 * ui))
    row = max(_text_size(t, scale)[1] for t, _ in lines) + pad // 2
    bar_px = storey.scale.px_per_m
    h_img, w_img = img.shape[:2]
    text_w = max(_text_size(t, scale)[0] for t, _ in lines)
    width = pad * 3 + swatch + max(text_w, int(min(bar_px, w_img / 3)))
    height = pad * 2 + row * (len(lines) + 1)
    width, height = min(width, w_img), min(height, h_img)
    corners = [(0, 0), (w_img - width, 0), (0, h_img - height), (w_img - width, h_img - height)]
    x0, y0 = min(corners, key=lambda c: int(busy[c[1]:c[1] + height, c[0]:c[0] + width].sum()))

    region = img[y0:y0 + height, x0:x0 + width]
    region[:] = (region * (1 - LEGEND_ALPHA) + 255 * LEGEND_ALPHA).round().astype(np.uint8)
    cv2.rectangle(img, (x0, y0), (x0 + width - 1, y0 + height - 1), (90, 90, 90), 1)
    y = y0 + pad
    for text, color in lines:
        x = x0 + pad
        if color is not None:
            cv2.rectangle(img, (x, y + row // 2 - swatch // 2),
                          (x + swatch, y + row // 2 + swatch // 2), color, -1)
            x += swatch + pad
        _text(img, text, (x, y + row - pad // 2), scale)
        y += row
    # The scale bar: one metre of the drawing, when it fits.
    if 0 < bar_px <= width - 2 * pad:
        yb = y + row // 2
        cv2.line(img, (x0 + pad, yb), (int(x0 + pad + bar_px), yb), TEXT, max(1, int(2 * ui)))
        for xb in (x0 + pad, int(x0 + pad + bar_px)):
            cv2.line(img, (xb, yb - swatch // 2), (xb, yb + swatch // 2), TEXT, 1)
        _text(img, "1 m", (x0 + pad + bar_px + pad / 2, yb + swatch // 2), scale * 0.9)


def _as_rgb(image: np.ndarray | None, storey: Storey) -> np.ndarray:
    if image is None:
        w, h = storey.image_size
        return np.full((h, w, 3), 255, np.uint8)
    img = np.asarray(image)
    if img.ndim == 2:
        img = np.repeat(img[:, :, None], 3, axis=2)
    elif img.ndim == 3 and img.shape[2] == 4:
        img = img[:, :, :3]
    if img.ndim != 3 or img.shape[2] != 3:
        raise ExportError(f"overlay needs an RGB image per storey, got shape {img.shape}")
    if img.dtype != np.uint8:
        img = np.clip(img, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(img).copy()


def render_storey(storey: Storey, image: np.ndarray | None = None) -> np.ndarray:
    """The storey drawn over its page (RGB uint8), or over a white page of ``storey.image_size``."""
    img = _as_rgb(image, storey)
    h, w = img.shape[:2]
    if (w, h) != tuple(storey.image_size):  # a large page, recognised on a reduced image of it
        from plan2bim.pixels import rescale_storey

        storey = rescale_storey(storey, w / storey.image_size[0], (w, h))
    ui = _ui_scale(w, h)
    rooms = np.zeros((h, w), np.uint8)
    room_layer = np.zeros_like(img)
    for i, sp in enumerate(storey.spaces):
        _fill(rooms, [sp.polygon_px], 1)
        _fill(room_layer, [sp.polygon_px], ROOM_COLORS[i % len(ROOM_COLORS)])
    _blend(img, rooms, room_layer, ROOM_ALPHA)

    walls_mask = np.zeros((h, w), np.uint8)
    for wall in storey.walls:
        for poly in wall.footprint_px:
            _fill(walls_mask, poly, 1)
    _blend(img, walls_mask, WALL_FILL, WALL_ALPHA)
    for wall in storey.walls:
        for poly in wall.footprint_px:
            _outline(img, poly, WALL_EDGE, max(1, int(round(ui * 1.5))))
    busy = walls_mask | rooms

    walls = {wall.id: wall for wall in storey.walls}
    for o in storey.openings:
        _draw_opening(img, o, walls.get(o.wall_id), ui)
    for sp in storey.spaces:
        if len(sp.polygon_px) >= 3:
            _area_label(img, _room_polygon(sp.polygon_px), sp.name, sp.area, 0.5 * ui)
    _draw_legend(img, storey, busy, ui)
    return img


def render_building(building: Building, images: Sequence[np.ndarray] | None = None) -> np.ndarray:
    """All storeys rendered and stacked top to bottom (narrower pages padded white on the right)."""
    if not building.storeys:
        raise ExportError("the building has no storey to draw")
    if images is not None and len(images) != len(building.storeys):
        raise ExportError(
            f"overlay got {len(images)} images for {len(building.storeys)} storeys")
    pages = [render_storey(s, None if images is None else images[i])
             for i, s in enumerate(building.storeys)]
    width = max(p.shape[1] for p in pages)
    pages = [np.pad(p, ((0, 0), (0, width - p.shape[1]), (0, 0)), constant_values=255)
             for p in pages]
    return np.vstack(pages)


def write_overlay(building: Building, path: Path,
                  *, images: Sequence[np.ndarray] | None = None) -> None:
    """Write the overlay PNG: ``images`` are the input pages (RGB uint8), one per storey."""
    rgb = render_building(building, images)
    # Each row stored as its difference from the row above: line work on white repeats down
    # the page, so the file is a third smaller and encodes ~10% faster than with OpenCV's
    # default (the difference from the left; surau p3: 1.94 -> 1.43 MB, 42 -> 38 ms).
    ok, buf = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_UP])
    if not ok:
        raise ExportError(f"cannot encode the overlay of {building.source} as PNG")
    try:
        Path(path).write_bytes(buf.tobytes())
    except OSError as e:
        raise ExportError(f"cannot write {path}: {e}") from e
