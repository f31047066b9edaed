"""Ground truth and training labels of a synthetic plan, read from its exact geometry.

Everything is mapped through ``to_img``, the 3x3 affine from plan metres to the final image's
pixels (drawing scale, y flip, then the scan's skew, turn and resize), so that the labels sit on
the pixels exactly where the drawing put them:

- :func:`building`: the project's building model (walls with footprints in image pixels and their
  openings cut out, openings, rooms), as the pipeline would ideally recognise it;
- :func:`semantic_mask`: 0 background, 1 wall, 2 door, 3 window (the openings' rectangles).
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from shapely import affinity
from shapely.geometry import Polygon
from shapely.ops import unary_union

from plan2bim.config import Config
from plan2bim.model import Building, Opening, Scale, Space, Storey, Wall, stable_guid
from plan2bim.tools.synth.layout import OUTDOOR, Layout, OpeningSpec, WallSpec
from plan2bim.units import px_to_m

__all__ = ["MASK_VALUES", "building", "semantic_mask"]

MASK_VALUES = {"background": 0, "wall": 1, "door": 2, "window": 3}



def _apply(M: np.ndarray, g):
    return affinity.affine_transform(g, [M[0, 0], M[0, 1], M[1, 0], M[1, 1], M[0, 2], M[1, 2]])


def _pt(M: np.ndarray, p) -> tuple[float, float]:
    v = M[:2, :2] @ np.asarray(p, float) + M[:2, 2]
    return float(v[0]), float(v[1])


def _scale(M: np.ndarray) -> float:
    """Pixels per metre of the mapping (its mean linear scale)."""
    return math.sqrt(abs(np.linalg.det(M[:2, :2])))


def _polys(g) -> list[Polygon]:
    return [p for p in getattr(g, "geoms", [g]) if isinstance(p, Polygon) and not p.is_empty and p.area > 1e-9]


def _ring(coords) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in list(coords)[:-1]]


def swing_side(w: WallSpec, op: OpeningSpec) -> str:
    """Hinge side of a swing door seen from the room its leaf opens into ("none" for other openings)."""
    if op.kind != "door" or op.style != "swing":
        return "none"
    facing = -op.side * w.n  # looking at the door from the side it opens into
    right = np.array([facing[1], -facing[0]])
    hinge = w.u * (-1 if op.hinge_at_start else 1)
    return "right" if float(hinge @ right) > 0 else "left"


def building(parts: list[Layout], to_img: np.ndarray, image_size: tuple[int, int], source_hash: str,
             name: str) -> Building:
    """The exact building model of a synthetic sheet (one storey holding every drawn part)."""
    W, H = image_size
    s = _scale(to_img)

    def m(p) -> tuple[float, float]:  # image pixels -> plan metres, as the pipeline maps them
        x, y = px_to_m(p, s, H)[0]
        return (float(x), float(y))

    def guid(key: str) -> str:
        return stable_guid(source_hash, f"S1/{key}")

    walls, openings, spaces = [], [], []
    for lay in parts:
        base = len(walls)
        for k, (w, fp) in enumerate(zip(lay.walls, lay.cut_footprints(), strict=True)):
            wid = f"W{base + k + 1}"
            polys = [[_ring(p.exterior.coords), *[_ring(r.coords) for r in p.interiors]] for p in _polys(_apply(to_img, fp))]
            walls.append(Wall(
                id=wid, start=m(_pt(to_img, w.a)), end=m(_pt(to_img, w.b)), thickness=w.thickness,
                height=Config.wall_height, is_external=w.exterior, global_id=guid(wid), footprint_px=polys,
            ))
        for op in lay.openings:
            w = lay.walls[op.wall]
            oid = f"{'D' if op.kind == 'door' else 'O'}{len(openings) + 1}"
            c = _pt(to_img, w.point(op.offset))
            openings.append(Opening(
                id=oid, kind=op.kind, wall_id=f"W{base + op.wall + 1}", offset=op.offset, width=op.width,
                height=op.height, sill_height=op.sill, center=m(c), center_px=c, width_px=op.width * s,
                confidence=1.0, global_id=guid(oid), swing=swing_side(w, op),
            ))
        rooms = [(r.kind, r.polygon) for r in lay.rooms if r.polygon is not None]
        rooms += [(OUTDOOR, b) for b in lay.balconies]
        for kind, poly in rooms:
            px = _ring(_apply(to_img, poly).exterior.coords)
            pm = [m(p) for p in px]
            if _signed_area(pm) < 0:  # counter-clockwise in metres
                px, pm = px[::-1], pm[::-1]
            sid = f"R{len(spaces) + 1}"
            spaces.append(Space(id=sid, name=kind, polygon=pm, polygon_px=px, area=abs(_signed_area(pm)),
                                global_id=guid(sid)))
    t = max(w.thickness for lay in parts for w in lay.walls if w.exterior)
    slab = unary_union([lay.outline.buffer(t / 2, join_style="mitre") for lay in parts])
    slab = max(_polys(slab), key=lambda p: p.area)
    slab_m = [m(p) for p in _ring(_apply(to_img, slab).exterior.coords)]
    if _signed_area(slab_m) < 0:
        slab_m = slab_m[::-1]
    storey = Storey(
        id="S1", name="Storey 1", elevation=0.0, height=Config.wall_height, walls=walls, openings=openings, spaces=spaces,
        slab=slab_m, slab_thickness=Config.slab_thickness, scale=Scale(s, "user", "synthetic ground truth"),
        image_size=(int(W), int(H)), page=1, global_id=stable_guid(source_hash, "S1"),
        slab_global_id=stable_guid(source_hash, "S1/slab"),
    )
    return Building(name=name, source=f"{name}.png", source_hash=source_hash, storeys=[storey],
                    project_global_id=stable_guid(source_hash, "project"), site_global_id=stable_guid(source_hash, "site"),
                    building_global_id=stable_guid(source_hash, "building"))


def _signed_area(ring: list[tuple[float, float]]) -> float:
    a = np.asarray(ring)
    x, y = a[:, 0], a[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


_SHIFT = 4


def _fill(mask: np.ndarray, g, value: int) -> None:
    # one call per polygon: fillPoly is even-odd across the contours it is given
    for p in _polys(g):
        rings = [p.exterior.coords, *[r.coords for r in p.interiors]]
        cv2.fillPoly(mask, [np.round(np.asarray(r) * (1 << _SHIFT)).astype(np.int32) for r in rings], value,
                     cv2.LINE_8, _SHIFT)


def semantic_mask(parts: list[Layout], to_img: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    """uint8 (H, W): 0 background, 1 wall (openings cut out), 2 door, 3 window."""
    W, H = image_size
    mask = np.zeros((H, W), np.uint8)
    for lay in parts:
        for fp in lay.cut_footprints():
            _fill(mask, _apply(to_img, fp), MASK_VALUES["wall"])
    for lay in parts:
        for op in lay.openings:
            _fill(mask, _apply(to_img, op.rect(lay.walls[op.wall])), MASK_VALUES[op.kind])
    return mask

