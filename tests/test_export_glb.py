"""The GLB writer: reopened with trimesh and pygltflib, and checked by the Khronos glTF validator."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pygltflib
import pytest
import shapely
import trimesh

from plan2bim.export import get_writer
from plan2bim.export.glb import write_glb
from plan2bim.model import Building, Opening, stable_guid

GLTF_DIR = Path(__file__).parent / "gltf"
MATERIALS = {"wall", "door", "frame", "glass", "slab", "space"}
CLASS_MATERIAL = {"IfcWall": "wall", "IfcDoor": "door", "IfcWindow": "glass", "IfcSlab": "slab",
                  "IfcSpace": "space"}


def _unique_ids(b: Building) -> Building:
    """The sample gives the walls of every storey the same GlobalIds; make them unique."""
    storeys = [
        dataclasses.replace(s, walls=[
            dataclasses.replace(w, global_id=stable_guid(b.source_hash, f"{s.id}/{w.id}"))
            for w in s.walls
        ])
        for s in b.storeys
    ]
    return dataclasses.replace(b, storeys=storeys)


def _expected_nodes(b: Building, spaces: bool = True, frames: bool = False) -> dict[str, str]:
    """Element nodes by GlobalId (and with ``frames`` the door and window frames' child nodes)."""
    out = {}
    for s in b.storeys:
        out[s.slab_global_id] = "IfcSlab"
        out.update({w.global_id: "IfcWall" for w in s.walls})
        out.update({o.global_id: "IfcDoor" if o.kind == "door" else "IfcWindow" for o in s.openings})
        if frames:
            out.update({f"{o.global_id}/frame": "IfcDoor" if o.kind == "door" else "IfcWindow"
                        for o in s.openings})
        if spaces:
            out.update({sp.global_id: "IfcSpace" for sp in s.spaces})
    return out


def _edges_closed(mesh: trimesh.Trimesh) -> bool:
    """Every edge is shared by an even number of faces: the mesh is closed, though pieces of it
    (a wall's full-height part and the parts under and over its openings) touch along faces."""
    mesh = mesh.copy()
    mesh.merge_vertices(merge_norm=True)
    _, counts = np.unique(mesh.edges_sorted, axis=0, return_counts=True)
    return bool((counts % 2 == 0).all())


@pytest.fixture(params=[1, 2], ids=["one-storey", "two-storeys"])
def building(request) -> Building:
    from sample import sample_building

    return _unique_ids(sample_building(storeys=request.param))


@pytest.fixture
def glb(building, tmp_path) -> Path:
    path = tmp_path / "model.glb"
    write_glb(building, path)
    return path


def _scene(path: Path) -> trimesh.Scene:
    return trimesh.load(path, force="scene")


def _node_mesh(scene: trimesh.Scene, node: str) -> trimesh.Trimesh:
    transform, geom = scene.graph[node]
    return scene.geometry[geom].copy().apply_transform(transform)


def test_registered_as_glb_writer():
    assert get_writer("glb") is write_glb


def test_one_node_per_element_named_by_global_id(building, glb):
    scene = _scene(glb)
    expected = _expected_nodes(building, frames=True)
    assert sorted(scene.graph.nodes_geometry) == sorted(expected)

    gltf = pygltflib.GLTF2().load(str(glb))
    classes = {n.name: n.extras["ifc_class"] for n in gltf.nodes if n.mesh is not None}
    assert classes == expected
    mesh_names = {gltf.nodes[i].name: gltf.meshes[gltf.nodes[i].mesh].name
                  for i in range(len(gltf.nodes)) if gltf.nodes[i].mesh is not None}
    assert all(mesh_names[gid].startswith(cls + ":") for gid, cls in expected.items())
    # The spatial structure: building -> storeys -> elements.
    storeys = [n for n in gltf.nodes if n.extras.get("ifc_class") == "IfcBuildingStorey"]
    assert [n.name for n in storeys] == [s.global_id for s in building.storeys]
    assert sum(len(n.children) for n in storeys) == len(_expected_nodes(building))


def test_asset_and_one_material_per_class(glb):
    gltf = pygltflib.GLTF2().load(str(glb))
    assert gltf.asset.version == "2.0"
    materials = {m.name: m for m in gltf.materials}
    assert set(materials) == MATERIALS
    assert materials["glass"].alphaMode == "BLEND"
    assert materials["glass"].pbrMetallicRoughness.baseColorFactor[3] < 1
    wall, door = (materials[k].pbrMetallicRoughness.baseColorFactor for k in ("wall", "door"))
    assert door[0] > door[2] and wall[0] > door[0]  # wood is brown, walls are light
    # Every element's mesh uses its class's material, frames the frame's.
    for node in gltf.nodes:
        if node.mesh is not None:
            prim = gltf.meshes[node.mesh].primitives[0]
            want = "frame" if node.name.endswith("/frame") else CLASS_MATERIAL[node.extras["ifc_class"]]
            assert gltf.materials[prim.material].name == want


def test_bounds_in_metres_y_up(building, glb):
    scene = _scene(glb)
    top = building.storeys[-1].elevation + building.storeys[-1].height
    # Plan x 0.35..8.65, y 0.35..5.65 (outer wall faces, slab) -> glTF z = -y; floor slab 0.2 m
    # below the ground storey's elevation; walls up to the top storey's head.
    np.testing.assert_allclose(scene.bounds, [[0.35, -0.2, -5.65], [8.65, top, -0.35]], atol=1e-5)


def test_plan_to_gltf_axes(building, glb):
    scene = _scene(glb)
    s = building.storeys[0]
    w1 = next(w for w in s.walls if w.id == "W1")  # along plan y = 0.5, thickness 0.3
    np.testing.assert_allclose(
        _node_mesh(scene, w1.global_id).bounds, [[0.35, 0.0, -0.65], [8.65, 2.7, -0.35]], atol=1e-5
    )
    slab = _node_mesh(scene, s.slab_global_id)
    assert slab.bounds[1][1] == pytest.approx(s.elevation, abs=1e-6)  # slab top at the floor


def test_wall_openings_are_cut_through(building, glb):
    scene = _scene(glb)
    s = building.storeys[0]
    w5 = next(w for w in s.walls if w.id == "W5")  # internal wall with door O1 (0.9 x 2.1 m)
    w2 = next(w for w in s.walls if w.id == "W2")  # no opening
    mesh = _node_mesh(scene, w5.global_id)
    plain = _node_mesh(scene, w2.global_id)
    mesh.merge_vertices(merge_norm=True)
    plain.merge_vertices(merge_norm=True)
    assert len(plain.vertices) == 8  # a box
    assert len(mesh.vertices) > 8
    assert _edges_closed(mesh) and plain.is_watertight
    # W5 is a partition between the external walls: it stops at their inner faces (y 0.65..5.35).
    length = 4.7
    expected = w5.thickness * (length * w5.height - 0.9 * 2.1)
    assert mesh.volume == pytest.approx(expected, rel=1e-4)


def test_window_leaves_sill_and_lintel(building, glb):
    scene = _scene(glb)
    s = building.storeys[0]
    w1 = next(w for w in s.walls if w.id == "W1")  # window O2 1.2 x 1.2 m, sill 0.9 m
    mesh = _node_mesh(scene, w1.global_id)
    mesh.merge_vertices(merge_norm=True)
    assert _edges_closed(mesh)
    expected = w1.thickness * ((w1.length + w1.thickness) * w1.height - 1.2 * 1.2)
    assert mesh.volume == pytest.approx(expected, rel=1e-4)
    # Cut across the wall through the window's centre (plan x = 2.5): the sill below and the
    # lintel above, 0.9 m + (2.7 - 2.1) m of the 0.3 m thick wall, and nothing in between.
    segments = trimesh.intersections.mesh_plane(mesh, plane_normal=[1.0, 0.0, 0.0],
                                                plane_origin=[2.5, 1.0, -0.5])
    lines = shapely.set_precision(shapely.MultiLineString(list(segments[:, :, 1:])), 1e-6)
    section = shapely.polygonize(shapely.get_parts(shapely.union_all(lines)))
    parts = sorted(shapely.get_parts(section), key=lambda p: p.bounds[0])
    assert len(parts) == 2
    assert [p.area for p in parts] == pytest.approx([0.3 * 0.9, 0.3 * 0.6], rel=1e-4)
    assert parts[0].bounds[2] == pytest.approx(0.9) and parts[1].bounds[0] == pytest.approx(2.1)


def test_panels_sit_inside_their_openings(building, glb):
    scene = _scene(glb)
    s = building.storeys[0]
    door = _node_mesh(scene, next(o for o in s.openings if o.id == "O1").global_id)
    window = _node_mesh(scene, next(o for o in s.openings if o.id == "O2").global_id)
    # Door O1 in W5 (plan x = 4.5), centred at plan y = 3.0, 0.9 m wide, floor to 2.1 m.
    (x0, y0, z0), (x1, y1, z1) = door.bounds
    assert x0 > 4.44 and x1 < 4.56
    assert z0 > -3.45 - 1e-6 and z1 < -2.55 + 1e-6
    assert 0.0 < y0 < 0.02 and y1 < 2.1  # the leaf clears the floor
    # Window O2 in W1 (plan y = 0.5) between sill 0.9 m and head 2.1 m.
    (x0, y0, z0), (x1, y1, z1) = window.bounds
    assert 1.9 < x0 < x1 < 3.1 and 0.9 < y0 < y1 < 2.1 and -0.65 < z0 < z1 < -0.35


def test_no_degenerate_triangles(glb):
    scene = _scene(glb)
    for name, mesh in scene.geometry.items():
        assert len(mesh.faces) > 0, name
        assert mesh.area_faces.min() > 1e-8, name


def test_deterministic(building, tmp_path):
    a, b = tmp_path / "a.glb", tmp_path / "b.glb"
    write_glb(building, a)
    write_glb(building, b)
    assert a.read_bytes() == b.read_bytes()


def test_spaces_optional(building, tmp_path):
    path = tmp_path / "m.glb"
    write_glb(building, path, spaces=False)
    assert sorted(_scene(path).graph.nodes_geometry) == sorted(
        _expected_nodes(building, spaces=False, frames=True))


def test_duplicate_global_ids_keep_every_element(two_storey_building, tmp_path, caplog):
    # Give the second storey's walls the first storey's GlobalIds.
    import dataclasses

    s1, s2 = two_storey_building.storeys
    walls2 = [dataclasses.replace(w2, global_id=w1.global_id) for w1, w2 in zip(s1.walls, s2.walls, strict=True)]
    dup = dataclasses.replace(two_storey_building,
                              storeys=[s1, dataclasses.replace(s2, walls=walls2)])
    path = tmp_path / "m.glb"
    with caplog.at_level(logging.WARNING, logger="plan2bim.export.glb"):
        write_glb(dup, path)
    assert "duplicate GlobalId" in caplog.text
    assert len(_scene(path).graph.nodes_geometry) == len(_expected_nodes(dup, frames=True)) + 5


def test_opening_at_wall_end_and_unknown_host(building, tmp_path, caplog):
    s = building.storeys[0]
    w2 = next(w for w in s.walls if w.id == "W2")
    extra = [
        # A door flush with the wall's end (plus its cap) and a window up to the ceiling: no
        # paper-thin strip of wall may be left beside or above them.
        Opening(id="O8", kind="door", wall_id="W2", offset=0.3, width=0.9 - 2 * 0.003 + 0.03,
                height=2.1, sill_height=0.004, center=(8.5, 0.8), center_px=(850, 620),
                width_px=90, confidence=1.0, global_id="door-at-end"),
        Opening(id="O9", kind="window", wall_id="W2", offset=3.5, width=1.0, height=1.798,
                sill_height=0.9, center=(8.5, 4.0), center_px=(850, 300), width_px=100,
                confidence=1.0, global_id="window-to-ceiling"),
        Opening(id="O10", kind="door", wall_id="nope", offset=1.0, width=0.9, height=2.1,
                sill_height=0.0, center=(0, 0), center_px=(0, 0), width_px=90, confidence=1.0,
                global_id="orphan"),
    ]
    storeys = [dataclasses.replace(s, openings=s.openings + extra), *building.storeys[1:]]
    path = tmp_path / "m.glb"
    with caplog.at_level(logging.WARNING, logger="plan2bim.export.glb"):
        write_glb(dataclasses.replace(building, storeys=storeys), path)
    assert "unknown wall" in caplog.text
    scene = _scene(path)
    assert "orphan" not in scene.graph.nodes
    wall = _node_mesh(scene, w2.global_id)
    assert _edges_closed(wall)
    # The snapped openings cut the full strip: no vertex within 1 cm of the floor or ceiling
    # except at the wall's outline corners.
    heights = np.unique(np.round(wall.vertices[:, 1], 6))
    assert not ((heights > 0) & (heights < 0.01)).any()
    assert not ((heights > 2.69) & (heights < 2.7)).any()
    assert wall.area_faces.min() > 1e-6
    _validate(path)


# --- the Khronos glTF validator -------------------------------------------------------------


def _validator_or_skip() -> str:
    """The node binary, when node and the validator are installed; otherwise skip, or fail on CI
    (where ``npm ci --prefix tests/gltf`` is part of the setup and a skip would hide a gap)."""
    node = shutil.which("node")
    installed = (GLTF_DIR / "node_modules" / "gltf-validator" / "package.json").is_file()
    if node and installed:
        return node
    why = ("node is not on PATH" if not node else
           "the glTF validator is not installed: run `npm ci --prefix tests/gltf`")
    if os.environ.get("CI"):
        pytest.fail(f"glTF validation cannot run on CI: {why}")
    pytest.skip(why)


def _validate(path: Path) -> dict:
    node = _validator_or_skip()
    proc = subprocess.run([node, str(GLTF_DIR / "validate.mjs"), str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    issues = report["issues"]
    errors = [m for m in issues["messages"] if m["severity"] == 0]
    assert issues["numErrors"] == 0, errors
    assert proc.returncode == 0
    return report


def test_khronos_validator_finds_no_error(glb):
    report = _validate(glb)
    # Warnings are not errors, but none are expected either (unused objects, bad normals, ...).
    warnings = [m for m in report["issues"]["messages"] if m["severity"] == 1]
    assert report["issues"]["numWarnings"] == 0, warnings
    assert report["info"]["totalTriangleCount"] > 0


def test_validator_script_reports_errors(tmp_path):
    """The validation harness itself must fail on a broken file, or the tests above prove nothing."""
    node = _validator_or_skip()
    bad = tmp_path / "bad.glb"
    good = tmp_path / "good.glb"
    from sample import sample_building

    write_glb(sample_building(), good)
    data = bytearray(good.read_bytes())
    data[24:28] = b"\xff\xff\xff\xff"  # corrupt the JSON chunk
    bad.write_bytes(bytes(data))
    proc = subprocess.run([node, str(GLTF_DIR / "validate.mjs"), str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1


# --- start-up cost --------------------------------------------------------------------------

_WRITE_WITHOUT_TRIMESH = """
import sys
from plan2bim.export.glb import write_glb
from sample import sample_building
write_glb(sample_building(storeys=2), sys.argv[1])
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"trimesh", "scipy", "networkx"})
assert not heavy, heavy
"""


def test_writing_does_not_import_trimesh(tmp_path):
    """Importing trimesh (scipy, networkx, ...) took over a second of every conversion's start:
    the writer must not need it. In a fresh interpreter, since this one has trimesh loaded."""
    path = tmp_path / "m.glb"
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(root / "tests")])}
    proc = subprocess.run([sys.executable, "-c", _WRITE_WITHOUT_TRIMESH, str(path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    # What it wrote is the building (trimesh may read it back here).
    assert len(_scene(path).graph.nodes_geometry) > 0
