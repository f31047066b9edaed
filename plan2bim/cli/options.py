"""Options and value parsers shared by several subcommands."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from ..errors import Plan2BimError


def detector_option():
    from ..detect import DETECTORS, default_detector

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
    from ..export import FORMATS

    fmts = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    bad = [f for f in fmts if f not in FORMATS]
    if bad or not fmts:
        raise Plan2BimError(f"--formats {text!r}: choose from {', '.join(FORMATS)}")
    return fmts


def settings_option():
    return typer.Option(
        None, "--settings", metavar="FILE", dir_okay=False,
        help="TOML file overriding recognition settings (see `plan2bim settings --show`).")


def base_config(settings: Path | None):
    """The default :class:`Config` with a ``--settings`` file's overrides applied."""
    from ..config import Config, load_settings

    return Config() if settings is None else load_settings(settings)
