"""The vector route into the building model: a PDF page's own lines -> a storey.

Recognition runs in page points (:mod:`.recognise`); its result is handed to
``build.build_storey`` as the raster path's plan graph, in the pixels of the page rendered at
the output resolution. That keeps one owner for pixels -> metres, thickness snapping, GlobalIds
and the slab outline, and the overlay, JSON and scoring read vector storeys exactly like raster
ones. What the plan graph cannot carry (room names, columns, the element source) is added to the
storey afterwards.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from ..config import Config
from ..model import Column, Scale, Storey, stable_guid
from .pdf import PageContent, read_page
from .recognise import VectorPlan, external_flags, recognise
from .settings import DEFAULT, VectorSettings

log = logging.getLogger(__name__)

__all__ = ["is_vector_page", "plan_graph", "vector_storey"]


_OTHER_WORDS = re.compile(r"\b(ELEVATIONS?|SECTIONS?|SCHEDULES?|KERATAN|PANDANGAN|TAMPAK|JADUAL|DETAILS?)\b", re.I)
_PLAN_WORDS = re.compile(r"\b(PLANS?|PELAN|GRUNDRISS|PLANTA|POHJA)\b", re.I)


def not_a_plan(content: PageContent) -> str | None:
    """Why the page is not a floor plan, from its words, or None.

    A stop-gap until the sheet stage (``plan2bim.sheet``) classifies pages: a page whose text
    names elevations, sections or schedules and no plan is not a storey."""
    text = " ".join(t.text for t in content.texts)
    other = _OTHER_WORDS.search(text)
    if other and not _PLAN_WORDS.search(text):
        return f"its title says {other.group(0).upper()}, not a plan"
    return None


def is_vector_page(content: PageContent, st: VectorSettings = DEFAULT) -> tuple[bool, str]:
    """Whether the page is a vector drawing (read its lines) or a picture (the raster way), and why."""
    if content.image_area_ratio > st.max_image_area_ratio:
        return False, f"a raster image covers {content.image_area_ratio:.0%} of the page (a scan)"
    if content.segment_count < st.min_lines:
        return False, f"only {content.segment_count} vector lines (fewer than {st.min_lines})"
    return True, f"{len(content.paths)} vector paths, {content.segment_count} lines"


def plan_graph(vp: VectorPlan, px_per_pt: float):
    """The vector plan as the raster path's plan graph, in rendered-page pixels."""
    from ..segments import Segment
    from ..vectorize import HostedOpening, PlanGraph

    s = px_per_pt
    segs, hosted, foot = [], [], []
    for i, w in enumerate(vp.walls):
        segs.append(Segment((float(w.p0[0] * s), float(w.p0[1] * s)), (float(w.p1[0] * s), float(w.p1[1] * s)),
                            float(w.thickness * s)))
        foot.append([Polygon(np.asarray(w.band().exterior.coords) * s)])
        for o in w.openings:
            c = w.p0 + w.u * o.offset
            hosted.append(HostedOpening(o.kind, i, float(o.offset * s), float(o.width * s),
                                        (float(c[0] * s), float(c[1] * s)), 1.0, o.swing))
    rooms_pt = [r for r, _ in vp.rooms]
    rooms = [Polygon(np.asarray(r.exterior.coords) * s) for r in rooms_pt]
    external = external_flags(vp.walls, rooms_pt)
    t = float(np.median([w.thickness for w in vp.walls]) * s) if vp.walls else 0.0
    return PlanGraph(walls=segs, openings=hosted, rooms=rooms, external=external, thickness=t, footprints=foot)


class _Frame:
    """The part of ``preprocess.Prepared`` that ``build_storey`` reads: the page is its own frame."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.input_size = size

    @staticmethod
    def map_to_input(pts) -> np.ndarray:
        return np.asarray(pts, dtype=np.float64).reshape(-1, 2)


def vector_storey(path: Path, number: int, image: np.ndarray, config: Config, *, index: int,
                  source_hash: str, elevation: float, content: PageContent | None = None,
                  settings: VectorSettings = DEFAULT) -> Storey | None:
    """The storey drawn on vector page ``number`` (None where no wall is found).

    ``image`` is the page rendered at the output resolution; elements' pixel coordinates are its."""
    from ..build import build_storey

    content = content or read_page(path, number)
    h, w = image.shape[:2]
    px_per_pt = w / content.size_pt[0]
    exact = config.pdf_dpi / 72.0
    if abs(content.size_pt[0] * exact - w) <= 1.0 and abs(content.size_pt[1] * exact - h) <= 1.0:
        # the page was rendered at the configured dpi (its size rounded to whole pixels): the
        # exact factor, not the rounded size's, or the far side of an A4 page is a pixel off
        px_per_pt = exact
    why = not_a_plan(content)
    if why:
        log.warning("%s page %d: not a floor plan (%s); skipped", path, number, why)
        return None
    vp = recognise(content, settings, config.drawing_scale)
    if not vp.walls and not vp.columns:
        return None
    plan = plan_graph(vp, px_per_pt)
    px_per_m = vp.k_pt_per_m * px_per_pt
    if config.px_per_m is not None:
        scale = Scale(float(config.px_per_m), "user", "given with --scale")
    elif vp.scale_method == "printed":
        scale = Scale(px_per_m, "printed", f"printed 1:{vp.scale_denominator:g} on a "
                      f"{content.size_pt[0] / 72 * 25.4:.0f} x {content.size_pt[1] / 72 * 25.4:.0f} mm page")
    elif vp.scale_method == "user":
        scale = Scale(px_per_m, "dpi", f"1:{vp.scale_denominator:g} given, exact page size")
    else:
        scale = Scale(px_per_m, "default", "no printed scale; 1:100 assumed")
    storey = build_storey(plan, _Frame((w, h)), scale, config, index=index, page=number,
                          source_hash=source_hash, elevation=elevation)
    names = [n for _, n in vp.rooms]
    spaces = [replace(sp, name=names[k] or sp.name, source="vector") for k, sp in enumerate(storey.spaces)] \
        if len(storey.spaces) == len(names) else [replace(sp, source="vector") for sp in storey.spaces]
    sid = storey.id
    columns = []
    for k, poly in enumerate(vp.columns):
        ring_px = np.asarray(poly.exterior.coords)[:-1] * px_per_pt
        ring_m = np.stack([ring_px[:, 0] / scale.px_per_m, (h - ring_px[:, 1]) / scale.px_per_m], 1)
        pm = orient(Polygon(ring_m), 1.0)
        c = pm.centroid
        columns.append(Column(
            id=f"{sid}-C{k + 1}", center=(float(c.x), float(c.y)),
            outline=[(float(x), float(y)) for x, y in np.asarray(pm.exterior.coords)[:-1]],
            height=config.wall_height, global_id=stable_guid(source_hash, f"{sid}/C{k + 1}"),
            outline_px=[(float(x), float(y)) for x, y in ring_px], source="vector"))
    return replace(
        storey,
        walls=[replace(x, source="vector") for x in storey.walls],
        openings=[replace(x, source="vector") for x in storey.openings],
        spaces=spaces, columns=columns,
    )


def vector_pages(path: Path, numbers: list[int], settings: VectorSettings = DEFAULT) -> dict[int, PageContent]:
    """The pages of the PDF at ``path`` (among ``numbers``) that are vector drawings (or say in
    their text that they are no plan), read.

    The decision for every page is logged; a page that cannot be read as vectors goes the raster
    way rather than failing the file."""
    from ..errors import InputError

    out: dict[int, PageContent] = {}
    for n in numbers:
        try:
            content = read_page(path, n)
        except InputError as e:
            log.warning("%s page %d: vector content unreadable (%s); raster route", path, n, e)
            continue
        ok, why = is_vector_page(content, settings)
        log.info("%s page %d: %s route (%s)", path, n, "vector" if ok else "raster", why)
        # a page whose text says it is no plan is kept here too, to be skipped by
        # vector_storey, whatever its route: a sparse elevation is not worth a raster storey
        if ok or not_a_plan(content):
            out[n] = content
    return out
