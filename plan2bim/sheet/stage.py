"""The sheet stage of the pipeline: which drawings of a page become storeys, on what image, at
what printed or measured scale, and what their storeys and rooms are called.

``page_views`` turns a loaded page into the views to recognise (each a viewport's crop with the
sheet furniture painted out) and a :class:`~plan2bim.model.PageRecord` per viewport;
``finish_storey`` names a built storey, its level and its rooms from the sheet's text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from plan2bim.model import PageRecord, Storey
from plan2bim.sheet.analyse import read_sheet
from plan2bim.sheet.classify import is_room_name
from plan2bim.sheet.dimensions import (
    DimensionHit,
    dimension_lines,
    dimension_value_m,
    measure,
    scale_from_dimensions,
)
from plan2bim.sheet.mask import masked_viewport, texts_in
from plan2bim.sheet.model import BBox, Sheet, TextItem, Viewport
from plan2bim.sheet.ocr import find_text_lines, read_lines
from plan2bim.sheet.open_spaces import open_spaces
from plan2bim.sheet.paper import paper_scales
from plan2bim.sheet.settings import SheetSettings

log = logging.getLogger(__name__)

_KIND_WORDS = {
    "floor_plan": "a floor plan", "roof_plan": "a roof plan", "ceiling_plan": "a ceiling plan",
    "services_plan": "a services plan", "site_plan": "a site plan", "section": "a section",
    "elevation": "an elevation", "schedule": "a schedule", "details": "details",
    "other": "not a floor plan",
}


@dataclass
class View:
    """One drawing to recognise: a viewport's crop, furniture painted out."""

    page: int
    viewport: Viewport
    image: np.ndarray
    """The crop to recognise (RGB), sheet furniture painted white."""
    original: np.ndarray
    """The same crop untouched (for the overlay)."""
    origin: tuple[int, int]
    """(x, y) of the crop's top-left corner in the page image."""
    record: int
    """Index of this view's record in the page's records."""
    printed_px_per_m: float | None = None
    printed_detail: str = ""
    dimension_px_per_m: float | None = None
    dimension_detail: str = ""
    paper_px_per_m: list[tuple[float, str]] = field(default_factory=list)
    """A scan without dpi: the printed 1:N's px/m on each standard paper of the scan's
    proportions (the scale step chooses one by the dimension chains or the estimates)."""
    texts: list[TextItem] = field(default_factory=list)
    """The sheet's texts inside the crop, in crop pixels."""
    whole_page: bool = False
    label_lines: list[BBox] | None = field(default_factory=list)
    """A raster sheet's text lines inside the crop that no one has read (crop pixels): the room
    labels are among them. Only those that fall inside a room are read (``finish_storey``).
    None: not looked for yet (:func:`label_lines`, from ``label_source``)."""
    label_source: tuple[list[TextItem], float] | None = None
    """What :func:`label_lines` looks for them with: the texts read in the crop (crop pixels)
    and the sheet's px per mm."""
    settings: SheetSettings = field(default_factory=SheetSettings)
    masked: bool = True
    """Whether ``image`` has the sheet furniture painted out yet (see :func:`mask_view`)."""
    dimension_hits: list[DimensionHit] = field(default_factory=list)
    """The dimension chains measured in the crop (painted out with the furniture)."""
    fill_walls: bool = False
    """Thin-line walls are filled solid when masked (a raster sheet)."""


def page_views(image: np.ndarray, page: int, dpi: float | None, pdf_path: Path | None, *,
               forced: bool = False, keep: bool = False, all_pages: bool = False,
               settings: SheetSettings = SheetSettings(), mask: bool = True,
               ) -> tuple[list[View], list[PageRecord], Sheet]:
    """The views of one page to recognise, and a record for every viewport on it.

    ``forced``: the user named this page (``--pages``); ``keep``: keep it even if it holds no
    floor plan (``--keep-pages``); ``all_pages``: every page becomes a storey (``--all-pages``).
    ``mask``: paint the sheet furniture out of each view's image now; with False the views keep
    their plain crops until :func:`mask_view` (a vector page never looks at the pixels: masking
    its A3 sheet took ~1.5 s of the surau page's ~7 s, most of it the bubbles' Hough circles)."""
    if _is_blank(image, settings):
        record = PageRecord(page=page, kind="other", title="", used=False, reason="a blank page")
        return [], [record], Sheet(page=page, size_px=(image.shape[1], image.shape[0]), dpi=dpi)
    sheet = read_sheet(image, page, dpi=dpi, pdf_path=pdf_path, settings=settings)
    plans = [v for v in sheet.viewports if v.kind == "floor_plan"]
    take = list(plans)
    why_forced = ""
    if not take and sheet.viewports and (forced or keep or all_pages):
        take = [max(sheet.viewports, key=lambda v: (v.bbox[2] - v.bbox[0]) * (v.bbox[3] - v.bbox[1]))]
        why_forced = "kept on request" + (" (--pages)" if forced else "")
    records: list[PageRecord] = []
    views: list[View] = []
    H, W = image.shape[:2]
    for v in sheet.viewports:
        used = v in take
        if used:
            reason = why_forced or (f"a floor plan ({v.reason})")
        else:
            reason = f"{_KIND_WORDS.get(v.kind, v.kind)} ({v.reason})"
        whole = v.bbox == (0.0, 0.0, float(W), float(H))
        records.append(PageRecord(page=page, kind=v.kind, title=v.title, used=used, reason=reason,
                                  scale_denominator=v.scale_denominator,
                                  viewport_px=None if whole else v.bbox))
        if not used:
            continue
        view = _view(image, sheet, v, len(records) - 1, whole, settings,
                     raster=pdf_path is None or not sheet.texts)
        views.append(mask_view(view, image, sheet) if mask else view)
    if not sheet.viewports:
        records.append(PageRecord(page=page, kind="other", title="", used=False,
                                  reason="no drawing found on the page"))
    return views, records, sheet


def _is_blank(image: np.ndarray, s: SheetSettings) -> bool:
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return float(np.count_nonzero(gray < 160)) < s.blank_max_ink_fraction * gray.size


def _view(image: np.ndarray, sheet: Sheet, v: Viewport, rec: int, whole: bool,
          s: SheetSettings, *, raster: bool = False) -> View:
    x0, y0 = int(round(v.bbox[0])), int(round(v.bbox[1]))
    if whole and sheet.frame is None and not sheet.texts:
        # A single plan with nothing around it: recognised as it is, as before the sheet stage.
        return View(sheet.page, v, image, image, (0, 0), rec, whole_page=True)
    x1, y1 = int(round(v.bbox[2])), int(round(v.bbox[3]))
    original = image[y0:y1, x0:x1]
    gray = original if original.ndim == 2 else cv2.cvtColor(original, cv2.COLOR_RGB2GRAY)
    px_per_mm = (sheet.dpi / 25.4) if sheet.dpi else max(sheet.size_px) / 420.0
    inside = texts_in(sheet.texts, v.bbox)
    view = View(sheet.page, v, original, original, (x0, y0), rec,
                texts=[_shift(t, x0, y0) for t in inside], settings=s)
    if v.scale_denominator and sheet.dpi:
        view.printed_px_per_m = sheet.dpi / 0.0254 / v.scale_denominator
        view.printed_detail = f"printed 1:{v.scale_denominator:g} on a page at {sheet.dpi:g} dpi"
    elif v.scale_denominator:
        view.paper_px_per_m = paper_scales(sheet.size_px, v.scale_denominator, s.paper_aspect_tolerance)
    ink = gray < 160
    numbers = [t for t in view.texts
               if any(dimension_value_m(w) for w in t.text.split()) and not t.angle]
    hits: list[DimensionHit] = measure(ink, numbers) if numbers else []
    found = scale_from_dimensions(hits, s.dimension_tick_min, s.dimension_agree_ratio)
    if not found:
        # Dimensions drawn as outlines or pixels: read the numbers on the dimension lines.
        ocr = _ocr_dimension_numbers(gray, ink, px_per_mm, s)
        view.texts = view.texts + ocr
        hits = hits + measure(ink, ocr)
        found = scale_from_dimensions(hits, s.dimension_tick_min, s.dimension_agree_ratio)
    if found:
        view.dimension_px_per_m = found[0]
        view.dimension_detail = f"{found[1]} printed dimensions between their ticks"
    # Room labels: on a raster sheet all text is pixels; a PDF page draws some as outlines.
    # Looked for when needed (:func:`label_lines`): a vector storey whose rooms the PDF's text
    # named all, or that has none (surau p3), never needs them (~0.04 s a sheet).
    view.label_lines, view.label_source = None, (list(view.texts), px_per_mm)
    view.masked, view.dimension_hits, view.fill_walls = False, hits, raster
    return view


def label_lines(view: View) -> list[BBox]:
    """The view's text lines of label size that no one has read (see ``View.label_lines``),
    looked for on first use on the ink of its untouched crop, as :func:`page_views` found it."""
    if view.label_lines is None:
        read, px_per_mm = view.label_source or ([], 0.0)
        gray = view.original if view.original.ndim == 2 else cv2.cvtColor(view.original, cv2.COLOR_RGB2GRAY)
        view.label_lines = _label_lines(gray < 160, read, px_per_mm, view.settings)
    return view.label_lines


def mask_view(view: View, image: np.ndarray, sheet: Sheet) -> View:
    """``view`` with its image's sheet furniture painted out (``image``: the page that
    :func:`page_views` was given, ``sheet`` its sheet); ``view`` itself where already masked."""
    if view.masked:
        return view
    masked = masked_viewport(image, sheet, view.viewport.bbox, dims=view.dimension_hits,
                             settings=view.settings, labels=label_lines(view),
                             fill_walls=view.fill_walls)
    return replace(view, image=masked, masked=True)


def _label_lines(ink: np.ndarray, read: list[TextItem], px_per_mm: float,
                 s: SheetSettings) -> list[BBox]:
    """Horizontal text lines of label size inside the drawing not read yet, longest first: a
    room's name has more letters than the tags, level boxes and symbols around it (in the
    tandas plan's toilets, door tags and fixture symbols stand taller than the names)."""
    lo, hi = (v * px_per_mm for v in (s.text_min_height_mm, s.label_max_height_mm))
    lines = find_text_lines(ink, (max(4.0, lo), hi))
    out = []
    for ln in sorted(lines, key=lambda ln: (-ln.chars, -ln.char_height)):
        b = ln.bbox
        # Labels are words (grid letters and tags stand alone) and run across the page.
        if ln.chars < 3 or (b[2] - b[0]) < 1.5 * (b[3] - b[1]):
            continue
        if any(_inside_share(b, t.bbox) > 0.5 for t in read):
            continue
        out.append(b)
    return out


def _inside_share(a: BBox, b: BBox) -> float:
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:
        return 0.0
    return ix * iy / max(1e-9, (a[2] - a[0]) * (a[3] - a[1]))


def _read_room_labels(storey: Storey, view: View) -> list[TextItem]:
    """OCR the unread text lines that lie inside the storey's unnamed rooms, the longest few of
    each room (its name; a level mark, tag or area beside it is shorter)."""
    unnamed = [sp for sp in storey.spaces
               if re.fullmatch(r"Room \d+", sp.name) and len(sp.polygon_px) >= 3]
    if not unnamed or not label_lines(view):
        return []
    s = view.settings
    chosen: list[BBox] = []
    taken: set[int] = set()
    for sp in unnamed:
        # A vector storey is in the whole page's pixels, the label lines in the crop's.
        off = view.origin if sp.source == "vector" else (0, 0)
        poly = (np.asarray(sp.polygon_px, dtype=np.float32) - np.float32(off)).reshape(-1, 1, 2)
        mine = [i for i, b in enumerate(view.label_lines) if i not in taken and cv2.pointPolygonTest(
            poly, (float(0.5 * (b[0] + b[2])), float(0.5 * (b[1] + b[3]))), False) >= 0]
        for i in mine[: s.room_label_lines_per_room]:
            chosen.append(view.label_lines[i])
            taken.add(i)
    if not chosen:
        return []
    gray = view.original if view.original.ndim == 2 else cv2.cvtColor(view.original, cv2.COLOR_RGB2GRAY)
    out = []
    for t in read_lines(gray, chosen[: s.max_room_label_lines]):
        # A wall or grid line beside a label reads as a stray "|" or "_" at its ends.
        text = re.sub(r"^[^\w(]+|[^\w).]+$", "", t.text)
        if text.endswith(")") and text.count("(") < text.count(")"):
            text = "(" + text  # the opening bracket lost at the crop's edge
        if text:
            out.append(replace(t, text=text))
    return out


def _storey_frame(texts: list[TextItem], view: View, vector: bool) -> list[TextItem]:
    """Crop-pixel texts in the storey's pixels (a vector storey's are the page's)."""
    return [_shift(t, -view.origin[0], -view.origin[1]) for t in texts] if vector else texts


def view_texts_on_page(view: View) -> list[TextItem]:
    """The view's texts in the page image's pixels (a storey kept in page pixels: vector)."""
    return [_shift(t, -view.origin[0], -view.origin[1]) for t in view.texts]


def _shift(t: TextItem, x0: float, y0: float) -> TextItem:
    b = t.bbox
    return replace(t, bbox=(b[0] - x0, b[1] - y0, b[2] - x0, b[3] - y0))


def _ocr_dimension_numbers(gray: np.ndarray, ink: np.ndarray, px_per_mm: float,
                           s: SheetSettings) -> list[TextItem]:
    """Read the short text lines sitting on dimension lines (a raster sheet has no text layer):
    the numbers that give the scale."""
    dims = dimension_lines(ink, px_per_mm, settings=s)
    horiz = [d for d in dims if d[2] - d[0] > d[3] - d[1]]
    if not horiz:
        return []
    lo, hi = (v * px_per_mm for v in (s.text_min_height_mm, s.text_max_height_mm))
    lines = find_text_lines(ink, (max(4.0, lo), min(hi, 5 * px_per_mm)))
    cands: list[BBox] = []
    for ln in lines:
        b = ln.bbox
        if not 2 <= ln.chars <= 6:
            continue
        cx = 0.5 * (b[0] + b[2])
        for d in horiz:
            yline = 0.5 * (d[1] + d[3])
            if d[0] <= cx <= d[2] and -0.2 * ln.char_height <= yline - b[3] <= 1.5 * ln.char_height:
                cands.append(b)
                break
    # The widest-spread few: numbers along different chains agree or disagree more tellingly.
    cands = cands[: 2 * s.max_ocr_lines]
    return read_lines(gray, cands)


def finish_storey(storey: Storey, view: View) -> Storey:
    """Name the storey, its title, level and rooms from the view's sheet text."""
    v = view.viewport
    vector = any(sp.source == "vector" for sp in storey.spaces)
    if not vector and not any(w.source == "vector" for w in storey.walls):
        # Corridors open on one side, as the vector route finds them (plan2bim.sheet.open_spaces).
        gray = view.original if view.original.ndim == 2 else cv2.cvtColor(view.original, cv2.COLOR_RGB2GRAY)
        extra = open_spaces(storey, gray, view.settings)
        if extra:
            storey = replace(storey, spaces=[*storey.spaces, *extra])
    texts = view.texts + _storey_frame(_read_room_labels(storey, view), view, vector)
    spaces = []
    for sp in storey.spaces:
        if sp.source == "vector" and not re.fullmatch(r"Room \d+", sp.name):
            # the vector route named it from the PDF's text by font size (a surer cue than
            # the text boxes' heights here), through the same non-name filter
            spaces.append(sp)
            continue
        name = _room_name(sp.polygon_px, texts)
        spaces.append(replace(sp, name=name) if name else sp)
    changes: dict = {"spaces": spaces}
    if v.title:
        changes["title"] = v.title
    if v.level_name:
        changes["name"] = v.level_name
    elif v.title and not view.whole_page:
        changes["name"] = v.title.title()
    if v.elevation_m is not None:
        changes["elevation"] = float(v.elevation_m)
    return replace(storey, **changes)


def _room_name(polygon_px, texts: list[TextItem]) -> str:
    """The largest words printed inside a room, top to bottom ("BILIK" + "PERSEDIAAN")."""
    if len(polygon_px) < 3:
        return ""
    poly = np.asarray(polygon_px, dtype=np.float32).reshape(-1, 1, 2)
    inside = []
    for t in texts:
        if t.angle or not is_room_name(t.text):
            continue
        c = (float(0.5 * (t.bbox[0] + t.bbox[2])), float(0.5 * (t.bbox[1] + t.bbox[3])))
        if cv2.pointPolygonTest(poly, c, False) >= 0:
            inside.append(t)
    if not inside:
        return ""
    # Texts set together (words of a line, lines of a name) form a block; a room may hold a
    # few (its name, a cabinet's or a fixture's label). Its name is the block in the largest
    # lettering; among blocks of about that size, the one with the most letters ("TANDAS GURU"
    # over a pipe's "PLPT"). Heights compare blocks, not lines: brackets or a merged leader
    # make one line of a name taller than the other ("TANDAS PELAJAR" / "( PEREMPUAN )").
    blocks = _blocks(inside)
    height = [max(t.bbox[3] - t.bbox[1] for t in b) for b in blocks]
    top = max(height)
    best = max((b for b, h in zip(blocks, height, strict=True) if h >= 0.8 * top),
               key=lambda b: sum(c.isalpha() for t in b for c in t.text))
    h = min(t.bbox[3] - t.bbox[1] for t in best)
    best.sort(key=lambda t: (round(t.bbox[1] / max(1.0, h)), t.bbox[0]))
    return " ".join(t.text.strip() for t in best)


def _blocks(texts: list[TextItem]) -> list[list[TextItem]]:
    """Texts grouped into blocks: words side by side on a line, lines stacked closely."""
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(texts):
        for j in range(i + 1, len(texts)):
            b = texts[j]
            h = min(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1])
            gap_y = max(a.bbox[1], b.bbox[1]) - min(a.bbox[3], b.bbox[3])
            gap_x = max(a.bbox[0], b.bbox[0]) - min(a.bbox[2], b.bbox[2])
            if gap_y <= 0.6 * h and gap_x <= 1.5 * h:
                parent[root(i)] = root(j)
    groups: dict[int, list[TextItem]] = {}
    for i, t in enumerate(texts):
        groups.setdefault(root(i), []).append(t)
    return list(groups.values())


def order_storeys(storeys: list[Storey], views: list[View], floor_to_floor: float
                  ) -> list[tuple[Storey, int]]:
    """Storeys in level order (their titles' order where every one is known, else page order),
    each with its index in ``storeys``; those without a printed level mark are stacked floor to
    floor."""
    idx = list(range(len(storeys)))
    if idx and all(v.viewport.level_order is not None for v in views):
        idx.sort(key=lambda i: views[i].viewport.level_order)
    out = []
    for k, i in enumerate(idx):
        s = storeys[i]
        if views[i].viewport.elevation_m is None:
            s = replace(s, elevation=k * floor_to_floor)
        out.append((s, i))
    return out


def unused_reason(path: Path, records: list[PageRecord], empty_pages: list[int], is_pdf: bool
                  ) -> str:
    """Why nothing became a storey, for the NoPlanError message."""
    plans = [r for r in records if r.kind == "floor_plan"]
    if plans or not records:
        single = not is_pdf and len({r.page for r in records}) <= 1
        where = "the image" if single else f"page(s) {', '.join(map(str, sorted(set(empty_pages))))}"
        return f"{path}: no wall found in {where}; is this a floor plan?"
    seen = "; ".join(f"page {r.page}: {r.reason}" for r in records[:6])
    hint = "" if not is_pdf else " (--keep-pages N or --all-pages converts them anyway)"
    return f"{path}: no floor plan found ({seen}){hint}"
