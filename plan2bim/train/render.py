"""A quick drawing of ``plan2bim.synth`` layouts into training pairs (page image, class mask).

The training set normally comes from ``plan2bim synth``; this renderer draws the same layouts in
a few common styles (solid, grey, hatched or outlined walls; door leaves and swings; window
glazing lines; fixtures, room names, dimension lines) straight to ``images/`` and ``masks/``,
so that training works whichever of the two is at hand. Masks: 0 paper, 1 wall (openings cut
out), 2 door, 3 window, each opening as its rectangle in the wall, as the real data sets draw it.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

FONT = cv2.FONT_HERSHEY_SIMPLEX
STYLES = ("solid", "solid", "grey", "hatch", "outline")


def render(layouts, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(grey uint8 page, uint8 class mask) of one sheet (a list of synth layouts)."""
    s = float(rng.uniform(40, 120))  # px per metre
    margin = float(rng.uniform(0.6, 2.0))
    x0 = min(lay.outline.bounds[0] for lay in layouts)
    y0 = min(lay.outline.bounds[1] for lay in layouts)
    x1 = max(lay.outline.bounds[2] for lay in layouts)
    y1 = max(lay.outline.bounds[3] for lay in layouts)
    w, h = int((x1 - x0 + 2 * margin) * s), int((y1 - y0 + 2 * margin) * s)

    def px(p) -> np.ndarray:
        p = np.asarray(p, np.float64).reshape(-1, 2)
        return np.column_stack([(p[:, 0] - x0 + margin) * s, (y1 - p[:, 1] + margin) * s])

    def poly(g) -> list[np.ndarray]:
        geoms = getattr(g, "geoms", [g])
        return [np.round(px(q.exterior.coords) * 16).astype(np.int32) for q in geoms if not q.is_empty]

    img = np.full((h, w), 255, np.uint8)
    mask = np.zeros((h, w), np.uint8)
    style = STYLES[int(rng.integers(len(STYLES)))]
    ink = int(rng.integers(0, 70))
    lw = max(1, int(round(s / 60)))  # thin line width
    for lay in layouts:
        walls = np.zeros((h, w), np.uint8)
        for wall in lay.walls:
            cv2.fillPoly(walls, poly(wall.footprint()), 1, cv2.LINE_8, shift=4)
        cuts = np.zeros((h, w), np.uint8)
        for o in lay.openings:
            cv2.fillPoly(cuts, poly(o.rect(lay.walls[o.wall])), 2 if o.kind == "door" else 3, cv2.LINE_8, shift=4)
        wall_only = (walls > 0) & (cuts == 0)
        mask[wall_only] = 1
        mask[cuts > 0] = cuts[cuts > 0]
        _draw_walls(img, wall_only, style, ink, lw, rng)
        for f in lay.fixtures:
            if rng.random() < 0.8:
                cv2.polylines(img, poly(f.polygon()), True, ink + 40, lw, cv2.LINE_AA, shift=4)
        for o in lay.openings:
            _draw_opening(img, o, lay.walls[o.wall], px, ink, lw, rng)
        for r in lay.rooms:
            if rng.random() < 0.7:
                c = px(r.cell.representative_point().coords)[0]
                scale = s / 150 * rng.uniform(0.6, 1.2)
                cv2.putText(img, r.kind[:10].upper() if rng.random() < 0.5 else r.kind[:10], (int(c[0]) - 30, int(c[1])),
                            FONT, scale, ink, max(1, lw), cv2.LINE_AA)
                if rng.random() < 0.5:
                    cv2.putText(img, f"{r.cell.area:.1f} m2", (int(c[0]) - 25, int(c[1] + 25 * scale * 1.3)),
                                FONT, scale * 0.8, ink, 1, cv2.LINE_AA)
    if rng.random() < 0.6:
        _dimensions(img, px, (x0, y0, x1, y1), ink, rng, s)
    return img, mask


def _draw_walls(img, wall: np.ndarray, style: str, ink: int, lw: int, rng) -> None:
    m = wall.astype(np.uint8)
    edge = cv2.morphologyEx(m, cv2.MORPH_GRADIENT, np.ones((lw + 1, lw + 1), np.uint8)) > 0
    if style == "solid":
        img[wall] = ink
    elif style == "grey":
        img[wall] = int(rng.integers(90, 190))
        img[edge & wall] = ink
    elif style == "hatch":
        h, w = img.shape
        yy, xx = np.mgrid[:h, :w]
        period = int(rng.integers(4, 9))
        img[wall & (((xx + yy) % period) < max(1, lw))] = ink
        img[edge & wall] = ink
    else:
        img[edge & wall] = ink


def _draw_opening(img, o, wall, px, ink, lw, rng) -> None:
    t = wall.thickness / 2
    ends = [wall.point(o.offset + a * o.width / 2, 0) for a in (-1, 1)]
    for e in ends:  # jambs
        a, b = px([e - wall.n * t, e + wall.n * t])
        cv2.line(img, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), ink, lw, cv2.LINE_AA)
    if o.kind == "window":
        k = int(rng.integers(1, 4))
        for f in np.linspace(-t, t, k + 2)[1:-1] if k > 1 else [0.0]:
            a, b = px([ends[0] + wall.n * f, ends[1] + wall.n * f])
            cv2.line(img, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), ink, lw, cv2.LINE_AA)
        if rng.random() < 0.5:  # sill lines on the wall faces
            for f in (-t, t):
                a, b = px([ends[0] + wall.n * f, ends[1] + wall.n * f])
                cv2.line(img, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), ink, lw, cv2.LINE_AA)
        return
    if rng.random() < 0.5:  # many drawings run the wall faces (or a threshold) across doorways,
        # so that only the leaf and swing tell a door from a window
        for f in ((-t, t) if rng.random() < 0.7 else (0.0,)):
            a, b = px([ends[0] + wall.n * f, ends[1] + wall.n * f])
            cv2.line(img, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), ink, lw, cv2.LINE_AA)
    if o.style == "sliding":
        for f, sh in ((-t / 3, 0.0), (t / 3, o.width / 3)):
            a, b = px([ends[0] + wall.n * f + wall.u * sh, ends[1] + wall.n * f - wall.u * (o.width / 3 - sh)])
            cv2.line(img, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), ink, lw + 1, cv2.LINE_AA)
        return
    leaves = [(o.hinge_at_start, o.width)] if o.style == "swing" else [(True, o.width / 2), (False, o.width / 2)]
    for at_start, r in leaves:
        d = wall.u * (1 if at_start else -1)
        hinge = wall.point(o.offset + (-1 if at_start else 1) * o.width / 2, o.side * t)
        nn = wall.n * o.side
        th = np.linspace(0, np.pi / 2, 24)
        arc = hinge + r * (np.cos(th)[:, None] * nn + np.sin(th)[:, None] * d)
        cv2.polylines(img, [np.round(px(arc)).astype(np.int32)], False, ink, lw, cv2.LINE_AA)
        a, b = px([hinge, hinge + nn * r])
        cv2.line(img, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), ink, lw + 1, cv2.LINE_AA)


def _dimensions(img, px, bounds, ink, rng, s) -> None:
    x0, y0, x1, y1 = bounds
    off = rng.uniform(0.3, 0.5)
    for a, b in (((x0, y0 - off), (x1, y0 - off)), ((x1 + off, y0), (x1 + off, y1))):
        p, q = np.round(px([a, b])).astype(int)
        cv2.line(img, tuple(p), tuple(q), ink, 1, cv2.LINE_AA)
        for e in (p, q):
            cv2.circle(img, tuple(e), 2, ink, -1)
        m = (p + q) // 2
        cv2.putText(img, f"{np.hypot(*(np.subtract(b, a))) * 1000:.0f}", (int(m[0]) - 20, int(m[1]) - 5),
                    FONT, s / 250, ink, 1, cv2.LINE_AA)


def write_dataset(out: Path, n: int, seed: int = 0, start: int = 0) -> Path:
    """Draw ``n`` sheets into ``out/images`` and ``out/masks`` (ids ``start`` to ``start + n - 1``)."""
    from ..synth.layout import make_sheet

    out = Path(out)
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "masks").mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        rng = np.random.default_rng((seed, i))
        try:
            img, mask = render(make_sheet(rng), rng)
        except Exception:  # noqa: BLE001 -- a layout the generator could not finish: draw another
            continue
        cv2.imwrite(str(out / "images" / f"{i:05d}.png"), img)
        cv2.imwrite(str(out / "masks" / f"{i:05d}.png"), mask)
    return out
