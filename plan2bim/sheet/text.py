"""A PDF page's text layer, read with pypdfium2, in the page image's pixels.

CAD exports often embed their drawing fonts with a broken character map: the dev sets print
"1 : 100" as "ɷ ʌ ɷɶɶ" and "FL +0.100" as "FL ˟ɶʒɷɶɶ" (digits shifted to U+0276..U+027F). The
shift is the same in every such font seen, so digits and the few punctuation marks a scale,
level or dimension needs are mapped back; letters in those fonts are left as they are (OCR reads
those where they matter).
"""

from __future__ import annotations

import ctypes
import logging
from pathlib import Path

from plan2bim.load import PDFIUM_LOCK, held_pdf_page
from plan2bim.sheet.model import TextItem

log = logging.getLogger(__name__)

_REPAIR = {chr(0x0276 + d): str(d) for d in range(10)}
_REPAIR.update({"ʌ": ":", "ʒ": ".", "˟": "+", "ʘ": "/", "ʖ": "'", "ʞ": "(", "ʟ": ")", "ˬ": "&", "ʣ": "-"})
# Control characters stand for spaces in those fonts ("1\x01:\x0175").
_REPAIR.update({chr(c): " " for c in range(32)})
_REPAIR_TABLE = str.maketrans(_REPAIR)


def repair_glyphs(text: str) -> str:
    """Undo the digit shift of CAD fonts without a usable character map (see module doc)."""
    return " ".join(text.translate(_REPAIR_TABLE).split())


def pdf_page_size_pt(path: Path, page: int) -> tuple[float, float]:
    """(width, height) of a PDF page in points, as displayed (its rotation applied)."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            w, h = pdf[page - 1].get_size()
            return float(w), float(h)
        finally:
            pdf.close()


def pdf_text(path: Path, page: int, size_px: tuple[int, int]) -> list[TextItem]:
    """The text runs of PDF page ``page`` (1-based), boxes in pixels of the page rendered at
    ``size_px`` (width, height), rotation applied as the renderer applies it."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    with PDFIUM_LOCK:
        pg = held_pdf_page(Path(path), page)  # the page being converted, parsed once
        pdf = pdfium.PdfDocument(str(path)) if pg is None else None
        try:
            if pdf is not None:
                pg = pdf[page - 1]
            tp = pg.get_textpage()
            w, h = size_px
            dx, dy = ctypes.c_int(), ctypes.c_int()

            def dev(x: float, y: float) -> tuple[int, int]:
                raw.FPDF_PageToDevice(pg.raw, 0, 0, w, h, 0, x, y, dx, dy)
                return dx.value, dy.value

            items: list[TextItem] = []
            for i in range(tp.count_rects()):
                left, bottom, right, top = tp.get_rect(i)
                s = repair_glyphs(tp.get_text_bounded(left, bottom, right, top))
                if not s:
                    continue
                (x0, y0), (x1, y1) = dev(left, top), dev(right, bottom)
                bx = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
                bw, bh = bx[2] - bx[0], bx[3] - bx[1]
                angle = 90.0 if (bh > 1.5 * bw and len(s) > 2) else 0.0
                items.append(TextItem(s, tuple(float(v) for v in bx), "pdf",
                                      angle=angle))
            tp.close()
            return items
        finally:
            if pdf is not None:
                pdf.close()
