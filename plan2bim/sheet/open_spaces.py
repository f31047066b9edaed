"""Corridors and verandahs open on one side, on a raster storey: the space between a run of
walls and a parallel row of columns at corridor distance (the vector route's rule, read from
pixels). No closed outline makes them, so the room search misses them (rbt-2bd p2's KORIDOR:
a wall with windows, a railing on a row of eight columns 2.1 m off, open at the stair ends).
"""

from __future__ import annotations

import cv2
import numpy as np
from shapely.geometry import MultiPoint, Point, Polygon, box
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

from plan2bim.model import Space, Storey, stable_guid
from plan2bim.sheet.settings import SheetSettings


def find_columns(gray: np.ndarray, px_per_m: float, s: SheetSettings = SheetSettings()
                 ) -> list[tuple[float, float, float]]:
    """(x, y, side) in pixels of the columns drawn in ``gray``: compact square blobs that stay
    whole after an opening by the smallest column side (thin lines and wall faces do not)."""
    ink = (gray < s.column_ink_grey).astype(np.uint8)
    lo, hi = s.column_min_m * px_per_m, s.column_max_m * px_per_m
    r = max(2, int(lo * 0.85))
    op = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((r, r), np.uint8))
    n, _, st, _ = cv2.connectedComponentsWithStats(op, connectivity=8)
    out = []
    for x, y, w, h, a in st[1:]:
        if lo <= min(w, h) and max(w, h) <= hi and max(w, h) <= 1.5 * min(w, h) and a >= 0.6 * w * h:
            out.append((x + w / 2, y + h / 2, float(max(w, h))))
    return out


def _rows(pts: np.ndarray, axis: int, tol: float, min_count: int) -> list[tuple[float, float, float]]:
    """Rows of points along ``axis`` (0: a horizontal row): (offset across, start, end)."""
    across, along = pts[:, 1 - axis], pts[:, axis]
    order = np.argsort(across)
    runs, run = [], [order[0]]
    for a, b in zip(order[:-1], order[1:], strict=True):
        if across[b] - across[a] > tol:
            runs.append(run)
            run = []
        run.append(b)
    runs.append(run)
    return [(float(across[r].mean()), float(along[r].min()), float(along[r].max()))
            for r in runs if len(r) >= min_count]


def open_spaces(storey: Storey, gray: np.ndarray, s: SheetSettings = SheetSettings()) -> list[Space]:
    """The open spaces ``storey``'s drawing ``gray`` (in the storey's pixels) shows, as new
    unnamed spaces."""
    k = storey.scale.px_per_m
    if not storey.walls or k <= 0:
        return []
    H = storey.image_size[1]
    cols = find_columns(gray, k, s)
    if len(cols) < s.open_row_min_columns:
        return []
    solid = unary_union([Polygon(r[0]) for w in storey.walls for r in w.footprint_px if len(r[0]) >= 3]
                        ).buffer(0)
    # Only columns on a wall's outline: the raster route takes a railing between columns (rbt-2bd
    # p2's corridor edge) for a thin wall through them. Free-standing ones (a building on stilts,
    # a grid under an open hall) made spaces of the bays between them and the walls.
    on_wall = solid.buffer(s.open_space_column_on_wall_m * k)
    centres = np.array([(x, y) for x, y, _ in cols if on_wall.contains(Point(x, y))]).reshape(-1, 2)
    if len(centres) < s.open_row_min_columns:
        return []
    walls = []  # (p0, p1, thickness) in the storey's pixels, from each wall's drawn outline
    for w in storey.walls:
        outline = unary_union([Polygon(r[0]).buffer(0) for r in w.footprint_px if len(r[0]) >= 3])
        if outline.is_empty:
            continue
        c = np.asarray(outline.minimum_rotated_rectangle.exterior.coords)[:4]
        if np.hypot(*(c[1] - c[0])) < np.hypot(*(c[2] - c[1])):
            c = np.roll(c, -1, axis=0)  # c[0] -> c[1] along the wall
        across = c[2] - c[1]
        walls.append((c[0] + 0.5 * across, c[1] + 0.5 * across, float(np.hypot(*across))))
    taken = unary_union([solid] + [Polygon(sp.polygon_px).buffer(0) for sp in storey.spaces
                                   if len(sp.polygon_px) >= 3])
    side = float(np.median([c[2] for c in cols]))
    middle = np.array(solid.centroid.coords[0]) if not solid.is_empty else centres.mean(axis=0)
    lo_d, hi_d = s.open_space_min_m * k, s.open_space_max_m * k
    out_polys: list[Polygon] = []
    for axis in (0, 1):  # rows along x (horizontal), then along y
        for t_row, s0, s1 in _rows(centres, axis, s.column_row_tol_m * k, s.open_row_min_columns):
            near: dict[int, list[tuple[float, float, float, float]]] = {1: [], -1: []}
            for p0, p1, th in walls:
                d_vec = p1 - p0
                L = float(np.hypot(*d_vec))
                if L <= 0 or abs(d_vec[1 - axis]) / L > np.sin(np.radians(s.open_space_parallel_deg)):
                    continue
                # the wall's face toward the row
                t_axis = 0.5 * float(p0[1 - axis] + p1[1 - axis])
                d = t_axis - t_row
                face = abs(d) - th / 2
                a, b = sorted((float(p0[axis]), float(p1[axis])))
                if lo_d <= face <= hi_d and min(b, s1) - max(a, s0) > 0:
                    near[1 if d > 0 else -1].append((face, a, b, th))
            for sgn, runs in near.items():
                # the space lies between the row and the building it runs along
                if not runs or sgn * (middle[1 - axis] - t_row) <= 0:
                    continue
                # the wall line running along most of the row bounds the space (a stair's short
                # wall nearer the row does not)
                groups = [[r for r in runs if abs(r[0] - q[0]) <= 0.1 * k] for q in runs]
                line = max(groups, key=lambda g, a=s0, b=s1: sum(max(0.0, min(r[2], b) - max(r[1], a)) for r in g))
                d0 = min(r[0] for r in line)
                a = min(min(r[1] for r in line), s0)
                b = max(max(r[2] for r in line), s1)
                t0, t1 = sorted((t_row, t_row + sgn * d0))
                quad = box(a, t0, b, t1) if axis == 0 else box(t0, a, t1, b)
                row = [tuple(c) for c in centres if abs(c[1 - axis] - t_row) <= s.column_row_tol_m * k]
                hull = MultiPoint(row + [tuple(p) for p0, p1, _ in walls for p in (p0, p1)]
                                  ).convex_hull.buffer(side / 2)
                free = quad.intersection(hull).difference(taken).buffer(0)
                for g in getattr(free, "geoms", [free]):
                    if not isinstance(g, Polygon) or g.area < s.open_space_min_m2 * k * k:
                        continue
                    if g.area / max(b - a, 1e-9) < 0.5 * lo_d:
                        continue  # a sliver beside rooms the walls already close
                    if any(g.intersection(o).area > 0.5 * g.area for o in out_polys):
                        continue
                    out_polys.append(g)
    spaces = []
    n0 = len(storey.spaces)
    for i, g in enumerate(out_polys):
        g = g.simplify(1.0)
        ring_px = np.asarray(g.exterior.coords)[:-1]
        m = orient(Polygon(np.stack([ring_px[:, 0] / k, (H - ring_px[:, 1]) / k], axis=1)), sign=1.0)
        tag = f"R{n0 + i + 1}"
        spaces.append(Space(
            id=f"{storey.id}-{tag}", name=f"Room {n0 + i + 1}",
            polygon=[(float(x), float(y)) for x, y in np.asarray(m.exterior.coords)[:-1]],
            polygon_px=[(float(x), float(y)) for x, y in ring_px], area=float(m.area),
            global_id=stable_guid(storey.global_id, f"{storey.id}-open-{tag}")))
    return spaces
