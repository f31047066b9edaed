"""Reading plan drawings: raster images and PDF pages, with the checks that keep bad input out."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import Config
from .errors import ImageTooLargeError, InputError, UnsupportedFormatError

log = logging.getLogger(__name__)

RASTER_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
SUFFIXES = (*RASTER_SUFFIXES, ".pdf")

# Sniff the format from the first bytes, not the name: archives are full of misnamed files.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"BM", "bmp"),
    (b"%PDF", "pdf"),
)


@dataclass(frozen=True)
class Page:
    """One drawing sheet as an RGB image."""

    image: np.ndarray
    """uint8 (H, W, 3), RGB."""
    number: int
    """1-based page number (1 for a raster image)."""
    dpi: float | None = None
    """Rendering resolution, known for PDF pages and for images that carry it."""


def sniff_format(head: bytes) -> str | None:
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def load_pages(path: Path, config: Config = Config()) -> list[Page]:
    """Read ``path`` into pages; raise :class:`InputError` (with a one-line reason) if it cannot be used."""
    path = Path(path)
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
    if fmt == "pdf":
        return _load_pdf(path, config)
    return [_load_raster(path, config)]


def _load_raster(path: Path, config: Config) -> Page:
    from PIL import Image, ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    Image.MAX_IMAGE_PIXELS = config.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                w, h = im.size
                if w * h > config.max_pixels:
                    raise ImageTooLargeError(
                        f"{path}: image is {w}x{h} px, over the limit of {config.max_pixels:,} px"
                    )
                if w < 32 or h < 32:
                    raise InputError(f"{path}: image is only {w}x{h} px, too small to hold a plan")
                dpi = im.info.get("dpi", (None,))[0]
                im.load()
                rgb = _to_rgb(im)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLargeError(
            f"{path}: image is larger than the limit of {config.max_pixels:,} px (decompression bomb?)"
        ) from None
    except InputError:
        raise
    except (OSError, SyntaxError, ValueError) as e:
        raise InputError(f"{path}: the image is damaged or truncated ({e})") from None
    return Page(image=rgb, number=1, dpi=float(dpi) if dpi else None)


def _to_rgb(im) -> np.ndarray:
    from PIL import Image

    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        a = np.asarray(im, dtype=np.float64)
        a = (255 * (a - a.min()) / max(float(np.ptp(a)), 1.0)).astype(np.uint8)
        return np.repeat(a[:, :, None], 3, axis=2)
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        # Transparent pixels of an exported plan are paper, not ink.
        im = im.convert("RGBA")
        bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, im)
    return np.ascontiguousarray(np.asarray(im.convert("RGB")))


def _load_pdf(path: Path, config: Config) -> list[Page]:
    try:
        from pdf2image import convert_from_path, pdfinfo_from_path
        from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError
    except ImportError as e:  # pragma: no cover - dependency of the package
        raise InputError(f"{path}: reading PDF needs pdf2image ({e})") from None
    try:
        info = pdfinfo_from_path(str(path))
    except PDFInfoNotInstalledError:
        raise InputError(
            "reading PDF needs poppler's pdftoppm (Debian/Ubuntu: apt install poppler-utils)"
        ) from None
    except (PDFPageCountError, PDFSyntaxError, OSError, ValueError) as e:
        raise InputError(f"{path}: the PDF is damaged or has no pages ({_first_line(e)})") from None
    n = int(info.get("Pages", 0) or 0)
    if n < 1:
        raise InputError(f"{path}: the PDF has no pages")
    wanted = list(config.pages) if config.pages else list(range(1, n + 1))
    bad = [p for p in wanted if not 1 <= p <= n]
    if bad:
        raise InputError(f"{path}: page {bad[0]} asked for, but the PDF has {n} page(s)")
    pages: list[Page] = []
    for p in wanted:
        w_pt, h_pt = _page_size_pt(info)
        if w_pt and h_pt and (w_pt / 72 * config.pdf_dpi) * (h_pt / 72 * config.pdf_dpi) > config.max_pixels:
            raise ImageTooLargeError(
                f"{path}: page {p} at {config.pdf_dpi} dpi is over the limit of {config.max_pixels:,} px"
            )
        try:
            imgs = convert_from_path(str(path), dpi=config.pdf_dpi, first_page=p, last_page=p)
        except Exception as e:  # pdf2image raises bare exceptions for poppler failures
            raise InputError(f"{path}: page {p} cannot be rendered ({_first_line(e)})") from None
        if not imgs:
            raise InputError(f"{path}: page {p} cannot be rendered")
        pages.append(Page(image=_to_rgb(imgs[0]), number=p, dpi=float(config.pdf_dpi)))
    return pages


def _page_size_pt(info: dict) -> tuple[float, float]:
    try:
        w, _, h = str(info.get("Page size", "")).split()[:3]
        return float(w), float(h)
    except ValueError:
        return 0.0, 0.0


def _first_line(e: BaseException) -> str:
    s = str(e).strip().splitlines()
    return s[0] if s else type(e).__name__
