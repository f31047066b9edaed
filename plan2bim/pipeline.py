"""The pipeline, top to bottom: load -> preprocess -> detect -> vectorize -> model -> export.

``build_model`` does no output I/O; ``write_outputs`` writes every format atomically (temporary
names, renamed only when all succeeded); ``convert_file`` does both.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import logging
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from plan2bim.build import build_storey
from plan2bim.config import Config
from plan2bim.errors import ExportError, InputError, NoPlanError, Plan2BimError
from plan2bim.export import FORMATS, get_writer, suffix
from plan2bim.load import Page, iter_pages
from plan2bim.model import Building, Scale, Storey, stable_guid
from plan2bim.pixels import rescale_storey, shift_storey
from plan2bim.raster.detect import detect
from plan2bim.raster.limits import InputLimits
from plan2bim.raster.preprocess import preprocess
from plan2bim.raster.vectorize import vectorize
from plan2bim.runtime import cancel
from plan2bim.runtime.tempfiles import remove_stale, temp_path
from plan2bim.scale import resolve_scale_ordered
from plan2bim.sheet.stage import (
    View,
    finish_storey,
    mask_view,
    order_storeys,
    page_views,
    unused_reason,
    view_texts_on_page,
)
from plan2bim.vector.route import vector_content, vector_storey

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
    is_pdf = _is_pdf(path)
    pages = iter_pages(path, config)
    timings["load"] = time.perf_counter() - t0

    storeys: list[Storey] = []
    images: list[np.ndarray] = []
    used_views: list[View] = []
    records: list = []
    empty_pages: list[int] = []
    floor_to_floor = config.wall_height + config.slab_thickness
    megapixels = 0.0
    while True:
        t = time.perf_counter()
        page = next(pages, None)
        timings["load"] += time.perf_counter() - t
        if page is None:
            break
        cancel.check()
        megapixels += page.image.shape[0] * page.image.shape[1] / 1e6
        where = f"{path}: page {page.number}" if is_pdf or page.number > 1 else f"{path}"
        # One page at a time, in a function of its own: its working images are freed before
        # the next page is read.
        _recognise_page(page, where, path if is_pdf else None, config, timings,
                        source_hash=source_hash, floor_to_floor=floor_to_floor,
                        storeys=storeys, images=images, used_views=used_views,
                        records=records, empty_pages=empty_pages)
        del page  # not held while the next page is rendered
        _release_freed_memory()

    if not storeys:
        raise NoPlanError(unused_reason(path, records, empty_pages, is_pdf))
    if empty_pages:
        log.warning("%s: no wall found on page(s) %s; skipped", path, empty_pages)
    order = order_storeys(storeys, used_views, floor_to_floor)
    storeys = [s for s, _ in order]
    images = [images[i] for _, i in order]
    building = Building(
        name=path.stem, source=path.name, source_hash=source_hash, storeys=storeys,
        project_global_id=stable_guid(source_hash, "project"),
        site_global_id=stable_guid(source_hash, "site"),
        building_global_id=stable_guid(source_hash, "building"), pages=records,
    )
    return Result(building=building, images=images, timings=timings, megapixels=megapixels)


def _recognise_page(page: Page, where: str, pdf_path: Path | None, config: Config,
                    timings: dict[str, float], *, source_hash: str, floor_to_floor: float,
                    storeys: list[Storey], images: list[np.ndarray], used_views: list[View],
                    records: list, empty_pages: list[int]) -> None:
    """Every floor-plan view of one page to a storey (in the page's input pixels), appended to
    ``storeys`` with its image; the page's records to ``records``."""
    if config.drawing_scale is not None and config.px_per_m is None \
            and not (config.dpi or page.dpi):
        raise InputError(f"{where}: --drawing-scale needs the scan's resolution, and the "
                         "image carries none: give --dpi too, or --scale")
    f = page.work_factor  # a large page is recognised reduced, and mapped back at the end
    page_config = config if f == 1.0 else _scaled_config(config, f)
    page_dpi = page.dpi * f if page.dpi else None
    # Sheet stage: which drawings on the page are floor plans, on what crop, at what scale.
    t = time.perf_counter()
    views, recs, sheet = page_views(
        page.image, page.number, page_dpi, pdf_path,
        forced=bool(config.pages), keep=page.number in config.keep_pages,
        all_pages=config.all_pages, settings=config.sheet, mask=pdf_path is None)
    # A CAD-exported PDF page is recognised from its own lines (plan2bim.vector), in the views
    # the sheet stage chose; a scan or a sparse page takes the raster way below, on views with
    # the sheet furniture painted out (a vector page's never are: its pixels are not read).
    content = vector_content(pdf_path, page.number, config.vector) if pdf_path is not None and views else None
    if content is not None:
        recs = [replace(r, source="vector") for r in recs]
    else:
        views = [mask_view(v, page.image, sheet) for v in views]
    base = len(records)
    records.extend(_records_in_input_pixels(recs, f))
    timings["preprocess"] += time.perf_counter() - t
    for view in views:
        if content is not None:
            t = time.perf_counter()
            storey = vector_storey(content, view, sheet, page_dpi or page_config.pdf_dpi, page_config,
                                   index=len(storeys), source_hash=source_hash,
                                   elevation=len(storeys) * floor_to_floor, settings=config.vector)
            timings["vectorize"] += time.perf_counter() - t
            rec = records[base + view.record]
            if storey is None:
                empty_pages.append(page.number)
                records[base + view.record] = replace(rec, used=False, reason=f"{rec.reason}; no wall found")
                continue
            _check_scale(where, storey.scale, page.image.shape, InputLimits())
            # A vector storey is in the whole page's pixels (the synthetic sheets' truth is).
            storey = finish_storey(storey, replace(view, texts=view_texts_on_page(view)))
            if f != 1.0:
                h, w = page.image.shape[:2]
                storey = rescale_storey(storey, 1.0 / f, page.input_size or (round(w / f), round(h / f)))
            records[base + view.record] = replace(rec, storey_id=storey.id)
            storeys.append(storey)
            images.append(page.image)
            used_views.append(view)
            continue
        t = time.perf_counter()
        prepared = preprocess(view.image, page_config)
        timings["preprocess"] += time.perf_counter() - t

        t = time.perf_counter()
        try:
            det = detect(prepared, page_config)
            timings["detect"] += time.perf_counter() - t

            t = time.perf_counter()
            doors = [o.width for o in det.openings if o.kind == "door"]
            sheet = config.sheet
            scale = resolve_scale_ordered(
                page_config, doors, det.wall_thickness_px, page_dpi,
                printed=(view.printed_px_per_m, view.printed_detail) if view.printed_px_per_m else None,
                dimensions=(view.dimension_px_per_m, view.dimension_detail)
                if view.dimension_px_per_m else None,
                extent_px=None if view.whole_page else float(max(view.image.shape[:2])),
                max_wall_thickness_m=sheet.max_wall_thickness_m,
                max_door_width_m=sheet.max_door_width_m,
                max_building_m=sheet.max_building_m, paper=view.paper_px_per_m)
            _check_scale(where, scale, prepared.gray.shape, InputLimits())
            plan = vectorize(det, scale.px_per_m, page_config)
            timings["vectorize"] += time.perf_counter() - t
        except NoPlanError as e:
            raise NoPlanError(f"{where}: {e}") from None
        rec = records[base + view.record]
        if not plan.walls:
            empty_pages.append(page.number)
            records[base + view.record] = replace(rec, used=False, reason=f"{rec.reason}; no wall found")
            continue

        t = time.perf_counter()
        storey = finish_storey(build_storey(
            plan, prepared, scale, page_config, index=len(storeys), page=page.number,
            source_hash=source_hash, elevation=len(storeys) * floor_to_floor,
        ), view)
        h, w = page.image.shape[:2]
        if not view.whole_page:  # recognised on the drawing's crop: on the page, as vector storeys
            storey = shift_storey(storey, view.origin, (w, h))
        if f != 1.0:  # recognised on a reduced image: back to the input's pixels
            storey = rescale_storey(storey, 1.0 / f, page.input_size or (round(w / f), round(h / f)))
        records[base + view.record] = replace(rec, storey_id=storey.id)
        storeys.append(storey)
        images.append(page.image)
        used_views.append(view)
        timings["model"] += time.perf_counter() - t


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, musl, Windows)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None


def _release_freed_memory() -> None:
    """Give the memory that the page just recognised freed back to the system (glibc only).

    Why: glibc raises its mmap threshold each time a large block is freed (up to 32 MiB), so
    after the first page the page-sized buffers (page images, masks, the learned detector's
    tensors: 2-30 MB each) come from the heap instead of mappings of their own; freed, they stay
    in the heap, and the small blocks allocated among them keep it from shrinking. Resident
    memory then grew with every page although Python held nothing (tracemalloc): a one-plan
    PDF peaked at 344 MB with 2 blank A4 pages, 586 MB with 30, 828 MB with 95 (either detector
    alone on repeated pages stays flat; interleaved, they fragment the heap). ``malloc_trim(0)``
    hands the free pages inside the heap back, 10-40 ms a page; resident memory between pages
    is then the same after the 4th page as after the 95th. Fixing the mmap threshold instead
    (``mallopt``) keeps the peak lower still, but every page-sized temporary is then mapped and
    zero-filled anew: 8 times the page faults and +50% time per page, measured.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _records_in_input_pixels(recs: list, f: float) -> list:
    if f == 1.0:
        return list(recs)
    return [replace(r, viewport_px=tuple(v / f for v in r.viewport_px))
            if r.viewport_px is not None else r for r in recs]


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(5).startswith(b"%PDF")
    except OSError:
        return False


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
    # The exporters' buffers, as a page's: a batch worker goes on to the next plan 60-70 MB
    # lighter (measured on two_storeys.pdf, 230 -> 160 MB resident between plans).
    _release_freed_memory()
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
