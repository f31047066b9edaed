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
from dataclasses import replace
from pathlib import Path

import numpy as np
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from plan2bim.config import Config
from plan2bim.model import Column, Storey, stable_guid
from plan2bim.vector.pdf import PageContent, read_page
from plan2bim.vector.recognise import VectorPlan, external_flags, recognise
from plan2bim.vector.settings import DEFAULT, VectorSettings

log = logging.getLogger(__name__)

__all__ = ["clip_content", "is_vector_page", "plan_graph", "vector_content", "vector_pages", "vector_storey"]


def is_vector_page(content: PageContent, st: VectorSettings = DEFAULT) -> tuple[bool, str]:
    """Whether the page is a vector drawing (read its lines) or a picture (the raster way), and why."""
    if content.image_area_ratio > st.max_image_area_ratio:
        return False, f"a raster image covers {content.image_area_ratio:.0%} of the page (a scan)"
    if content.segment_count < st.min_lines:
        return False, f"only {content.segment_count} vector lines (fewer than {st.min_lines})"
    return True, f"{len(content.paths)} vector paths, {content.segment_count} lines"


def plan_graph(vp: VectorPlan, px_per_pt: float, origin: tuple[float, float] = (0.0, 0.0)):
    """The vector plan as the raster path's plan graph, in the pixels of the rendered page's
    crop whose top-left corner is ``origin`` (page pixels; a viewport's crop)."""
    from plan2bim.raster.segments import Segment
    from plan2bim.raster.vectorize import HostedOpening, PlanGraph

    s = px_per_pt
    o0 = np.asarray(origin, dtype=np.float64)

    def px(p) -> tuple[float, float]:
        return (float(p[0] * s - o0[0]), float(p[1] * s - o0[1]))

    segs, hosted, foot = [], [], []
    for i, w in enumerate(vp.walls):
        segs.append(Segment(px(w.p0), px(w.p1), float(w.thickness * s)))
        foot.append([Polygon(np.asarray(w.band().exterior.coords) * s - o0)])
        for o in w.openings:
            c = w.p0 + w.u * o.offset
            sw = _swing_px(px(o.hinge_tip[0]), px(o.hinge_tip[1]), px(c), w.u, o.swing) if o.hinge_tip else None
            hosted.append(HostedOpening(o.kind, i, float(o.offset * s), float(o.width * s), px(c), 1.0, o.swing,
                                        swing_px=sw))
    rooms_pt = [r for r, _ in vp.rooms]
    rooms = [Polygon(np.asarray(r.exterior.coords) * s - o0) for r in rooms_pt]
    external = external_flags(vp.walls, rooms_pt)
    t = float(np.median([w.thickness for w in vp.walls]) * s) if vp.walls else 0.0
    return PlanGraph(walls=segs, openings=hosted, rooms=rooms, external=external, thickness=t, footprints=foot)


def _swing_px(hinge, tip, centre, u, swing: str):
    """(hinge, leaf tip) in pixels that ``build`` reads as the recognised ``swing``: the leaf
    is mirrored across the wall where the two disagree (the leaf side is the less sure cue;
    the hinge end is where the arc's centre sits)."""
    h, t, c = np.asarray(hinge), np.asarray(tip), np.asarray(centre)
    v = t - h
    hinge_at_start = float(np.dot(h - c, u)) < 0
    opens_left = float(u[0] * v[1] - u[1] * v[0]) < 0  # y runs down in pixels: left turns negative
    if swing in ("left", "right") and ("left" if hinge_at_start == opens_left else "right") != swing:
        t = h - v
    return (float(h[0]), float(h[1])), (float(t[0]), float(t[1]))


class _Frame:
    """The part of ``preprocess.Prepared`` that ``build_storey`` reads: the page is its own frame."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.input_size = size
        # no pixels to read a swing from: a vector door's swing comes with it (``swing_px``)
        self.ink = np.zeros((1, 1), bool)

    @staticmethod
    def map_to_input(pts) -> np.ndarray:
        return np.asarray(pts, dtype=np.float64).reshape(-1, 2)


def clip_content(content: PageContent, keep_pt: tuple[float, float, float, float],
                 drop_pt: list[tuple[float, float, float, float]] = (), *,
                 box_is_frame: bool = False) -> PageContent:
    """The page's content inside the box ``keep_pt`` (a viewport, in points) and outside every
    box of ``drop_pt`` (sheet furniture): lines whose both ends lie inside, texts whose centre
    does. A path cut by the box keeps its inside lines and is no longer closed.
    ``box_is_frame``: the box is the sheet's drawn border, whose own lines are left out too (a
    border line and a dimension line beside it made a wall, synthetic sheet 000065 of seed 4242)."""
    tol = 1.0  # points: a wall drawn on the viewport's edge stays in

    def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        ok = (x >= keep_pt[0] - tol) & (x <= keep_pt[2] + tol) & (y >= keep_pt[1] - tol) & (y <= keep_pt[3] + tol)
        for b in drop_pt:
            ok &= ~((x >= b[0]) & (x <= b[2]) & (y >= b[1]) & (y <= b[3]))
        return ok

    def on_frame(x0, y0, x1, y1) -> np.ndarray:
        fx0, fy0, fx1, fy1 = keep_pt
        out = np.zeros(len(x0), bool)
        for v, a, b in ((fx0, x0, x1), (fx1, x0, x1), (fy0, y0, y1), (fy1, y0, y1)):
            out |= (np.abs(a - v) <= tol) & (np.abs(b - v) <= tol)
        return out

    def keep_rows(a: np.ndarray, ends: tuple[int, int]) -> np.ndarray:
        if not len(a):
            return np.ones(0, bool)
        i, j = ends
        ok = inside(a[:, i], a[:, i + 1]) & inside(a[:, j], a[:, j + 1])
        if box_is_frame:
            ok &= ~on_frame(a[:, i], a[:, i + 1], a[:, j], a[:, j + 1])
        return ok

    # One pass over all the page's lines and curves (a sheet holds tens of thousands of small
    # paths: testing each on its own cost 2.7 s on a 49,515-path sheet), then counted per path
    # from a running sum (splitting the result into 49,515 arrays and asking each all()/any()
    # took ~0.4 s more).
    def per_path(arrays: list[np.ndarray], ends: tuple[int, int], width: int, flat=None):
        if flat is None:
            counts = np.fromiter((len(a) for a in arrays), np.int64, len(arrays))
            bounds = np.concatenate([[0], np.cumsum(counts)])
        else:  # the page as read: its paths' arrays are slices of one array, in order
            bounds = np.asarray(flat[1], np.int64)
            counts = bounds[1:] - bounds[:-1]
        if not bounds[-1]:
            return np.ones(0, bool), bounds.tolist(), [True] * len(arrays), [False] * len(arrays)
        whole = flat[0] if flat is not None else np.concatenate([a.reshape(-1, width) for a in arrays])
        ok = keep_rows(whole, ends)
        n_ok = np.concatenate([[0], np.cumsum(ok)])[bounds]
        n_ok = n_ok[1:] - n_ok[:-1]
        return ok, bounds.tolist(), (n_ok == counts).tolist(), (n_ok > 0).tolist()

    fl = content.flat
    if fl is not None and len(fl[2]) != len(content.paths) + 1:
        fl = None
    ok_s, at_s, all_s, any_s = per_path([p.segments for p in content.paths], (0, 2), 4,
                                        None if fl is None else (fl[0], fl[2]))
    ok_c, at_c, all_c, any_c = per_path([p.curves for p in content.paths], (0, 6), 8,
                                        None if fl is None else (fl[1], fl[3]))
    paths = []
    for i, p in enumerate(content.paths):
        if all_s[i] and all_c[i]:
            paths.append(p)
        elif any_s[i] or any_c[i]:
            ks, kc = ok_s[at_s[i]:at_s[i + 1]], ok_c[at_c[i]:at_c[i + 1]]
            paths.append(replace(p, segments=p.segments[ks], curves=p.curves[kc], closed=False, subpaths=()))
    texts = [t for t in content.texts
             if inside(np.array([(t.bbox[0] + t.bbox[2]) / 2]), np.array([(t.bbox[1] + t.bbox[3]) / 2]))[0]]
    return replace(content, paths=paths, texts=texts)


def vector_storey(content: PageContent, view, sheet, page_dpi: float, config: Config, *, index: int,
                  source_hash: str, elevation: float, settings: VectorSettings = DEFAULT) -> Storey | None:
    """The storey drawn in the floor-plan viewport ``view`` (``plan2bim.sheet.stage.View``) of
    the vector page ``content`` (None where no wall or column is found).

    Only the viewport's lines count, sheet furniture (``sheet.furniture``) left out. The scale
    follows the sheet stage's order: the user's, the viewport's printed 1:N (the sheet's reading,
    else the 1:N in the viewport's own text), its dimension chains, then the door widths and wall
    thicknesses found at a first guess; the recognition is repeated at the scale decided where
    it differs from the guess. Elements' pixel coordinates are the page image's."""
    from plan2bim.build import build_storey
    from plan2bim.scale import resolve_scale_ordered
    from plan2bim.vector.recognise import MM, printed_scale

    px_per_pt = page_dpi / 72.0
    # The storey stays in the whole page's pixels (not the crop's, as a raster view): a vector
    # sheet's truth and overlay are the page's, and the viewport is only where lines are read.
    ox, oy = 0.0, 0.0
    w, h = sheet.size_px
    box = view.viewport.bbox
    if view.viewport.reason.startswith(("no title read", "title block says")) and sheet.frame is not None:
        # Nothing on the sheet names its drawings, so the largest ink cluster was taken: a
        # turned or spread-out plan falls into several clusters. Its lines are exact, so read
        # all of the frame but the furniture (measured: synthetic sheets 000045, 000064).
        # Where the title block names the sheet's one drawing, all of the frame is that drawing
        # too: a detached part of the building (an outbuilding beside the house) is a cluster
        # of its own (synthetic seed 99 sheet 6, seed 7 sheet 8).
        box = sheet.frame
    if view.whole_page and sheet.frame is None and not sheet.furniture:
        clipped = content
    else:
        clipped = clip_content(content, tuple(float(v) / px_per_pt for v in box),
                               [tuple(float(v) / px_per_pt for v in b) for b in sheet.furniture],
                               box_is_frame=box is sheet.frame)
    printed = (view.printed_px_per_m, view.printed_detail) if view.printed_px_per_m else None
    if printed is None and (n := printed_scale(clipped)):
        printed = (1000.0 / n * MM * px_per_pt, f"printed 1:{n:g} in the drawing's text")
    dims = (view.dimension_px_per_m, view.dimension_detail) if view.dimension_px_per_m else None
    if config.resolved_scale() or config.drawing_scale:
        guess = None  # the user's scale: resolve_scale_ordered below returns it
    else:
        guess = (printed or dims or (1000.0 / 100 * MM * px_per_pt, ""))[0]

    def run(px_per_m: float) -> VectorPlan:
        return recognise(clipped, settings, given=(px_per_m / px_per_pt, "given"))

    s = config.sheet
    vp = run(guess) if guess else None
    decide = dict(printed=printed, dimensions=dims, extent_px=None if view.whole_page else float(max(box[2] - box[0], box[3] - box[1])),
                  max_wall_thickness_m=s.max_wall_thickness_m, max_door_width_m=s.max_door_width_m,
                  max_building_m=s.max_building_m)
    doors = [o.width * px_per_pt for x in vp.walls for o in x.openings if o.kind == "door"] if vp else []
    thick = float(np.median([x.thickness for x in vp.walls]) * px_per_pt) if vp and vp.walls else 0.0
    scale = resolve_scale_ordered(config, doors, thick, page_dpi, **decide)
    if vp is None or abs(scale.px_per_m / guess - 1) > 0.01:
        vp = run(scale.px_per_m)
    if scale.method == "default":
        log.warning("page %d: no scale printed, measured or estimable; %s", content.number, scale.detail)
    if not vp.walls and not vp.columns:
        return None
    plan = plan_graph(vp, px_per_pt, (ox, oy))
    storey = build_storey(plan, _Frame((w, h)), scale, config, index=index, page=content.number,
                          source_hash=source_hash, elevation=elevation)
    names = [n for _, n in vp.rooms]
    spaces = [replace(sp, name=names[k] or sp.name, source="vector") for k, sp in enumerate(storey.spaces)] \
        if len(storey.spaces) == len(names) else [replace(sp, source="vector") for sp in storey.spaces]
    sid = storey.id
    columns = []
    for k, poly in enumerate(vp.columns):
        ring_px = np.asarray(poly.exterior.coords)[:-1] * px_per_pt - np.array([ox, oy], dtype=np.float64)
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


def vector_content(path: Path, number: int, settings: VectorSettings = DEFAULT) -> PageContent | None:
    """Page ``number`` of the PDF at ``path``, read, where it is a vector drawing; else None.

    The decision is logged; a page that cannot be read as vectors goes the raster way rather
    than failing the file."""
    from plan2bim.errors import InputError

    try:
        content = read_page(path, number)
    except InputError as e:
        log.warning("%s page %d: vector content unreadable (%s); raster route", path, number, e)
        return None
    ok, why = is_vector_page(content, settings)
    log.info("%s page %d: %s route (%s)", path, number, "vector" if ok else "raster", why)
    return content if ok else None


def vector_pages(path: Path, numbers: list[int], settings: VectorSettings = DEFAULT) -> dict[int, PageContent]:
    """The pages of the PDF at ``path`` (among ``numbers``) that are vector drawings, read."""
    out = {n: vector_content(path, n, settings) for n in numbers}
    return {n: c for n, c in out.items() if c is not None}
