"""Scan degradations: what printing, annotating by hand, scanning and compressing do to a clean drawing.

Three steps, in the order they happen to a real plan: :func:`annotate` (handwriting, stamps,
marks in coloured ink, on the page), :func:`warp` (the page lands on the scanner skewed or
turned, and is scanned at some resolution; the only step that moves pixels, so it returns the
affine that the ground truth must follow) and :func:`scan` (blur, uneven lighting, paper tone,
noise, faded toner, JPEG, now and then a light-on-dark blueprint).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

__all__ = ["annotate", "degrade", "scan", "warp"]

_INK = [(25, 45, 160), (20, 60, 190), (15, 15, 20), (190, 20, 25), (30, 30, 120)]
_WORDS = ["kaapit", "Lasitettu parveke", "2 krs", "1 krs", "varasto", "takka", "Ei huoneistoselitelmää", "poistettu",
          "uusi", "yksi nivel", "ovi", "kylpyamme", "vaatehuone", "OK", "5,2 m", "2,40", "n. 60 m²", "avattu",
          "lattialämmitys", "kph remontoitu 2015", "kaappi pois", "ikkuna", "lasitettu", "Parveke"]


def _handwriting(img: np.ndarray, rng: np.random.Generator, scale: float) -> None:
    """A note by hand: a word in a font, slanted and wobbled, or an illegible cursive scrawl."""
    h, w = img.shape[:2]
    size = max(8, int(scale * float(rng.uniform(0.18, 0.35))))
    if rng.random() < 0.55:
        from PIL import Image, ImageDraw

        from plan2bim.tools.synth.render import FONTS, _font

        txt = str(rng.choice(_WORDS))
        f = _font(str(rng.choice(FONTS)), size)
        box = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), txt, font=f)
        pw, ph = box[2] + size, box[3] + size
        im = Image.new("L", (pw, ph), 0)
        ImageDraw.Draw(im).text((size // 2, size // 4), txt, fill=255, font=f)
        patch = np.asarray(im)
        # slant, then a wavy baseline and wobbly strokes
        shear = float(rng.uniform(-0.35, 0.1))
        patch = cv2.warpAffine(patch, np.float32([[1, shear, -shear * ph / 2], [0, 1, 0]]), (pw, ph))
        yy, xx = np.mgrid[0:ph, 0:pw].astype(np.float32)
        amp, per = float(rng.uniform(0.5, 2.5)), float(rng.uniform(20, 60))
        mx = xx + np.sin(yy / 7 + float(rng.uniform(0, 6))) * 0.8
        my = yy + amp * np.sin(xx / per + float(rng.uniform(0, 6)))
        patch = cv2.remap(patch, mx, my, cv2.INTER_LINEAR)
    else:
        patch = _cursive(rng, size)
        ph, pw = patch.shape
    ang = float(rng.normal(0, 10))
    M = cv2.getRotationMatrix2D((pw / 2, ph / 2), ang, 1.0)
    patch = cv2.warpAffine(patch, M, (pw, ph))
    if pw >= w or ph >= h:
        return
    x, y = int(rng.integers(0, w - pw)), int(rng.integers(0, h - ph))
    _ink(img[y:y + ph, x:x + pw], patch, _INK[int(rng.integers(len(_INK)))])


def _cursive(rng: np.random.Generator, size: int) -> np.ndarray:
    """Joined-up loops of varying height, broken into words: handwriting nobody can read."""
    letters = int(rng.integers(5, 22))
    per = 24
    t = np.linspace(0, letters * 2 * np.pi, letters * per)
    amp = np.repeat(rng.uniform(0.25, 0.5, letters) * np.where(rng.random(letters) < 0.25, 2.0, 1.0), per) * size
    step = size * float(rng.uniform(0.35, 0.55))
    x = t / (2 * np.pi) * step + 0.35 * amp * np.cos(t + np.pi / 2)
    y = -0.5 * amp * (1 - np.cos(t)) + np.cumsum(rng.normal(0, 0.15, t.size))
    x += np.cumsum(np.where(rng.random(t.size) < 0.01, step, 0.0))  # gaps between words
    pts = np.stack([x - x.min() + size, y - y.min() + size], 1)
    ph, pw = int(pts[:, 1].max()) + size, int(pts[:, 0].max()) + size
    patch = np.zeros((ph, pw), np.uint8)
    th = max(1, int(round(size / 18)))
    breaks = np.flatnonzero(np.diff(x) > step * 0.8)
    for seg in np.split(pts, breaks + 1):
        if len(seg) > 1:
            cv2.polylines(patch, [np.round(seg * 4).astype(np.int32)], False, 255, th, cv2.LINE_AA, 2)
    return patch


def _ink(region: np.ndarray, alpha: np.ndarray, color) -> None:
    a = alpha.astype(np.float32)[..., None] / 255.0 * 0.9
    region[:] = (region * (1 - a) + np.asarray(color, np.float32) * a).astype(np.uint8)


def _scribble(img: np.ndarray, rng: np.random.Generator, scale: float) -> None:
    """Strokes by hand: hatching over a cupboard, an X over a fixture, an arrow, a wavy line."""
    h, w = img.shape[:2]
    layer = np.zeros((h, w), np.uint8)
    kind = rng.choice(["hatch", "x", "arrow", "line", "circle"])
    cx, cy = float(rng.uniform(0.1, 0.9) * w), float(rng.uniform(0.1, 0.9) * h)
    size = scale * float(rng.uniform(0.4, 1.5))
    th = max(1, int(round(scale / 60)))
    if kind == "hatch":
        for k in range(int(rng.integers(6, 20))):
            x = cx + k * size / 12
            pts = np.array([[x + rng.normal(0, 2), cy + rng.normal(0, 3)], [x + rng.normal(0, 3), cy + size * 0.5 + rng.normal(0, 3)]])
            cv2.polylines(layer, [pts.astype(np.int32)], False, 255, th, cv2.LINE_AA)
        cv2.rectangle(layer, (int(cx), int(cy)), (int(cx + size * 20 / 12), int(cy + size * 0.5)), 255, th, cv2.LINE_AA)
    elif kind == "x":
        for s in (1, -1):
            cv2.line(layer, (int(cx - size / 3), int(cy - s * size / 3)), (int(cx + size / 3), int(cy + s * size / 3)),
                     255, th + 1, cv2.LINE_AA)
    elif kind == "arrow":
        ang = rng.uniform(0, 2 * np.pi)
        ex, ey = cx + size * math.cos(ang), cy + size * math.sin(ang)
        cv2.arrowedLine(layer, (int(cx), int(cy)), (int(ex), int(ey)), 255, th, cv2.LINE_AA, 0, 0.15)
    elif kind == "line":
        t = np.linspace(0, 1, 30)
        ang = rng.uniform(0, 2 * np.pi)
        L = size * 3
        xs = cx + L * t * math.cos(ang) + np.cumsum(rng.normal(0, 1.2, 30))
        ys = cy + L * t * math.sin(ang) + np.cumsum(rng.normal(0, 1.2, 30))
        cv2.polylines(layer, [np.stack([xs, ys], 1).astype(np.int32)], False, 255, th + 1, cv2.LINE_AA)
    else:
        cv2.ellipse(layer, (int(cx), int(cy)), (int(size / 2), int(size / 3)), float(rng.uniform(0, 180)), 0,
                    float(rng.uniform(300, 360)), 255, th, cv2.LINE_AA)
    _ink(img, layer, _INK[int(rng.integers(len(_INK)))])


def _stamp(img: np.ndarray, rng: np.random.Generator, scale: float) -> None:
    h, w = img.shape[:2]
    layer = np.zeros((h, w), np.uint8)
    cx, cy = int(rng.uniform(0.15, 0.85) * w), int(rng.uniform(0.1, 0.9) * h)
    r = int(scale * rng.uniform(0.5, 0.9))
    th = max(1, int(scale / 50))
    txt = str(rng.choice(["HYVÄKSYTTY", "KOPIO", "ARKISTO", "RAKENNUSVALVONTA", "COPY", "2014"]))
    fs = r / 60
    (tw, tht), _ = cv2.getTextSize(txt, cv2.FONT_HERSHEY_DUPLEX, fs, th)
    if rng.random() < 0.5:
        cv2.circle(layer, (cx, cy), r, 255, th, cv2.LINE_AA)
        cv2.circle(layer, (cx, cy), int(r * 0.8), 255, max(1, th // 2), cv2.LINE_AA)
    else:
        cv2.rectangle(layer, (cx - tw // 2 - 8, cy - tht - 8), (cx + tw // 2 + 8, cy + 8), 255, th, cv2.LINE_AA)
    cv2.putText(layer, txt, (cx - tw // 2, cy), cv2.FONT_HERSHEY_DUPLEX, fs, 255, th, cv2.LINE_AA)
    _ink(img, layer, [(200, 30, 40), (40, 60, 170), (120, 30, 140)][int(rng.integers(3))])


def _logo(img: np.ndarray, rng: np.random.Generator, scale: float) -> None:
    h, w = img.shape[:2]
    txt, color = [("CUBICASA", (200, 200, 200)), ("HUOM!", (30, 50, 140)), ("RE/MAX", (200, 30, 40)),
                  ("oikotie.fi / asunnot", (150, 150, 150)), ("virtualdesign.fi", (60, 60, 60))][int(rng.integers(5))]
    fs = scale * float(rng.uniform(0.3, 0.6)) / 22
    th = max(1, int(fs * 2))
    (tw, tht), _ = cv2.getTextSize(txt, cv2.FONT_HERSHEY_DUPLEX, fs, th)
    if tw + 10 >= w or tht + 10 >= h:
        return
    x = int(rng.choice([5, w - tw - 5]))
    y = int(rng.choice([tht + 5, h - 5]))
    cv2.putText(img, txt, (x, y), cv2.FONT_HERSHEY_DUPLEX, fs, color, th, cv2.LINE_AA)


def annotate(img: np.ndarray, rng: np.random.Generator, family: str, px_per_m: float) -> None:
    """What people add to a printed plan: handwriting, marks and stamps in coloured ink (in place)."""
    if family == "r3d":
        if rng.random() < 0.05:
            _logo(img, rng, px_per_m)
        return
    if rng.random() < 0.3:
        for _ in range(int(rng.integers(1, 4))):
            _handwriting(img, rng, px_per_m)
    if rng.random() < 0.2:
        for _ in range(int(rng.integers(1, 3))):
            _scribble(img, rng, px_per_m)
    if rng.random() < 0.04:
        _stamp(img, rng, px_per_m)
    if rng.random() < 0.12:
        _logo(img, rng, px_per_m)


def warp(img: np.ndarray, rng: np.random.Generator, family: str, paper=(255, 255, 255), *,
         angle: float | None = None, factor: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Skew, turn and rescale the page as a scan does; returns the image and the 3x3 affine it applied.

    ``angle`` (degrees, counter-clockwise) and ``factor`` (resize) override the random draw.
    """
    h, w = img.shape[:2]
    if family == "r3d":
        f = float(rng.uniform(430, 620)) / max(h, w)
        skew = float(rng.normal(0, 0.5)) if rng.random() < 0.15 else 0.0
        quarter = 0
    else:
        f = 1.0 if rng.random() < 0.75 else float(rng.uniform(0.75, 1.0))
        skew = float(rng.normal(0, 0.25)) if rng.random() < 0.55 else float(rng.uniform(-3, 3))
        quarter = int(rng.choice([1, 2, 3])) if rng.random() < 0.12 else 0
    if angle is not None:
        skew, quarter = float(angle), 0
    if factor is not None:
        f = float(factor)
    if f != 1.0:
        img = cv2.resize(img, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    S = np.array([[img.shape[1] / w, 0, 0], [0, img.shape[0] / h, 0], [0, 0, 1]])
    turn = skew + 90 * quarter
    if abs(turn) < 1e-9:
        return img, S
    h2, w2 = img.shape[:2]
    R = cv2.getRotationMatrix2D((w2 / 2, h2 / 2), turn, 1.0)
    c, s = abs(R[0, 0]), abs(R[0, 1])
    nw, nh = int(math.ceil(h2 * s + w2 * c - 1e-6)), int(math.ceil(h2 * c + w2 * s - 1e-6))
    R[0, 2] += nw / 2 - w2 / 2
    R[1, 2] += nh / 2 - h2 / 2
    out = cv2.warpAffine(img, R, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=paper)
    return out, np.vstack([R, [0, 0, 1]]) @ S


def scan(img: np.ndarray, rng: np.random.Generator, family: str) -> np.ndarray:
    """Photometric damage of printing and scanning (no pixel moves)."""
    h, w = img.shape[:2]
    out = img
    digital = family == "r3d" or rng.random() < 0.25  # exported straight from CAD, never printed
    if not digital and rng.random() < 0.3:  # low scan resolution
        f = float(rng.uniform(0.45, 0.8))
        small = cv2.resize(out, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
        out = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    if not digital and rng.random() < 0.15:  # toner spread or thinning
        k = np.ones((2, 2), np.uint8)
        out = cv2.erode(out, k) if rng.random() < 0.6 else cv2.dilate(out, k)
    if rng.random() < (0.6 if not digital else 0.25):
        out = cv2.GaussianBlur(out, (0, 0), float(rng.uniform(0.3, 1.1 if not digital else 0.6)))
    f32 = out.astype(np.float32)
    if not digital:
        if rng.random() < 0.35:  # faded toner: black prints grey
            a = float(rng.uniform(0.05, 0.3))
            f32 = f32 * (1 - a) + 255 * a
        # uneven lighting and paper tone: a smooth field from a coarse random grid
        g = rng.uniform(float(rng.uniform(0.86, 0.97)), 1.0, size=(3, 3)).astype(np.float32) if rng.random() < 0.6 else np.ones((3, 3), np.float32)
        field = cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC)
        tint = np.array([1.0, rng.uniform(0.975, 1.0), rng.uniform(0.93, 1.0)], np.float32) if rng.random() < 0.25 else np.ones(3, np.float32)
        f32 = f32 * field[..., None] * tint
        if rng.random() < 0.6:
            sigma = float(rng.uniform(2, 9))
            f32 += rng.standard_normal((h, w, 1), dtype=np.float32) * np.float32(sigma)
        if rng.random() < 0.3:  # dust specks
            n = int(h * w * rng.uniform(2e-5, 2e-4))
            ys, xs = rng.integers(0, h, n), rng.integers(0, w, n)
            f32[ys, xs] = rng.uniform(0, 120, size=(n, 1))
    out = np.clip(f32, 0, 255).astype(np.uint8)
    if not digital and rng.random() < 0.06:  # the scanner lid's shadow along one edge
        k = int(rng.integers(3, max(4, min(h, w) // 40)))
        edge = int(rng.integers(4))
        sl = [np.s_[:k, :], np.s_[-k:, :], np.s_[:, :k], np.s_[:, -k:]][edge]
        out[sl] = (out[sl] * float(rng.uniform(0.1, 0.5))).astype(np.uint8)
    if family != "r3d" and rng.random() < 0.03:  # a blueprint: light lines on blue
        lum = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(np.float32)[..., None] / 255.0
        blue = np.array(rng.choice([(20, 50, 120), (10, 30, 80), (30, 70, 140)]), np.float32)
        line = np.array([235, 240, 250], np.float32)
        out = (blue * lum + line * (1 - lum)).astype(np.uint8)
    q = None
    if family == "r3d":
        q = int(rng.integers(45, 92))
    elif rng.random() < 0.6:
        q = int(rng.integers(30, 95))
    if q is not None:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])
        out = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    return out


def degrade(img: np.ndarray, rng: np.random.Generator, family: str, px_per_m: float,
            paper=(255, 255, 255), *, angle: float | None = None, factor: float | None = None,
            scanned: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Annotate, warp and scan a clean drawing; returns the image and the affine from drawing to image pixels.

    ``angle`` and ``factor`` override the warp's random turn and resize (see :func:`warp`);
    ``scanned=False`` leaves out the printing and scanning damage (the handwriting, stamps and
    logos stay: they are drawn on the sheet)."""
    img = img.copy()
    annotate(img, rng, family, px_per_m)
    img, M = warp(img, rng, family, paper, angle=angle, factor=factor)
    return (scan(img, rng, family) if scanned else img), M
