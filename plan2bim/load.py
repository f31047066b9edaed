"""Reading plan drawings: raster images and PDF pages, with the checks that keep bad input out.

Pages are read one at a time (:func:`iter_pages`), each checked against the pixel limit before it
is decoded or rendered, so that memory stays flat in the number of pages and one oversized page
cannot get past the guard behind a small first page. PDF pages are rendered with PDFium
(``pypdfium2``); multi-page TIFFs give every page, like a PDF.

Pages larger than ``Config.detect_max_pixels`` are read at a reduced size (the page's
``input_size`` keeps the size of the file's own pixels, so the pipeline can map what it finds
back to them): a 108 MP A0 scan is recognised within the memory goal, while a file whose header
claims more than ``Config.max_pixels`` (a decompression bomb) is refused before decoding.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from plan2bim.config import Config
from plan2bim.errors import ImageTooLargeError, InputError, UnsupportedFormatError

log = logging.getLogger(__name__)

RASTER_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
SUFFIXES = (*RASTER_SUFFIXES, ".pdf")

MIN_SIDE_PX = 32
"""A page narrower or lower than this holds no plan (and a renderer that gave 1x1 px failed)."""

# Sniff the format from the first bytes, not the name: archives are full of misnamed files.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"BM", "bmp"),
    (b"%PDF", "pdf"),
)

PDFIUM_LOCK = threading.RLock()
"""Held around every use of PDFium (here, the sheet's text layer, the vector reader): PDFium is
not thread-safe, and Dask workers may run plans in threads of one process."""

_held = threading.local()
"""The PDF page the loader has rendered and holds open while it is recognised, per thread."""


def held_pdf_page(path: Path, number: int):
    """The ``pypdfium2`` page ``number`` (1-based) of the PDF at ``path`` if the page loader
    (:func:`iter_pages`) holds it open now, else None; use it under ``PDFIUM_LOCK``, do not
    close it. The sheet's text layer and the vector reader take it rather than opening the
    file again: parsing a 50,000-path page costs ~0.1 s CPU each time."""
    held = getattr(_held, "page", None)
    if held is None or held[1] != number or held[0] != os.path.realpath(path):
        return None
    return held[2]


@dataclass(frozen=True)
class Page:
    """One drawing sheet as an RGB image."""

    image: np.ndarray
    """uint8 (H, W, 3), RGB: the page at the resolution it is recognised at."""
    number: int
    """1-based page number (1 for a single raster image)."""
    dpi: float | None = None
    """Resolution of the input's own pixels: the render dpi of a PDF page, or the dpi an image
    carries."""
    size_pt: tuple[float, float] | None = None
    """(width, height) of a PDF page in points (1/72 inch); None for raster images."""
    input_size: tuple[int, int] | None = None
    """(width, height) of the input's own pixels when ``image`` was reduced from it (a page over
    ``Config.detect_max_pixels``); None when ``image`` is the input itself."""

    @property
    def work_factor(self) -> float:
        """Pixels of ``image`` per pixel of the input (1.0, or below 1 for a reduced page)."""
        if self.input_size is None:
            return 1.0
        return self.image.shape[1] / self.input_size[0]


def sniff_format(head: bytes) -> str | None:
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def _check_file(path: Path) -> str:
    """The format of ``path``, or :class:`InputError` with a one-line reason."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a plan file")
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror or e})") from None
    if not head:
        raise InputError(f"{path}: the file is empty")
    fmt = sniff_format(head)
    if fmt is None:
        raise UnsupportedFormatError(
            f"{path}: not a supported plan format (PNG, JPG, TIFF, BMP or PDF expected)"
        )
    return fmt


def count_pages(path: Path) -> int:
    """How many pages ``path`` has (1 for a single image), without decoding any."""
    path = Path(path)
    fmt = _check_file(path)
    if fmt == "pdf":
        with _open_pdf(path) as pdf:
            return len(pdf)
    with _open_image(path) as im:
        return int(getattr(im, "n_frames", 1) or 1)


def raster_dpi(path: Path) -> float | None:
    """The resolution a raster image carries (its first page), or None."""
    with _open_image(Path(path)) as im:
        return _dpi(im)


def _dpi(im) -> float | None:
    try:
        dpi = float(im.info.get("dpi", (None,))[0] or 0)
    except (TypeError, ValueError, IndexError):
        return None
    return dpi if math.isfinite(dpi) and dpi > 1 else None


def load_pages(path: Path, config: Config = Config()) -> list[Page]:
    """Every page of ``path`` at once (see :func:`iter_pages`, which keeps memory flat)."""
    return list(iter_pages(path, config))


def iter_pages(path: Path, config: Config = Config()) -> Iterator[Page]:
    """Read ``path`` page by page; raise :class:`InputError` (one-line reason) if it cannot be used.

    The whole file is checked first (format, page count against ``config.max_pages``, the pages
    asked for), so an unusable file fails before any page is processed; then each page is
    checked against the pixel limit just before it is decoded or rendered.
    """
    path = Path(path)
    fmt = _check_file(path)
    if fmt == "pdf":
        yield from _pdf_pages(path, config)
    else:
        yield from _raster_pages(path, config)


def _wanted(path: Path, n: int, config: Config, what: str) -> list[int]:
    if n < 1:
        raise InputError(f"{path}: the {what} has no pages")
    wanted = list(config.pages) if config.pages else list(range(1, n + 1))
    bad = [p for p in wanted if not 1 <= p <= n]
    if bad:
        raise InputError(f"{path}: page {bad[0]} asked for, but the {what} has {n} page(s)")
    if len(wanted) > config.max_pages:
        raise InputError(
            f"{path}: {len(wanted)} pages to read, over the limit of {config.max_pages} "
            "(choose pages with --pages, or raise the limit with --max-pages)")
    return wanted


# ---------------------------------------------------------------------------------------------
# Raster images (PNG, JPEG, TIFF, BMP)


class _open_image:
    """``PIL.Image.open`` with the bomb guard on, as a context manager giving one-line errors."""

    def __init__(self, path: Path, max_pixels: int = Config().max_pixels) -> None:
        self.path, self.max_pixels = path, max_pixels

    def __enter__(self):
        from PIL import Image, ImageFile

        ImageFile.LOAD_TRUNCATED_IMAGES = False
        # PIL refuses more than twice this, and warns above it (turned into an error below).
        Image.MAX_IMAGE_PIXELS = self.max_pixels
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                self.im = Image.open(self.path)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageTooLargeError(
                f"{self.path}: image is larger than the limit of {self.max_pixels:,} px "
                "(decompression bomb?)") from None
        except Exception as e:  # PIL raises many kinds on damaged files (KeyError, TypeError...)
            raise InputError(f"{self.path}: the image is damaged or truncated "
                             f"({_first_line(e)})") from None
        return self.im

    def __exit__(self, *exc) -> None:
        self.im.close()


def _raster_pages(path: Path, config: Config) -> Iterator[Page]:
    from PIL import Image

    with _open_image(path, config.max_pixels) as im:
        try:
            n = int(getattr(im, "n_frames", 1) or 1)
        except Exception as e:  # a damaged TIFF directory
            raise InputError(f"{path}: the image is damaged or truncated ({_first_line(e)})") from None
    wanted = _wanted(path, n, config, "image" if n == 1 else "TIFF")
    for number in wanted:
        # The file is opened again for every page and closed before the page is handed on: an
        # open image keeps its decoded pixels, and a 108 MP RGB scan's are 324 MB, held for
        # nothing while its reduced copy is recognised.
        with _open_image(path, config.max_pixels) as im:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", Image.DecompressionBombWarning)
                    if n > 1:
                        im.seek(number - 1)
                    page = _read_frame(path, im, number, n, config)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise ImageTooLargeError(
                    f"{path}: {_page_name(number, n)}is larger than the limit of "
                    f"{config.max_pixels:,} px (decompression bomb?)") from None
            except InputError:
                raise
            except MemoryError:
                raise ImageTooLargeError(f"{path}: {_page_name(number, n)}the image does not fit "
                                         "in memory") from None
            except Exception as e:  # PIL raises many kinds on damaged files
                raise InputError(f"{path}: {_page_name(number, n)}the image is damaged or "
                                 f"truncated ({_first_line(e)})") from None
        yield page
        del page  # not held by this frame while the next page is read


def _page_name(number: int, n: int) -> str:
    return f"page {number}: " if n > 1 else ""


def _read_frame(path: Path, im, number: int, n: int, config: Config) -> Page:
    from PIL import Image

    w, h = im.size
    if w * h > config.max_pixels:
        raise ImageTooLargeError(
            f"{path}: {_page_name(number, n)}image is {w}x{h} px, over the limit of "
            f"{config.max_pixels:,} px")
    if w < MIN_SIDE_PX or h < MIN_SIDE_PX:
        raise InputError(f"{path}: {_page_name(number, n)}image is only {w}x{h} px, too small "
                         "to hold a plan")
    dpi = _dpi(im)
    size = _work_size(w, h, config.detect_max_pixels)
    if size is None:
        im.load()
        return Page(image=_to_rgb(im), number=number, dpi=dpi)
    # A large page: let the decoder skip what it can (JPEG decodes at 1/2, 1/4, 1/8 scale),
    # reduce in the file's own mode (a grey scan stays one byte a pixel), then to RGB.
    if n == 1 and im.format == "JPEG":
        im.draft(im.mode, size)
    im.load()
    src = im
    if src.mode == "1":
        src = src.convert("L")
    elif src.mode == "P":
        src = src.convert("RGBA" if "transparency" in src.info else "RGB")
    elif src.mode.startswith("I;16"):
        src = src.convert("I")  # 16-bit grey: reduced as integers, stretched by _to_rgb
    small = src.resize(size, Image.Resampling.BOX)
    log.info("%s: page %d is %dx%d px; recognised at %dx%d", path, number, w, h, *size)
    return Page(image=_to_rgb(small), number=number, dpi=dpi, input_size=(w, h))


def _work_size(w: int, h: int, limit: int) -> tuple[int, int] | None:
    """The reduced size of a ``w`` x ``h`` page over ``limit`` pixels, or None when it is not."""
    if w * h <= limit:
        return None
    s = math.sqrt(limit / (w * h))
    return max(1, int(w * s)), max(1, int(h * s))


def _to_rgb(im) -> np.ndarray:
    from PIL import Image

    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        a = np.asarray(im, dtype=np.float64)
        a = (255 * (a - a.min()) / max(float(np.ptp(a)), 1.0)).astype(np.uint8)
        return np.repeat(a[:, :, None], 3, axis=2)
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        # Transparent pixels of an exported plan are paper, not ink.
        im = im.convert("RGBA")
        bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, im)
    return np.ascontiguousarray(np.asarray(im.convert("RGB")))


# ---------------------------------------------------------------------------------------------
# PDF


class _open_pdf:
    """A ``pypdfium2.PdfDocument``, closed on exit, with one-line errors."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self):
        import pypdfium2 as pdfium

        with PDFIUM_LOCK:
            try:
                self.pdf = pdfium.PdfDocument(str(self.path))
            except pdfium.PdfiumError as e:
                if "password" in str(e).lower():
                    raise InputError(
                        f"{self.path}: the PDF is encrypted (a password is needed to open it)"
                    ) from None
                raise InputError(f"{self.path}: the PDF is damaged or has no pages "
                                 f"({_first_line(e)})") from None
            except OSError as e:
                raise InputError(f"{self.path}: cannot be read ({e.strerror or e})") from None
        return self.pdf

    def __exit__(self, *exc) -> None:
        with PDFIUM_LOCK:
            self.pdf.close()


def _pdf_pages(path: Path, config: Config) -> Iterator[Page]:
    import pypdfium2 as pdfium

    with _open_pdf(path) as pdf:
        with PDFIUM_LOCK:
            n = len(pdf)
        wanted = _wanted(path, n, config, "PDF")
        for p in wanted:
            with PDFIUM_LOCK:
                try:
                    page = pdf[p - 1]
                except pdfium.PdfiumError as e:
                    raise InputError(f"{path}: page {p} cannot be read ({_first_line(e)})") from None
                try:
                    w_pt, h_pt = (float(v) for v in page.get_size())
                    dpi = float(config.pdf_dpi)
                    render_dpi = _render_dpi(path, p, w_pt, h_pt, config)
                    w_px, h_px = round(w_pt / 72 * dpi), round(h_pt / 72 * dpi)
                    if w_px < MIN_SIDE_PX or h_px < MIN_SIDE_PX:
                        raise InputError(
                            f"{path}: page {p} cannot be rendered: it is {w_pt:g} x {h_pt:g} pt, "
                            f"{w_px} x {h_px} px at {dpi:g} dpi (leave it out with --pages)")
                    try:
                        bitmap = page.render(scale=render_dpi / 72, rev_byteorder=True)
                        image = np.array(bitmap.to_numpy()[:, :, :3], copy=True)
                        bitmap.close()
                    except (pdfium.PdfiumError, ValueError, MemoryError) as e:
                        raise InputError(f"{path}: page {p} cannot be rendered "
                                         f"({_first_line(e)})") from None
                except BaseException:
                    page.close()
                    raise
            try:
                if image.shape[0] < MIN_SIDE_PX or image.shape[1] < MIN_SIDE_PX:
                    raise InputError(f"{path}: page {p} cannot be rendered: the renderer gave "
                                     f"{image.shape[1]} x {image.shape[0]} px (leave it out with --pages)")
                reduced = render_dpi < dpi
                # Held open while the page is recognised (held_pdf_page), closed before the next.
                _held.page = (os.path.realpath(path), p, page)
                yield Page(image=image, number=p, dpi=dpi, size_pt=(w_pt, h_pt),
                           input_size=(w_px, h_px) if reduced else None)
            finally:
                with PDFIUM_LOCK:
                    if getattr(_held, "page", None) is not None and _held.page[2] is page:
                        _held.page = None
                    page.close()
            # This frame would otherwise hold the page image while the next one is rendered.
            del image, bitmap


def _render_dpi(path: Path, number: int, w_pt: float, h_pt: float, config: Config) -> float:
    """The dpi to render one page at, decided before anything is rendered.

    The page's pixels are counted at ``config.pdf_dpi`` (the page's input pixels); a page over
    ``detect_max_pixels`` at that dpi is rendered at the lower dpi that fits (rendering more
    pixels than recognition uses costs memory and gains nothing), whatever its paper size.
    """
    if not (math.isfinite(w_pt) and math.isfinite(h_pt)) or w_pt <= 0 or h_pt <= 0:
        raise InputError(f"{path}: page {number} has no size ({w_pt:g} x {h_pt:g} pt); "
                         "leave it out with --pages")
    dpi = float(config.pdf_dpi)
    area_in2 = (w_pt / 72) * (h_pt / 72)
    if area_in2 * dpi * dpi > config.detect_max_pixels:
        fit = math.sqrt(config.detect_max_pixels / area_in2)
        log.info("%s: page %d is %.0f x %.0f mm; rendered at %.0f dpi instead of %g", path,
                 number, w_pt / 72 * 25.4, h_pt / 72 * 25.4, fit, dpi)
        return fit
    return dpi


def _first_line(e: BaseException) -> str:
    s = str(e).strip().splitlines()
    return s[0] if s else type(e).__name__
