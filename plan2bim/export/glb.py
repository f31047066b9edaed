"""The glTF 2.0 binary (GLB) writer: a light 3D view of the building model for web viewers.

glTF is Y-up and in metres; the model's plan frame is x right, y up the drawing, z up, so every
vertex is mapped plan (x, y, z) -> glTF (x, z, -y), a proper rotation that keeps face winding.

Walls are not cut with a 3D boolean engine (trimesh's backends are optional native packages).
Instead each wall's elevation, the rectangle (length x height) seen from its side, has its
openings cut out in 2D with shapely and is then extruded across the wall's thickness. That is
exact, fast, closed (watertight) and gives the reveals of every door and window for free.

The node tree mirrors IFC's spatial structure: building -> storeys -> one node per element, each
node named by the element's IFC GlobalId so that a viewer's pick can be joined with the IFC file,
with the IFC class in the node's extras (and as the mesh name's prefix).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import trimesh
from shapely.geometry import MultiPolygon, Polygon, box
from trimesh.visual.material import PBRMaterial

from ..errors import ExportError
from ..model import Building, Opening, Ring, Storey, Wall

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
"""A solid strip of wall thinner than this beside an opening (a 3 mm lintel, a door whose sill is
a rounding error) is not modelled: the opening is widened to the wall's edge instead."""
PANEL_THICKNESS = {"door": 0.04, "window": 0.02}
"""Thickness of the door leaf / glass pane put in each opening, in metres."""
PANEL_GAP_M = 0.005
"""Clearance between a panel and its opening's reveal, so their faces never coincide."""
SPACE_PATCH_M = 0.01
"""Thickness of the translucent floor patch showing a space."""

# One PBR material per IFC class (linear RGBA, 0..1). Glass and spaces are blended so the rooms
# behind them stay visible.
_MATERIALS: dict[str, dict[str, Any]] = {
    "IfcWall": {"baseColorFactor": [0.85, 0.85, 0.83, 1.0], "roughnessFactor": 0.9},
    "IfcDoor": {"baseColorFactor": [0.55, 0.35, 0.17, 1.0], "roughnessFactor": 0.7},
    "IfcWindow": {"baseColorFactor": [0.45, 0.7, 0.95, 0.35], "roughnessFactor": 0.1,
                  "alphaMode": "BLEND", "doubleSided": True},
    "IfcSlab": {"baseColorFactor": [0.5, 0.5, 0.5, 1.0], "roughnessFactor": 0.95},
    "IfcSpace": {"baseColorFactor": [0.3, 0.75, 0.45, 0.3], "roughnessFactor": 1.0,
                 "alphaMode": "BLEND", "doubleSided": True},
}


def _material(ifc_class: str) -> PBRMaterial:
    return PBRMaterial(name=ifc_class, metallicFactor=0.0, **_MATERIALS[ifc_class])


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


def _extrude(polygons: list[Polygon], height: float, transform: np.ndarray) -> trimesh.Trimesh | None:
    meshes = [trimesh.creation.extrude_polygon(p, height, transform=transform) for p in polygons]
    return trimesh.util.concatenate(meshes) if meshes else None


def _wall_frame(wall: Wall, elevation: float) -> np.ndarray:
    """Transform from the wall's local frame to the plan frame.

    Local frame: x along the axis from ``start`` (metres), y up from the storey's floor, z across
    the wall from its right face to its left face. The columns (u, up, right normal) form a proper
    rotation, so extruded faces keep outward normals.
    """
    (x0, y0), (x1, y1) = wall.start, wall.end
    length = wall.length
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    nx, ny = uy, -ux  # the right-hand normal: det([u, z, n]) = +1
    half = wall.thickness / 2
    m = np.eye(4)
    m[:3, 0] = (ux, uy, 0.0)
    m[:3, 1] = (0.0, 0.0, 1.0)
    m[:3, 2] = (nx, ny, 0.0)
    m[:3, 3] = (x0 - nx * half, y0 - ny * half, elevation)
    return m


def _wall_extension(wall: Wall) -> float:
    """How far the solid runs past each axis end point: half the thickness, like a square cap.

    It closes the corner where two walls meet on their axes, and matches ``footprint_px``,
    which is the axis buffered with square caps.
    """
    return wall.thickness / 2


def _opening_rect(o: Opening, wall: Wall, ext: float) -> Polygon:
    """The opening in the wall's elevation; edges within ``MIN_PART_M`` of the wall's edge are
    pushed past it, so no paper-thin strip of wall is left."""
    lo, hi = o.offset - o.width / 2, o.offset + o.width / 2
    bottom, top = o.sill_height, o.sill_height + o.height
    if lo < -ext + MIN_PART_M:
        lo = -ext - 1.0
    if hi > wall.length + ext - MIN_PART_M:
        hi = wall.length + ext + 1.0
    if bottom < MIN_PART_M:
        bottom = -1.0
    if top > wall.height - MIN_PART_M:
        top = wall.height + 1.0
    return box(lo, bottom, hi, top)


def wall_mesh(wall: Wall, openings: list[Opening], elevation: float) -> trimesh.Trimesh | None:
    """The wall as a closed solid in the plan frame, with its openings cut through."""
    if wall.length <= MIN_PART_M or wall.thickness <= 0 or wall.height <= 0:
        log.warning("wall %s is degenerate (length %.3g m), not modelled", wall.id, wall.length)
        return None
    ext = _wall_extension(wall)
    elevation_face = box(-ext, 0.0, wall.length + ext, wall.height)
    holes = [_opening_rect(o, wall, ext) for o in openings if o.width > 0 and o.height > 0]
    if holes:
        elevation_face = elevation_face.difference(shapely.union_all(holes))
    return _extrude(_clean(elevation_face), wall.thickness, _wall_frame(wall, elevation))


def panel_mesh(o: Opening, wall: Wall, elevation: float) -> trimesh.Trimesh | None:
    """A door leaf or window pane filling the opening, centred in the wall's thickness."""
    ext = _wall_extension(wall)
    lo = max(o.offset - o.width / 2, -ext) + PANEL_GAP_M
    hi = min(o.offset + o.width / 2, wall.length + ext) - PANEL_GAP_M
    bottom = max(o.sill_height, 0.0) + (PANEL_GAP_M if o.sill_height > 0 else 0.0)
    top = min(o.sill_height + o.height, wall.height) - PANEL_GAP_M
    thickness = min(PANEL_THICKNESS[o.kind], wall.thickness / 2)
    if hi - lo < MIN_PART_M or top - bottom < MIN_PART_M:
        return None
    local = np.eye(4)
    local[:3, 3] = ((lo + hi) / 2, (bottom + top) / 2, wall.thickness / 2)
    return trimesh.creation.box(
        extents=(hi - lo, top - bottom, thickness), transform=_wall_frame(wall, elevation) @ local
    )


def _flat_mesh(ring: Ring, thickness: float, bottom: float) -> trimesh.Trimesh | None:
    if len(ring) < 3:
        return None
    return _extrude(_clean(Polygon(ring)), thickness, trimesh.transformations.translation_matrix(
        (0.0, 0.0, bottom)))


def _finish(mesh: trimesh.Trimesh, ifc_class: str, name: str) -> trimesh.Trimesh:
    """Move to glTF's frame, drop degenerate faces, give each face its own vertices (so the
    exported vertex normals are the flat face normals) and attach the class's material."""
    mesh = mesh.copy()
    mesh.apply_transform(PLAN_TO_GLTF)
    mesh.update_faces(mesh.nondegenerate_faces(height=GRID_M / 10))
    mesh.remove_unreferenced_vertices()
    mesh.unmerge_vertices()
    mesh.visual = trimesh.visual.TextureVisuals(material=_material(ifc_class))
    mesh.metadata = {"ifc_class": ifc_class, "name": name}
    return mesh


def _add(scene: trimesh.Scene, parent: str, mesh: trimesh.Trimesh | None, ifc_class: str,
         global_id: str, element_id: str, name: str) -> None:
    if mesh is None or len(mesh.faces) == 0:
        log.debug("%s %s has no geometry, skipped", ifc_class, element_id)
        return
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
        _finish(mesh, ifc_class, name), node_name=node, geom_name=f"{ifc_class}:{node}",
        parent_node_name=parent,
        metadata={"ifc_class": ifc_class, "id": element_id, "name": name},
    )


def _add_storey(scene: trimesh.Scene, parent: str, storey: Storey, spaces: bool) -> None:
    scene.graph.update(
        frame_from=parent, frame_to=storey.global_id,
        metadata={"ifc_class": "IfcBuildingStorey", "id": storey.id, "name": storey.name,
                  "elevation": storey.elevation},
    )
    sid, z = storey.global_id, storey.elevation
    slab = _flat_mesh(storey.slab, storey.slab_thickness, z - storey.slab_thickness)
    _add(scene, sid, slab, "IfcSlab", storey.slab_global_id, f"{storey.id}/slab", "Slab")

    walls = {w.id: w for w in storey.walls}
    hosted: dict[str, list[Opening]] = {}
    for o in storey.openings:
        if o.wall_id in walls:
            hosted.setdefault(o.wall_id, []).append(o)
        else:
            log.warning("opening %s names unknown wall %s, not modelled", o.id, o.wall_id)
    for w in storey.walls:
        kind = "external" if w.is_external else "internal"
        _add(scene, sid, wall_mesh(w, hosted.get(w.id, []), z), "IfcWall", w.global_id, w.id,
             f"Wall {w.id} ({kind})")
    for o in storey.openings:
        if o.wall_id in walls:
            ifc_class = "IfcDoor" if o.kind == "door" else "IfcWindow"
            _add(scene, sid, panel_mesh(o, walls[o.wall_id], z), ifc_class, o.global_id, o.id,
                 f"{o.kind.capitalize()} {o.id}")
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
