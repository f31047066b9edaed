"""The glTF 2.0 binary (GLB) writer: a light 3D view of the building model for web viewers.

glTF is Y-up and in metres; the model's plan frame is x right, y up the drawing, z up, so every
vertex is mapped plan (x, y, z) -> glTF (x, z, -y), a proper rotation that keeps face winding.

The solids come from ``plan2bim.geometry``, the same the IFC writer writes: walls joined at
their junctions, doors and windows (frame, leaf, glass) inside their openings. Walls are not cut
with a 3D boolean engine (trimesh's backends are optional native packages): a wall's footprint is
split in 2D where its openings are and each piece extruded over its height span. That is exact,
fast and closed, and gives the reveals of every door and window for free.

The node tree mirrors IFC's spatial structure: building -> storeys -> one node per element, each
node named by the element's IFC GlobalId so that a viewer's pick can be joined with the IFC file,
with the IFC class in the node's extras (and as the mesh name's prefix).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import mapbox_earcut
import numpy as np
import shapely
import trimesh
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient
from trimesh.visual.material import PBRMaterial

from plan2bim.errors import ExportError
from plan2bim.export.palette import MATERIALS, PART_MATERIAL
from plan2bim.geometry import OpeningSolid, WallSolid, storey_geometry, to_plan, wall_frame
from plan2bim.model import Building, Ring, Storey, Wall

log = logging.getLogger(__name__)

__all__ = ["write_glb", "building_scene", "PLAN_TO_GLTF"]

PLAN_TO_GLTF = np.array(
    [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, -1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
)
"""Plan (x, y, z) with z up -> glTF (x, z, -y) with y up."""

GRID_M = 1e-4
"""Outlines are snapped to this grid (0.1 mm) before triangulation: it merges near-duplicate
vertices that would otherwise give slivers and degenerate triangles."""
MIN_PART_M = 0.01
"""Pieces of outline narrower than this are not meshed (slivers)."""
SPACE_PATCH_M = 0.01
"""Thickness of the translucent floor patch showing a space."""

_CLASS_MATERIAL = {"IfcWall": "wall", "IfcDoor": "door", "IfcWindow": "glass", "IfcSlab": "slab",
                   "IfcSpace": "space", "IfcColumn": "column"}


def _material(name: str) -> PBRMaterial:
    return PBRMaterial(name=name, metallicFactor=0.0, **MATERIALS[name])


def _clean(geom: Any) -> list[Polygon]:
    """Valid, grid-snapped polygons without collinear or duplicate vertices (empty if none)."""
    geom = shapely.make_valid(geom)
    geom = shapely.set_precision(geom, GRID_M)
    geom = geom.simplify(GRID_M / 10)
    if isinstance(geom, Polygon):
        parts = [geom]
    elif isinstance(geom, MultiPolygon):
        parts = list(geom.geoms)
    else:  # a GeometryCollection after make_valid: keep only the areas
        parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]
    return [p for p in parts if not p.is_empty and p.area > MIN_PART_M * MIN_PART_M]


def _prism(polygon: Polygon, height: float) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and faces of ``polygon`` extruded from z = 0 to ``height``, outward normals.

    trimesh's ``extrude_polygon`` does the same with checks and caches that cost a few
    milliseconds a polygon, most of the glTF export of a plan with a hundred walls."""
    polygon = orient(polygon, 1.0)  # exterior counter-clockwise, holes clockwise
    rings = [np.asarray(polygon.exterior.coords)[:-1]] + \
        [np.asarray(r.coords)[:-1] for r in polygon.interiors]
    flat = np.concatenate(rings)
    ends = np.cumsum([len(r) for r in rings]).astype(np.uint32)
    tri = mapbox_earcut.triangulate_float64(flat, ends).reshape(-1, 3).astype(np.int64)
    a, b, c = flat[tri[:, 0]], flat[tri[:, 1]], flat[tri[:, 2]]
    cw = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]) < 0
    tri[cw] = tri[cw][:, ::-1]  # every cap triangle counter-clockwise seen from above
    n = len(flat)
    verts = np.vstack([np.column_stack([flat, np.zeros(n)]), np.column_stack([flat, np.full(n, height)])])
    sides = []
    start = 0
    for end in ends:
        i = np.arange(start, end)
        j = np.roll(i, -1)
        # Walking a counter-clockwise exterior (or clockwise hole), the solid is on the left:
        # (a0, b0, b1) faces right, out of the solid.
        sides += [np.column_stack([i, j, j + n]), np.column_stack([i, j + n, i + n])]
        start = end
    faces = np.vstack([tri[:, ::-1], tri + n, *sides])
    return verts, faces


def _extrude(polygons: list[Polygon], height: float, transform: np.ndarray) -> trimesh.Trimesh | None:
    if not polygons:
        return None
    parts = [_prism(p, height) for p in polygons]
    offsets = np.cumsum([0] + [len(v) for v, _ in parts[:-1]])
    verts = np.vstack([v for v, _ in parts])
    faces = np.vstack([f + o for (_, f), o in zip(parts, offsets, strict=True)])
    verts = verts @ transform[:3, :3].T + transform[:3, 3]
    return trimesh.Trimesh(verts, faces, process=False)


def _lift(z: float) -> np.ndarray:
    return trimesh.transformations.translation_matrix((0.0, 0.0, z))


def _local_to_plan(wall: Wall, elevation: float) -> np.ndarray:
    """Transform from the wall-local frame of ``plan2bim.geometry`` to the plan frame."""
    x0, y0, ux, uy = wall_frame(wall)
    m = np.eye(4)
    m[:3, 0] = (ux, uy, 0.0)
    m[:3, 1] = (-uy, ux, 0.0)
    m[:3, 3] = (x0, y0, elevation)
    return m


def wall_mesh(wall: Wall, solid: WallSolid, elevation: float) -> trimesh.Trimesh | None:
    """The wall's own footprint extruded, with its openings' voids taken out: the footprint
    outside the voids runs full height, under and over each void only to its sill and from its
    head. Plain 2D cuts, so the solid is closed and its volume is exactly the IFC body's."""
    foot = shapely.union_all([Polygon(p[0], p[1:]) for p in solid.footprint])
    meshes = []
    strips = []
    for c in solid.cuts:
        big = wall.thickness + 1.0
        strip = Polygon(to_plan(wall, [(c.x0, -big), (c.x1, -big), (c.x1, big), (c.x0, big)]))
        strips.append(strip)
        under = foot.intersection(strip)
        if c.z0 > MIN_PART_M:
            meshes.append(_extrude(_clean(under), c.z0, _lift(elevation)))
        if solid.height - c.z1 > MIN_PART_M:
            meshes.append(_extrude(_clean(under), solid.height - c.z1, _lift(elevation + c.z1)))
    rest = foot.difference(shapely.union_all(strips)) if strips else foot
    meshes.append(_extrude(_clean(rest), solid.height, _lift(elevation)))
    meshes = [m for m in meshes if m is not None]
    return trimesh.util.concatenate(meshes) if meshes else None


def part_meshes(wall: Wall, sol: OpeningSolid, elevation: float) -> dict[str, trimesh.Trimesh]:
    """The door's or window's body, one mesh per material (frame, leaf, glass)."""
    frame = _local_to_plan(wall, elevation)
    out: dict[str, list[trimesh.Trimesh]] = {}
    for part, b in sol.parts:
        local = trimesh.transformations.translation_matrix(
            ((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, (b.z0 + b.z1) / 2))
        box = trimesh.creation.box(extents=(b.x1 - b.x0, b.y1 - b.y0, b.z1 - b.z0),
                                   transform=frame @ local)
        out.setdefault(PART_MATERIAL[part], []).append(box)
    return {k: trimesh.util.concatenate(v) for k, v in out.items()}


def _flat_mesh(ring: Ring, thickness: float, bottom: float) -> trimesh.Trimesh | None:
    if len(ring) < 3:
        return None
    return _extrude(_clean(Polygon(ring)), thickness, trimesh.transformations.translation_matrix(
        (0.0, 0.0, bottom)))


def _finish(mesh: trimesh.Trimesh, ifc_class: str, name: str, material: str) -> trimesh.Trimesh:
    """Move to glTF's frame, drop degenerate faces, give each face its own vertices (so the
    exported vertex normals are the flat face normals) and attach the class's material."""
    mesh = mesh.copy()
    mesh.apply_transform(PLAN_TO_GLTF)
    mesh.update_faces(mesh.nondegenerate_faces(height=GRID_M / 10))
    mesh.remove_unreferenced_vertices()
    mesh.unmerge_vertices()
    mesh.visual = trimesh.visual.TextureVisuals(material=_material(material))
    mesh.metadata = {"ifc_class": ifc_class, "name": name}
    return mesh


def _add(scene: trimesh.Scene, parent: str, mesh: trimesh.Trimesh | None, ifc_class: str,
         global_id: str, element_id: str, name: str, material: str | None = None) -> str | None:
    if mesh is None or len(mesh.faces) == 0:
        log.debug("%s %s has no geometry, skipped", ifc_class, element_id)
        return None
    node = global_id
    if node in scene.graph.nodes:
        # GlobalIds are unique in a valid model; if not, keep the element rather than let it
        # replace the first one (trimesh keys nodes by name).
        k = 2
        while f"{global_id}_{k}" in scene.graph.nodes:
            k += 1
        node = f"{global_id}_{k}"
        log.warning("duplicate GlobalId %s (%s %s), node named %s", global_id, ifc_class,
                    element_id, node)
    scene.add_geometry(
        _finish(mesh, ifc_class, name, material or _CLASS_MATERIAL[ifc_class]), node_name=node,
        geom_name=f"{ifc_class}:{node}", parent_node_name=parent,
        metadata={"ifc_class": ifc_class, "id": element_id, "name": name},
    )
    return node


def _add_storey(scene: trimesh.Scene, parent: str, storey: Storey, spaces: bool) -> None:
    scene.graph.update(
        frame_from=parent, frame_to=storey.global_id,
        metadata={"ifc_class": "IfcBuildingStorey", "id": storey.id, "name": storey.name,
                  "elevation": storey.elevation},
    )
    sid, z = storey.global_id, storey.elevation
    slab = _flat_mesh(storey.slab, storey.slab_thickness, z - storey.slab_thickness)
    _add(scene, sid, slab, "IfcSlab", storey.slab_global_id, f"{storey.id}/slab", "Slab")

    geom = storey_geometry(storey)
    walls = {w.id: w for w in storey.walls}
    for w in storey.walls:
        if w.id not in geom.walls:
            log.warning("wall %s has no body of its own, not modelled", w.id)
            continue
        kind = "external" if w.is_external else "internal"
        _add(scene, sid, wall_mesh(w, geom.walls[w.id], z), "IfcWall", w.global_id, w.id,
             f"Wall {w.id} ({kind})")
    for o in storey.openings:
        sol = geom.openings.get(o.id)
        if o.wall_id not in walls:
            log.warning("opening %s names unknown wall %s, not modelled", o.id, o.wall_id)
            continue
        if sol is None:
            log.warning("opening %s has no room in wall %s, not modelled", o.id, o.wall_id)
            continue
        ifc_class = "IfcDoor" if o.kind == "door" else "IfcWindow"
        meshes = part_meshes(walls[o.wall_id], sol, z)
        main = "door" if o.kind == "door" else "glass"
        node = _add(scene, sid, meshes.pop(main, None), ifc_class, o.global_id, o.id,
                    f"{o.kind.capitalize()} {o.id}", main)
        # The frame is a child of the element's node: picking either finds the element.
        for material, mesh in meshes.items():
            if node is not None:
                _add(scene, node, mesh, ifc_class, f"{node}/{material}", o.id,
                     f"{o.kind.capitalize()} {o.id} {material}", material)
    for col in storey.columns:
        _add(scene, sid, _flat_mesh(col.outline, col.height, z), "IfcColumn", col.global_id,
             col.id, f"Column {col.id}")
    if spaces:
        for sp in storey.spaces:
            _add(scene, sid, _flat_mesh(sp.polygon, SPACE_PATCH_M, z), "IfcSpace", sp.global_id,
                 sp.id, sp.name)


def building_scene(building: Building, *, spaces: bool = True) -> trimesh.Scene:
    """The building as a trimesh scene in glTF's frame (Y up, metres), one node per element."""
    scene = trimesh.Scene(base_frame="world")
    scene.metadata = {"source": building.source, "sha256": building.source_hash,
                      "units": "m", "generator": "plan2bim"}
    root = building.building_global_id
    scene.graph.update(frame_from="world", frame_to=root,
                       metadata={"ifc_class": "IfcBuilding", "name": building.name})
    for storey in building.storeys:
        _add_storey(scene, root, storey, spaces)
    return scene


def write_glb(building: Building, path: Path, *, images: Any = None, spaces: bool = True) -> None:
    """Write the building as binary glTF 2.0. ``images`` is accepted for the writer interface and
    ignored; ``spaces=False`` leaves out the translucent room patches."""
    scene = building_scene(building, spaces=spaces)
    data = trimesh.exchange.gltf.export_glb(scene, include_normals=True, unitize_normals=True)
    try:
        Path(path).write_bytes(data)
    except OSError as e:
        raise ExportError(f"cannot write {path}: {e}") from e
