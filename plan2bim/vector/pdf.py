"""Reading a PDF page's own vector content: paths and text, in page points, with pypdfium2.

Coordinates are the page as displayed, in points, x right and y down from its top-left corner
(the page's /Rotate and crop box applied), so that ``px = pt * dpi / 72`` gives the pixels of the
page rendered at ``dpi``. Curves are kept as cubic Béziers (``VectorPath.curves``) and also
flattened into straight pieces (``VectorPath.segments``) for the geometry that only needs lines.
"""

from __future__ import annotations

import ctypes
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from plan2bim.errors import InputError
from plan2bim.load import PDFIUM_LOCK, held_pdf_page

log = logging.getLogger(__name__)

__all__ = ["PageContent", "TextRun", "VectorPath", "page_count", "read_document", "read_page"]

Colour = tuple[int, int, int, int]


@dataclass(frozen=True)
class VectorPath:
    """One path object of the page (all its subpaths)."""

    segments: np.ndarray
    """(N, 4) float: straight pieces x0, y0, x1, y1 in page points (curves flattened)."""
    curves: np.ndarray
    """(M, 8) float: cubic Béziers p0, c1, c2, p3 in page points."""
    closed: bool
    """Whether some subpath is closed (a rectangle, a polygon)."""
    stroke_width_pt: float
    """Line weight in points, scaled by the path's transform; 0 where the path is not stroked."""
    stroke: Colour | None
    """RGBA of the stroke, None where the path is not stroked."""
    fill: Colour | None
    """RGBA of the fill, None where the path is not filled."""
    dash: tuple[float, ...] = ()
    """The dash array in points (empty: a solid line)."""
    layer: str = ""
    """The optional-content (CAD layer) or marked-content name the path sits in, where kept."""
    subpaths: tuple[int, ...] = ()
    """Index in ``segments`` where each subpath starts (for closed outlines)."""

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        pts = np.concatenate([self.segments[:, :2], self.segments[:, 2:]]) if len(self.segments) else np.zeros((1, 2))
        return (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))


@dataclass(frozen=True)
class TextRun:
    """A run of text on one line, as the PDF's text layer holds it."""

    text: str
    bbox: tuple[float, float, float, float]
    """(x0, y0, x1, y1) in page points, y down."""
    angle_deg: float = 0.0
    size_pt: float = 0.0


@dataclass(frozen=True)
class PageContent:
    """Everything drawn on one page, in page points (y down)."""

    number: int
    """1-based page number."""
    size_pt: tuple[float, float]
    """(width, height) of the page as displayed, points."""
    paths: list[VectorPath]
    texts: list[TextRun]
    image_area_ratio: float
    """Share of the page covered by raster images (a scanned sheet is ~1)."""
    text_object_count: int = 0
    layers: tuple[str, ...] = field(default_factory=tuple)
    flat: tuple | None = field(default=None, init=False, repr=False, compare=False)
    """As read from the PDF (None once paths are changed, e.g. by ``replace``): (segments (n, 4),
    curves (m, 8), per-path segment bounds, per-path curve bounds), the arrays that ``paths``'
    ones are slices of, so that a pass over the whole page need not join 49,515 small arrays."""

    @property
    def segment_count(self) -> int:
        return int(sum(len(p.segments) for p in self.paths))


def _open(path: Path, password: str | None = None):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as e:
        raise InputError(f"{path}: the PDF is damaged or cannot be read ({e})") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror or e})") from None


def page_count(path: Path) -> int:
    with PDFIUM_LOCK:
        doc = _open(path)
        try:
            return len(doc)
        finally:
            doc.close()


def read_page(path: Path, number: int, *, text: bool = True) -> PageContent:
    """The vector content of page ``number`` (1-based) of the PDF at ``path``."""
    with PDFIUM_LOCK:
        held = held_pdf_page(Path(path), number)
        if held is not None:  # the page being converted, parsed once
            return _read(held, number, text)
        doc = _open(Path(path))
        try:
            if not 1 <= number <= len(doc):
                raise InputError(f"{path}: page {number} asked for, but the PDF has {len(doc)} page(s)")
            page = doc[number - 1]
            try:
                return _read(page, number, text)
            finally:
                page.close()
        finally:
            doc.close()


def read_document(path: Path, *, text: bool = True) -> list[PageContent]:
    """Every page of the PDF at ``path``."""
    with PDFIUM_LOCK:
        doc = _open(Path(path))
        try:
            out = []
            for i in range(len(doc)):
                page = doc[i]
                try:
                    out.append(_read(page, i + 1, text))
                finally:
                    page.close()
            return out
        finally:
            doc.close()


# --------------------------------------------------------------------------- internals

def _display_matrix(page) -> np.ndarray:
    """3x3 affine from PDF user space to displayed points (y down), from pdfium's own mapping."""
    import pypdfium2.raw as r

    w, h = page.get_size()
    scale = 1.0e6  # device pixels across the page: pdfium rounds to whole pixels, so many of them
    dx, dy = ctypes.c_int(), ctypes.c_int()
    src, dst = [], []
    left, bottom, right, top = page.get_cropbox()
    for x, y in ((left, bottom), (right, bottom), (left, top)):
        r.FPDF_PageToDevice(page.raw, 0, 0, int(scale), int(scale * h / w), 0, x, y, dx, dy)
        src.append((x, y, 1.0))
        dst.append((dx.value * w / scale, dy.value * w / scale))
    a = np.linalg.solve(np.array(src), np.array(dst))  # (3, 2)
    m = np.eye(3)
    m[:2, :] = a.T
    return m


class _Reader:
    """Walks the page's objects once; path points go into flat lists, cut into arrays at the end.

    Per-path numpy work cost ~100 us a path (a 50,000-path sheet took 11 s), so the walk does
    plain arithmetic and the arrays are made once for the whole page. What is left is mostly
    the ~15 pdfium calls a path (~1 us each through ctypes): pdfium functions are looked up once,
    a mark's name is read once for all the objects in its span (nearly every object of a CAD
    sheet sits in one), ctypes values are reused (surau page 3, 49,515 paths: 1.52 -> 1.29 s
    CPU)."""

    def __init__(self, page, want_text: bool) -> None:
        import pypdfium2.raw as r

        self.r = r
        self.page = page
        self.image_boxes: list[tuple[float, float, float, float]] = []
        self.text_objects = 0
        self.layers: dict[str, None] = {}
        self.want_text = want_text
        self._x, self._y, self._w = ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
        self._buf = (ctypes.c_ushort * 128)()
        self._len = ctypes.c_ulong()
        self._marks: dict[int | None, str] = {}
        self._mode, self._stroke = ctypes.c_int(), ctypes.c_int()
        self._fm = r.FS_MATRIX()
        self._rgba = tuple(ctypes.c_uint() for _ in range(4))
        self.seg: list[tuple[float, float, float, float]] = []
        self.curves: list[tuple[float, ...]] = []
        self._seg_fns = (r.FPDFPath_GetPathSegment, r.FPDFPathSegment_GetPoint,
                         r.FPDFPathSegment_GetType, r.FPDFPathSegment_GetClose)
        self.meta: list[tuple] = []
        """Per path: (seg_start, seg_end, curve_start, curve_end, subpath starts, closed, width,
        stroke, fill, dash, layer)."""

    def walk(self, objs_raw: list, parent: tuple, layer: str) -> None:
        r = self.r
        get_type, count_marks = r.FPDFPageObj_GetType, r.FPDFPageObj_CountMarks
        PATH, FORM, IMAGE, TEXT = (r.FPDF_PAGEOBJ_PATH, r.FPDF_PAGEOBJ_FORM, r.FPDF_PAGEOBJ_IMAGE,
                                   r.FPDF_PAGEOBJ_TEXT)
        for o in objs_raw:
            t = get_type(o)
            k = count_marks(o)
            lay = (self._layer(o, k) if k > 0 else "") or layer
            if t == PATH:
                self._path(o, parent, lay)
            elif t == FORM:
                m = _mul(parent, self._matrix(o))
                n = r.FPDFFormObj_CountObjects(o)
                self.walk([r.FPDFFormObj_GetObject(o, i) for i in range(n)], m, lay)
            elif t == IMAGE:
                self.image_boxes.append(self._bounds(o, parent))
            elif t == TEXT:
                self.text_objects += 1

    def _matrix(self, o) -> tuple:
        fm = self._fm
        if not self.r.FPDFPageObj_GetMatrix(o, fm):
            return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        return (fm.a, fm.b, fm.c, fm.d, fm.e, fm.f)

    def _text(self) -> str:
        return bytes(self._buf)[: max(0, self._len.value - 2)].decode("utf-16-le", "replace")

    def _layer(self, o, count: int) -> str:
        r = self.r
        buf, out_len = self._buf, self._len
        if count == 1:  # most objects: one mark, read already for the objects before
            mk = r.FPDFPageObj_GetMark(o, 0)
            name = self._marks.get(ctypes.addressof(mk.contents)) if mk else None
            if name is not None:
                if name:
                    self.layers[name] = None
                return name
        names = []
        for i in range(count):
            mk = r.FPDFPageObj_GetMark(o, i)
            if not mk:
                continue
            # The objects of one marked-content span share its mark: read each mark once.
            addr = ctypes.addressof(mk.contents)
            if addr in self._marks:
                names.append(self._marks[addr])
                continue
            if not r.FPDFPageObjMark_GetName(mk, buf, 256, out_len):
                continue
            name = self._text()
            # A CAD layer exported as optional content, or a named marked-content span.
            for j in range(r.FPDFPageObjMark_CountParams(mk)):
                if not r.FPDFPageObjMark_GetParamKey(mk, j, buf, 256, out_len):
                    continue
                key = self._text().encode()
                if r.FPDFPageObjMark_GetParamValueType(mk, key) == r.FPDF_OBJECT_STRING and \
                        r.FPDFPageObjMark_GetParamStringValue(mk, key, buf, 256, out_len):
                    name = self._text()
            self._marks[addr] = name
            names.append(name)
        lay = "/".join(x for x in names if x)
        if lay:
            self.layers[lay] = None
        return lay

    def _bounds(self, o, m: tuple) -> tuple[float, float, float, float]:
        lf, b, rr, t = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
        self.r.FPDFPageObj_GetBounds(o, lf, b, rr, t)
        q = [_apply(m, x, y) for x, y in ((lf.value, b.value), (rr.value, t.value), (lf.value, t.value), (rr.value, b.value))]
        xs, ys = [p[0] for p in q], [p[1] for p in q]
        return (min(xs), min(ys), max(xs), max(ys))

    def _colour(self, o, getter) -> Colour:
        c = self._rgba
        getter(o, *c)
        return (c[0].value, c[1].value, c[2].value, c[3].value)

    def _path(self, o, parent: tuple, layer: str) -> None:
        r = self.r
        mode, stroke = self._mode, self._stroke
        r.FPDFPath_GetDrawMode(o, mode, stroke)
        filled, stroked = mode.value != 0, bool(stroke.value)
        if not (filled or stroked):
            return  # a clipping or invisible path
        n = r.FPDFPath_CountSegments(o)
        if n <= 0:
            return
        fm = self._fm
        if r.FPDFPageObj_GetMatrix(o, fm):
            a, b, c, d, e, f = _mul(parent, (fm.a, fm.b, fm.c, fm.d, fm.e, fm.f))
        else:
            a, b, c, d, e, f = _mul(parent, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0))
        x, y = self._x, self._y
        seg, curves = self.seg, self.curves
        s0, c0 = len(seg), len(curves)
        starts: list[int] = []
        closed = False
        sx = sy = cx = cy = None
        pend: list[tuple[float, float]] = []
        get_seg, get_pt, get_type, get_close = self._seg_fns
        for i in range(n):
            sg = get_seg(o, i)
            get_pt(sg, x, y)
            px, py = x.value, y.value
            qx, qy = a * px + c * py + e, b * px + d * py + f
            k = get_type(sg)
            if k == 2 or cx is None:  # FPDF_SEGMENT_MOVETO
                sx, sy = cx, cy = qx, qy
                starts.append(len(seg) - s0)
                pend.clear()
                continue
            if k == 0:  # LINETO
                if qx != cx or qy != cy:
                    seg.append((cx, cy, qx, qy))
                cx, cy = qx, qy
            elif k == 1:  # BEZIERTO: three points in a row
                pend.append((qx, qy))
                if len(pend) < 3:
                    continue
                (x1, y1), (x2, y2), (x3, y3) = pend
                pend.clear()
                curves.append((cx, cy, x1, y1, x2, y2, x3, y3))
                for bx, by in _flatten(cx, cy, x1, y1, x2, y2, x3, y3):
                    seg.append((cx, cy, bx, by))
                    cx, cy = bx, by
            if get_close(sg):
                closed = True
                if cx != sx or cy != sy:
                    seg.append((cx, cy, sx, sy))
                cx, cy = sx, sy
        if len(seg) == s0:
            return
        lin = abs(a * d - b * c) ** 0.5
        width = 0.0
        dash: tuple[float, ...] = ()
        if stroked:
            w = self._w
            width = float(w.value) * lin if r.FPDFPageObj_GetStrokeWidth(o, w) else 0.0
            k = r.FPDFPageObj_GetDashCount(o)
            if k > 0:
                arr = (ctypes.c_float * k)()
                if r.FPDFPageObj_GetDashArray(o, arr, k):
                    dash = tuple(float(v) * lin for v in arr)
        self.meta.append((s0, len(seg), c0, len(curves), tuple(starts), closed, width,
                          self._colour(o, r.FPDFPageObj_GetStrokeColor) if stroked else None,
                          self._colour(o, r.FPDFPageObj_GetFillColor) if filled else None, dash, layer))

    def paths(self) -> list[VectorPath]:
        segs = np.asarray(self.seg, float).reshape(-1, 4)
        curves = np.asarray(self.curves, float).reshape(-1, 8)
        self.flat = (segs, curves,
                     [0] + [m[1] for m in self.meta] if self.meta else [0],
                     [0] + [m[3] for m in self.meta] if self.meta else [0])
        # Filled in directly: a frozen dataclass's __init__ sets each field through
        # object.__setattr__, ~40% of this loop on a 50,000-path page.
        new = object.__new__
        out = []
        for s0, s1, c0, c1, starts, closed, w, sc, fc, dash, lay in self.meta:
            p = new(VectorPath)
            p.__dict__.update(segments=segs[s0:s1], curves=curves[c0:c1], closed=closed,
                              stroke_width_pt=w, stroke=sc, fill=fc, dash=dash, layer=lay,
                              subpaths=starts)
            out.append(p)
        return out


def _mul(p: tuple, q: tuple) -> tuple:
    """Compose affine p after q, each (a, b, c, d, e, f) as PDF writes them."""
    a, b, c, d, e, f = p
    a2, b2, c2, d2, e2, f2 = q
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2,
            a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def _apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _flatten(x0, y0, x1, y1, x2, y2, x3, y3) -> list[tuple[float, float]]:
    """Points along a cubic Bézier after its start, about one every 2 pt (2 to 16 pieces)."""
    chord = abs(x1 - x0) + abs(y1 - y0) + abs(x2 - x1) + abs(y2 - y1) + abs(x3 - x2) + abs(y3 - y2)
    n = int(min(16, max(2, chord / 2.0)))
    out = []
    for i in range(1, n + 1):
        t = i / n
        mt = 1 - t
        w0, w1, w2, w3 = mt * mt * mt, 3 * mt * mt * t, 3 * mt * t * t, t * t * t
        out.append((w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3, w0 * y0 + w1 * y1 + w2 * y2 + w3 * y3))
    return out


def _read(page, number: int, want_text: bool) -> PageContent:
    r = page
    import pypdfium2.raw as raw

    disp = _display_matrix(r)
    w, h = r.get_size()
    rd = _Reader(r, want_text)
    n = raw.FPDFPage_CountObjects(r.raw)
    m = (disp[0, 0], disp[1, 0], disp[0, 1], disp[1, 1], disp[0, 2], disp[1, 2])
    rd.walk([raw.FPDFPage_GetObject(r.raw, i) for i in range(n)], m, "")
    texts = _texts(r, disp) if want_text else []
    area = w * h
    cover = 0.0
    for x0, y0, x1, y1 in rd.image_boxes:
        cover += max(0.0, min(x1, w) - max(x0, 0.0)) * max(0.0, min(y1, h) - max(y0, 0.0))
    out = PageContent(
        number=number, size_pt=(float(w), float(h)), paths=rd.paths(), texts=texts,
        image_area_ratio=min(1.0, cover / area) if area else 0.0,
        text_object_count=rd.text_objects, layers=tuple(rd.layers),
    )
    object.__setattr__(out, "flat", rd.flat)
    return out


def _texts(page, disp: np.ndarray) -> list[TextRun]:
    """Text runs from pdfium's text layer: one per rectangle it reports (a line's run of words)."""
    import pypdfium2.raw as raw

    tp = page.get_textpage()
    try:
        out: list[TextRun] = []
        n = tp.count_rects()
        for i in range(n):
            left, bottom, right, top = tp.get_rect(i)
            txt = tp.get_text_bounded(left, bottom, right, top).strip()
            if not txt:
                continue
            pts = np.array([[left, bottom, 1], [right, top, 1]]) @ disp[:2].T
            x0, x1 = sorted(pts[:, 0])
            y0, y1 = sorted(pts[:, 1])
            idx = raw.FPDFText_GetCharIndexAtPos(tp.raw, (left + right) / 2, (bottom + top) / 2, 2.0, 2.0)
            ang = float(np.degrees(raw.FPDFText_GetCharAngle(tp.raw, idx))) if idx >= 0 else 0.0
            size = float(raw.FPDFText_GetFontSize(tp.raw, idx)) if idx >= 0 else 0.0
            out.append(TextRun(txt, (float(x0), float(y0), float(x1), float(y1)), ang, size))
        return out
    finally:
        tp.close()
