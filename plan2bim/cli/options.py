"""Options and value parsers shared by several subcommands."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import typer

from plan2bim.errors import Plan2BimError


def detector_option():
    from plan2bim.raster.detect import DETECTORS, default_detector

    return typer.Option(default_detector(), "--detector",
                        help=f"Detector to use: {', '.join(DETECTORS)}.")


def parse_drawing_scale(text: str | None) -> float | None:
    if text is None:
        return None
    m = re.fullmatch(r"\s*(?:1\s*:\s*)?(\d+(?:\.\d+)?)\s*", text)
    if not m or float(m.group(1)) <= 0:
        raise Plan2BimError(f"--drawing-scale {text!r}: expected a scale such as 1:100")
    return float(m.group(1))


def parse_pages(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    pages: list[int] = []
    for part in text.split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not m:
            raise Plan2BimError(f"--pages {text!r}: expected page numbers such as 1,3 or 2-4")
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        if a < 1 or b < a:
            raise Plan2BimError(f"--pages {text!r}: pages count from 1, ranges go upwards")
        pages += range(a, b + 1)
    return tuple(dict.fromkeys(pages))


def parse_formats(text: str) -> tuple[str, ...]:
    from plan2bim.export import FORMATS

    fmts = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    bad = [f for f in fmts if f not in FORMATS]
    if bad or not fmts:
        raise Plan2BimError(f"--formats {text!r}: choose from {', '.join(FORMATS)}")
    return fmts


def scale_fields(scale: float | None, dpi: float | None, drawing_scale: str | None) -> dict[str, Any]:
    """The ``Config`` fields of the scale options, checked: ``--scale`` in px per metre, ``--dpi``
    (the scan's resolution; on a PDF also the resolution its pages are read at) and
    ``--drawing-scale``."""
    if scale is not None and not (math.isfinite(scale) and scale > 0):
        raise Plan2BimError(f"--scale {scale:g}: expected a finite number of pixels per metre, "
                            "such as 50")
    if dpi is not None and not (math.isfinite(dpi) and 1 <= dpi <= 2400):
        raise Plan2BimError(f"--dpi {dpi:g}: expected a resolution from 1 to 2400")
    fields: dict[str, Any] = {"px_per_m": scale, "dpi": dpi,
                              "drawing_scale": parse_drawing_scale(drawing_scale)}
    if dpi is not None:
        fields["pdf_dpi"] = float(dpi)
    return fields


def check_input_options(path: Path, *, scale: float | None, dpi: float | None,
                        drawing_scale: str | None, pages: str | None) -> None:
    """Refuse options that would be silently ignored for this input.

    ``--pages`` on a single image, ``--dpi`` on a raster image without ``--drawing-scale``
    (there it means nothing), ``--drawing-scale`` on a raster image that carries no dpi and no
    ``--dpi`` (the scale needs both). Inputs that cannot be read are left to the loader.
    """
    from plan2bim.errors import InputError
    from plan2bim.load import count_pages, raster_dpi, sniff_format

    try:
        with open(path, "rb") as f:
            fmt = sniff_format(f.read(16))
    except OSError:
        return
    if fmt is None or fmt == "pdf" or scale is not None:
        if scale is not None and (dpi is not None or drawing_scale is not None):
            raise Plan2BimError("--scale gives the scale itself: use it without --dpi and "
                                "--drawing-scale")
        return
    try:
        n = count_pages(path)
        file_dpi = raster_dpi(path)
    except InputError:
        return
    if pages and n == 1:
        raise Plan2BimError(f"--pages: {path.name} is a single image (--pages chooses pages of "
                            "a PDF or a multi-page TIFF)")
    if dpi is not None and drawing_scale is None:
        raise Plan2BimError(f"--dpi without --drawing-scale does nothing for the image "
                            f"{path.name}: give both (e.g. --dpi 300 --drawing-scale 1:100), or --scale")
    if drawing_scale is not None and dpi is None and file_dpi is None:
        raise Plan2BimError(f"--drawing-scale needs the scan's resolution, and {path.name} "
                            "carries none: add --dpi (e.g. --dpi 300), or use --scale")


def settings_option():
    return typer.Option(
        None, "--settings", metavar="FILE", dir_okay=False,
        help="TOML file overriding recognition settings (see `plan2bim settings --show`).")


def base_config(settings: Path | None):
    """The default :class:`Config` with a ``--settings`` file's overrides applied."""
    from plan2bim.config import Config, load_settings

    return Config() if settings is None else load_settings(settings)
