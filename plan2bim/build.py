"""From plan topology in pixels to the building model in metres."""

from __future__ import annotations

import numpy as np
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

from plan2bim.config import Config
from plan2bim.geometry import compute_geometry
from plan2bim.model import Opening, Ring, Scale, Space, Storey, Wall, stable_guid
from plan2bim.raster.preprocess import Prepared
from plan2bim.raster.segments import Segment, box_corners
from plan2bim.raster.vectorize import PlanGraph
from plan2bim.settings import BuildSettings, ClassicalSettings
from plan2bim.units import px_to_m


def build_storey(
    plan: PlanGraph, prepared: Prepared, scale: Scale, config: Config, *,
    index: int, page: int, source_hash: str, elevation: float,
) -> Storey:
    """Map a page's plan graph to a storey: input-image pixels for drawing, metres for the model."""
    s = scale.px_per_m
    w_in, h_in = prepared.input_size
    sid = f"S{index + 1}"

    def to_in(pts) -> np.ndarray:
        return prepared.map_to_input(np.asarray(pts, dtype=float))

    def to_m(pts_in: np.ndarray) -> np.ndarray:
        return px_to_m(pts_in, s, h_in)

    def gid(key: str) -> str:
        return stable_guid(source_hash, f"{sid}/{key}")

    # Openings first: their boxes are cut from the wall footprints.
    swings = _find_swings(plan, prepared, config.classical)
    by_wall: dict[int, list[tuple[str, object]]] = {}
    openings: list[Opening] = []
    counts = {"door": 0, "window": 0}
    for h in plan.openings:
        counts[h.kind] += 1
        oid = f"{sid}-{'D' if h.kind == 'door' else 'N'}{counts[h.kind]}"
        by_wall.setdefault(h.wall, []).append((oid, h))
    wall_ids = {i: f"{sid}-W{i + 1}" for i in range(len(plan.walls))}
    walls: list[Wall] = []
    for i, seg in enumerate(plan.walls):
        drawn = [Polygon(to_in(np.asarray(p.exterior.coords)),
                         [to_in(np.asarray(r.coords)) for r in p.interiors])
                 for p in plan.footprints[i]]
        cut = unary_union([d.buffer(0) for d in drawn])
        for _, h in by_wall.get(i, []):
            cut = cut.difference(Polygon(to_in(box_corners(
                seg.point_at(h.offset), seg.direction, h.width, seg.thickness + 2.0))))
        p0, p1 = to_m(to_in([seg.p0, seg.p1]))
        walls.append(Wall(
            id=wall_ids[i], start=(float(p0[0]), float(p0[1])), end=(float(p1[0]), float(p1[1])),
            thickness=snap_thickness(seg.thickness / s), height=config.wall_height,
            is_external=bool(plan.external[i]), global_id=gid(f"W{i + 1}"),
            footprint_px=_polygons_px(cut),
        ))
        for oid, h in by_wall.get(i, []):
            is_door = h.kind == "door"
            c_in = to_in([h.center])[0]
            c_m = to_m(c_in[None])[0]
            width = h.width / s
            openings.append(Opening(
                id=oid, kind=h.kind, wall_id=wall_ids[i], offset=h.offset / s, width=width,
                height=config.door_height if is_door else config.window_height,
                sill_height=0.0 if is_door else config.window_sill,
                center=(float(c_m[0]), float(c_m[1])),
                center_px=(float(c_in[0]), float(c_in[1])), width_px=float(h.width),
                confidence=float(np.clip(h.confidence, 0, 1)), global_id=gid(oid.split("-")[1]),
                **_swing(h, seg, to_in, to_m, swings.get(id(h))),
            ))
    openings.sort(key=lambda o: (o.kind, int(o.id.split("-")[1][1:])))

    spaces: list[Space] = []
    for k, room in enumerate(plan.rooms):
        ring_in = to_in(np.asarray(room.exterior.coords)[:-1])
        poly_m = orient(Polygon(to_m(ring_in)), sign=1.0)
        if not poly_m.is_valid or poly_m.area <= 0:
            continue
        spaces.append(Space(
            id=f"{sid}-R{k + 1}", name=f"Room {k + 1}",
            polygon=_ring(np.asarray(poly_m.exterior.coords)[:-1]),
            polygon_px=_ring(ring_in), area=float(poly_m.area), global_id=gid(f"R{k + 1}"),
        ))

    slab = _slab_outline(plan, to_in, to_m, config.build)
    return Storey(
        id=sid, name=config.storey_name if (config.storey_name and index == 0) else
        (f"{config.storey_name} {index + 1}" if config.storey_name else f"Storey {index + 1}"),
        elevation=elevation, height=config.wall_height, walls=walls, openings=openings,
        spaces=spaces, slab=slab, slab_thickness=config.slab_thickness, scale=scale,
        image_size=(int(w_in), int(h_in)), page=page, global_id=stable_guid(source_hash, sid),
        slab_global_id=gid("slab"),
        geometry=compute_geometry(walls, openings),
    )


def _find_swings(plan: PlanGraph, prepared: Prepared, st: ClassicalSettings) -> dict[int, tuple]:
    """Hinge and open-leaf tip of the doors whose detector did not say (the learned model finds
    the door, not its swing): read from the drawing at the hosted door, across its wall."""
    from plan2bim.raster.detect.classical import _near_ink, door_swing

    todo = [h for h in plan.openings if h.kind == "door" and getattr(h, "swing_px", None) is None]
    if not todo:
        return {}
    near = _near_ink(prepared.ink, st)
    out = {}
    for h in todo:
        seg = plan.walls[h.wall]
        found = door_swing(near, np.asarray(h.center, float), np.asarray(seg.direction, float),
                           float(h.width), float(seg.thickness), st)
        if found is not None:
            out[id(h)] = found
    return out


def _swing(h, seg: Segment, to_in, to_m, found=None) -> dict[str, str]:
    """The door's hinge side (IFC's sense) and the side of the wall it opens to, from the hinge
    and open-leaf tip seen in the drawing; "none" where they were not seen."""
    if h.kind == "door" and h.swing in ("double", "sliding"):
        return {"swing": h.swing}
    found = getattr(h, "swing_px", None) or found
    if h.kind != "door" or found is None:
        return {}
    # Map the points and the wall's direction to metres: the image's y axis points down, so the
    # sides swap on the way.
    hinge, tip, p0, p1, c = to_m(to_in([*found, seg.p0, seg.p1, h.center]))
    u = (p1 - p0) / max(float(np.hypot(*(p1 - p0))), 1e-9)
    hinge_at_start = float(np.dot(hinge - c, u)) < 0
    v = tip - hinge
    opens_left = float(u[0] * v[1] - u[1] * v[0]) > 0
    return {"swing": "left" if hinge_at_start == opens_left else "right",
            "opens_to": "left" if opens_left else "right"}


THICKNESS_STEP_M = 0.025
"""Wall thicknesses are snapped to 25 mm steps: what a drawing can tell apart at plan scale, and
what wall types come in, so walls of one kind share one IfcWallType."""


def snap_thickness(t: float) -> float:
    return max(THICKNESS_STEP_M * 2, round(t / THICKNESS_STEP_M) * THICKNESS_STEP_M)


def _ring(pts) -> Ring:
    return [(float(x), float(y)) for x, y in np.asarray(pts).reshape(-1, 2)]


def _polygons_px(geom) -> list[list[Ring]]:
    parts = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    out = []
    for p in parts:
        if p.is_empty or p.geom_type != "Polygon" or p.area < 1.0:
            continue
        out.append([_ring(np.asarray(p.exterior.coords)[:-1])]
                   + [_ring(np.asarray(r.coords)[:-1]) for r in p.interiors])
    return out


def _slab_outline(plan: PlanGraph, to_in, to_m, st: BuildSettings) -> Ring:
    """The outline of the largest built part of the storey (rooms and walls), in metres."""
    parts = [Polygon(to_m(to_in(s.corners()))) for s in plan.walls]
    parts += [Polygon(to_m(to_in(np.asarray(r.exterior.coords)[:-1]))) for r in plan.rooms]
    parts = [p.buffer(0) for p in parts if p.is_valid or p.buffer(0).area > 0]
    if not parts:
        return []
    u = unary_union(parts)
    # Close the small notches between wall ends and rooms before taking the outline.
    close = st.slab_close_m
    u = u.buffer(close, join_style="mitre").buffer(-close, join_style="mitre")
    geoms = list(u.geoms) if hasattr(u, "geoms") else [u]
    big = max((g for g in geoms if g.geom_type == "Polygon"), key=lambda g: g.area)
    big = orient(Polygon(big.exterior).simplify(st.slab_simplify_m), sign=1.0)
    return _ring(np.asarray(big.exterior.coords)[:-1])
