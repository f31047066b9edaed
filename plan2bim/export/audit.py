"""Checks that a converted model is one a BIM coordinator can trust, on the written files.

* ``ifcopenshell.validate``: schema and WHERE rules;
* the IDS file shipped in ``plan2bim/ids`` (needs ``ifctester``, a dev dependency);
* clashes, with ifcopenshell's geometry and its BVH tree: walls overlapping walls, doors and
  windows cutting into walls (a filling must sit inside its opening);
* the IFC and the glTF of one plan describe the same solids: per element volume and bounding box.

Run over converted folders as ``python -m plan2bim.export.audit OUT_DIR...`` (each holding
``<name>.ifc`` and ``<name>.glb``); the tests call the functions directly.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

__all__ = ["Audit", "audit", "ids_failures", "clashes", "element_solids_ifc",
           "element_solids_glb", "ids_path"]

CLASH_TOLERANCE_M = 0.0005
"""Interpenetration deeper than this (0.5 mm) is a clash; shallower is a touching face."""
AGREEMENT_REL = 0.01
"""IFC and glTF volumes and bounding boxes of an element must agree to 1%."""


def ids_path() -> Path:
    return Path(str(resources.files("plan2bim").joinpath("ids/plan2bim.ids")))


def ids_failures(f) -> list[str]:
    """What the IDS finds wrong in the IFC model ``f``, one line each (empty: it passes)."""
    import ifctester.ids

    spec = ifctester.ids.open(str(ids_path()))
    spec.validate(f)
    out = []
    for s in spec.specifications:
        if s.status is False:
            for r in s.requirements:
                for fail in r.failures:
                    out.append(f"{s.name}: {fail.get('element')} {fail.get('reason')}")
            if not any(r.failures for r in s.requirements):
                out.append(f"{s.name}: applicability not met")
    return out


def validation_errors(f) -> list[dict]:
    import ifcopenshell.validate

    logger = ifcopenshell.validate.json_logger()
    ifcopenshell.validate.validate(f, logger, express_rules=True)
    return logger.statements


def _tree(f, elements):
    import ifcopenshell.geom
    import ifcopenshell.ifcopenshell_wrapper as wrapper

    settings = ifcopenshell.geom.settings()
    settings.set("iterator-output", wrapper.TRIANGULATED)
    tree = ifcopenshell.geom.tree(backend="opencascade.trianglebvh")
    tree.add_iterator(ifcopenshell.geom.iterator(settings, f, 1, include=elements))
    return tree


def clashes(f) -> dict[str, list[tuple[str, str, float]]]:
    """Walls overlapping walls, and doors or windows cutting into walls.

    Fillings against walls: ifcopenshell's BVH tree, interpenetration deeper than
    ``CLASH_TOLERANCE_M``. Walls against walls: the tree's pierce test fires on faces that only
    touch at an oblique junction, so walls (vertical extrusions) are compared by the overlap of
    their triangulated bodies' upward faces projected on plan (an STRtree finds the pairs) times the overlap
    of their heights, less a strip of ``CLASH_TOLERANCE_M``: pairs sharing more than
    ``OVERLAP_VOLUME_M3`` are reported, with it."""
    walls = f.by_type("IfcWall")
    fills = f.by_type("IfcDoor") + f.by_type("IfcWindow")
    out: dict[str, list[tuple[str, str, float]]] = {"wall_wall": [], "filling_wall": []}
    if not walls:
        return out
    if fills:
        tree = _tree(f, walls + fills)
        pairs = {}
        for c in tree.clash_intersection_many(fills, walls, CLASH_TOLERANCE_M, True):
            pairs[(c.a.GlobalId, c.b.GlobalId)] = (c.a.Name, c.b.Name, float(c.distance))
        out["filling_wall"] = sorted(pairs.values())
    out["wall_wall"] = wall_overlaps(f)
    return out


OVERLAP_VOLUME_M3 = 1e-6
"""Walls sharing more than a cubic centimetre overlap."""


def wall_overlaps(f) -> list[tuple[str, str, float]]:
    import shapely
    from shapely.geometry import Polygon

    names, plans, spans = [], [], []
    for gid, (verts, faces) in _meshes(f, ("IfcWall",)).items():
        # The faces looking up (tops, and sills under openings) cover the footprint of a
        # vertical extrusion exactly; side faces would add slivers of float noise.
        tri = verts[faces]
        normal = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        up = normal[:, 2] > 0.99 * np.linalg.norm(normal, axis=1)
        tris = [Polygon(t[:, :2]) for t in tri[up]]
        plans.append(shapely.union_all(tris) if tris else Polygon())
        spans.append((verts[:, 2].min(), verts[:, 2].max()))
        names.append(f.by_guid(gid).Name)
    tree = shapely.STRtree(plans)
    found = []
    for i, j in zip(*tree.query(plans, predicate="intersects"), strict=True):
        if i >= j:
            continue
        dz = min(spans[i][1], spans[j][1]) - max(spans[i][0], spans[j][0])
        # Shared strips thinner than the clash tolerance are faces touching (the IFC kernel
        # triangulates a T junction's faces a few hundredths of a millimetre apart).
        shared = plans[i].intersection(plans[j]).buffer(-CLASH_TOLERANCE_M / 2)
        vol = shared.area * max(dz, 0.0)
        if vol > OVERLAP_VOLUME_M3:
            found.append((names[i], names[j], float(vol)))
    return sorted(found)


def _meshes(f, classes) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    import ifcopenshell.geom

    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    elements = [e for c in classes for e in f.by_type(c)]
    out = {}
    if not elements:
        return out
    it = ifcopenshell.geom.iterator(settings, f, 1, include=elements)
    if it.initialize():
        while True:
            shape = it.get()
            out[shape.guid] = (np.asarray(shape.geometry.verts).reshape(-1, 3),
                               np.asarray(shape.geometry.faces).reshape(-1, 3))
            if not it.next():
                break
    return out


@dataclass(frozen=True)
class Solid:
    volume: float
    lo: tuple[float, float, float]
    hi: tuple[float, float, float]


def _solid(verts: np.ndarray, faces: np.ndarray) -> Solid:
    import trimesh

    mesh = trimesh.Trimesh(verts, faces, process=False)
    return Solid(abs(float(mesh.volume)), tuple(verts.min(0)), tuple(verts.max(0)))


def element_solids_ifc(f, classes=("IfcWall", "IfcDoor", "IfcWindow")) -> dict[str, Solid]:
    """Volume and world bounding box of each element's body (openings cut), by GlobalId."""
    return {gid: _solid(v, t) for gid, (v, t) in _meshes(f, classes).items()}


def element_solids_glb(path: Path) -> dict[str, Solid]:
    """The same for the glTF: an element is its node and its child parts, in the plan frame."""
    import trimesh

    from plan2bim.export.glb import PLAN_TO_GLTF

    scene = trimesh.load(str(path), force="scene")
    back = np.linalg.inv(PLAN_TO_GLTF)
    parts: dict[str, list] = {}
    for node in scene.graph.nodes_geometry:
        transform, geom = scene.graph[node]
        mesh = scene.geometry[geom].copy()
        mesh.apply_transform(back @ transform)
        parts.setdefault(node.split("/")[0], []).append(mesh)
    out = {}
    for gid, meshes in parts.items():
        verts = np.concatenate([m.vertices for m in meshes])
        vol = sum(abs(float(m.volume)) for m in meshes)
        out[gid] = Solid(vol, tuple(verts.min(0)), tuple(verts.max(0)))
    return out


def disagreements(ifc: dict[str, Solid], glb: dict[str, Solid],
                  rel: float = AGREEMENT_REL) -> list[str]:
    """Elements whose IFC and glTF solids differ by more than ``rel`` in volume or box size."""
    out = []
    for gid, a in ifc.items():
        b = glb.get(gid)
        if b is None:
            out.append(f"{gid}: in the IFC, not in the glTF")
            continue
        if abs(a.volume - b.volume) > rel * max(a.volume, 1e-9):
            out.append(f"{gid}: volume IFC {a.volume:.4f} glTF {b.volume:.4f} m3")
        size = np.subtract(a.hi, a.lo)
        if np.abs(np.subtract(a.lo, b.lo)).max() > rel * size.max() or \
                np.abs(np.subtract(a.hi, b.hi)).max() > rel * size.max():
            out.append(f"{gid}: bounding box IFC {a.lo}-{a.hi} glTF {b.lo}-{b.hi}")
    return out


@dataclass
class Audit:
    name: str
    validation_errors: int = 0
    ids_failures: list[str] = field(default_factory=list)
    wall_wall: int = 0
    filling_wall: int = 0
    disagreements: list[str] = field(default_factory=list)
    doors: int = 0
    doors_with_operation: int = 0

    @property
    def ok(self) -> bool:
        return not (self.validation_errors or self.ids_failures or self.wall_wall
                    or self.filling_wall or self.disagreements)


def audit(ifc_path: Path, glb_path: Path | None = None, *, ids: bool = True) -> Audit:
    """Every check above on one converted plan."""
    import ifcopenshell

    f = ifcopenshell.open(str(ifc_path))
    a = Audit(name=Path(ifc_path).stem)
    a.validation_errors = len(validation_errors(f))
    if ids:
        a.ids_failures = ids_failures(f)
    c = clashes(f)
    a.wall_wall, a.filling_wall = len(c["wall_wall"]), len(c["filling_wall"])
    if glb_path is not None:
        a.disagreements = disagreements(element_solids_ifc(f), element_solids_glb(glb_path))
    doors = f.by_type("IfcDoor")
    a.doors = len(doors)
    a.doors_with_operation = sum(d.OperationType not in (None, "NOTDEFINED") for d in doors)
    return a


def main(argv: list[str]) -> int:
    results = []
    for folder in argv:
        for ifc in sorted(Path(folder).glob("*.ifc")):
            glb = ifc.with_suffix(".glb")
            results.append(audit(ifc, glb if glb.exists() else None))
            r = results[-1]
            sys.stdout.write(json.dumps({**asdict(r), "ok": r.ok}) + "\n")
    bad = [r.name for r in results if not r.ok]
    doors = sum(r.doors for r in results)
    known = sum(r.doors_with_operation for r in results)
    sys.stdout.write(json.dumps({
        "plans": len(results), "failing": bad,
        "validation_errors": sum(r.validation_errors for r in results),
        "ids_failures": sum(len(r.ids_failures) for r in results),
        "wall_wall": sum(r.wall_wall for r in results),
        "filling_wall": sum(r.filling_wall for r in results),
        "disagreements": sum(len(r.disagreements) for r in results),
        "doors": doors, "doors_with_operation": known,
    }) + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
