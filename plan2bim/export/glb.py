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

The file is written here, with the standard library's json and numpy, not with trimesh's
exporter: importing trimesh (scipy, networkx, ...) took over a second of every conversion's
start, more than writing the file. Meshes are plain (vertices, faces) arrays until the end.
"""

from __future__ import annotations

import json
import logging
import struct
from pathlib import Path
from typing import Any

import mapbox_earcut
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from plan2bim.errors import ExportError
from plan2bim.export.palette import MATERIALS, PART_MATERIAL
from plan2bim.geometry import OpeningSolid, WallSolid, storey_geometry, to_plan, wall_frame
from plan2bim.model import Building, Ring, Storey, Wall

log = logging.getLogger(__name__)

__all__ = ["write_glb", "glb_bytes", "building_scene", "GltfBuilder", "PLAN_TO_GLTF"]

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

Mesh = tuple[np.ndarray, np.ndarray]
"""A triangle mesh: vertices (n, 3) float64 and faces (m, 3) int64, counter-clockwise seen from
outside."""

# glTF enums (glTF 2.0 spec, 5.1 accessors and 5.11 buffer views).
_FLOAT, _UINT = 5126, 5125
_ARRAY_BUFFER, _ELEMENT_ARRAY_BUFFER = 34962, 34963
_TRIANGLES = 4

# The unit box [0, 1]^3: vertex i is at (i >> 2 & 1, i >> 1 & 1, i & 1); two triangles a side,
# counter-clockwise seen from outside.
_BOX_VERTICES = np.array([[(i >> 2) & 1, (i >> 1) & 1, i & 1] for i in range(8)], dtype=float)
_BOX_FACES = np.array([
    [0, 1, 3], [0, 3, 2],  # x = 0
    [4, 6, 7], [4, 7, 5],  # x = 1
    [0, 4, 5], [0, 5, 1],  # y = 0
    [2, 3, 7], [2, 7, 6],  # y = 1
    [0, 2, 6], [0, 6, 4],  # z = 0
    [1, 5, 7], [1, 7, 3],  # z = 1
])


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


def _prism(polygon: Polygon, height: float) -> Mesh:
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


def _concatenate(meshes: list[Mesh | None]) -> Mesh | None:
    """One mesh of all ``meshes`` (None if there are none)."""
    meshes = [m for m in meshes if m is not None]
    if not meshes:
        return None
    offsets = np.cumsum([0] + [len(v) for v, _ in meshes[:-1]])
    return (np.vstack([v for v, _ in meshes]),
            np.vstack([f + o for (_, f), o in zip(meshes, offsets, strict=True)]))


def _transform(mesh: Mesh, transform: np.ndarray) -> Mesh:
    verts, faces = mesh
    return verts @ transform[:3, :3].T + transform[:3, 3], faces


def _extrude(polygons: list[Polygon], height: float, transform: np.ndarray) -> Mesh | None:
    mesh = _concatenate([_prism(p, height) for p in polygons])
    return None if mesh is None else _transform(mesh, transform)


def _translation(x: float, y: float, z: float) -> np.ndarray:
    m = np.eye(4)
    m[:3, 3] = (x, y, z)
    return m


def _lift(z: float) -> np.ndarray:
    return _translation(0.0, 0.0, z)


def _box(lo: tuple[float, float, float], hi: tuple[float, float, float],
         transform: np.ndarray) -> Mesh:
    """The axis-aligned box from corner ``lo`` to ``hi``, moved by ``transform`` (a rigid
    motion, so the faces stay outward)."""
    lo_, hi_ = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    return _transform((lo_ + _BOX_VERTICES * (hi_ - lo_), _BOX_FACES.copy()), transform)


def _local_to_plan(wall: Wall, elevation: float) -> np.ndarray:
    """Transform from the wall-local frame of ``plan2bim.geometry`` to the plan frame."""
    x0, y0, ux, uy = wall_frame(wall)
    m = np.eye(4)
    m[:3, 0] = (ux, uy, 0.0)
    m[:3, 1] = (-uy, ux, 0.0)
    m[:3, 3] = (x0, y0, elevation)
    return m


def wall_mesh(wall: Wall, solid: WallSolid, elevation: float) -> Mesh | None:
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
    return _concatenate(meshes)


def part_meshes(wall: Wall, sol: OpeningSolid, elevation: float) -> dict[str, Mesh]:
    """The door's or window's body, one mesh per material (frame, leaf, glass)."""
    frame = _local_to_plan(wall, elevation)
    out: dict[str, list[Mesh | None]] = {}
    for part, b in sol.parts:
        box = _box((b.x0, b.y0, b.z0), (b.x1, b.y1, b.z1), frame)
        out.setdefault(PART_MATERIAL[part], []).append(box)
    return {k: m for k, v in out.items() if (m := _concatenate(v)) is not None}


def _flat_mesh(ring: Ring, thickness: float, bottom: float) -> Mesh | None:
    if len(ring) < 3:
        return None
    return _extrude(_clean(Polygon(ring)), thickness, _lift(bottom))


def _finish(mesh: Mesh) -> tuple[np.ndarray, np.ndarray]:
    """Positions and normals (float32, three vertices a triangle) of ``mesh`` in glTF's frame.

    Degenerate triangles are dropped: those whose height over either of their first two edges
    is under a hundredth of the outline grid (the test trimesh's ``nondegenerate_faces`` makes).
    Every triangle gets its own three vertices so that the vertex normals are the flat face
    normals (shared vertices would smooth a box's edges)."""
    verts, faces = _transform(mesh, PLAN_TO_GLTF)
    tri = verts[faces]  # (m, 3, 3)
    a, b = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    cross = np.cross(a, b)
    double_area = np.linalg.norm(cross, axis=1)
    len_a, len_b = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
    height = GRID_M / 10
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = (len_a > 1e-8) & (len_b > 1e-8) & (double_area / len_a > height) & \
            (double_area / len_b > height)
    tri, cross, double_area = tri[keep], cross[keep], double_area[keep]
    normals = np.repeat(cross / double_area[:, None], 3, axis=0)
    return tri.reshape(-1, 3).astype(np.float32), normals.astype(np.float32)


class GltfBuilder:
    """A glTF 2.0 scene being put together: nodes, one mesh per element, one material per
    material name, and the binary buffer their accessors read; ``to_glb`` writes it out.

    Only what this writer needs: one primitive a mesh (indexed triangles with POSITION and
    NORMAL), PBR factors without textures, nodes without transforms (vertices are placed in
    the scene's frame). Everything is kept in insertion order, so the same calls give the same
    bytes."""

    def __init__(self, extras: dict[str, Any] | None = None) -> None:
        self.extras = extras or {}
        self.nodes: list[dict[str, Any]] = []
        self.meshes: list[dict[str, Any]] = []
        self.materials: list[dict[str, Any]] = []
        self.accessors: list[dict[str, Any]] = []
        self.buffer_views: list[dict[str, Any]] = []
        self._material_index: dict[str, int] = {}
        self._accessor_index: dict[tuple[int, str, bytes], int] = {}
        self._names: set[str] = set()
        self._roots: list[int] = []
        self._chunks: list[bytes] = []
        self._length = 0

    def has_node(self, name: str) -> bool:
        return name in self._names

    def add_node(self, name: str, parent: int | None = None, extras: dict[str, Any] | None = None,
                 mesh: int | None = None) -> int:
        """A node named ``name`` under ``parent`` (a root node if None); its index."""
        node: dict[str, Any] = {"name": name}
        if mesh is not None:
            node["mesh"] = mesh
        if extras:
            node["extras"] = extras
        index = len(self.nodes)
        self.nodes.append(node)
        self._names.add(name)
        if parent is None:
            self._roots.append(index)
        else:
            self.nodes[parent].setdefault("children", []).append(index)
        return index

    def add_mesh(self, name: str, positions: np.ndarray, normals: np.ndarray, material: str,
                 extras: dict[str, Any] | None = None) -> int:
        """A mesh of triangles that share no vertices (``positions`` and ``normals`` float32,
        (3m, 3), three rows a triangle) with the palette's ``material``; its index."""
        count = len(positions)
        indices = np.arange(count, dtype=np.uint32)
        ind = self._accessor(indices, _UINT, "SCALAR", _ELEMENT_ARRAY_BUFFER,
                             [0], [count - 1])
        pos = self._accessor(positions, _FLOAT, "VEC3", _ARRAY_BUFFER,
                             positions.min(axis=0).tolist(), positions.max(axis=0).tolist())
        nor = self._accessor(normals, _FLOAT, "VEC3", _ARRAY_BUFFER)
        mesh: dict[str, Any] = {
            "name": name,
            "primitives": [{"attributes": {"POSITION": pos, "NORMAL": nor}, "indices": ind,
                            "mode": _TRIANGLES, "material": self._material(material)}],
        }
        if extras:
            mesh["extras"] = extras
        self.meshes.append(mesh)
        return len(self.meshes) - 1

    def _material(self, name: str) -> int:
        """The index of material ``name`` of the palette, added on first use (the validator
        warns about unused ones)."""
        if name not in self._material_index:
            spec = MATERIALS[name]
            pbr = {"baseColorFactor": list(spec["baseColorFactor"]), "metallicFactor": 0.0,
                   "roughnessFactor": spec["roughnessFactor"]}
            material: dict[str, Any] = {"name": name, "pbrMetallicRoughness": pbr}
            if "alphaMode" in spec:
                material["alphaMode"] = spec["alphaMode"]
            if "doubleSided" in spec:
                material["doubleSided"] = spec["doubleSided"]
            self._material_index[name] = len(self.materials)
            self.materials.append(material)
        return self._material_index[name]

    def _accessor(self, data: np.ndarray, component: int, kind: str, target: int,
                  lo: list | None = None, hi: list | None = None) -> int:
        """An accessor of ``data``, or the one already written with the same bytes: meshes of
        equal size share their indices, boxes turned alike their normals (a quarter less
        file)."""
        raw = data.tobytes()
        key = (component, kind, raw)
        if key not in self._accessor_index:
            accessor: dict[str, Any] = {"bufferView": self._view(raw, target),
                                        "componentType": component, "count": len(data),
                                        "type": kind}
            if lo is not None:
                accessor["min"], accessor["max"] = lo, hi
            self._accessor_index[key] = len(self.accessors)
            self.accessors.append(accessor)
        return self._accessor_index[key]

    def _view(self, data: bytes, target: int) -> int:
        """A buffer view of ``data`` appended to the buffer, padded to 4 bytes (float and uint32
        accessors must be aligned to their component size)."""
        self.buffer_views.append({"buffer": 0, "byteOffset": self._length,
                                  "byteLength": len(data), "target": target})
        pad = -len(data) % 4
        self._chunks.append(data + b"\0" * pad)
        self._length += len(data) + pad
        return len(self.buffer_views) - 1

    def to_json(self) -> dict[str, Any]:
        """The glTF JSON document (the buffer is the GLB's binary chunk)."""
        scene: dict[str, Any] = {"nodes": self._roots}
        if self.extras:
            scene["extras"] = self.extras
        doc: dict[str, Any] = {"asset": {"version": "2.0", "generator": "plan2bim"},
                               "scene": 0, "scenes": [scene], "nodes": self.nodes}
        for key, items in (("meshes", self.meshes), ("materials", self.materials),
                           ("accessors", self.accessors), ("bufferViews", self.buffer_views)):
            if items:
                doc[key] = items
        if self._length:
            doc["buffers"] = [{"byteLength": self._length}]
        return doc

    def to_glb(self) -> bytes:
        """The binary glTF: a 12-byte header, the JSON chunk (padded with spaces) and, if there
        is any geometry, the binary chunk (padded with zeros), each chunk 4-byte aligned."""
        text = json.dumps(self.to_json(), separators=(",", ":"), allow_nan=False).encode()
        text += b" " * (-len(text) % 4)
        chunks = [struct.pack("<II", len(text), 0x4E4F534A) + text]  # "JSON"
        if self._length:
            chunks.append(struct.pack("<II", self._length, 0x004E4942) + b"".join(self._chunks))
        body = b"".join(chunks)
        return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


def _add(scene: GltfBuilder, parent: int, mesh: Mesh | None, ifc_class: str, global_id: str,
         element_id: str, name: str, material: str | None = None) -> int | None:
    """The element's node under ``parent`` with its mesh; None (and no node) if the mesh has no
    triangles left."""
    positions, normals = _finish(mesh) if mesh is not None else (None, None)
    if positions is None or normals is None or len(positions) == 0:
        log.debug("%s %s has no geometry, skipped", ifc_class, element_id)
        return None
    node = global_id
    if scene.has_node(node):
        # GlobalIds are unique in a valid model; if not, keep the element under a name of its
        # own (a viewer picks nodes by name).
        k = 2
        while scene.has_node(f"{global_id}_{k}"):
            k += 1
        node = f"{global_id}_{k}"
        log.warning("duplicate GlobalId %s (%s %s), node named %s", global_id, ifc_class,
                    element_id, node)
    index = scene.add_mesh(f"{ifc_class}:{node}", positions, normals,
                           material or _CLASS_MATERIAL[ifc_class],
                           extras={"ifc_class": ifc_class, "name": name})
    return scene.add_node(node, parent, extras={"ifc_class": ifc_class, "id": element_id,
                                                "name": name}, mesh=index)


def _add_storey(scene: GltfBuilder, parent: int, storey: Storey, spaces: bool) -> None:
    sid = scene.add_node(storey.global_id, parent, extras={
        "ifc_class": "IfcBuildingStorey", "id": storey.id, "name": storey.name,
        "elevation": storey.elevation})
    z = storey.elevation
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
                name = scene.nodes[node]["name"]
                _add(scene, node, mesh, ifc_class, f"{name}/{material}", o.id,
                     f"{o.kind.capitalize()} {o.id} {material}", material)
    for col in storey.columns:
        _add(scene, sid, _flat_mesh(col.outline, col.height, z), "IfcColumn", col.global_id,
             col.id, f"Column {col.id}")
    if spaces:
        for sp in storey.spaces:
            _add(scene, sid, _flat_mesh(sp.polygon, SPACE_PATCH_M, z), "IfcSpace", sp.global_id,
                 sp.id, sp.name)


def building_scene(building: Building, *, spaces: bool = True) -> GltfBuilder:
    """The building as a glTF scene in glTF's frame (Y up, metres), one node per element."""
    scene = GltfBuilder(extras={"source": building.source, "sha256": building.source_hash,
                                "units": "m", "generator": "plan2bim"})
    root = scene.add_node(building.building_global_id,
                          extras={"ifc_class": "IfcBuilding", "name": building.name})
    for storey in building.storeys:
        _add_storey(scene, root, storey, spaces)
    return scene


def glb_bytes(building: Building, *, spaces: bool = True) -> bytes:
    """The building as binary glTF 2.0 (what ``write_glb`` writes)."""
    return building_scene(building, spaces=spaces).to_glb()


def write_glb(building: Building, path: Path, *, images: Any = None, spaces: bool = True) -> None:
    """Write the building as binary glTF 2.0. ``images`` is accepted for the writer interface and
    ignored; ``spaces=False`` leaves out the translucent room patches."""
    data = glb_bytes(building, spaces=spaces)
    try:
        Path(path).write_bytes(data)
    except OSError as e:
        raise ExportError(f"cannot write {path}: {e}") from e
