"""Read a page the way a person does: frame, title block, drawings, their captions and scales.

``read_sheet`` takes the page image (and the PDF for its text layer) and returns a
:class:`~plan2bim.sheet.model.Sheet`. A page with no frame around it (a single plan image) takes
a cheap path: one viewport, the whole page, no OCR.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

from plan2bim.sheet.classify import kind_of_title, level_marks, level_of_title, normalise
from plan2bim.sheet.content import content_kind
from plan2bim.sheet.layout import (
    Strokes,
    analyse_layout,
    find_corner_title_box,
    find_frame,
    find_title_block,
)
from plan2bim.sheet.model import BBox, PageKind, Sheet, TextItem, Viewport
from plan2bim.sheet.ocr import find_text_lines, read_lines
from plan2bim.sheet.scale_text import parse_scale
from plan2bim.sheet.settings import SheetSettings

log = logging.getLogger(__name__)

_CUE_REASON = "no title read; the drawing is "

A3_LONG_MM = 420.0
"""Without a dpi, a framed sheet is taken as A3 for its millimetre-sized tuning (gaps, text
heights): the common size of drawing sets. Only layout thresholds use it, never the scale."""


def read_sheet(image: np.ndarray, page: int, *, dpi: float | None = None,
               pdf_path: Path | None = None, settings: SheetSettings = SheetSettings(),
               ) -> Sheet:
    """Understand one page image (RGB or grey); ``pdf_path`` gives its text layer."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    H, W = gray.shape
    f = min(1.0, settings.work_long_side_px / max(H, W))
    work = cv2.resize(gray, (int(round(W * f)), int(round(H * f))), interpolation=cv2.INTER_AREA) \
        if f < 1 else gray
    if float(work.mean()) < 110:
        # Light line work on dark paper (a blueprint): ink is the light part.
        gray, work = 255 - gray, 255 - work
    px_per_mm = (dpi / 25.4) if dpi else max(H, W) / A3_LONG_MM
    strokes = Strokes(work < 160)
    frame_w = find_sheet_frame(gray, work, strokes, settings)
    sheet_like = frame_w is not None and _title_block_evidence(strokes, frame_w, settings)
    texts: list[TextItem] = []
    if pdf_path is not None:
        from plan2bim.sheet.text import pdf_text

        try:
            texts = pdf_text(pdf_path, page, (W, H))
        except Exception as e:  # noqa: BLE001 - a text layer we cannot read is no text layer
            log.warning("%s: page %d: text layer not readable (%s)", pdf_path, page, e)
    base = dict(page=page, size_px=(W, H), dpi=dpi, texts=texts,
                px_per_pt=(dpi / 72.0) if (dpi and pdf_path is not None) else None,
                vector=False)
    # A framed page whose text layer names a drawing is a sheet, however small its lettering
    # (the synthetic A4 sheets: 2 mm title-block text in a corner box, no strip across).
    sheet_like = sheet_like or (frame_w is not None and any(kind_of_title(t.text) for t in texts))
    # A scan's frame with a title block of few lines, or a title box in its corner: a sheet
    # when the block names a drawing (read with OCR: a plan's walls can pass for a frame and
    # its rooms for a block, never for that).
    corner = (not sheet_like and frame_w is not None and pdf_path is None
              and _title_box_names_a_drawing(gray, strokes, frame_w, f, settings))
    sheet_like = sheet_like or corner
    if not sheet_like and not _titles(texts, px_per_mm) and \
            not (frame_w is None and _title_block_evidence(strokes, None, settings)):
        # A single drawing with no sheet around it: the whole page is the plan, unless it is a
        # picture (a 3D render, a photo) rather than line work.
        kinds = [k for k in (kind_of_title(t.text) for t in texts) if k]
        other = next((k for k in kinds if k[0] != "floor_plan"), None)
        if looks_like_picture(work):
            vp = Viewport((0.0, 0.0, float(W), float(H)), "other", confidence=0.7,
                          reason="a picture (shaded, edges mostly oblique), not a drawing")
        elif other and not any(_PLAN_WORD.search(t.text) for t in texts):
            # No frame or large title found, but the PDF's text names the drawing (small
            # lettering in a corner box): an elevation, section or schedule sheet.
            vp = Viewport((0.0, 0.0, float(W), float(H)), other[0], confidence=0.6,
                          reason=f"the page's text says {other[1]!r}")
        else:
            vp = Viewport((0.0, 0.0, float(W), float(H)), "floor_plan", confidence=0.5,
                          reason="a single drawing (no sheet frame, no title)")
        return Sheet(**base, viewports=[vp])

    text_boxes_w = [_scale_box(t.bbox, f) for t in texts]
    lay = analyse_layout(work, px_per_mm * f, settings, text_boxes_w, strokes, frame=frame_w,
                         corner_box=corner)
    inv = 1.0 / f
    frame = _scale_box(lay.frame, inv) if lay.frame else None
    tb = _scale_box(lay.title_block, inv) if lay.title_block else None
    panels = [_scale_box(b, inv) for b in lay.panels]
    clusters = [_scale_box(b, inv) for b in lay.clusters]

    if pdf_path is None:
        texts = _ocr_sheet(gray, work, f, px_per_mm, tb, panels, settings)
    furniture = ([tb] if tb else []) + panels

    def in_furniture(b: BBox) -> bool:
        return any(_overlap(b, fb) > 0.5 for fb in furniture)

    tb_texts = [t for t in texts if tb and _overlap(t.bbox, tb) > 0.5]
    tb_text = " ".join(t.text for t in sorted(tb_texts, key=lambda t: (t.bbox[1], t.bbox[0])))
    if not tb_text:
        # No title-block strip: a boxed panel (nearest the frame's bottom right first, where
        # title blocks sit) whose text names a drawing or a scale does its job (CAD sheets
        # with a corner title block; the synthetic vector sheets).
        corner = (frame or (0.0, 0.0, float(W), float(H)))[2:]
        boxed = panels + [c for c in clusters if frame is not None and _in_corner(c, frame, 3 * px_per_mm)
                          and _area(c) < 0.15 * _area(frame)]
        for pb in sorted(boxed, key=lambda b: abs(corner[0] - b[2]) + abs(corner[1] - b[3])):
            pt = [t for t in texts if _overlap(t.bbox, pb) > 0.5]
            text = " ".join(t.text for t in sorted(pt, key=lambda t: (t.bbox[1], t.bbox[0])))
            if text and (kind_of_title(text) or parse_scale(text, need_word=True)):
                tb_text = text
                break
    tb_kind = kind_of_title(tb_text) if tb_text else None
    tb_scale = parse_scale(tb_text, need_word=True) if tb_text else None
    free = [t for t in texts if not in_furniture(t.bbox)]
    heights = [t.bbox[3] - t.bbox[1] for t in free if not t.angle]
    med_h = float(np.median(heights)) if heights else 10.0

    viewports: list[Viewport] = []
    used_captions: set[int] = set()
    drawings = []
    corner_furniture: list[BBox] = []
    for c in sorted(clusters, key=lambda b: -(b[2] - b[0]) * (b[3] - b[1])):
        inside = [t for t in free if _overlap(t.bbox, c) > 0.5]
        text_area = sum((t.bbox[2] - t.bbox[0]) * (t.bbox[3] - t.bbox[1]) for t in inside)
        if text_area > 0.3 * (c[2] - c[0]) * (c[3] - c[1]):
            furniture.append(c)  # a notes panel: text with no box around it
            continue
        if frame is not None and _in_corner(c, frame, 3 * px_per_mm) and \
                _area(c) < 0.15 * _area(frame):
            furniture.append(c)  # a legend or schedule table set in a corner of the frame
            corner_furniture.append(c)
            continue
        drawings.append(c)
    if not drawings and lay.small_clusters:
        # Nothing large enough for a drawing: the largest small group of ink that is not
        # furniture is the sheet's only drawing.
        small = [b for b in (_scale_box(c, inv) for c in lay.small_clusters)
                 if not in_furniture(b) and not (frame is not None and _in_corner(b, frame, 3 * px_per_mm))]
        if small:
            drawings.append(max(small, key=_area))
    # A corner box's text (a title block's project line) captions no drawing. A notes cluster's
    # text may: a caption set apart from its drawing is a cluster of text of its own.
    free = [t for t in free if not any(_overlap(t.bbox, b) > 0.5 for b in corner_furniture)]
    search = settings.caption_search_mm * px_per_mm
    drawings = _join_strips(drawings, settings.strip_max_side_mm * px_per_mm, search)
    drawings = [part for c in drawings for part in _split_by_captions(c, free, med_h, search, gray, 3.0 * px_per_mm)]
    for c in drawings:
        cap, cap_lines = _caption(c, free, med_h, search, used_captions, 3.0 * px_per_mm)
        title = " ".join(t.text for t in cap_lines) if cap_lines else ""
        kind_w = kind_of_title(title) if title else None
        scale = _scale_under(cap, free) if cap else None
        scale = scale or _caption_scale(c, free, search)
        reason = ""
        if kind_w:
            kind, reason = kind_w[0], f"title says {kind_w[1]!r}"
        elif tb_kind and len(drawings) == 1:
            kind, reason = tb_kind[0], f"title block says {tb_kind[1]!r}"
            title = title or _tb_title(tb_text, tb_kind[1])
        else:
            kind, reason = "other", "no title read"
            x0, y0, x1, y1 = (int(round(v)) for v in c)
            cue = content_kind(gray[y0:y1, x0:x1], px_per_mm, settings,
                               texts=[t for t in free if _overlap(t.bbox, c) > 0.5])
            if cue:
                kind, reason = cue[0], f"{_CUE_REASON}{cue[1]}"
        lvl = level_of_title(title) if kind == "floor_plan" and title else None
        marks = level_marks([t.text for t in free if _overlap(t.bbox, c) > 0.5])
        elev = Counter(marks).most_common(1)[0][0] if marks else None
        viewports.append(Viewport(
            c, kind, title=title, scale_denominator=scale or tb_scale,
            level_name=lvl[0] if lvl else None, level_order=lvl[1] if lvl else None,
            elevation_m=elev, confidence=0.9 if kind_w else 0.6, reason=reason))
    titled = [v for v in viewports if v.reason.startswith("title")]
    if titled:
        # Untitled small ink beside titled drawings: notes, legends, stamps, a north arrow.
        big = max(_area(v.bbox) for v in titled)
        for v in [v for v in viewports if not v.reason.startswith("title")]:
            if _area(v.bbox) < 0.25 * big:
                viewports.remove(v)
                furniture.append(v.bbox)
    unnamed = [i for i, v in enumerate(viewports) if v.kind == "other"]
    cued = [_area(v.bbox) for v in viewports if v.reason.startswith(_CUE_REASON)]
    if unnamed and cued and _area(viewports[unnamed[0]].bbox) < settings.cued_notes_max_area_ratio * max(cued):
        unnamed = []  # small ink beside a drawing its content names: notes, not the plan
    if unnamed and not any(v.reason.startswith(("title", "title block")) for v in viewports):
        # Nothing on the sheet names its drawings: the largest drawing is taken as the plan
        # (unless its content says what else it is).
        v = viewports[unnamed[0]]
        viewports[unnamed[0]] = Viewport(v.bbox, "floor_plan", v.title, v.scale_denominator,
                                elevation_m=v.elevation_m, confidence=0.4,
                                reason="no title read; the sheet's largest drawing taken as a plan")
    viewports.sort(key=lambda v: (v.bbox[0], v.bbox[1]))
    return Sheet(**{**base, "texts": texts}, viewports=viewports, frame=frame, title_block=tb,
                 furniture=furniture, scale_denominator=tb_scale)


def find_sheet_frame(gray: np.ndarray, work: np.ndarray, strokes: Strokes,
                     s: SheetSettings) -> BBox | None:
    """The sheet's frame in ``work`` (``gray`` scaled down) pixels, or None."""
    frame = find_frame(strokes, s)
    f = work.shape[1] / gray.shape[1]
    if frame is None and f < 1:
        # A hairline frame on a large sheet fades below the ink threshold when the page is
        # averaged down (A1 at 1600 px: a 0.2 mm line is a third of a pixel). The darkest pixel
        # of each block keeps it (synthetic A1 sheets lost their frame and so their furniture).
        k = int(np.ceil(1.0 / f))
        dark = cv2.resize(cv2.erode(gray, np.ones((k, k), np.uint8)), work.shape[::-1],
                          interpolation=cv2.INTER_AREA)
        frame = find_frame(Strokes(dark < 160), s)
    return frame


def looks_like_picture(gray: np.ndarray, s: SheetSettings = SheetSettings()) -> bool:
    """A shaded picture rather than line work: large flat mid-grey areas and edges that mostly
    run obliquely (plans are drawn along two axes, even round ones keep many)."""
    f = 800 / max(gray.shape)
    g = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else gray
    g = g.astype(np.float32)
    mid = (g > 60) & (g < 200)
    mean = cv2.blur(g, (7, 7))
    var = cv2.blur(g * g, (7, 7)) - mean * mean
    flat_mid = float((mid & (var < 30)).mean())
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    mag = np.hypot(gx, gy)
    strong = mag > 100
    if not strong.any():
        return False
    ang = np.degrees(np.arctan2(gy[strong], gx[strong])) % 90
    w = mag[strong]
    axis_share = float((w * (np.minimum(ang, 90 - ang) < 12)).sum() / w.sum())
    return flat_mid > s.picture_flat_mid_ratio and axis_share < s.picture_axis_edge_ratio


def _title_box_names_a_drawing(gray: np.ndarray, strokes: Strokes, frame: BBox, f: float,
                                s: SheetSettings) -> bool:
    box = find_title_block(strokes, frame, s) or find_corner_title_box(strokes, frame, s)
    if box is None:
        return False
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    H = strokes.ink.shape[0]
    lines = find_text_lines(strokes.ink[y0:y1, x0:x1], (max(3.0, H / 400), H / 40))
    if len(lines) < 2:
        return False  # a title block holds the project's name and the drawing's at least
    lines.sort(key=lambda ln: -ln.char_height)
    inv = 1.0 / f
    chosen = [_scale_box((ln.bbox[0] + x0, ln.bbox[1] + y0, ln.bbox[2] + x0, ln.bbox[3] + y0), inv)
              for ln in lines[: s.corner_title_reads]]
    return any(kind_of_title(t.text) for t in read_lines(gray, chosen))


def _title_block_evidence(strokes: Strokes, frame: BBox | None, s: SheetSettings) -> bool:
    """Whether the page has a title block: a strip across the sheet cut off by a rule and full
    of short text lines. A plan's own walls can pass for a frame (14 of the 79 cubicasa-dev and
    r3d-dev plans have four long straight sides); none has a strip with more than 6 text lines,
    the dev sheets' title blocks have 26 to 41."""
    ink = strokes.ink
    H, W = ink.shape
    tb = find_title_block(strokes, frame or (0.0, 0.0, float(W - 1), float(H - 1)), s)
    if tb is None:
        return False
    wide = (tb[2] - tb[0]) >= s.title_block_span_ratio * W or (tb[3] - tb[1]) >= s.title_block_span_ratio * H
    if not wide:
        return False
    x0, y0, x1, y1 = (int(round(v)) for v in tb)
    lines = find_text_lines(ink[y0:y1, x0:x1], (max(3.0, H / 400), H / 40))
    return len(lines) >= s.title_block_min_text_lines


_PLAN_WORD = re.compile(r"\b(PLANS?|PELAN|GRUNDRISS|PLANTA|POHJA)\b", re.I)
"""A plan named as a whole word ("PLAN2BIM" in a project name is none)."""


def _titles(texts: list[TextItem], px_per_mm: float) -> bool:
    return any(kind_of_title(t.text) and (t.bbox[3] - t.bbox[1]) >= 2.5 * px_per_mm
               for t in texts if not t.angle)


def _scale_box(b: BBox, f: float) -> BBox:
    return (b[0] * f, b[1] * f, b[2] * f, b[3] * f)


def _overlap(a: BBox, b: BBox) -> float:
    """Share of box ``a`` inside box ``b``."""
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:
        return 0.0
    return ix * iy / max(1e-9, (a[2] - a[0]) * (a[3] - a[1]))


def _below(t: BBox, c: BBox, search: float) -> bool:
    """Whether text ``t`` sits under drawing ``c`` (or in its lowest part), within ``search``."""
    cx = 0.5 * (t[0] + t[2])
    h = c[3] - c[1]
    return (c[0] - 0.05 * (c[2] - c[0]) <= cx <= c[2] + 0.05 * (c[2] - c[0])
            and c[3] - 0.3 * h <= t[1] <= c[3] + search)


def _caption(c: BBox, free: list[TextItem], med_h: float, search: float, used: set[int],
             min_h: float) -> tuple[TextItem | None, list[TextItem]]:
    """The caption under drawing ``c``: the largest titled text below it, with the lines
    printed right under it ("SUSUNATUR KEMASAN LANTAI", "SKALA 1 : 50")."""
    best = None
    for i, t in enumerate(free):
        if i in used or t.angle or not _below(t.bbox, c, search):
            continue
        h = t.bbox[3] - t.bbox[1]
        if h < min(1.3 * med_h, min_h) or not kind_of_title(t.text):
            continue
        if best is None or h > best[1]:
            best = (i, h)
    if best is None:
        return None, []
    used.add(best[0])
    cap = free[best[0]]
    lines = [cap]
    h = cap.bbox[3] - cap.bbox[1]
    for t in sorted(free, key=lambda t: t.bbox[1]):
        if t is cap or t.angle:
            continue
        # OCR boxes are padded line crops: the next line's box may overlap the caption's.
        if cap.bbox[1] + 0.3 * h <= t.bbox[1] <= cap.bbox[3] + 1.2 * h \
                and abs(t.bbox[0] - cap.bbox[0]) <= 2 * h \
                and (t.bbox[3] - t.bbox[1]) >= 0.7 * h and parse_scale(t.text) is None:
            lines.append(t)
    return cap, lines


def _caption_scale(c: BBox, free: list[TextItem], search: float) -> float | None:
    """A printed 1:N under drawing ``c`` (with or without a scale word)."""
    best = None
    for t in free:
        if t.angle or not _below(t.bbox, c, search):
            continue
        n = parse_scale(t.text)
        if n is None:
            continue
        d = t.bbox[1] - c[3]
        if best is None or d < best[0]:
            best = (d, n)
    return best[1] if best else None


def _tb_title(tb_text: str, phrase: str) -> str:
    """The drawing title in the title block's text: from the dash before ``phrase`` to the end
    of the phrase (and a following "PLAN")."""
    norm = normalise(tb_text)
    i = norm.find(phrase)
    if i < 0:
        return ""
    start = norm.rfind("- ", 0, i)
    end = i + len(phrase)
    if norm[end:end + 5] == " PLAN":
        end += 5
    return norm[start + 2 if start >= 0 else i:end].strip()


def _in_corner(c: BBox, frame: BBox, gap: float) -> bool:
    """Whether box ``c`` touches two adjacent edges of ``frame`` (sits in its corner)."""
    near = [abs(c[0] - frame[0]) <= gap, abs(c[1] - frame[1]) <= gap,
            abs(c[2] - frame[2]) <= gap, abs(c[3] - frame[3]) <= gap]
    return (near[0] or near[2]) and (near[1] or near[3])


def _area(b: BBox) -> float:
    return (b[2] - b[0]) * (b[3] - b[1])


def _scale_under(cap: TextItem, free: list[TextItem]) -> float | None:
    """A 1:N printed with the caption: on its line or within two caption heights under it."""
    n = parse_scale(cap.text)
    if n:
        return n
    h = cap.bbox[3] - cap.bbox[1]
    for t in sorted(free, key=lambda t: t.bbox[1]):
        if not t.angle and -0.5 * h <= t.bbox[1] - cap.bbox[3] <= 2.5 * h \
                and abs(t.bbox[0] - cap.bbox[0]) <= 5 * h:
            n = parse_scale(t.text)
            if n:
                return n
    return None


def _join_strips(drawings: list[BBox], max_side: float, reach: float) -> list[BBox]:
    """Thin clusters (dimension chains, rows of grid bubbles, caption lines) are parts of a
    drawing, not drawings: each joins the nearest drawing within ``reach`` that it runs along
    (over half its length), nearest first so a second chain joins the plan grown by the first.
    A horizontal strip joins the drawing above it before one below (a sheet's captions and
    chains hang under their drawing; a title block below is no drawing's). A strip with no
    drawing beside it stays as it is."""
    def thin(b: BBox) -> bool:
        return min(b[2] - b[0], b[3] - b[1]) < max_side

    bodies = [b for b in drawings if not thin(b)]
    strips = [b for b in drawings if thin(b)]
    while strips and bodies:
        best = None
        for si, st in enumerate(strips):
            horizontal = (st[2] - st[0]) >= (st[3] - st[1])
            for bi, b in enumerate(bodies):
                if horizontal:
                    along = min(st[2], b[2]) - max(st[0], b[0])
                    gap = max(b[1] - st[3], st[1] - b[3], 0.0)
                    length = st[2] - st[0]
                    rank = (0 if b[3] <= st[1] + 0.5 * (st[3] - st[1]) else 1, gap)
                else:
                    along = min(st[3], b[3]) - max(st[1], b[1])
                    gap = max(b[0] - st[2], st[0] - b[2], 0.0)
                    length = st[3] - st[1]
                    rank = (0, gap)
                if along >= 0.5 * length and gap <= reach and (best is None or rank < best[0]):
                    best = (rank, si, bi)
        if best is None:
            break
        _, si, bi = best
        st, b = strips.pop(si), bodies[bi]
        bodies[bi] = (min(st[0], b[0]), min(st[1], b[1]), max(st[2], b[2]), max(st[3], b[3]))
    return bodies + strips


def _split_by_captions(c: BBox, free: list[TextItem], med_h: float, search: float,
                       gray: np.ndarray, min_h: float) -> list[BBox]:
    """A cluster over two or more captions side by side holds as many drawings: cut it at the
    emptiest column between each two captions."""
    caps = sorted((t for t in free if not t.angle and _below(t.bbox, c, search)
                   and (t.bbox[3] - t.bbox[1]) >= min(1.3 * med_h, min_h) and kind_of_title(t.text)),
                  key=lambda t: t.bbox[0])
    if caps:
        top_h = max(t.bbox[3] - t.bbox[1] for t in caps)
        caps = [t for t in caps if (t.bbox[3] - t.bbox[1]) >= 0.7 * top_h]
    groups: list[TextItem] = []
    for t in caps:
        if not groups or t.bbox[0] > groups[-1].bbox[2] + 0.1 * (c[2] - c[0]):
            groups.append(t)
    if len(groups) < 2:
        return [c]
    x0, y0, x1, y1 = (int(round(v)) for v in c)
    ink = (gray[y0:y1, x0:x1] < 160).sum(axis=0)
    cuts = []
    for a, b in zip(groups, groups[1:], strict=False):
        lo, hi = int(a.bbox[2]) - x0, int(b.bbox[0]) - x0
        if hi <= lo:
            continue
        cuts.append(x0 + lo + int(np.argmin(ink[lo:hi])))
    edges = [x0, *cuts, x1]
    return [(float(a), float(y0), float(b), float(y1)) for a, b in zip(edges, edges[1:], strict=False)]


def _ocr_sheet(gray: np.ndarray, work: np.ndarray, f: float, px_per_mm: float,
               tb: BBox | None, panels: list[BBox], s: SheetSettings) -> list[TextItem]:
    """Read the few text lines that decide a raster sheet: the largest (captions), the line
    under each (their scale), and the title block's largest lines."""
    lo, hi = (v * px_per_mm * f for v in (s.text_min_height_mm, s.text_max_height_mm))
    lines = find_text_lines(work < 160, (max(4.0, lo), hi))
    if not lines:
        return []
    inv = 1.0 / f
    boxes = [(_scale_box(ln.bbox, inv), ln.char_height * inv, ln.chars) for ln in lines]
    in_tb = [b for b in boxes if tb and _overlap(b[0], tb) > 0.5]
    # Captions are words: four characters or more (grid bubbles hold one or two).
    free = [b for b in boxes if not (tb and _overlap(b[0], tb) > 0.5)
            and not any(_overlap(b[0], p) > 0.5 for p in panels) and b[2] >= 4]
    free.sort(key=lambda b: -b[1])
    chosen: list[BBox] = []
    for b, h, _ in free[: max(1, s.max_ocr_lines // 3)]:
        chosen.append(b)
        under = [o for o, oh, _ in boxes if 0 <= o[1] - b[3] <= 1.5 * h
                 and o[0] < b[2] and o[2] > b[0] and o not in chosen]
        chosen.extend(under[:2])
    in_tb.sort(key=lambda b: -b[1])
    chosen.extend(b for b, _, _ in in_tb[: max(0, s.max_ocr_lines - len(chosen))])
    return read_lines(gray, chosen[: s.max_ocr_lines])


def page_kind(sheet: Sheet) -> PageKind:
    """The page's kind: its floor plan if it has one, else its largest drawing's kind."""
    if any(v.kind == "floor_plan" for v in sheet.viewports):
        return "floor_plan"
    if not sheet.viewports:
        return "other"
    v = max(sheet.viewports, key=lambda v: (v.bbox[2] - v.bbox[0]) * (v.bbox[3] - v.bbox[1]))
    return v.kind
