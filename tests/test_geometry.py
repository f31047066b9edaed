"""The shared solids (plan2bim.geometry): joined walls, openings inside walls, fillings inside
openings, swing sides carried from the drawing to the IFC, and the IDS catching what it should."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from plan2bim.export.ifc import build_ifc
from plan2bim.geometry import compute_geometry, to_local, to_plan
from plan2bim.model import Opening, Wall, stable_guid
from plan2bim.pipeline import build_model

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def flat():
    return build_model(ROOT / "fixtures" / "flat.png").building


@pytest.fixture(scope="module")
def skewed():
    return build_model(ROOT / "fixtures" / "flat_skewed.jpg").building


def _bodies(geom) -> dict[str, Polygon]:
    return {k: shapely.union_all([Polygon(p[0], p[1:]) for p in v.footprint])
            for k, v in geom.walls.items()}


def _wall(wid, a, b, t=0.2, ext=False) -> Wall:
    return Wall(id=wid, start=a, end=b, thickness=t, height=2.7, is_external=ext,
                global_id=stable_guid("0" * 64, wid), footprint_px=[])


@pytest.mark.parametrize("which", ["flat", "skewed"])
def test_walls_are_disjoint_and_leave_no_gap(which, request):
    from plan2bim.geometry import _rectangle

    s = request.getfixturevalue(which).storeys[0]
    geom = s.geometry
    assert geom is not None  # computed once by the build stage
    bodies = _bodies(geom)
    assert set(bodies) == {w.id for w in s.walls}
    ids = list(bodies)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            assert bodies[a].intersection(bodies[b]).area < 1e-9, (a, b)
    # Together they cover every wall's rectangle (square caps, on the 0.1 mm grid): no hole at
    # any corner.
    rects = shapely.union_all([shapely.set_precision(_rectangle(w), 1e-4) for w in s.walls])
    assert shapely.union_all(list(bodies.values())).symmetric_difference(rects).area < 1e-3


def test_l_corner_t_and_x_junctions():
    walls = [_wall("A", (0, 0), (5, 0), 0.3, True), _wall("B", (5, 0), (5, 4), 0.3, True),
             _wall("T", (2, 0), (2, 4)), _wall("X1", (0, 2), (5, 2)), ]
    g = compute_geometry(walls, [])
    bodies = _bodies(g)
    # L corner: the external walls meet with the corner square in one of them, no gap.
    corner = Polygon([(4.85, -0.15), (5.15, -0.15), (5.15, 0.15), (4.85, 0.15)])
    assert (bodies["A"].intersection(corner).area + bodies["B"].intersection(corner).area
            == pytest.approx(0.09))
    # T: the partition stops at the external wall's face.
    assert bodies["T"].bounds[1] == pytest.approx(0.15)
    # X: one of the two crossing partitions runs through, the other is cut in two.
    assert {len(getattr(bodies[k], "geoms", [bodies[k]])) for k in ("T", "X1")} == {1, 2}
    conns = {(c.relating, c.related): (c.relating_at, c.related_at) for c in g.connections}
    assert conns[("A", "B")] == ("ATEND", "ATSTART")
    assert conns[("A", "T")] == ("ATPATH", "ATSTART")
    assert set(conns.get(("T", "X1"), conns.get(("X1", "T"), ()))) == {"ATPATH"}


def test_openings_are_clamped_into_their_own_wall_and_fillings_into_openings():
    walls = [_wall("A", (0, 0), (5, 0), 0.3, True), _wall("B", (0, 0), (0, 3), 0.2)]
    # B's body starts at A's face (y = 0.15): a door centred 0.3 m from B's start must move.
    door = Opening(id="D", kind="door", wall_id="B", offset=0.3, width=0.9, height=2.1,
                   sill_height=0.0, center=(0, 0.3), center_px=(0, 0), width_px=1,
                   confidence=1.0, global_id=stable_guid("0" * 64, "D"))
    g = compute_geometry(walls, [door])
    sol = g.openings["D"]
    assert sol.x0 >= 0.15 + 0.05 - 1e-9 and sol.width == pytest.approx(0.9)
    for _part, b in sol.parts:
        assert sol.x0 < b.x0 < b.x1 < sol.x1
        assert sol.sill <= b.z0 < b.z1 < sol.top
        assert -sol.thickness / 2 < b.y0 < b.y1 < sol.thickness / 2
    # The void lies inside the host's own body.
    body = _bodies(g)["B"]
    void = Polygon(to_plan(walls[1], [(sol.x0, -0.1), (sol.x1, -0.1), (sol.x1, 0.1), (sol.x0, 0.1)]))
    assert body.contains(void.buffer(-1e-6))


def test_local_frame_round_trip():
    w = _wall("W", (1.0, 2.0), (1.0 + 3 * math.cos(0.4), 2.0 + 3 * math.sin(0.4)))
    pts = [(0.3, 0.1), (2.0, -0.1)]
    assert np.allclose(to_local(w, to_plan(w, pts)), pts)


# --- swing ---------------------------------------------------------------------------------

# fixtures/make_fixtures.py draws flat.png's doors; in its frame (y down the sheet) each is
# (along the wall from, to), hinge jamb, and the way the leaf opens. In the plan frame (y up):
ENTRANCE = ("x", 3.2, 4.1, "west", "north")
DRAWN_DOORS = [
    ENTRANCE,
    ("y", 7.0 - 1.5 - 0.75, 7.0 - 1.5, "north", "east"),   # door_v(5, 1.5, left=False)
    ("y", 7.0 - 4.6 - 0.75, 7.0 - 4.6, "north", "east"),   # door_v(5, 4.6, left=False)
    ("x", 0.8, 1.55, "west", "south"),                      # door_h(0.8, 4.5, up=False)
    ("x", 3.4, 4.15, "west", "north"),                      # door_h(3.4, 4.5, up=True)
]
_DIR = {"north": (0, 1), "south": (0, -1), "east": (1, 0), "west": (-1, 0)}


def _expected_operation(hinge: str, opens: str) -> str:
    # Looking the way the door opens, is the hinge on the left?
    ox, oy = _DIR[opens]
    left = (-oy, ox)  # the left of the viewing direction
    return "SINGLE_SWING_LEFT" if _DIR[hinge] == left else "SINGLE_SWING_RIGHT"


def test_swing_sides_of_the_drawn_doors(flat):
    s = flat.storeys[0]
    f = build_ifc(flat)
    import ifcopenshell.util.placement

    # The drawing's origin: the outer walls' axes are at x = 0 and y = 0 of make_fixtures.
    x0 = min(min(w.start[0], w.end[0]) for w in s.walls)
    y0 = min(min(w.start[1], w.end[1]) for w in s.walls)
    doors = [o for o in s.openings if o.kind == "door"]
    assert len(doors) == len(DRAWN_DOORS)
    for axis, lo, hi, hinge, opens in DRAWN_DOORS:
        mid = (lo + hi) / 2
        door = min(doors, key=lambda o: abs((o.center[0] - x0 if axis == "x" else o.center[1] - y0) - mid))
        element = f.by_guid(door.global_id)
        assert element.OperationType == _expected_operation(hinge, opens), (door.id, hinge, opens)
        # IFC doors open toward their placement's +y: it must point the way the leaf swings.
        m = ifcopenshell.util.placement.get_local_placement(element.ObjectPlacement)
        assert np.allclose(m[:2, 1], _DIR[opens], atol=1e-6), (door.id, m[:2, 1], opens)
        # Its plan symbol: the leaf drawn open from the hinge jamb, the way the door opens.
        (symbol,) = [r for r in element.Representation.Representations
                     if r.RepresentationIdentifier == "FootPrint"]
        leaf = np.array([(*p.Coordinates, 0.0, 1.0) for p in symbol.Items[0].Points])
        (hx, hy), (tx, ty) = (m @ leaf.T).T[:, :2]
        assert np.allclose(np.sign([tx - hx, ty - hy]), _DIR[opens])
        hinge_dir = np.array([hx, hy]) - door.center
        assert np.dot(hinge_dir, _DIR[hinge]) > 0.3, (door.id, hinge)


def test_unknown_swing_is_notdefined(flat):
    s = flat.storeys[0]
    plain = [dataclasses.replace(o, swing="none", opens_to="none") for o in s.openings]
    b = dataclasses.replace(flat, storeys=[dataclasses.replace(s, openings=plain, geometry=None)])
    f = build_ifc(b)
    assert {d.OperationType for d in f.by_type("IfcDoor")} == {"NOTDEFINED"}


# --- IFC content the IDS states ------------------------------------------------------------


def test_types_styles_quantities_boundaries(flat):
    import ifcopenshell.util.element as ue

    f = build_ifc(flat)
    s = flat.storeys[0]
    doors = f.by_type("IfcDoor")
    types = f.by_type("IfcDoorType")
    assert 0 < len(types) < len(doors)  # doors of one size share a type
    assert all(ue.get_type(d) is not None for d in doors + f.by_type("IfcWindow"))
    styled = {i.Item for i in f.by_type("IfcStyledItem")}
    for e in f.by_type("IfcWall") + doors:
        body = [r for r in e.Representation.Representations if r.RepresentationIdentifier == "Body"][0]
        assert set(body.Items) <= styled
    wall = f.by_type("IfcWall")[0]
    q = ue.get_psets(wall, qtos_only=True)["Qto_WallBaseQuantities"]
    model = next(w for w in s.walls if w.global_id == wall.GlobalId)
    assert q["NetVolume"] == pytest.approx(s.geometry.walls[model.id].net_volume)
    assert len(f.by_type("IfcRelConnectsPathElements")) == len(s.geometry.connections) > 0
    bounds = f.by_type("IfcRelSpaceBoundary")
    assert {b.RelatingSpace for b in bounds} == set(f.by_type("IfcSpace"))
    assert {b.RelatedBuildingElement.is_a() for b in bounds} >= {"IfcWall", "IfcDoor", "IfcWindow"}
    # Every door opens into a room: it bounds two spaces, or a space and the outside.
    assert all(any(b.RelatedBuildingElement == d for b in bounds) for d in doors)


def test_ids_catches_a_missing_quantity(flat):
    pytest.importorskip("ifctester")
    from plan2bim.export.audit import ids_failures

    f = build_ifc(flat)
    assert ids_failures(f) == []
    wall = f.by_type("IfcWall")[0]
    for rel in list(wall.IsDefinedBy):
        if rel.RelatingPropertyDefinition.Name == "Qto_WallBaseQuantities":
            f.remove(rel)
    wall.PredefinedType = "ELEMENTEDWALL"
    failures = ids_failures(f)
    assert failures and all("Wall" in x for x in failures)


def test_clash_check_finds_overlapping_walls_and_oversized_doors(flat, tmp_path):
    """The audit is not blind: walls doubled over each other and a door wider than its void."""
    from plan2bim.export import audit

    s = flat.storeys[0]
    f = build_ifc(flat)
    # Slide a wall 0.3 m along its axis, into the wall at its start.
    wall = f.by_type("IfcWall")[0]
    loc = wall.ObjectPlacement.RelativePlacement.Location
    x, y, z = loc.Coordinates
    ux, uy, _ = wall.ObjectPlacement.RelativePlacement.RefDirection.DirectionRatios
    loc.Coordinates = (x - 0.3 * ux, y - 0.3 * uy, z)
    assert audit.wall_overlaps(f)
    loc.Coordinates = (x, y, z)
    assert not audit.wall_overlaps(f)
    door = f.by_guid(next(o for o in s.openings if o.kind == "door").global_id)
    body = [r for r in door.Representation.Representations if r.RepresentationIdentifier == "Body"][0]
    for item in body.Items:
        item.SweptArea.XDim *= 3
    assert audit.clashes(f)["filling_wall"]



def test_columns_and_pages_reach_every_format(flat, tmp_path):
    """Storey.columns become IfcColumn, glTF nodes and JSON; Building.pages go to the JSON."""
    import json

    import trimesh

    from plan2bim.export.glb import write_glb
    from plan2bim.export.json import write_json
    from plan2bim.model import Column, PageRecord
    from plan2bim.schema import validate_plan

    s = flat.storeys[0]
    col = Column(id="S1-C1", center=(3.0, 5.0), outline=[(2.85, 4.85), (3.15, 4.85), (3.15, 5.15), (2.85, 5.15)],
                 height=2.7, global_id=stable_guid("0" * 64, "C1"), outline_px=[(0, 0), (1, 0), (1, 1)])
    pages = [PageRecord(page=1, kind="floor_plan", title="GROUND", used=True, reason="plan",
                        storey_id="S1"),
             PageRecord(page=2, kind="section", title="A-A", used=False, reason="a section")]
    b = dataclasses.replace(flat, storeys=[dataclasses.replace(s, columns=[col])], pages=pages)
    f = build_ifc(b)
    (column,) = f.by_type("IfcColumn")
    assert column.GlobalId == col.global_id and column.PredefinedType == "COLUMN"
    try:
        from plan2bim.export.audit import ids_failures

        assert ids_failures(f) == []
    except ImportError:
        pass
    write_ifc_path = tmp_path / "m.glb"
    write_glb(b, write_ifc_path)
    scene = trimesh.load(write_ifc_path, force="scene")
    assert col.global_id in scene.graph.nodes_geometry
    write_json(b, tmp_path / "m.json")
    data = json.loads((tmp_path / "m.json").read_text())
    validate_plan(data)
    assert data["storeys"][0]["columns"][0]["id"] == "S1-C1"
    assert [p["kind"] for p in data["pages"]] == ["floor_plan", "section"]
