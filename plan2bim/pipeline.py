"""The pipeline, top to bottom: load -> preprocess -> detect -> vectorize -> model -> export.

``build_model`` does no output I/O; ``write_outputs`` writes every format atomically (temporary
names, renamed only when all succeeded); ``convert_file`` does both.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .build import build_storey
from .config import Config
from .detect import detect
from .errors import ExportError, NoPlanError, Plan2BimError
from .export import FORMATS, get_writer, suffix
from .load import load_pages, sniff_format
from .model import Building, content_hash, stable_guid
from .preprocess import preprocess
from .scale import resolve_scale_ordered
from .sheet.stage import finish_storey, order_storeys, page_views, unused_reason, view_texts_on_page
from .vector.route import vector_pages, vector_storey
from .vectorize import vectorize

log = logging.getLogger(__name__)

STAGES = ("load", "preprocess", "detect", "vectorize", "model", "export")


@dataclass
class Result:
    building: Building
    images: list[np.ndarray]
    """RGB page images, one per storey, in input pixels."""
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    outputs: dict[str, Path] = field(default_factory=dict)
    megapixels: float = 0.0


def build_model(path: Path, config: Config = Config()) -> Result:
    """Recognise the plan in ``path`` and return its building model (no files written)."""
    path = Path(path)
    timings = dict.fromkeys(STAGES, 0.0)
    t0 = time.perf_counter()
    pages = load_pages(path, config)
    try:
        data = path.read_bytes()
        source_hash = content_hash(data)
    except OSError as e:
        raise Plan2BimError(f"{path}: cannot be read ({e})") from None
    is_pdf = data[:4] == b"%PDF"
    del data
    timings["load"] = time.perf_counter() - t0

    storeys, images, used_views, records = [], [], [], []
    floor_to_floor = config.wall_height + config.slab_thickness
    empty_pages = []
    vector = _vector_pages(path, pages, config)
    for page in pages:
        # Sheet stage: which drawings on the page are floor plans, on what crop, at what scale.
        t = time.perf_counter()
        views, recs, sheet = page_views(
            page.image, page.number, page.dpi, path if is_pdf else None,
            forced=bool(config.pages), keep=page.number in config.keep_pages,
            all_pages=config.all_pages, settings=config.sheet)
        content = vector.get(page.number)  # a CAD-exported page: recognised from its own lines
        if content is not None:
            recs = [replace(r, source="vector") for r in recs]
        base = len(records)
        records.extend(recs)
        timings["preprocess"] += time.perf_counter() - t
        for view in views:
            if content is not None:
                # Vector route: the viewport's lines (furniture left out) at the sheet stage's
                # scale; the storey comes back in the whole page's pixels (its overlay image).
                t = time.perf_counter()
                storey = vector_storey(content, view, sheet, page.dpi or config.pdf_dpi, config,
                                       index=len(storeys), source_hash=source_hash,
                                       elevation=len(storeys) * floor_to_floor, settings=config.vector)
                timings["vectorize"] += time.perf_counter() - t
                rec = records[base + view.record]
                if storey is None:
                    empty_pages.append(page.number)
                    records[base + view.record] = replace(rec, used=False, reason=f"{rec.reason}; no wall found")
                    continue
                storey = finish_storey(storey, replace(view, texts=view_texts_on_page(view)))
                records[base + view.record] = replace(rec, storey_id=storey.id)
                storeys.append(storey)
                images.append(page.image)
                used_views.append(view)
                continue
            t = time.perf_counter()
            prepared = preprocess(view.image, config)
            timings["preprocess"] += time.perf_counter() - t

            t = time.perf_counter()
            det = detect(prepared, config)
            timings["detect"] += time.perf_counter() - t

            t = time.perf_counter()
            doors = [o.width for o in det.openings if o.kind == "door"]
            scale = resolve_scale_ordered(
                config, doors, det.wall_thickness_px, page.dpi,
                printed=(view.printed_px_per_m, view.printed_detail) if view.printed_px_per_m else None,
                dimensions=(view.dimension_px_per_m, view.dimension_detail)
                if view.dimension_px_per_m else None,
                extent_px=None if view.whole_page else float(max(view.image.shape[:2])),
                max_wall_thickness_m=config.sheet.max_wall_thickness_m,
                max_door_width_m=config.sheet.max_door_width_m,
                max_building_m=config.sheet.max_building_m)
            plan = vectorize(det, scale.px_per_m, config)
            timings["vectorize"] += time.perf_counter() - t
            rec = records[base + view.record]
            if not plan.walls:
                empty_pages.append(page.number)
                records[base + view.record] = replace(rec, used=False, reason=f"{rec.reason}; no wall found")
                continue

            t = time.perf_counter()
            storey = finish_storey(build_storey(
                plan, prepared, scale, config, index=len(storeys), page=page.number,
                source_hash=source_hash, elevation=len(storeys) * floor_to_floor,
            ), view)
            records[base + view.record] = replace(rec, storey_id=storey.id)
            storeys.append(storey)
            images.append(view.original)
            used_views.append(view)
            timings["model"] += time.perf_counter() - t

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
    mp = sum(p.image.shape[0] * p.image.shape[1] for p in pages) / 1e6
    return Result(building=building, images=images, timings=timings, megapixels=mp)


def _vector_pages(path: Path, pages: list, config: Config) -> dict:
    """The PDF pages to read as vector drawings (none for a raster input)."""
    if path.suffix.lower() != ".pdf":
        with path.open("rb") as f:
            if sniff_format(f.read(8)) != "pdf":
                return {}
    return vector_pages(path, [p.number for p in pages], config.vector)


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
    temps: dict[str, Path] = {}
    try:
        for fmt in formats:
            final = outdir / f"{stem}{suffix(fmt)}"
            tmp = outdir / f".{final.name}.{os.getpid()}.part"
            temps[fmt] = tmp
            get_writer(fmt)(result.building, tmp, images=result.images)
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
