"""The pipeline, top to bottom: load -> preprocess -> detect -> vectorize -> model -> export.

``build_model`` does no output I/O; ``write_outputs`` writes every format atomically (temporary
names, renamed only when all succeeded); ``convert_file`` does both.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from . import cancel
from .build import build_storey
from .config import Config
from .detect import detect
from .errors import ExportError, InputError, NoPlanError, Plan2BimError
from .export import FORMATS, get_writer, suffix
from .limits import InputLimits
from .load import Page, iter_pages
from .model import Building, Scale, Storey, stable_guid
from .pixels import rescale_storey
from .preprocess import preprocess
from .scale import resolve_scale
from .tempfiles import remove_stale, temp_path
from .vectorize import vectorize

log = logging.getLogger(__name__)

STAGES = ("load", "preprocess", "detect", "vectorize", "model", "export")


@dataclass
class Result:
    building: Building
    images: list[np.ndarray]
    """RGB page images, one per storey, as recognised: a page larger than
    ``Config.detect_max_pixels`` is reduced (the overlay is drawn on it at that size)."""
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    outputs: dict[str, Path] = field(default_factory=dict)
    megapixels: float = 0.0


def build_model(path: Path, config: Config = Config()) -> Result:
    """Recognise the plan in ``path`` and return its building model (no files written).

    Pages are read and recognised one at a time, so memory does not grow with the number of
    pages (only the images of the pages that became storeys are kept, for the overlay).
    """
    path = Path(path)
    timings = dict.fromkeys(STAGES, 0.0)
    t0 = time.perf_counter()
    source_hash = _file_hash(path) if path.is_file() else ""
    pages = iter_pages(path, config)
    timings["load"] = time.perf_counter() - t0

    storeys, images = [], []
    empty_pages: list[int] = []
    n_pages, megapixels, single_image = 0, 0.0, False
    while True:
        t = time.perf_counter()
        page = next(pages, None)
        timings["load"] += time.perf_counter() - t
        if page is None:
            break
        cancel.check()
        n_pages += 1
        megapixels += page.image.shape[0] * page.image.shape[1] / 1e6
        single_image = page.size_pt is None and page.number == 1 and n_pages == 1
        where = f"{path}" if single_image else f"{path}: page {page.number}"
        # One page at a time, in a function of its own: its working images are freed before
        # the next page is read.
        storey = _recognise_page(page, where, config, timings, index=len(storeys),
                                 source_hash=source_hash)
        if storey is None:
            empty_pages.append(page.number)
            continue
        storeys.append(storey)
        images.append(page.image)

    if not storeys:
        where = "the image" if single_image and n_pages == 1 \
            else f"page(s) {', '.join(map(str, empty_pages))}"
        raise NoPlanError(f"{path}: no wall found in {where}; is this a floor plan?")
    if empty_pages:
        log.warning("%s: no wall found on page(s) %s; skipped", path, empty_pages)
    building = Building(
        name=path.stem, source=path.name, source_hash=source_hash, storeys=storeys,
        project_global_id=stable_guid(source_hash, "project"),
        site_global_id=stable_guid(source_hash, "site"),
        building_global_id=stable_guid(source_hash, "building"),
    )
    return Result(building=building, images=images, timings=timings, megapixels=megapixels)


def _recognise_page(page: Page, where: str, config: Config, timings: dict[str, float], *,
                    index: int, source_hash: str) -> Storey | None:
    """One page to a storey (in the page's input pixels), or None when it has no wall."""
    if config.drawing_scale is not None and config.px_per_m is None \
            and not (config.dpi or page.dpi):
        raise InputError(f"{where}: --drawing-scale needs the scan's resolution, and the "
                         "image carries none: give --dpi too, or --scale")
    f = page.work_factor
    page_config = config if f == 1.0 else _scaled_config(config, f)
    t = time.perf_counter()
    prepared = preprocess(page.image, page_config)
    timings["preprocess"] += time.perf_counter() - t

    t = time.perf_counter()
    try:
        det = detect(prepared, page_config)
        timings["detect"] += time.perf_counter() - t

        t = time.perf_counter()
        doors = [o.width for o in det.openings if o.kind == "door"]
        page_dpi = page.dpi * f if page.dpi else None
        scale = resolve_scale(page_config, doors, det.wall_thickness_px, page_dpi)
        _check_scale(where, scale, prepared.gray.shape, InputLimits())
        plan = vectorize(det, scale.px_per_m, page_config)
        timings["vectorize"] += time.perf_counter() - t
    except NoPlanError as e:
        raise NoPlanError(f"{where}: {e}") from None
    if not plan.walls:
        return None

    t = time.perf_counter()
    floor_to_floor = config.wall_height + config.slab_thickness
    storey = build_storey(
        plan, prepared, scale, page_config, index=index, page=page.number,
        source_hash=source_hash, elevation=index * floor_to_floor,
    )
    if page.input_size is not None:  # recognised on a reduced image: back to input pixels
        storey = rescale_storey(storey, 1.0 / f, page.input_size)
    timings["model"] += time.perf_counter() - t
    return storey


def _check_scale(where: str, scale: Scale, shape: tuple[int, ...], limits: InputLimits) -> None:
    """Refuse a scale the user gave that makes no plausible building of this page."""
    if scale.method not in ("user", "dpi"):
        return  # estimates are checked where they are made
    extent_m = max(shape[:2]) / scale.px_per_m if scale.px_per_m > 0 else float("inf")
    if not limits.min_page_extent_m <= extent_m <= limits.max_page_extent_m:
        raise InputError(
            f"{where}: at {scale.px_per_m:g} px per metre ({scale.detail}) the page is "
            f"{extent_m:.3g} m across: no building; floor plans are drawn at about 10 to 500 "
            "px per metre")


def _file_hash(path: Path) -> str:
    """sha256 of the file, read in chunks (a large PDF need not sit in memory twice)."""
    h = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror or e})") from None
    return h.hexdigest()


def _scaled_config(config: Config, f: float) -> Config:
    """The config for a page recognised at ``f`` times its input's pixels: scales given in input
    pixels (``--scale``, ``--dpi``) follow the image."""
    return replace(
        config,
        px_per_m=None if config.px_per_m is None else config.px_per_m * f,
        dpi=None if config.dpi is None else config.dpi * f,
    )


def write_outputs(
    result: Result, outdir: Path, formats=FORMATS, stem: str | None = None
) -> dict[str, Path]:
    """Write the chosen formats to ``outdir``; either all appear under their final names or none."""
    outdir = Path(outdir)
    stem = stem or result.building.name
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise Plan2BimError(f"unknown output format {unknown[0]!r} (choose from {', '.join(FORMATS)})")
    t = time.perf_counter()
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExportError(f"{outdir}: cannot create the output folder ({e.strerror or e})") from None
    # What a killed run of this output left (its writer is gone), before writing anew.
    remove_stale(outdir, finals={f"{stem}{suffix(f)}" for f in FORMATS})
    temps: dict[str, Path] = {}
    try:
        for fmt in formats:
            final = outdir / f"{stem}{suffix(fmt)}"
            tmp = temp_path(final)
            temps[fmt] = tmp
            get_writer(fmt)(result.building, tmp, images=result.images)
            cancel.check()  # a Ctrl-C that a library swallowed still stops the run here
        done = {}
        for fmt, tmp in temps.items():
            final = outdir / f"{stem}{suffix(fmt)}"
            os.replace(tmp, final)
            done[fmt] = final
    except Plan2BimError:
        _cleanup(temps.values())
        raise
    except OSError as e:
        _cleanup(temps.values())
        raise ExportError(f"{outdir}: writing the outputs failed ({e.strerror or e})") from None
    except BaseException:
        _cleanup(temps.values())
        raise
    result.outputs.update(done)
    result.timings["export"] = time.perf_counter() - t
    return done


def _cleanup(paths) -> None:
    for p in paths:
        try:
            Path(p).unlink(missing_ok=True)
        except OSError:
            pass


def convert_file(
    path: Path, outdir: Path, config: Config = Config(), formats=FORMATS, stem: str | None = None
) -> Result:
    result = build_model(path, config)
    write_outputs(result, outdir, formats, stem)
    return result
