"""Small synthetic drawing sheets for the sheet-stage tests: an A3 sheet at 85 dpi with a frame,
a title block, a legend table, and one or two drawings with grid bubbles, a dimension chain,
section markers and a caption. Every element's box is returned, so a test can check that none
of them became a wall."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

PX_PER_MM = 85 / 25.4
"""An A3 sheet at 85 dpi: 1406 x 994 px."""
W, H = int(420 * PX_PER_MM), int(297 * PX_PER_MM)


def _font(mm: float) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=max(8, int(mm * PX_PER_MM)))


def _mm(v: float) -> int:
    return int(round(v * PX_PER_MM))


def plan_drawing(d: ImageDraw.ImageDraw, x0: int, y0: int, scale: int, caption: str,
                 boxes: dict[str, list[tuple[int, int, int, int]]], *, kind_text: str = "",
                 wall_mm: float = 200.0) -> None:
    """A 10 m x 7 m house at 1:``scale`` with its top-left corner at (x0, y0) px."""
    px_m = 1000 * PX_PER_MM / scale
    w, h = int(10 * px_m), int(7 * px_m)
    t = max(3, int(wall_mm / 1000 * px_m))
    # Walls: the outline and one inner wall, with a door gap.
    d.rectangle((x0, y0, x0 + w, y0 + t), fill=0)
    d.rectangle((x0, y0 + h - t, x0 + w, y0 + h), fill=0)
    d.rectangle((x0, y0, x0 + t, y0 + h), fill=0)
    d.rectangle((x0 + w - t, y0, x0 + w, y0 + h), fill=0)
    xi = x0 + int(6 * px_m)
    d.rectangle((xi, y0, xi + t, y0 + int(3 * px_m)), fill=0)
    d.rectangle((xi, y0 + int(4 * px_m), xi + t, y0 + h), fill=0)
    d.text((x0 + int(2 * px_m), y0 + int(3 * px_m)), "LIVING", fill=0, font=_font(3))
    # Grid: bubbles above, dashed grid lines down through the plan.
    for i, xm in enumerate((0, 3, 6, 10)):
        gx = x0 + int(xm * px_m) + t // 2
        r = _mm(4)
        cy = y0 - _mm(28)
        d.ellipse((gx - r, cy - r, gx + r, cy + r), outline=0, width=1)
        d.text((gx, cy), "ABCD"[i], fill=0, font=_font(4), anchor="mm")
        boxes["bubble"].append((gx - r, cy - r, gx + r, cy + r))
        for yy in range(cy + r, y0 + h + _mm(10), 14):
            d.line((gx, yy, gx, min(yy + 9, y0 + h + _mm(10))), fill=0, width=1)
    # Dimension chain: 3000 + 3000 + 4000 between 45-degree ticks, and the overall 10000.
    for yline, stops in ((y0 - _mm(10), (0, 3, 6, 10)), (y0 - _mm(18), (0, 10))):
        xs = [x0 + int(m * px_m) + t // 2 for m in stops]
        d.line((xs[0] - _mm(3), yline, xs[-1] + _mm(3), yline), fill=0, width=1)
        k = _mm(1.2)
        for x in xs:
            d.line((x - k, yline + k, x + k, yline - k), fill=0, width=2)
            d.line((x, yline - _mm(2), x, yline + _mm(2)), fill=0, width=1)
        for a, b, m0, m1 in zip(xs, xs[1:], stops, stops[1:], strict=False):
            d.text(((a + b) // 2, yline - _mm(0.6)), f"{(m1 - m0) * 1000}", fill=0, font=_font(2.5),
                   anchor="mb")
        boxes["dimension"].append((xs[0] - _mm(3), yline - _mm(4), xs[-1] + _mm(3), yline + _mm(1)))
    # Section markers: heavy dashes and a bold letter either side of the plan.
    ym = y0 + h // 2
    for side in (-1, 1):
        xa = x0 - _mm(22) if side < 0 else x0 + w + _mm(8)
        for k in range(2):
            bx = xa + k * _mm(8)
            d.rectangle((bx, ym - 2, bx + _mm(5), ym + 2), fill=0)
        d.text((xa + _mm(6), ym - _mm(3)), "A", fill=0, font=_font(5), anchor="mb")
        boxes["section"].append((xa, ym - _mm(9), xa + _mm(14), ym + 3))
    # Caption, underlined, and its scale.
    cy = y0 + h + _mm(16)
    f = _font(6)
    d.text((x0, cy), caption, fill=0, font=f)
    tw = int(d.textlength(caption, font=f))
    d.line((x0, cy + _mm(7.5), x0 + tw, cy + _mm(7.5)), fill=0, width=1)
    d.text((x0, cy + _mm(9.5)), kind_text or f"SCALE 1:{scale}", fill=0, font=_font(3.5))
    boxes["plan"].append((x0, y0, x0 + w, y0 + h))


def make_sheet(drawings: list[tuple[str, int]] | None = None) -> tuple[np.ndarray, dict]:
    """An RGB sheet; ``drawings`` are (caption, x offset in mm) pairs, one 1:100 house each."""
    drawings = drawings or [("GROUND FLOOR PLAN", 60)]
    img = Image.new("L", (W, H), 255)
    d = ImageDraw.Draw(img)
    boxes: dict[str, list] = {k: [] for k in ("frame", "title_block", "table", "bubble",
                                              "dimension", "section", "plan")}
    m = _mm(10)
    d.rectangle((m, m, W - m, H - m), outline=0, width=2)
    boxes["frame"].append((m, m, W - m, H - m))
    # Title block: a strip over the frame's width, cells of text.
    ty = H - m - _mm(32)
    d.line((m, ty, W - m, ty), fill=0, width=2)
    cols = [m, _mm(90), _mm(170), _mm(250), _mm(330), W - m]
    for x in cols[1:-1]:
        d.line((x, ty, x, H - m), fill=0, width=1)
    words = ["CLIENT", "PROJECT", "DRAWN BY", "CHECKED BY", "DATE 2024", "SHEET A-101",
             "PLAN2BIM TEST", "SCALE AS SHOWN", "REVISION B", "JOB 2024-17", "STATUS FINAL",
             "NORTH WING", "ARCHITECT", "APPROVED", "PAPER A3"]
    for i, w in enumerate(words):
        c, r = i % 5, i // 5
        d.text((cols[c] + _mm(3), ty + _mm(3 + 9 * r)), w, fill=0, font=_font(3))
    boxes["title_block"].append((m, ty, W - m, H - m))
    # Legend table against the frame's top right corner.
    lx = W - m - _mm(75)
    ly1 = m + _mm(70)
    d.rectangle((lx, m, W - m, ly1), outline=0, width=1)
    for k, text in enumerate(["LEGEND", "W1 BRICK WALL", "W2 PARTITION", "D1 DOOR 900",
                              "N1 WINDOW", "FL FLOOR LEVEL"]):
        yy = m + _mm(11 * k + 1)
        if k:
            d.line((lx, yy, W - m, yy), fill=0, width=1)
        d.text((lx + _mm(3), yy + _mm(2.5)), text, fill=0, font=_font(3))
    boxes["table"].append((lx, m, W - m, ly1))
    for caption, x_mm in drawings:
        plan_drawing(d, _mm(x_mm), _mm(85), 100, caption, boxes)
    rgb = np.repeat(np.asarray(img)[:, :, None], 3, axis=2)
    return rgb, boxes
