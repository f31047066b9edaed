"""Synthetic vector PDF sheets, as CAD exports them, with their exact ground truth.

A sheet draws one layout of :mod:`plan2bim.tools.synth.layout` at a printed scale (1:50 to 1:200) on a
page from A4 to A1: walls as the outline of their union (double lines, so junctions and jambs
are drawn as CAD draws them), empty, filled or hatched; door leaves with their swing arcs (both
hands, both sides), double and sliding doors; windows as glazing lines across the gap; furniture
blocks; dimension chains; a grid with bubbles; a frame with a title block that prints
"SCALE 1:N"; room names as text. Some sheets are turned by an angle, some carry elevation,
section or schedule pages after the plan. Styles (line weights, hatch, symbols, fonts) vary.

The ground truth is the building model of the layout mapped onto the plan page rendered at
``dpi`` (pixels = points x dpi / 72, y down), written as the project's JSON.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace

import numpy as np
from shapely import affinity
from shapely.geometry import LineString, Polygon, box
from shapely.ops import unary_union

from plan2bim.model import Building
from plan2bim.tools.synth import labels, layout

__all__ = ["PdfSheet", "make_pdf_sheet"]

MM = 72.0 / 25.4
"""Points per millimetre of paper."""
PAGES_MM = {"A4": (297.0, 210.0), "A3": (420.0, 297.0), "A2": (594.0, 420.0), "A1": (841.0, 594.0)}
SCALES = (50, 75, 100, 125, 150, 200)
FONTS = ("Helvetica", "Helvetica-Bold", "Times-Roman", "Courier")
ROOM_WORDS = {
    "LivingRoom": "LIVING", "Kitchen": "KITCHEN", "Bedroom": "BEDROOM", "Bath": "BATH", "Toilet": "WC",
    "Sauna": "SAUNA", "Entry": "HALL", "Storage": "STORE", "Utility": "UTILITY", "Outdoor": "BALCONY",
}


@dataclass(frozen=True)
class SheetStyle:
    wall_pt: float
    """Wall outline weight."""
    thin_pt: float
    """Furniture, glazing, dimension and symbol weight (thinner than the walls)."""
    wall_fill: str
    """none, solid, grey, hatch."""
    hatch_deg: float
    hatch_mm: float
    window: str
    """centre, double, triple, box."""
    font: str
    names: bool
    dims: bool
    grid: bool
    angle_deg: float
    colour: bool
    """Walls and symbols in CAD colours rather than black."""


@dataclass(frozen=True)
class PdfSheet:
    id: str
    pdf: bytes
    building: Building
    """Ground truth in the plan page's pixels at ``dpi``."""
    scale: int
    """The printed 1:N."""
    page_mm: tuple[float, float]
    pages: int
    style: SheetStyle


def _style(rng: np.random.Generator) -> SheetStyle:
    wall = float(rng.choice([0.35, 0.5, 0.7, 1.0]))
    return SheetStyle(
        wall_pt=wall, thin_pt=float(rng.uniform(0.1, 0.25)),
        wall_fill=str(rng.choice(["none", "solid", "grey", "hatch"], p=[0.35, 0.2, 0.2, 0.25])),
        hatch_deg=float(rng.choice([45.0, 135.0, 30.0, 60.0])), hatch_mm=float(rng.uniform(0.6, 1.5)),
        window=str(rng.choice(["centre", "double", "triple", "box"])),
        font=str(rng.choice(FONTS)), names=bool(rng.random() < 0.85), dims=bool(rng.random() < 0.8),
        grid=bool(rng.random() < 0.5),
        angle_deg=float(rng.choice([0.0, 90.0, rng.uniform(5, 85)], p=[0.7, 0.1, 0.2])),
        colour=bool(rng.random() < 0.3),
    )


class _Pen:
    """Draws shapely geometry (already in page points, y up) on a reportlab canvas."""

    def __init__(self, c) -> None:
        self.c = c

    def lines(self, segs, width: float, colour=(0, 0, 0), dash=None) -> None:
        c = self.c
        c.setLineWidth(width)
        c.setStrokeColorRGB(*colour)
        c.setDash(dash or [])
        p = c.beginPath()
        for (x0, y0), (x1, y1) in segs:
            p.moveTo(x0, y0)
            p.lineTo(x1, y1)
        c.drawPath(p, stroke=1, fill=0)
        c.setDash([])

    def polygon(self, poly, width: float, stroke=(0, 0, 0), fill=None) -> None:
        c = self.c
        c.setLineWidth(width)
        c.setStrokeColorRGB(*stroke)
        if fill is not None:
            c.setFillColorRGB(*fill)
        p = c.beginPath()
        for g in _polys(poly):
            for ring in (g.exterior, *g.interiors):
                pts = list(ring.coords)[:-1]
                p.moveTo(*pts[0])
                for q in pts[1:]:
                    p.lineTo(*q)
                p.close()
        c.drawPath(p, stroke=1 if width > 0 else 0, fill=1 if fill is not None else 0, fillMode=0)

    def bezier_arc(self, centre, r: float, a0: float, a1: float, width: float, colour=(0, 0, 0)) -> None:
        """A circular arc from angle a0 to a1 (radians), as one cubic Bézier per quarter."""
        c = self.c
        c.setLineWidth(width)
        c.setStrokeColorRGB(*colour)
        n = max(1, int(math.ceil(abs(a1 - a0) / (math.pi / 2) - 1e-9)))
        da = (a1 - a0) / n
        k = 4 / 3 * math.tan(da / 4)
        p = c.beginPath()
        cx, cy = centre
        p.moveTo(cx + r * math.cos(a0), cy + r * math.sin(a0))
        for i in range(n):
            t0, t1 = a0 + i * da, a0 + (i + 1) * da
            p0 = np.array([math.cos(t0), math.sin(t0)])
            p3 = np.array([math.cos(t1), math.sin(t1)])
            c1 = p0 + k * np.array([-p0[1], p0[0]])
            c2 = p3 - k * np.array([-p3[1], p3[0]])
            p.curveTo(cx + r * c1[0], cy + r * c1[1], cx + r * c2[0], cy + r * c2[1], cx + r * p3[0], cy + r * p3[1])
        c.drawPath(p, stroke=1, fill=0)

    def text(self, s: str, x: float, y: float, size: float, font: str, centre: bool = True, angle: float = 0.0) -> None:
        c = self.c
        c.setFillColorRGB(0, 0, 0)
        c.setFont(font, size)
        c.saveState()
        c.translate(x, y)
        c.rotate(angle)
        if centre:
            c.drawCentredString(0, -size * 0.35, s)
        else:
            c.drawString(0, 0, s)
        c.restoreState()


def _polys(g) -> list[Polygon]:
    if isinstance(g, Polygon):
        return [] if g.is_empty else [g]
    return [p for p in getattr(g, "geoms", []) if isinstance(p, Polygon) and not p.is_empty]


def _fit(rng, parts: list[layout.Layout], angle: float) -> tuple[int, str, bool, Polygon]:
    """The printed scale and page: a scale drawn at random, then the smallest page it fits on."""
    outline = unary_union([p.outline.buffer(0.6) for p in parts])
    outline = affinity.rotate(outline, angle, origin=(0, 0))
    x0, y0, x1, y1 = outline.bounds
    w, h = x1 - x0 + 3.0, y1 - y0 + 3.0  # room for dimension chains and grid bubbles
    start = int(rng.integers(len(SCALES)))
    for n in SCALES[start:] + SCALES[:start][::-1]:
        for name in (["A4", "A3", "A2", "A1"] if rng.random() < 0.7 else ["A3", "A2", "A1"]):
            pw, ph = PAGES_MM[name]
            for land in (True, False):
                W, H = (pw, ph) if land else (ph, pw)
                # drawing area: inside a 10 mm frame, above a 40 mm title strip
                if w * 1000 / n <= W - 30 and h * 1000 / n <= H - 70:
                    return n, name, land, outline
    return 200, "A1", True, outline


def _title_block(pen: _Pen, W: float, H: float, n: int, title: str, st: SheetStyle, number: int) -> None:
    f = 10 * MM
    pen.polygon(box(f, f, W - f, H - f), 0.8)
    tb = box(W - f - 170 * MM, f, W - f, f + 36 * MM)
    pen.polygon(tb, 0.6)
    x0, y0, x1, y1 = tb.bounds
    rows = [y0 + 9 * MM, y0 + 18 * MM, y0 + 27 * MM]
    pen.lines([((x0, y), (x1, y)) for y in rows], 0.3)
    pen.lines([((x0 + 100 * MM, y0), (x0 + 100 * MM, rows[1]))], 0.3)
    pen.text("PLAN2BIM SYNTHETIC PROJECT", x0 + 3 * MM, rows[2] + 3 * MM, 9, st.font, centre=False)
    pen.text(title, x0 + 3 * MM, rows[1] + 3 * MM, 10, st.font, centre=False)
    pen.text(f"SCALE 1:{n}", x0 + 3 * MM, rows[0] + 3 * MM, 8, st.font, centre=False)
    pen.text(f"DRAWING NO. A-{100 + number}", x0 + 3 * MM, y0 + 3 * MM, 8, st.font, centre=False)
    pen.text("DATE 2026-12-03", x0 + 103 * MM, y0 + 3 * MM, 7, st.font, centre=False)


def _hatch(poly, spacing: float, deg: float) -> list:
    x0, y0, x1, y1 = poly.bounds
    d = math.hypot(x1 - x0, y1 - y0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    u = np.array([math.cos(math.radians(deg)), math.sin(math.radians(deg))])
    v = np.array([-u[1], u[0]])
    out = []
    for k in np.arange(-d / 2, d / 2, spacing):
        a = np.array([cx, cy]) + v * k - u * d
        b = np.array([cx, cy]) + v * k + u * d
        g = LineString([a, b]).intersection(poly)
        for ln in getattr(g, "geoms", [g]):
            if isinstance(ln, LineString) and not ln.is_empty and ln.length > 0:
                cs = list(ln.coords)
                out.append((cs[0], cs[-1]))
    return out


def _affine(M: np.ndarray, g):
    return affinity.affine_transform(g, [M[0, 0], M[0, 1], M[1, 0], M[1, 1], M[0, 2], M[1, 2]])


def _pt(M: np.ndarray, p) -> np.ndarray:
    return M[:2, :2] @ np.asarray(p, float) + M[:2, 2]


def _draw_plan(pen: _Pen, parts: list[layout.Layout], M: np.ndarray, k: float, st: SheetStyle, rng) -> None:
    wall_col = (0.0, 0.0, 0.0) if not st.colour else (0.1, 0.1, 0.55)
    sym_col = (0.0, 0.0, 0.0) if not st.colour else (0.6, 0.1, 0.1)
    for lay in parts:
        region = _affine(M, unary_union([fp.buffer(0) for fp in lay.cut_footprints()]))
        fill = {"solid": (0.0, 0.0, 0.0), "grey": (0.6, 0.6, 0.6)}.get(st.wall_fill)
        pen.polygon(region, st.wall_pt, wall_col, fill)
        if st.wall_fill == "hatch":
            pen.lines(_hatch(region, st.hatch_mm * MM, st.hatch_deg), st.thin_pt, wall_col)
        for op in lay.openings:
            _draw_opening(pen, lay.walls[op.wall], op, M, k, st, sym_col)
        for fx in lay.fixtures:
            _draw_fixture(pen, fx, M, st)


def _draw_opening(pen: _Pen, w: layout.WallSpec, op: layout.OpeningSpec, M, k, st: SheetStyle, col) -> None:
    t = w.thickness / 2
    P = lambda o, a: _pt(M, w.point(op.offset + o, a))  # noqa: E731
    h = op.width / 2
    if op.kind == "window":
        if st.window == "centre":
            acr = [0.0]
        elif st.window == "double":
            acr = [-t / 4, t / 4]
        elif st.window == "triple":
            acr = [-t, 0.0, t]
        else:
            acr = []
            pen.polygon(Polygon([P(-h, -t / 3), P(h, -t / 3), P(h, t / 3), P(-h, t / 3)]), st.thin_pt, col)
        pen.lines([(P(-h, a), P(h, a)) for a in acr], st.thin_pt, col)
        return
    if op.style == "sliding":
        pen.polygon(Polygon([P(-h, -t / 2), P(0.1, -t / 2), P(0.1, 0), P(-h, 0)]), st.thin_pt, col)
        pen.polygon(Polygon([P(-0.1, 0), P(h, 0), P(h, t / 2), P(-0.1, t / 2)]), st.thin_pt, col)
        return
    leaves = [(op.hinge_at_start, op.width)] if op.style == "swing" else [(True, op.width / 2), (False, op.width / 2)]
    for at_start, r in leaves:
        s = -1 if at_start else 1
        hinge = P(s * h, op.side * t)
        tip = _pt(M, w.point(op.offset + s * h, op.side * (t + r)))
        pen.lines([(hinge, tip)], st.thin_pt * 1.5, col)
        far = _pt(M, w.point(op.offset + s * h - s * r, op.side * t))
        a0 = math.atan2(*(tip - hinge)[::-1])
        a1 = math.atan2(*(far - hinge)[::-1])
        da = (a1 - a0 + math.pi) % (2 * math.pi) - math.pi
        pen.bezier_arc(hinge, r * k, a0, a0 + da, st.thin_pt, col)


def _draw_fixture(pen: _Pen, fx: layout.Fixture, M, st: SheetStyle) -> None:
    poly = _affine(M, fx.polygon())
    pen.polygon(poly, st.thin_pt)
    w, d = fx.size
    sc = math.sqrt(abs(np.linalg.det(M[:2, :2])))
    if fx.kind in ("toilet", "basin", "tub", "shower"):
        pen.polygon(_affine(M, affinity.scale(fx.polygon(), 0.6, 0.6)).buffer(min(w, d) * sc * 0.1), st.thin_pt)
    elif fx.kind == "stairs":
        ang = math.radians(fx.angle)
        u = np.array([math.cos(ang), math.sin(ang)])
        v = np.array([-u[1], u[0]])
        segs = []
        for s in np.arange(-w / 2 + 0.28, w / 2, 0.28):
            a = np.asarray(fx.center) + u * s - v * d / 2
            b = np.asarray(fx.center) + u * s + v * d / 2
            segs.append((_pt(M, a), _pt(M, b)))
        pen.lines(segs, st.thin_pt)
    elif fx.kind in ("bed", "sofa", "table"):
        pen.polygon(_affine(M, affinity.scale(fx.polygon(), 0.85, 0.85)), st.thin_pt * 0.8)


def _draw_dims(pen: _Pen, lay_outline: Polygon, M: np.ndarray, k: float, st: SheetStyle) -> None:
    """Dimension chains under and left of the building (in the plan frame), ticks and values."""
    x0, y0, x1, y1 = lay_outline.bounds
    xs = sorted({round(x, 3) for x, _ in lay_outline.exterior.coords})
    ys = sorted({round(y, 3) for _, y in lay_outline.exterior.coords})
    for axis, vals, base in ((0, xs, y0 - 1.2), (1, ys, x0 - 1.2)):
        for lvl, vs in enumerate((vals, [vals[0], vals[-1]])):
            off = base - lvl * 0.9  # the overall chain 0.9 m outside the first
            pts = [(v, off) if axis == 0 else (off, v) for v in vs]
            line = [(_pt(M, pts[0]), _pt(M, pts[-1]))]
            ticks = []
            for p in pts:
                p = np.asarray(p)
                d = np.array([0.12, 0.12])
                ticks.append((_pt(M, p - d), _pt(M, p + d)))
            pen.lines(line + ticks, st.thin_pt)
            for a, b in zip(pts, pts[1:], strict=False):
                mid = (np.asarray(a) + np.asarray(b)) / 2 + (np.array([0, 0.15]) if axis == 0 else np.array([-0.15, 0]))
                q = _pt(M, mid)
                ang = math.degrees(math.atan2(M[1, 0], M[0, 0])) + (90 if axis == 1 else 0)
                pen.text(f"{round((b[axis] - a[axis]) * 1000):d}", q[0], q[1], 6, st.font, angle=ang)


def _draw_grid(pen: _Pen, outline: Polygon, M: np.ndarray, k: float, st: SheetStyle) -> None:
    x0, y0, x1, y1 = outline.bounds
    xs = sorted({round(x, 3) for x, _ in outline.exterior.coords})
    ys = sorted({round(y, 3) for _, y in outline.exterior.coords})
    r_pt = 4 * MM
    segs = []
    for i, x in enumerate(xs):
        a, b = _pt(M, (x, y0 - 2.6)), _pt(M, (x, y1 + 0.8))
        segs.append((a, b))
        pen.polygon(Polygon([(a[0] + r_pt * math.cos(t), a[1] + r_pt * math.sin(t)) for t in np.linspace(0, 2 * math.pi, 24)[:-1]]).buffer(0), st.thin_pt)
        pen.text(str(i + 1), a[0], a[1], 7, st.font)
    for j, y in enumerate(ys):
        a, b = _pt(M, (x0 - 2.6, y)), _pt(M, (x1 + 0.8, y))
        segs.append((a, b))
        pen.polygon(Polygon([(a[0] + r_pt * math.cos(t), a[1] + r_pt * math.sin(t)) for t in np.linspace(0, 2 * math.pi, 24)[:-1]]).buffer(0), st.thin_pt)
        pen.text("ABCDEFGHJKLMNP"[j % 14], a[0], a[1], 7, st.font)
    pen.lines(segs, st.thin_pt, (0.3, 0.3, 0.3), dash=[6, 2, 1, 2])


def _other_page(pen: _Pen, W: float, H: float, kind: str, rng, st: SheetStyle) -> None:
    """An elevation, section or schedule page (never a storey)."""
    f = 25 * MM
    if kind == "schedule":
        rows, cols = int(rng.integers(6, 14)), 6
        x0, y1 = f, H - f
        cw, rh = 35 * MM, 8 * MM
        pen.lines([((x0, y1 - i * rh), (x0 + cols * cw, y1 - i * rh)) for i in range(rows + 1)]
                  + [((x0 + j * cw, y1), (x0 + j * cw, y1 - rows * rh)) for j in range(cols + 1)], 0.4)
        for i in range(rows):
            for j in range(cols):
                pen.text(["D", "W"][i % 2] + str(i + 1) if j == 0 else f"{int(rng.integers(6, 25)) * 100}",
                         x0 + j * cw + cw / 2, y1 - i * rh - rh / 2, 7, st.font)
        return
    # an elevation or a section: ground line, walls as tall rectangles, windows as boxes
    gx0, gx1, gy = f, W - f - 60 * MM, 60 * MM
    pen.lines([((gx0, gy), (gx1, gy))], 1.2)
    bx0, bx1 = gx0 + 20 * MM, gx1 - 20 * MM
    top = gy + float(rng.uniform(40, 70)) * MM
    pen.polygon(box(bx0, gy, bx1, top), st.wall_pt)
    pen.polygon(Polygon([(bx0 - 5 * MM, top), (bx1 + 5 * MM, top), ((bx0 + bx1) / 2, top + 25 * MM)]), st.wall_pt)
    for x in np.arange(bx0 + 15 * MM, bx1 - 20 * MM, 35 * MM):
        pen.polygon(box(x, gy + 12 * MM, x + 15 * MM, gy + 28 * MM), st.thin_pt)
    if kind == "section":
        pen.polygon(box(bx0, gy, bx0 + 2 * MM, top), st.wall_pt, fill=(0, 0, 0))
        pen.polygon(box(bx1 - 2 * MM, gy, bx1, top), st.wall_pt, fill=(0, 0, 0))


def make_pdf_sheet(index: int, seed: int = 0, dpi: int = 150) -> PdfSheet:
    """Sheet ``index`` of the set made with ``seed``: pure, nothing written."""
    from reportlab.pdfgen import canvas

    from plan2bim.model import content_hash

    rng = np.random.default_rng([int(seed), int(index), 7])
    parts = layout.make_sheet(rng, density=float(rng.uniform(0.4, 1.0)), extra_part=0.1)
    st = _style(rng)
    n, page, land, outline = _fit(rng, parts, st.angle_deg)
    pw, ph = PAGES_MM[page]
    W, H = ((pw, ph) if land else (ph, pw))
    W, H = W * MM, H * MM
    k = 1000.0 / n * MM  # points per metre
    # plan metres -> page points (y up): turn, scale, centre in the drawing area
    a = math.radians(st.angle_deg)
    R = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]]) * k
    x0, y0, x1, y1 = outline.bounds
    cx, cy = (x0 + x1) / 2 * k, (y0 + y1) / 2 * k
    M = np.eye(3)
    M[:2, :2] = R
    M[:2, 2] = [W / 2 - cx, (H + 36 * MM) / 2 - cy]
    others = []
    if rng.random() < 0.3:
        others = list(rng.choice(["elevation", "section", "schedule"], size=int(rng.integers(1, 3)), replace=False))

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(W, H), invariant=1, pageCompression=1)
    c.setTitle(f"plan2bim synthetic sheet {index:06d}")
    pen = _Pen(c)
    _draw_plan(pen, parts, M, k, st, rng)
    if st.dims:
        _draw_dims(pen, parts[0].outline, M, k, st)
    if st.grid:
        _draw_grid(pen, parts[0].outline, M, k, st)
    if st.names:
        ang = st.angle_deg if abs(((st.angle_deg + 90) % 180) - 90) < 45 else 0.0
        for lay in parts:
            for r in lay.rooms:
                if r.polygon is None or r.polygon.area < 1.2:
                    continue
                p = _pt(M, r.polygon.representative_point().coords[0])
                pen.text(ROOM_WORDS.get(r.kind, r.kind.upper()), p[0], p[1], 7 if n <= 100 else 5, st.font, angle=ang)
    _title_block(pen, W, H, n, "GROUND FLOOR PLAN", st, 1)
    c.showPage()
    for i, kind in enumerate(others):
        title = {"elevation": "NORTH ELEVATION", "section": "SECTION A-A", "schedule": "DOOR SCHEDULE"}[kind]
        c.setPageSize((W, H))
        _other_page(pen, W, H, kind, rng, st)
        _title_block(pen, W, H, n, title, st, i + 2)
        c.showPage()
    c.save()
    pdf = buf.getvalue()

    # ground truth on the plan page rendered at dpi: pixels = points * dpi / 72, y down
    s = dpi / 72.0
    size = (math.ceil(W * s - 1e-6), math.ceil(H * s - 1e-6))  # renderers round the page up
    flip = np.array([[s, 0, 0], [0, -s, H * s], [0, 0, 1]])
    to_img = flip @ M
    pid = f"{index:06d}"
    b = replace(labels.building(parts, to_img, size, content_hash(pdf), pid), source=f"{pid}.pdf")
    return PdfSheet(pid, pdf, b, n, (pw, ph) if land else (ph, pw), 1 + len(others), st)

