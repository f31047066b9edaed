"""Drawing styles: a layout in metres becomes a raster drawing, as an architect's CAD or an estate agent would draw it.

Two families, after the real plans in ``../shared/data``: ``cubicasa`` (Finnish apartment
plans: thick solid, grey, coloured or hatched walls at about 100 px per metre, windows as thin
lines or frames in the wall gap, doors with a leaf and a swing arc, furniture, room
abbreviations such as OH / MH / KPH, sometimes dimension chains) and ``r3d`` (UK estate-agent
plans: small, black walls, room names with their sizes, a floor area header, a compass).
Everything is drawn with anti-aliased OpenCV primitives at sub-pixel precision; text with Pillow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from shapely.geometry import Point, Polygon
from shapely.ops import polylabel, unary_union

from plan2bim.tools.synth.layout import (
    BATH,
    BEDROOM,
    CLOSET,
    HALL,
    KITCHEN,
    LIVING,
    OUTDOOR,
    SAUNA,
    TOILET,
    UTILITY,
    Fixture,
    Layout,
    OpeningSpec,
    WallSpec,
)

__all__ = ["Drawing", "Style", "render", "sample_style"]

Color = tuple[int, int, int]
_SHIFT = 4
_ONE = 1 << _SHIFT

FONTS = ("default", "DejaVuSans.ttf", "DejaVuSansCondensed.ttf", "DejaVuSerif.ttf", "DejaVuSans-Bold.ttf",
         "DejaVuSerifCondensed.ttf")
"""Pillow's own font first (always there); the DejaVu fonts where the system has them."""


@dataclass(frozen=True)
class Style:
    family: str
    px_per_m: float
    ink: Color
    """Thin lines: furniture, door leaves, window frames."""
    wall: Color
    wall_mode: str
    """solid | fill_outline | outline | hatch"""
    wall_inner: Color
    """Fill of outlined and hatched walls."""
    interior_wall: Color
    floor: Color | None
    wet_tiles: bool
    lw: int
    """Thin line width in pixels."""
    window: str
    """frame3 | frame2 | glass | thin2 | box_out"""
    door_leaf: str
    """line | rect"""
    door_sill: str
    """none | frame | grey"""
    labels: str
    """fi | fi_full | en | en_dims | none"""
    font: str
    text_m: float
    """Cap height of room labels in metres."""
    upper: bool
    dims: bool
    furniture: float
    header: bool
    compass: bool
    paper: Color = (255, 255, 255)
    extras: dict = field(default_factory=dict)


def sample_style(rng: np.random.Generator, family: str) -> Style:
    """A random drawing style of the given family."""
    if family == "r3d":
        s = float(rng.uniform(70, 120))  # drawn at about twice its final size, shrunk in degrade
        grey = int(rng.choice([0, 0, 0, 30, 60]))
        mode = str(rng.choice(["solid", "solid", "solid", "solid", "fill_outline", "hatch"]))
        return Style(
            family="r3d", px_per_m=s, ink=(20, 20, 20), wall=(grey, grey, grey), wall_mode=mode,
            wall_inner=(int(rng.integers(90, 170)),) * 3, interior_wall=(grey, grey, grey),
            floor=None, wet_tiles=bool(rng.random() < 0.3), lw=max(1, round(s / 90)),
            window=str(rng.choice(["thin2", "thin2", "frame2", "frame3"])), door_leaf="line",
            door_sill="none", labels=str(rng.choice(["en_dims", "en_dims", "en_dims", "en"])),
            font=str(rng.choice(FONTS[:3])), text_m=float(rng.uniform(0.17, 0.26)), upper=bool(rng.random() < 0.35),
            dims=False, furniture=float(rng.uniform(0.4, 1.0)), header=bool(rng.random() < 0.7),
            compass=bool(rng.random() < 0.5), extras={"arrows": bool(rng.random() < 0.3)},
        )
    s = float(np.clip(rng.normal(95, 22), 40, 140))
    r = rng.random()
    if r < 0.55:
        mode, wall = "solid", (int(rng.integers(0, 40)),) * 3
    elif r < 0.72:
        g = int(rng.integers(70, 130))
        mode, wall = str(rng.choice(["solid", "fill_outline"])), (g, g, g)
    elif r < 0.82:  # the agencies' brand colours
        mode = "solid"
        wall = [(200, 20, 40), (20, 30, 110), (30, 60, 140), (110, 40, 30), (30, 100, 55), (20, 80, 50)][int(rng.integers(6))]
    elif r < 0.91:
        mode, wall = "hatch", (20, 20, 20)
    else:
        mode, wall = "outline", (20, 20, 20)
    interior = wall if rng.random() < 0.8 else tuple(min(255, c + 60) for c in wall)
    floor = None
    if rng.random() < 0.15:
        g = int(rng.integers(215, 240))
        floor = (g, g, min(255, g + 4))
    return Style(
        family="cubicasa", px_per_m=s, ink=(int(rng.integers(0, 40)),) * 3, wall=wall, wall_mode=mode,
        wall_inner=(int(rng.integers(120, 200)),) * 3 if mode == "fill_outline" else (255, 255, 255),
        interior_wall=interior, floor=floor, wet_tiles=bool(rng.random() < 0.1),
        lw=max(1, round(s / float(rng.uniform(60, 110)))),
        window=str(rng.choice(["frame3", "frame3", "frame2", "glass", "thin2", "box_out"])),
        door_leaf=str(rng.choice(["rect", "rect", "line"])),
        door_sill=str(rng.choice(["none", "none", "frame", "grey"])),
        labels=str(rng.choice(["fi", "fi", "fi", "fi_full", "en", "none"], p=[0.3, 0.2, 0.15, 0.2, 0.05, 0.1])),
        font=str(rng.choice(FONTS)), text_m=float(rng.uniform(0.17, 0.3)), upper=bool(rng.random() < 0.8),
        dims=bool(rng.random() < 0.2), furniture=float(rng.uniform(0.3, 1.0)),
        header=bool(rng.random() < 0.3), compass=bool(rng.random() < 0.1),
        extras={"arrows": False},
    )


@dataclass
class Drawing:
    image: np.ndarray
    """RGB uint8, the clean drawing."""
    to_px: np.ndarray
    """3x3 affine from plan metres to the image's pixels."""
    px_per_m: float


# --------------------------------------------------------------------------------------------


@cache
def _font(name: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if name != "default":
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            pass
    return ImageFont.load_default(size)


class _Canvas:
    """Anti-aliased drawing in plan metres onto an RGB array."""

    def __init__(self, img: np.ndarray, to_px: np.ndarray, style: Style):
        self.img, self.T, self.st = img, to_px, style
        self.s = style.px_per_m
        self.texts: list[tuple] = []

    def px(self, pts) -> np.ndarray:
        p = np.asarray(pts, dtype=float).reshape(-1, 2)
        return p @ self.T[:2, :2].T + self.T[:2, 2]

    def _fx(self, pts) -> np.ndarray:
        return np.round(self.px(pts) * _ONE).astype(np.int32)

    def poly(self, pts, color: Color | None = None, closed: bool = True, lw: int | None = None) -> None:
        cv2.polylines(self.img, [self._fx(pts)], closed, color or self.st.ink, lw or self.st.lw, cv2.LINE_AA, _SHIFT)

    def fill(self, pts, color: Color) -> None:
        cv2.fillPoly(self.img, [self._fx(pts)], color, cv2.LINE_AA, _SHIFT)

    def line(self, p, q, color: Color | None = None, lw: int | None = None) -> None:
        a, b = self._fx([p, q])
        cv2.line(self.img, tuple(map(int, a)), tuple(map(int, b)), color or self.st.ink, lw or self.st.lw, cv2.LINE_AA, _SHIFT)

    def dashed(self, p, q, dash: float = 0.12, color: Color | None = None) -> None:
        p, q = np.asarray(p, float), np.asarray(q, float)
        L = float(np.hypot(*(q - p)))
        n = max(1, int(L / dash))
        for k in range(0, n, 2):
            self.line(p + (q - p) * k / n, p + (q - p) * min(k + 1, n) / n, color)

    def circle(self, c, r: float, color: Color | None = None, lw: int | None = None) -> None:
        cc = self._fx([c])[0]
        cv2.circle(self.img, (int(cc[0]), int(cc[1])), int(round(r * self.s * _ONE)), color or self.st.ink,
                   lw or self.st.lw, cv2.LINE_AA, _SHIFT)

    def arc(self, c, r: float, d0, d1, n: int = 20, color: Color | None = None, lw: int | None = None) -> None:
        a = np.linspace(0, np.pi / 2, n)
        pts = np.asarray(c) + r * (np.cos(a)[:, None] * np.asarray(d0) + np.sin(a)[:, None] * np.asarray(d1))
        self.poly(pts, color, closed=False, lw=lw)

    def text(self, at, txt: str, size_m: float, color: Color | None = None, angle: int = 0, font: str | None = None,
             fit_m: float | None = None) -> None:
        """Queue text centred at ``at``; ``fit_m`` shrinks it to fit that many metres of width."""
        xy = self.px([at])[0]
        font = font or self.st.font
        size = max(7, int(round(size_m * self.s / 0.72)))
        if fit_m is not None:
            box = ImageDraw.Draw(Image.new("L", (1, 1))).multiline_textbbox((0, 0), txt, font=_font(font, size))
            room = fit_m * self.s
            if box[2] - box[0] > room:
                size = max(6, int(size * room / (box[2] - box[0])))
        self.texts.append((float(xy[0]), float(xy[1]), txt, size, color or self.st.ink, angle, font))

    def flush_text(self) -> None:
        """Draw the queued text with Pillow (one conversion for all of it)."""
        if not self.texts:
            return
        im = Image.fromarray(self.img)
        dr = ImageDraw.Draw(im)
        for x, y, txt, size, color, angle, font in self.texts:
            f = _font(font, size)
            if angle == 0:
                dr.multiline_text((x, y), txt, fill=color, font=f, anchor="mm", align="center", spacing=max(1, size // 5))
                continue
            box = dr.multiline_textbbox((0, 0), txt, font=f, anchor="la", spacing=max(1, size // 5))
            tw, th = box[2] + 2, box[3] + 2
            patch = Image.new("L", (tw, th), 0)
            ImageDraw.Draw(patch).multiline_text((1, 1), txt, fill=255, font=f, anchor="la", spacing=max(1, size // 5))
            patch = patch.rotate(angle, expand=True)
            im.paste(Image.new("RGB", patch.size, color), (int(x - patch.size[0] / 2), int(y - patch.size[1] / 2)), patch)
        self.img[:] = np.asarray(im)
        self.texts.clear()


# --------------------------------------------------------------------------------------------
# walls


def _rings(geom) -> list[np.ndarray]:
    out = []
    for g in getattr(geom, "geoms", [geom]):
        if isinstance(g, Polygon) and not g.is_empty:
            out.append(np.asarray(g.exterior.coords))
            out += [np.asarray(r.coords) for r in g.interiors]
    return out


def _draw_walls(cv: _Canvas, lay: Layout, cut: list, rng: np.random.Generator) -> None:
    st = cv.st
    h, w = cv.img.shape[:2]
    ext = [g for g, wl in zip(cut, lay.walls, strict=True) if wl.exterior]
    inner = [g for g, wl in zip(cut, lay.walls, strict=True) if not wl.exterior]
    groups = [(inner, st.interior_wall), (ext, st.wall)]  # exterior last: it covers the joints
    union = unary_union(cut)
    if st.wall_mode in ("solid", "fill_outline"):
        for geoms, color in groups:
            # fillPoly fills even-odd: overlapping footprints must be merged first
            polys = [cv._fx(r) for r in _rings(unary_union(geoms))]
            if polys:
                cv2.fillPoly(cv.img, polys, st.wall_inner if st.wall_mode == "fill_outline" else color,
                             cv2.LINE_AA, _SHIFT)
    else:
        polys = [cv._fx(r) for r in _rings(union)]
        cv2.fillPoly(cv.img, polys, st.wall_inner, cv2.LINE_AA, _SHIFT)
        if st.wall_mode == "hatch":
            alpha = np.zeros((h, w), np.uint8)
            cv2.fillPoly(alpha, polys, 255, cv2.LINE_AA, _SHIFT)
            layer = np.zeros((h, w), np.uint8)
            step = max(3, int(round(cv.s * rng.uniform(0.04, 0.08))))
            for k in range(-h, w, step):
                cv2.line(layer, (k, h), (k + h, 0), 255, 1, cv2.LINE_AA)
            _blend(cv.img, np.minimum(layer, alpha), st.wall)
    if st.wall_mode != "solid":
        for r in _rings(union):
            cv.poly(r[:-1], st.wall if st.wall_mode != "fill_outline" else st.ink, lw=max(1, st.lw))


def _blend(img: np.ndarray, alpha: np.ndarray, color: Color) -> None:
    """Paint ``color`` over ``img`` with coverage ``alpha`` (uint8), within alpha's bounding box."""
    x, y, w, h = cv2.boundingRect(alpha)
    if w == 0 or h == 0:
        return
    roi = img[y:y + h, x:x + w]
    a = alpha[y:y + h, x:x + w, None].astype(np.uint16)
    roi[:] = ((roi * (255 - a) + np.asarray(color, np.uint16) * a + 127) // 255).astype(np.uint8)


# --------------------------------------------------------------------------------------------
# openings


def _draw_window(cv: _Canvas, w: WallSpec, op: OpeningSpec, rng: np.random.Generator) -> None:
    st = cv.st
    hw, t = op.width / 2, w.thickness / 2

    def P(a: float, b: float) -> np.ndarray:
        return w.point(op.offset + a, b)

    style = st.window
    if style == "glass":
        cv.fill([P(-hw, -t * 0.35), P(hw, -t * 0.35), P(hw, t * 0.35), P(-hw, t * 0.35)], (195, 205, 222))
        cv.poly([P(-hw, -t), P(hw, -t), P(hw, t), P(-hw, t)])
        return
    if style == "box_out":
        o = t + st.extras.get("window_out", 0.06)
        cv.fill([P(-hw, -o), P(hw, -o), P(hw, o), P(-hw, o)], st.paper)
        cv.poly([P(-hw, -o), P(hw, -o), P(hw, o), P(-hw, o)])
        cv.line(P(-hw, 0), P(hw, 0))
        return
    if style in ("frame3", "frame2"):
        cv.poly([P(-hw, -t), P(hw, -t), P(hw, t), P(-hw, t)])
    else:  # thin2: jamb ticks only
        cv.line(P(-hw, -t), P(-hw, t))
        cv.line(P(hw, -t), P(hw, t))
    gap = t * (0.25 if style != "frame3" else 0.18)
    cv.line(P(-hw, -gap), P(hw, -gap))
    cv.line(P(-hw, gap), P(hw, gap))
    if style == "frame3":
        cv.line(P(-hw, 0), P(hw, 0))


def _draw_door(cv: _Canvas, w: WallSpec, op: OpeningSpec) -> None:
    st = cv.st
    hw, t = op.width / 2, w.thickness / 2

    def P(a: float, b: float) -> np.ndarray:
        return w.point(op.offset + a, b)

    if st.door_sill == "grey":
        cv.fill([P(-hw, -t), P(hw, -t), P(hw, t), P(-hw, t)], (205, 205, 205))
    if st.door_sill == "frame" or st.door_sill == "grey":
        cv.poly([P(-hw, -t), P(hw, -t), P(hw, t), P(-hw, t)])
    if op.style == "sliding":
        th = min(0.05, t * 0.4)
        L = hw + 0.05
        for a0, b0 in ((-hw, -th), (hw - L, 0.0)):
            pts = [P(a0, b0), P(a0 + L, b0), P(a0 + L, b0 + th), P(a0, b0 + th)]
            cv.fill(pts, st.paper)
            cv.poly(pts)
        return
    leaves = [(op.hinge_at_start, op.width)] if op.style == "swing" else [(True, hw), (False, hw)]
    for at_start, r in leaves:
        sgn = -1 if at_start else 1
        hinge = P(sgn * hw, op.side * t)
        nn = w.n * op.side
        toward = -w.u * sgn
        tip = hinge + nn * r
        if st.door_leaf == "rect":
            lt = max(0.035, 2.5 / st.px_per_m)
            pts = [hinge, tip, tip + toward * lt, hinge + toward * lt]
            cv.fill(pts, st.paper)
            cv.poly(pts)
        else:
            cv.line(hinge, tip, lw=max(st.lw, int(round(st.lw * 1.6))))
        cv.arc(hinge, r, nn, toward, n=max(10, int(r * st.px_per_m / 4)))


# --------------------------------------------------------------------------------------------
# fixtures


def _draw_fixture(cv: _Canvas, f: Fixture, rng: np.random.Generator) -> None:
    w, d = f.size
    a = math.radians(f.angle)
    ux, uy = np.array([math.cos(a), math.sin(a)]), np.array([-math.sin(a), math.cos(a)])
    c0 = np.asarray(f.center)

    def L(x: float, y: float) -> np.ndarray:  # local: x along the wall, y from the wall (-d/2) into the room
        return c0 + ux * x + uy * y

    def rect(x0, y0, x1, y1, fill: bool = True):
        pts = [L(x0, y0), L(x1, y0), L(x1, y1), L(x0, y1)]
        if fill:
            cv.fill(pts, cv.st.paper)
        cv.poly(pts)

    hw, hd = w / 2, d / 2
    k = f.kind
    if k == "bed":
        rect(-hw, -hd, hw, hd)
        n = 2 if w > 1.2 else 1
        pw = (w - 0.15) / n
        for i in range(n):
            x0 = -hw + 0.05 + i * (pw + 0.05)
            rect(x0, -hd + 0.06, x0 + pw - 0.05, -hd + 0.4)
        cv.line(L(-hw, -hd + 0.65), L(hw, -hd + 0.65))
    elif k in ("wardrobe", "shelf"):
        rect(-hw, -hd, hw, hd)
        if k == "wardrobe":
            n = max(1, int(round(w / 0.6)))
            for i in range(1, n):
                cv.line(L(-hw + w * i / n, -hd), L(-hw + w * i / n, hd))
            if rng.random() < 0.5:
                cv.dashed(L(-hw, 0), L(hw, 0), 0.08)
            else:
                for i in range(n):
                    cv.line(L(-hw + w * i / n, hd), L(-hw + w * (i + 1) / n, -hd))
        else:
            cv.dashed(L(-hw, 0), L(hw, 0), 0.1)
    elif k in ("sofa", "armchair"):
        rect(-hw, -hd, hw, hd)
        rect(-hw + 0.15, -hd + 0.2, hw - 0.15, hd, fill=False)
        cv.line(L(-hw + 0.15, -hd + 0.2), L(hw - 0.15, -hd + 0.2))
    elif k in ("table", "desk"):
        if k == "table":
            for x in np.linspace(-hw + 0.3, hw - 0.3, max(1, int(w / 0.6))):
                for y, sgn in ((-hd - 0.25, 1), (hd + 0.05, 1)):
                    rect(x - 0.2, y, x + 0.2, y + 0.2 * sgn)
        if rng.random() < 0.3 and k == "table":
            pts = [L(hw * math.cos(t), hd * math.sin(t)) for t in np.linspace(0, 2 * np.pi, 28)]
            cv.fill(pts, cv.st.paper)
            cv.poly(pts)
        else:
            rect(-hw, -hd, hw, hd)
        if k == "desk":
            cv.circle(L(0, hd + 0.25), 0.2)
    elif k == "fireplace":
        rect(-hw, -hd, hw, hd)
        rect(-hw + 0.12, -hd + 0.1, hw - 0.12, hd - 0.1, fill=False)
    elif k == "counter":
        rect(-hw, -hd, hw, hd)
        n = max(1, int(round(w / 0.6)))
        cells = list(range(n))
        rng.shuffle(cells)
        for i in range(1, n):
            cv.line(L(-hw + w * i / n, -hd), L(-hw + w * i / n, hd))
        if rng.random() < 0.5:
            cv.dashed(L(-hw, -hd + 0.35), L(hw, -hd + 0.35), 0.1)
        for j, i in enumerate(cells[:3]):
            cx, cw = -hw + w * (i + 0.5) / n, w / n
            if j == 0:  # stove: four rings
                for dx in (-0.13, 0.13):
                    for dy in (-0.12, 0.12):
                        cv.circle(L(cx + dx * cw / 0.6, dy), 0.08 * min(1.0, cw / 0.6))
            elif j == 1:  # sink
                rect(cx - cw * 0.35, -hd + 0.12, cx + cw * 0.35, hd - 0.08, fill=False)
                cv.circle(L(cx, 0.0), 0.03)
            elif j == 2 and rng.random() < 0.6:  # an appliance: the zigzag symbol
                _zigzag(cv, L, cx, cw, hd)
    elif k == "fridge":
        rect(-hw, -hd, hw, hd)
        _zigzag(cv, L, 0.0, w, hd)
    elif k == "toilet":
        rect(-0.18, -hd, 0.18, -hd + 0.18)
        pts = [L(0.17 * math.cos(t), -hd + 0.42 + 0.23 * math.sin(t)) for t in np.linspace(0, 2 * np.pi, 24)]
        cv.fill(pts, cv.st.paper)
        cv.poly(pts)
    elif k == "basin":
        pts = [L(hw * 0.9 * math.cos(t), hd * 0.8 * math.sin(t)) for t in np.linspace(0, 2 * np.pi, 24)]
        rect(-hw, -hd, hw, hd) if rng.random() < 0.4 else None
        cv.poly(pts)
        cv.circle(L(0, 0), 0.025)
    elif k == "shower":
        if rng.random() < 0.5:
            for p, q in ((L(-hw, -hd), L(hw, -hd)), (L(hw, -hd), L(hw, hd)), (L(hw, hd), L(-hw, hd)), (L(-hw, hd), L(-hw, -hd))):
                cv.dashed(p, q, 0.1)
        else:
            rect(-hw, -hd, hw, hd)
            cv.line(L(-hw, -hd), L(hw, hd))
            cv.line(L(hw, -hd), L(-hw, hd))
        cv.circle(L(hw - 0.15, -hd + 0.15), 0.05)
    elif k == "tub":
        rect(-hw, -hd, hw, hd)
        rect(-hw + 0.08, -hd + 0.08, hw - 0.08, hd - 0.08, fill=False)
        cv.circle(L(-hw + 0.25, 0), 0.03)
    elif k in ("washer", "boiler"):
        rect(-hw, -hd, hw, hd)
        cv.circle(L(0, 0), min(w, d) * 0.33)
    elif k == "bench":
        rect(-hw, -hd, hw, hd)
        for y in np.arange(-hd + 0.07, hd, 0.07):
            cv.line(L(-hw, y), L(hw, y))
    elif k == "stove":
        rect(-hw, -hd, hw, hd)
        _zigzag(cv, L, 0.0, w, hd)
    elif k == "stairs":  # a straight flight: treads across, an arrow up the run
        rect(-hw, -hd, hw, hd)
        step = float(rng.uniform(0.24, 0.3))
        for x in np.arange(-hw + step, hw - 0.01, step):
            cv.line(L(x, -hd), L(x, hd))
        up = 1 if rng.random() < 0.5 else -1
        cv.line(L(-up * (hw - 0.15), 0), L(up * (hw - 0.1), 0))
        cv.poly([L(up * (hw - 0.3), -0.12), L(up * (hw - 0.1), 0), L(up * (hw - 0.3), 0.12)], closed=False)
        if rng.random() < 0.4:  # the cut line of a flight that goes on upstairs
            cv.line(L(-hw * 0.1, -hd), L(hw * 0.25, hd))


def _zigzag(cv: _Canvas, L, cx: float, cw: float, hd: float) -> None:
    s = min(cw, 2 * hd) * 0.35
    pts = [L(cx - s, -s), L(cx + s * 0.4, -s), L(cx - s * 0.4, s), L(cx + s, s)]
    cv.poly(pts, closed=False)


# --------------------------------------------------------------------------------------------
# text


_FI = {
    LIVING: ["OH", "OH", "OH", "OLOH."], KITCHEN: ["K", "K", "KK", "RT", "K+RUOK"], BEDROOM: ["MH", "MH", "H", "MH"],
    BATH: ["KPH", "PH", "KPH", "PESUH."], TOILET: ["WC"], SAUNA: ["S", "SAUNA", "S"], HALL: ["ET", "E", "ET", "AULA"],
    CLOSET: ["VH", "VAR", "VH", "TK"], UTILITY: ["KHH", "TEKN", "KHH", "KH"], OUTDOOR: ["PARVEKE", "TERASSI", "PARVEKE"],
}
_EN = {
    LIVING: ["Living Room", "Reception", "Lounge", "Sitting Room", "Living/Dining Room"], KITCHEN: ["Kitchen", "Kitchen/Diner"],
    BEDROOM: ["Bedroom"], BATH: ["Bathroom", "Shower Room", "Bathroom"], TOILET: ["WC", "Cloakroom"], SAUNA: ["Store", "Utility", "Sauna", "Cupboard"],
    HALL: ["Hall", "Entrance Hall", "Hallway"], CLOSET: ["Store", "Cupboard", "Wardrobe"], UTILITY: ["Utility", "Study"],
    OUTDOOR: ["Balcony", "Terrace"],
}
_FLOORS = ["Parketti", "Laatta", "Laminaatti", "Muovimatto", "Klinkkeri"]


def _feet(m: float) -> str:
    inch = round(m / 0.0254)
    return f"{inch // 12}'{inch % 12}"


def _room_label(rng, st: Style, kind: str, poly: Polygon, n_bed: list[int], has_kitchen: bool) -> str:
    x0, y0, x1, y1 = poly.bounds
    a, b = sorted((x1 - x0, y1 - y0), reverse=True)
    if st.labels.startswith("fi"):
        name = str(rng.choice(_FI[kind]))
        if kind == LIVING and not has_kitchen:
            name = str(rng.choice(["OH+K", "OH/K", "K+OH", "OH+KK"]))
        if st.labels == "fi_full" and kind != OUTDOOR:
            extra = [f"{poly.area:.1f}".replace(".", ",") + str(rng.choice([" m²", "m²", " m2"]))]
            if rng.random() < 0.5:
                extra.insert(0, str(rng.choice(_FLOORS)))
            name = "\n".join([name, *extra])
        return name
    name = str(rng.choice(_EN[kind]))
    if kind == BEDROOM:
        n_bed[0] += 1
        name = "Master Bedroom" if n_bed[0] == 1 and rng.random() < 0.2 else f"Bedroom {n_bed[0]}" if rng.random() < 0.6 else "Bedroom"
    if kind == LIVING and not has_kitchen:
        name = str(rng.choice(["Kitchen/Living Room", "Reception/Kitchen", "Open Plan Living"]))
    if st.upper:
        name = name.upper()
    if st.labels == "en_dims" and kind not in (CLOSET,):
        r = rng.random()
        if r < 0.4:
            name += f"\n{a:.2f} x {b:.2f}"
        elif r < 0.7:
            name += f"\n{a:.2f}m x {b:.2f}m\n({_feet(a)} x {_feet(b)})"
        else:
            name += f"\n{_feet(a)} x {_feet(b)}\n({a:.2f}m x {b:.2f}m)"
    return name


def _labels(cv: _Canvas, lay: Layout, rng: np.random.Generator) -> None:
    st = cv.st
    if st.labels == "none":
        return
    n_bed = [0]
    has_kitchen = any(r.kind == KITCHEN for r in lay.rooms)
    # labels keep clear of furniture and door swings where the room leaves space
    taken = unary_union([f.polygon() for f in lay.fixtures]
                        + [op.symbol(lay.walls[op.wall]) for op in lay.openings if op.kind == "door"])
    for r in lay.rooms:
        if r.polygon is None or r.polygon.area < 1.2:
            continue
        txt = _room_label(rng, st, r.kind, r.polygon, n_bed, has_kitchen)
        free = r.polygon.difference(taken)
        free = max(getattr(free, "geoms", [free]), key=lambda g: g.area) if not free.is_empty else r.polygon
        at = polylabel(free if isinstance(free, Polygon) and free.area > 0.5 else r.polygon, 0.05)
        x0, y0, x1, y1 = r.polygon.bounds
        size = st.text_m * (0.75 if r.polygon.area < 4 else 1.0) * (0.8 if "\n" in txt else 1.0)
        angle = 90 if (y1 - y0) > 1.6 * (x1 - x0) and (x1 - x0) < 2.0 and rng.random() < 0.6 else 0
        cv.text((at.x, at.y), txt, size, angle=angle, fit_m=0.9 * ((x1 - x0) if angle == 0 else (y1 - y0)))
    for b in lay.balconies:
        c = b.centroid
        x0, y0, x1, y1 = b.bounds
        txt = _room_label(rng, st, OUTDOOR, b, n_bed, True)
        cv.text((c.x, c.y), txt, st.text_m * 0.9, angle=90 if (y1 - y0) > (x1 - x0) * 1.3 else 0)


def _dimensions(cv: _Canvas, lay: Layout, rng: np.random.Generator) -> None:
    """Dimension chains above and left of the outline: extension lines, ticks and lengths."""
    t = max(w.thickness for w in lay.walls if w.exterior)
    ring = np.asarray(lay.outline.exterior.coords)
    x0, y0, x1, y1 = lay.outline.bounds
    tick = str(rng.choice(["slash", "dot", "arrow"]))
    mm = rng.random() < 0.6
    size = cv.st.text_m * 0.55
    for side in ("top", "left") if rng.random() < 0.7 else ("top", "left", "bottom", "right"):
        axis = 0 if side in ("top", "bottom") else 1
        # stations: the outline's corners and the interior walls meeting this side of it
        mid = (y0 + y1) / 2 if axis == 0 else (x0 + x1) / 2
        near = (lambda v, mid=mid: v >= mid) if side in ("top", "right") else (lambda v, mid=mid: v < mid)
        inner = [p[axis] for w in lay.walls if not w.exterior for p in (w.a, w.b)
                 if near(p[1 - axis]) and not lay.outline.buffer(-0.01).contains(_pt(p))]
        stations = np.unique(np.round(np.concatenate([ring[:, axis], inner]), 3))
        stations = stations[np.concatenate([[True], np.diff(stations) > 0.25])]
        stations = np.concatenate([[stations[0] - t / 2], stations[1:-1], [stations[-1] + t / 2]])
        dist = t / 2 + float(rng.uniform(0.6, 1.0))
        base = {"top": y1 + dist, "bottom": y0 - dist, "left": x0 - dist, "right": x1 + dist}[side]

        def P(v: float, o: float = 0.0, axis=axis, base=base) -> np.ndarray:
            return np.array([v, base + o]) if axis == 0 else np.array([base + o, v])

        cv.line(P(stations[0] - 0.15), P(stations[-1] + 0.15))
        edge = {"top": y1 + t / 2 + 0.15, "bottom": y0 - t / 2 - 0.15, "left": x0 - t / 2 - 0.15, "right": x1 + t / 2 + 0.15}[side]
        sgn = 1 if side in ("top", "right") else -1
        for v in stations:
            e = np.array([v, edge]) if axis == 0 else np.array([edge, v])
            cv.line(e, P(v, sgn * 0.12))
            if tick == "slash":
                cv.line(P(v - 0.08, -0.08), P(v + 0.08, 0.08), lw=cv.st.lw + 1)
            elif tick == "dot":
                cv.circle(P(v), 0.035, lw=-1)
        for a, b in zip(stations, stations[1:], strict=False):
            L = b - a
            if L < 0.4:
                continue
            txt = f"{round(L * 1000):d}" if mm else f"{L:.2f}".replace(".", ",")
            if tick == "arrow":
                for v, d in ((a, 1), (b, -1)):
                    cv.poly([P(v + d * 0.12, 0.05), P(v), P(v + d * 0.12, -0.05)], closed=False)
            cv.text(P((a + b) / 2, sgn * 0.18), txt, size, angle=0 if axis == 0 else 90)


_HEAD_FI = ["Pohjakuva suuntaa antava. Ei mittakaavassa.", "Pohjapiirros suuntaa antava", "1. KERROS", "2. KERROS",
            "1 krs", "Huoneistopiirros", "KELLARIKERROS"]
_HEAD_EN = ["Approximate Gross Internal Area\n{sqm} sq m / {sqft} sq ft", "APPROX GROSS INTERNAL FLOOR AREA: {sqft} sq. ft / {sqm} sq. m",
            "Gross internal area (approx):\n{sqm} sq m / {sqft} sq ft", "Approximate Gross Internal Area = {sqm} sq m / {sqft} sq ft"]
_FLOOR_EN = ["Ground Floor", "First Floor", "Second Floor", "Third floor", "Lower Ground Floor", "8th Floor", "Flat 3"]


def _page_text(cv: _Canvas, parts: list[Layout], bounds: tuple, page: tuple, rng: np.random.Generator) -> None:
    st = cv.st
    x0, y0, x1, y1 = bounds
    top, bottom = page[3] - 0.7, page[1] + 0.6
    area = sum(p.outline.area for p in parts)
    size = st.text_m * float(rng.uniform(0.7, 1.0))
    if st.family == "r3d":
        if st.header:
            txt = str(rng.choice(_HEAD_EN)).format(sqm=f"{area:.0f}", sqft=f"{area * 10.764:.0f}")
            cv.text(((x0 + x1) / 2, top), txt, size * float(rng.uniform(1.0, 1.5)), fit_m=page[2] - page[0])
        cv.text(((x0 + x1) / 2 + rng.uniform(-2, 2), bottom + 0.5), str(rng.choice(_FLOOR_EN)), size * 1.1)
        if rng.random() < 0.3:
            cv.text((x0 + 2.0, bottom), "For identification only. Not to scale.", size * 0.7)
    elif st.header:
        cv.text((x0 + 2.5, top), str(rng.choice(_HEAD_FI)), size)
        for k, p in enumerate(parts[1:], start=2):
            px0, _, _, py1 = p.outline.bounds
            cv.text((px0 + 1.2, py1 + 0.8), f"{k}. KERROS" if rng.random() < 0.5 else f"{k} krs", size)
    if st.compass:
        c = np.array([page[2] - 0.8, page[3] - 0.8])
        cv.circle(c, 0.35)
        ang = rng.uniform(0, 2 * np.pi)
        d = np.array([math.cos(ang), math.sin(ang)])
        nrm = np.array([-d[1], d[0]])
        cv.fill([c + d * 0.45, c + nrm * 0.12, c - d * 0.3, c - nrm * 0.12], st.ink)
        cv.text(c + d * 0.7, "N", size * 0.8)


def _in_arrow(cv: _Canvas, lay: Layout) -> None:
    for op in lay.openings:
        if not op.entrance:
            continue
        w = lay.walls[op.wall]
        out = -1 if lay.outline.contains(_pt(w.point(op.offset, 0.5))) else 1
        p = w.point(op.offset, out * (w.thickness / 2 + 0.9))
        q = w.point(op.offset, out * (w.thickness / 2 + 0.25))
        cv.line(p, q)
        d = (q - p) / np.hypot(*(q - p))
        nrm = np.array([-d[1], d[0]])
        cv.poly([q - d * 0.15 + nrm * 0.1, q, q - d * 0.15 - nrm * 0.1], closed=False)
        cv.text(p + d * -0.2 + nrm * 0.35, "IN", cv.st.text_m * 0.7)
        return


def _pt(p) -> Point:
    return Point(float(p[0]), float(p[1]))


def _tiles(cv: _Canvas, poly: Polygon) -> None:
    h, w = cv.img.shape[:2]
    m = np.zeros((h, w), np.uint8)
    cv2.fillPoly(m, [cv._fx(np.asarray(poly.exterior.coords))], 255, cv2.LINE_8, _SHIFT)
    layer = np.zeros((h, w), np.uint8)
    x0, y0, x1, y1 = poly.bounds
    step = 0.3
    for x in np.arange(x0, x1, step):
        a, b = cv.px([(x, y0), (x, y1)]).astype(int)
        cv2.line(layer, tuple(map(int, a)), tuple(map(int, b)), 120, 1, cv2.LINE_AA)
    for y in np.arange(y0, y1, step):
        a, b = cv.px([(x0, y), (x1, y)]).astype(int)
        cv2.line(layer, tuple(map(int, a)), tuple(map(int, b)), 120, 1, cv2.LINE_AA)
    _blend(cv.img, np.minimum(layer, m), cv.st.ink)


# --------------------------------------------------------------------------------------------


def render(parts: list[Layout], style: Style, rng: np.random.Generator, max_side: int = 2600) -> Drawing:
    """Draw the layouts of one sheet; the page gets margins for text and dimension chains."""
    geoms = [p.outline for p in parts] + [b for p in parts for b in p.balconies]
    x0, y0, x1, y1 = unary_union(geoms).bounds
    t = max(w.thickness for p in parts for w in p.walls)
    pad = [t / 2 + 0.4 + float(rng.uniform(0.2, 1.2)) for _ in range(4)]
    if style.dims:
        pad = [max(v, t / 2 + 1.6) for v in pad]
    if style.header or style.family == "r3d":
        pad[3] += 1.2
        pad[1] += 1.4
    if style.compass:
        pad[2] += 1.2
        pad[3] += 1.2
    s = style.px_per_m
    ext = max(x1 - x0 + pad[0] + pad[2], y1 - y0 + pad[1] + pad[3])
    if ext * s > max_side:
        s = max_side / ext
        style = with_scale(style, s)
    W = int(math.ceil((x1 - x0 + pad[0] + pad[2]) * s))
    H = int(math.ceil((y1 - y0 + pad[1] + pad[3]) * s))
    to_px = np.array([[s, 0, (pad[0] - x0) * s], [0, -s, (y1 + pad[3]) * s], [0, 0, 1]], dtype=float)
    img = np.empty((H, W, 3), np.uint8)
    img[:] = style.paper
    cv = _Canvas(img, to_px, style)
    for lay in parts:
        cut = lay.cut_footprints()
        for r in lay.rooms:
            if r.polygon is None:
                continue
            if style.floor is not None:
                cv.fill(np.asarray(r.polygon.exterior.coords), style.floor)
            if style.wet_tiles and r.kind in (BATH, TOILET, SAUNA):
                _tiles(cv, r.polygon)
        for b in lay.balconies:
            ring = np.asarray(b.exterior.coords)
            if style.floor is not None and style.family != "r3d":
                cv.fill(ring, tuple(max(0, c - 30) for c in style.floor))
            if style.wet_tiles or (style.family == "r3d" and rng.random() < 0.5):
                _tiles(cv, b)
            cv.poly(ring[:-1])
            if rng.random() < 0.5:
                cv.poly(np.asarray(b.buffer(-0.06, join_style="mitre").exterior.coords)[:-1])
        for f in lay.fixtures:
            if f.kind == "stairs" or rng.random() < style.furniture + 0.2:
                _draw_fixture(cv, f, rng)
        _draw_walls(cv, lay, cut, rng)
        for op in lay.openings:
            w = lay.walls[op.wall]
            if op.kind == "window":
                _draw_window(cv, w, op, rng)
            else:
                _draw_door(cv, w, op)
        _labels(cv, lay, rng)
        if style.dims and lay is parts[0]:
            _dimensions(cv, lay, rng)
        if style.extras.get("arrows") or (style.family == "r3d" and rng.random() < 0.4):
            _in_arrow(cv, lay)
    page = (x0 - pad[0], y0 - pad[1], x1 + pad[2], y1 + pad[3])
    _page_text(cv, parts, (x0, y0, x1, y1), page, rng)
    if rng.random() < 0.08:  # a drawing frame round the sheet
        k = float(rng.uniform(0.1, 0.3))
        cv.poly([(page[0] + k, page[1] + k), (page[2] - k, page[1] + k), (page[2] - k, page[3] - k), (page[0] + k, page[3] - k)])
    cv.flush_text()
    return Drawing(image=img, to_px=to_px, px_per_m=s)


def with_scale(style: Style, s: float) -> Style:
    """``style`` drawn at ``s`` px per metre (line weights follow)."""
    return replace(style, px_per_m=s, lw=max(1, round(style.lw * s / style.px_per_m)))
