"""Bad input ends in a typed error with a one-line reason, never a traceback or a partial file."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from plan2bim.config import Config
from plan2bim.errors import ImageTooLargeError, InputError, NoPlanError, UnsupportedFormatError
from plan2bim.load import load_pages, sniff_format
from plan2bim.pipeline import build_model

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims to be width x height, with (almost) no pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    data = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat = b"IDAT" + zlib.compress(b"\x00" * 64)
    data += struct.pack(">I", len(idat) - 4) + idat + struct.pack(">I", zlib.crc32(idat))
    return b"\x89PNG\r\n\x1a\n" + data


def make_bad_inputs(tmp: Path) -> dict[str, tuple[Path, type[Exception], str]]:
    """Broken files of every kind, each with the error and the words its message must hold."""
    good = (FIXTURES / "flat.png").read_bytes()
    cases = {}
    p = tmp / "empty.png"
    p.write_bytes(b"")
    cases["empty"] = (p, InputError, "empty")
    p = tmp / "text.png"
    p.write_text("this is not an image\n")
    cases["not_an_image"] = (p, UnsupportedFormatError, "not a supported")
    p = tmp / "truncated.png"
    p.write_bytes(good[: len(good) // 2])
    cases["truncated"] = (p, InputError, "damaged or truncated")
    p = tmp / "bomb.png"
    p.write_bytes(_png_header(100_000, 100_000))
    cases["bomb"] = (p, ImageTooLargeError, "limit")
    p = tmp / "nopages.pdf"
    p.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                  b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    cases["pdf_no_pages"] = (p, InputError, "pages")
    p = tmp / "folder.png"
    p.mkdir()
    cases["folder"] = (p, InputError, "folder")
    cases["missing"] = (tmp / "missing.png", InputError, "no such file")
    return cases


BAD = ["empty", "not_an_image", "truncated", "bomb", "pdf_no_pages", "folder", "missing"]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_raises_typed_error(tmp_path: Path, case: str) -> None:
    path, err, words = make_bad_inputs(tmp_path)[case]
    with pytest.raises(err) as info:
        load_pages(path)
    msg = str(info.value)
    assert words in msg.lower() and "\n" not in msg


def test_sniff_format_ignores_the_name() -> None:
    assert sniff_format((FIXTURES / "flat.png").read_bytes()[:16]) == "png"
    assert sniff_format((FIXTURES / "flat_skewed.jpg").read_bytes()[:16]) == "jpeg"
    assert sniff_format((FIXTURES / "two_storeys.pdf").read_bytes()[:16]) == "pdf"
    assert sniff_format(b"GIF89a") is None


@pytest.mark.parametrize("mode", ["L", "RGBA", "P", "I;16"])
def test_image_modes_load_as_rgb(tmp_path: Path, mode: str) -> None:
    arr = np.full((64, 80), 200, np.uint8)
    arr[10:20, :] = 0
    im = Image.fromarray(arr)
    im = im.convert(mode) if mode != "I;16" else Image.fromarray(arr.astype(np.uint16) * 256)
    suffix = ".tif" if mode == "I;16" else ".png"
    im.save(tmp_path / f"x{suffix}")
    page = load_pages(tmp_path / f"x{suffix}")[0]
    assert page.image.shape == (64, 80, 3) and page.image.dtype == np.uint8
    assert page.image[15, 5].max() < 60 and page.image[40, 5].min() > 150


def test_pdf_pages_are_picked(tmp_path: Path) -> None:
    pages = load_pages(FIXTURES / "two_storeys.pdf", Config(pages=(2,)))
    assert [p.number for p in pages] == [2]
    assert pages[0].dpi == Config().pdf_dpi
    with pytest.raises(InputError, match="has 2 page"):
        load_pages(FIXTURES / "two_storeys.pdf", Config(pages=(3,)))


def test_pixel_limit_is_configurable() -> None:
    with pytest.raises(ImageTooLargeError):
        load_pages(FIXTURES / "flat.png", Config(max_pixels=10_000))


def test_blank_sheet_is_no_plan() -> None:
    with pytest.raises(NoPlanError, match="no floor plan found .*a blank page"):
        build_model(FIXTURES / "blank.png")


@pytest.mark.parametrize("reader", ["pdf_text", "pdf_page_size_pt", "read_page", "page_count"])
def test_every_pdfium_reader_waits_for_the_one_lock(reader) -> None:
    """PDFium is not thread-safe and Dask may run plans in threads of one process: the sheet's
    text layer and the vector reader take the loader's lock too. While another thread holds it,
    a reader must wait (it cannot fail spuriously on a slow machine: waiting is the pass)."""
    import threading

    from plan2bim.load import PDFIUM_LOCK
    from plan2bim.sheet.text import pdf_page_size_pt, pdf_text
    from plan2bim.vector.pdf import page_count, read_page

    pdf = FIXTURES / "two_storeys.pdf"
    calls = {"pdf_text": lambda: pdf_text(pdf, 1, (800, 600)),
             "pdf_page_size_pt": lambda: pdf_page_size_pt(pdf, 1),
             "read_page": lambda: read_page(pdf, 1), "page_count": lambda: page_count(pdf)}
    held, release, done = threading.Event(), threading.Event(), threading.Event()

    def hold() -> None:
        with PDFIUM_LOCK:
            held.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(60)
    worker = threading.Thread(target=lambda: (calls[reader](), done.set()))
    worker.start()
    try:
        assert not done.wait(0.5), f"{reader} ran while another thread held PDFium"
    finally:
        release.set()
        holder.join(60)
        worker.join(60)
    assert done.is_set()


def test_the_page_being_converted_is_parsed_once(tmp_path, monkeypatch) -> None:
    """While the loader's page is recognised, the sheet's text layer and the vector reader use
    the page it holds open rather than opening and parsing the PDF again; it is closed and
    let go before the next page."""
    import pypdfium2 as pdfium

    from plan2bim.load import held_pdf_page, iter_pages
    from plan2bim.sheet.text import pdf_text
    from plan2bim.vector.pdf import read_page

    pdf = tmp_path / "two.pdf"
    plan = Image.open(FIXTURES / "flat.png").convert("RGB")
    plan.save(pdf, save_all=True, append_images=[plan], resolution=100)
    expected = [read_page(pdf, n) for n in (1, 2)]
    opened = []
    real = pdfium.PdfDocument

    def counting(*a, **k):
        opened.append(a)
        return real(*a, **k)

    monkeypatch.setattr(pdfium, "PdfDocument", counting)
    for page in iter_pages(pdf, Config(pdf_dpi=50)):
        before = len(opened)
        assert held_pdf_page(pdf, page.number) is not None
        assert held_pdf_page(pdf, 3 - page.number) is None
        content = read_page(pdf, page.number)
        pdf_text(pdf, page.number, page.image.shape[1::-1])
        assert len(opened) == before  # nothing opened again
        assert content.image_area_ratio == expected[page.number - 1].image_area_ratio
    assert len(opened) == 1  # the loader's own
    assert held_pdf_page(pdf, 2) is None
    read_page(pdf, 2)  # opened afresh once the loader is done
    assert len(opened) == 2
