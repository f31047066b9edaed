"""The IFC4 exporter: reopen what it wrote and check structure, relations, ids, validity and geometry."""

from __future__ import annotations

import dataclasses
import math

import ifcopenshell
import ifcopenshell.geom
import ifcopenshell.util.element
import ifcopenshell.util.placement
import ifcopenshell.util.representation
import ifcopenshell.util.unit
import ifcopenshell.validate
import numpy as np
import pytest

from plan2bim.errors import ExportError
from plan2bim.export.ifc import build_ifc, write_ifc
from plan2bim.geometry import storey_geometry
from plan2bim.model import Building, Opening, Wall, stable_guid


def _write(building: Building, tmp_path, name: str = "out.ifc") -> ifcopenshell.file:
    path = tmp_path / name
    write_ifc(building, path)
    return ifcopenshell.open(str(path))


def _by_name(f: ifcopenshell.file, ifc_class: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for e in f.by_type(ifc_class):
        out.setdefault(e.Name, []).append(e)
    return out


def _storey_of(element) -> ifcopenshell.entity_instance:
    return ifcopenshell.util.element.get_container(element)


def _errors(f: ifcopenshell.file, express_rules: bool = False) -> list[dict]:
    """What ifcopenshell's validator reports: schema checks, and with ``express_rules`` the
    schema's WHERE rules too (thorough but ~3 s, so only some tests ask for them)."""
    logger = ifcopenshell.validate.json_logger()
    ifcopenshell.validate.validate(f, logger, express_rules=express_rules)
    return logger.statements


_SETTINGS = ifcopenshell.geom.settings()
_SETTINGS.set(_SETTINGS.USE_WORLD_COORDS, True)


def _shape(element) -> tuple[np.ndarray, np.ndarray, int]:
    """World bounding box (min, max) and triangle count of an element's body."""
    shape = ifcopenshell.geom.create_shape(_SETTINGS, element)
    verts = np.asarray(shape.geometry.verts).reshape(-1, 3)
    return verts.min(axis=0), verts.max(axis=0), len(shape.geometry.faces) // 3


def _replace_storey(b: Building, **changes) -> Building:
    return dataclasses.replace(b, storeys=[dataclasses.replace(b.storeys[0], **changes)])


def _wall(wid: str, start, end, t: float = 0.2, h: float = 2.7, ext: bool = False) -> Wall:
    return Wall(id=wid, start=start, end=end, thickness=t, height=h, is_external=ext,
                global_id=stable_guid("0" * 64, f"test/{wid}"), footprint_px=[])


def _opening(oid: str, wall_id: str, kind: str = "window", offset: float = 1.0, width: float = 1.0,
             height: float = 1.2, sill: float = 0.9) -> Opening:
    return Opening(id=oid, kind=kind, wall_id=wall_id, offset=offset, width=width, height=height,
                   sill_height=sill, center=(0.0, 0.0), center_px=(0.0, 0.0), width_px=0.0,
                   confidence=1.0, global_id=stable_guid("0" * 64, f"test/{oid}"))


# --- structure ---------------------------------------------------------------------------


@pytest.mark.parametrize("storeys", [1, 2])
def test_counts(storeys, sample_building, two_storey_building, tmp_path):
    b = sample_building if storeys == 1 else two_storey_building
    f = _write(b, tmp_path)
    assert f.schema == "IFC4"
    expected = {
        "IfcProject": 1, "IfcSite": 1, "IfcBuilding": 1, "IfcBuildingStorey": storeys,
        "IfcWall": 5 * storeys, "IfcOpeningElement": 3 * storeys, "IfcDoor": 2 * storeys,
        "IfcWindow": storeys, "IfcSpace": 2 * storeys, "IfcSlab": storeys, "IfcWallType": 2,
        "IfcRelVoidsElement": 3 * storeys, "IfcRelFillsElement": 3 * storeys,
    }
    assert {cls: len(f.by_type(cls)) for cls in expected} == expected


def test_units_are_metres(sample_building, tmp_path):
    f = _write(sample_building, tmp_path)
    assert ifcopenshell.util.unit.calculate_unit_scale(f) == 1.0
    units = {u.UnitType: u for u in f.by_type("IfcProject")[0].UnitsInContext.Units}
    assert (units["LENGTHUNIT"].Name, units["LENGTHUNIT"].Prefix) == ("METRE", None)
    assert (units["AREAUNIT"].Name, units["AREAUNIT"].Prefix) == ("SQUARE_METRE", None)


def test_spatial_structure(two_storey_building, tmp_path):
    b = two_storey_building
    f = _write(b, tmp_path)
    project, site, bldg = f.by_type("IfcProject")[0], f.by_type("IfcSite")[0], f.by_type("IfcBuilding")[0]
    assert ifcopenshell.util.element.get_aggregate(site) == project
    assert ifcopenshell.util.element.get_aggregate(bldg) == site
    storeys = {s.GlobalId: s for s in f.by_type("IfcBuildingStorey")}
    for ms in b.storeys:
        st = storeys[ms.global_id]
        assert st.Name == ms.name
        assert st.Elevation == pytest.approx(ms.elevation)
        assert ifcopenshell.util.element.get_aggregate(st) == bldg
        # The storey placement carries the elevation.
        assert ifcopenshell.util.placement.get_local_placement(st.ObjectPlacement)[2, 3] == pytest.approx(
            ms.elevation)
        contained = {e.is_a() for e in ifcopenshell.util.element.get_decomposition(st)}
        assert {"IfcWall", "IfcDoor", "IfcWindow", "IfcSlab", "IfcSpace"} <= contained
    for cls in ("IfcWall", "IfcDoor", "IfcWindow", "IfcSlab"):
        for e in f.by_type(cls):
            assert _storey_of(e) is not None and _storey_of(e).is_a("IfcBuildingStorey"), e
    for sp in f.by_type("IfcSpace"):
        assert ifcopenshell.util.element.get_aggregate(sp).is_a("IfcBuildingStorey")


def test_openings_void_their_wall_and_are_filled(two_storey_building, tmp_path):
    b = two_storey_building
    f = _write(b, tmp_path)
    for ms in b.storeys:
        st = next(s for s in f.by_type("IfcBuildingStorey") if s.GlobalId == ms.global_id)
        walls = {w.Name: w for w in f.by_type("IfcWall") if _storey_of(w) == st}
        for o in ms.openings:
            filling = f.by_guid(o.global_id)
            assert filling.is_a() == ("IfcDoor" if o.kind == "door" else "IfcWindow")
            assert filling.OverallWidth == pytest.approx(o.width)
            assert filling.OverallHeight == pytest.approx(o.height)
            (fills,) = filling.FillsVoids
            opening = fills.RelatingOpeningElement
            assert opening.is_a("IfcOpeningElement")
            (voids,) = opening.VoidsElements
            assert voids.RelatingBuildingElement == walls[o.wall_id]
    for opening in f.by_type("IfcOpeningElement"):
        assert len(opening.HasFillings) == 1


def test_door_operation_from_swing(sample_building, tmp_path):
    f = _write(sample_building, tmp_path)
    ops = {d.Name: d.OperationType for d in f.by_type("IfcDoor")}
    assert ops == {"O1": "SINGLE_SWING_LEFT", "O3": "SINGLE_SWING_RIGHT"}


def test_psets_is_external(sample_building, tmp_path):
    f = _write(sample_building, tmp_path)
    walls = {w.id: w for w in sample_building.storeys[0].walls}
    for e in f.by_type("IfcWall"):
        pset = ifcopenshell.util.element.get_psets(e)["Pset_WallCommon"]
        assert pset["IsExternal"] is walls[e.Name].is_external
    # Doors and windows inherit the host wall's side: O1 sits in the internal wall W5.
    doors = {d.Name: ifcopenshell.util.element.get_psets(d)["Pset_DoorCommon"]["IsExternal"]
             for d in f.by_type("IfcDoor")}
    assert doors == {"O1": False, "O3": True}


def test_wall_types_and_layers(sample_building, tmp_path):
    f = _write(sample_building, tmp_path)
    types = {t.Name: t for t in f.by_type("IfcWallType")}
    assert set(types) == {"Wall 300 mm", "Wall 120 mm partition"}
    assert {t.PredefinedType for t in types.values()} == {"SOLIDWALL", "PARTITIONING"}
    for w in f.by_type("IfcWall"):
        model_wall = next(mw for mw in sample_building.storeys[0].walls if mw.id == w.Name)
        wtype = ifcopenshell.util.element.get_type(w)
        layer_set = ifcopenshell.util.element.get_material(wtype)
        assert layer_set.is_a("IfcMaterialLayerSet")
        (layer,) = layer_set.MaterialLayers
        assert layer.LayerThickness == pytest.approx(model_wall.thickness)
        assert layer.Material.Name == ("Masonry" if model_wall.is_external else "Partition")
        usage = ifcopenshell.util.element.get_material(w, should_skip_usage=False)
        assert usage.is_a("IfcMaterialLayerSetUsage")
        assert usage.ForLayerSet == layer_set
        assert usage.LayerSetDirection == "AXIS2"
        # The layers start half a thickness right of the axis, as the centred body does.
        assert usage.OffsetFromReferenceLine == pytest.approx(-model_wall.thickness / 2)
        axis = ifcopenshell.util.representation.get_representation(w, "Plan", "Axis", "GRAPH_VIEW")
        assert axis.RepresentationType == "Curve2D"
        body = ifcopenshell.util.representation.get_representation(w, "Model", "Body", "MODEL_VIEW")
        assert body.RepresentationType == "SweptSolid"


def test_spaces(sample_building, tmp_path):
    f = _write(sample_building, tmp_path)
    for sp in sample_building.storeys[0].spaces:
        e = f.by_guid(sp.global_id)
        assert (e.Name, e.LongName) == (sp.id, sp.name)
        qto = ifcopenshell.util.element.get_psets(e)["Qto_SpaceBaseQuantities"]
        assert qto["NetFloorArea"] == pytest.approx(sp.area)


def test_slab(two_storey_building, tmp_path):
    f = _write(two_storey_building, tmp_path)
    for ms in two_storey_building.storeys:
        slab = f.by_guid(ms.slab_global_id)
        assert slab.is_a("IfcSlab") and slab.PredefinedType == "FLOOR"
        lo, hi, _ = _shape(slab)
        assert lo[2] == pytest.approx(ms.elevation - ms.slab_thickness, abs=1e-6)
        assert hi[2] == pytest.approx(ms.elevation, abs=1e-6)
        xs, ys = zip(*ms.slab, strict=True)
        assert lo[:2] == pytest.approx([min(xs), min(ys)])
        assert hi[:2] == pytest.approx([max(xs), max(ys)])


# --- ids and determinism -----------------------------------------------------------------


def test_global_ids_are_the_models(sample_building, tmp_path):
    b = sample_building
    f = _write(b, tmp_path)
    s = b.storeys[0]
    expected = {
        b.project_global_id: "IfcProject", b.site_global_id: "IfcSite",
        b.building_global_id: "IfcBuilding", s.global_id: "IfcBuildingStorey",
        s.slab_global_id: "IfcSlab",
        **{w.global_id: "IfcWall" for w in s.walls},
        **{o.global_id: ("IfcDoor" if o.kind == "door" else "IfcWindow") for o in s.openings},
        **{sp.global_id: "IfcSpace" for sp in s.spaces},
    }
    for gid, cls in expected.items():
        assert f.by_guid(gid).is_a() == cls


def test_global_ids_unique_even_if_model_repeats_them(two_storey_building, tmp_path):
    # The sample gives both storeys' walls the same ids; the file must still be valid.
    f = _write(two_storey_building, tmp_path)
    gids = [e.GlobalId for e in f.by_type("IfcRoot")]
    assert len(gids) == len(set(gids))
    first = two_storey_building.storeys[0]
    for w in first.walls:
        assert _storey_of(f.by_guid(w.global_id)).GlobalId == first.global_id


def test_same_model_same_file(two_storey_building, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    a, b = tmp_path / "a.ifc", tmp_path / "b.ifc"
    write_ifc(two_storey_building, a)
    write_ifc(two_storey_building, b)
    assert a.read_bytes() == b.read_bytes()
    assert "2023-11-14T22:13:20" in a.read_text()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    # Without the variable only the header's time stamp may differ.
    write_ifc(two_storey_building, b)
    body = [line for line in b.read_text().splitlines() if not line.startswith("FILE_NAME")]
    assert body == [line for line in a.read_text().splitlines() if not line.startswith("FILE_NAME")]


def test_write_error_is_export_error(sample_building, tmp_path):
    with pytest.raises(ExportError):
        write_ifc(sample_building, tmp_path / "missing" / "out.ifc")


# --- validity and geometry ---------------------------------------------------------------


def test_validates(sample_building, two_storey_building, tmp_path):
    assert _errors(_write(sample_building, tmp_path, "one.ifc")) == []
    assert _errors(_write(two_storey_building, tmp_path, "two.ifc"), express_rules=True) == []


def test_geometry(sample_building, tmp_path):
    s = sample_building.storeys[0]
    f = _write(sample_building, tmp_path)
    hosts = {o.wall_id for o in s.openings}
    geom = storey_geometry(s)
    for w in s.walls:
        lo, hi, triangles = _shape(f.by_guid(w.global_id))
        # The body is the wall's own footprint from the shared geometry: the external walls
        # W1 and W3 run through the corners, W2 and W4 stop at their faces.
        xs, ys = zip(*[p for poly in geom.walls[w.id].footprint for p in poly[0]], strict=True)
        assert list(lo) == pytest.approx([min(xs), min(ys), 0.0], abs=1e-6)
        assert list(hi) == pytest.approx([max(xs), max(ys), w.height], abs=1e-6)
        assert (triangles > 12) == (w.id in hosts), w.id  # a box is 12 triangles; openings add faces
    assert _shape(f.by_guid(s.walls[0].global_id))[1][0] - _shape(
        f.by_guid(s.walls[0].global_id))[0][0] == pytest.approx(8.3)
    assert _shape(f.by_guid(s.walls[1].global_id))[1][1] - _shape(
        f.by_guid(s.walls[1].global_id))[0][1] == pytest.approx(4.7)
    walls = {w.id: w for w in s.walls}
    for o in s.openings:
        lo, hi, _ = _shape(f.by_guid(o.global_id))
        w = walls[o.wall_id]
        # The filling sits on the host's axis at the opening's centre, inside the opening.
        assert ((lo + hi) / 2)[:2] == pytest.approx(o.center, abs=0.01)
        assert o.sill_height < lo[2] < o.sill_height + 0.01 or lo[2] == pytest.approx(0.0)
        assert o.sill_height + o.height - 0.01 < hi[2] < o.sill_height + o.height
        assert o.width - 0.02 < max(hi[:2] - lo[:2]) < o.width
        assert min(hi[:2] - lo[:2]) < w.thickness
    for sp in s.spaces:
        lo, hi, _ = _shape(f.by_guid(sp.global_id))
        xs, ys = zip(*sp.polygon, strict=True)
        assert list(lo) == pytest.approx([min(xs), min(ys), 0.0])
        assert list(hi) == pytest.approx([max(xs), max(ys), s.height])


def test_angled_wall(sample_building, tmp_path):
    angle = math.radians(30)
    length = 4.0
    start = (1.0, 2.0)
    end = (start[0] + length * math.cos(angle), start[1] + length * math.sin(angle))
    wall = _wall("WA", start, end, t=0.25)
    window = _opening("OA", "WA", offset=1.5, width=1.0)
    b = _replace_storey(sample_building, walls=[wall], openings=[window], spaces=[])
    f = _write(b, tmp_path)
    assert _errors(f) == []
    lo, hi, triangles = _shape(f.by_guid(wall.global_id))
    c, s, ht = math.cos(angle), math.sin(angle), wall.thickness / 2
    # A lone wall runs half a thickness past its axis ends (square caps).
    caps = ((start[0] - c * ht, start[1] - s * ht), (end[0] + c * ht, end[1] + s * ht))
    corners = np.array([[x + dx, y + dy] for x, y in caps for dx, dy in ((-s * ht, c * ht), (s * ht, -c * ht))])
    # (footprints are computed on a 0.1 mm grid)
    assert list(lo[:2]) == pytest.approx(list(corners.min(axis=0)), abs=1e-4)
    assert list(hi[:2]) == pytest.approx(list(corners.max(axis=0)), abs=1e-4)
    assert triangles > 12
    wlo, whi, _ = _shape(f.by_guid(window.global_id))
    centre = (start[0] + 1.5 * c, start[1] + 1.5 * s)
    assert list(((wlo + whi) / 2)[:2]) == pytest.approx(centre, abs=1e-3)
    axis = ifcopenshell.util.representation.get_representation(
        f.by_guid(wall.global_id), "Plan", "Axis", "GRAPH_VIEW")
    (curve,) = axis.Items
    assert np.asarray(curve.Points.CoordList) == pytest.approx(np.array([[0.0, 0.0], [length, 0.0]]))


def test_degenerate_input(sample_building, tmp_path, caplog):
    s = sample_building.storeys[0]
    walls = [
        *s.walls,
        _wall("W0", (2.0, 2.0), (2.0, 2.0)),                # zero length: left out
        _wall("WS", (10.0, 0.0), (10.6, 0.0)),              # short wall with too wide an opening
        _wall("WT", (10.0, 2.0), (13.0, 2.0), h=2.0),       # low wall with too tall a door
    ]
    openings = [
        *s.openings,
        _opening("OW", "WS", offset=0.3, width=2.0),        # wider than its wall: clamped
        _opening("OT", "WT", kind="door", offset=1.0, width=0.9, height=2.4, sill=0.0),
        _opening("ON", "W0", offset=0.0),                   # host left out: left out
        _opening("OX", "nope"),                             # no such wall
        _opening("OZ", "WT", offset=2.5, width=0.1, height=1.0),  # too narrow for a parametric body
    ]
    bowtie = dataclasses.replace(s.spaces[0], id="RB", polygon=[(0, 0), (2, 2), (2, 0), (0, 2)],
                                 global_id=stable_guid("0" * 64, "test/RB"))
    empty = dataclasses.replace(s.spaces[1], id="RE", polygon=[(0, 0), (1, 1)],
                                global_id=stable_guid("0" * 64, "test/RE"))
    b = _replace_storey(sample_building, walls=walls, openings=openings, spaces=[*s.spaces, bowtie, empty])
    f = _write(b, tmp_path)
    assert _errors(f, express_rules=True) == []
    assert "wall W0 has no body" in caplog.text and "host wall nope" in caplog.text
    names = {w.Name for w in f.by_type("IfcWall")}
    assert "W0" not in names and {"WS", "WT"} <= names
    fillings = {e.Name: e for e in f.by_type("IfcDoor") + f.by_type("IfcWindow")}
    assert set(fillings) == {"O1", "O2", "O3", "OW", "OT", "OZ"}
    # WS's body is 0.8 m long (0.6 m axis, square caps); 5 cm of wall stays at each end.
    assert fillings["OW"].OverallWidth == pytest.approx(0.7)
    assert fillings["OT"].OverallHeight < 2.0
    # A narrow window still has its frame and glass, each an extruded box.
    body = ifcopenshell.util.representation.get_representation(fillings["OZ"], "Model", "Body", "MODEL_VIEW")
    assert len(body.Items) == 5 and all(i.is_a("IfcExtrudedAreaSolid") for i in body.Items)
    assert {sp.Name for sp in f.by_type("IfcSpace")} == {"R1", "R2", "RB"}
    for e in [*f.by_type("IfcWall"), *fillings.values(), *f.by_type("IfcSpace")]:
        lo, hi, _ = _shape(e)
        assert np.all(hi - lo > 0.0), e.Name
    # Clamped openings stay inside their walls.
    lo, hi, _ = _shape(fillings["OW"])
    assert lo[0] >= 9.95 and hi[0] <= 10.65


def test_empty_storey_is_valid(sample_building, tmp_path):
    b = _replace_storey(sample_building, walls=[], openings=[], spaces=[], slab=[])
    f = _write(b, tmp_path)
    assert len(f.by_type("IfcBuildingStorey")) == 1
    assert not f.by_type("IfcWall") and not f.by_type("IfcSlab")
    assert _errors(f) == []


def test_build_ifc_is_in_memory(sample_building):
    f = build_ifc(sample_building)
    assert len(f.by_type("IfcWall")) == 5


def test_entities_made_directly_are_those_create_entity_makes(sample_building):
    from plan2bim.export.ifc import _Exporter

    ex = _Exporter(sample_building, "x.ifc")
    ref = ifcopenshell.file(schema="IFC4")
    point = ex._new("IfcCartesianPoint", (1.0, 2.0, 3.0))
    ours = [point, ex._new("IfcAxis2Placement3D", point, None, None),
            ex._new("IfcQuantityLength", Name="Length", LengthValue=2.5),
            ex._new("IfcPropertySingleValue", "IsExternal", None, ex._new("IfcBoolean", True), None)]
    rp = ref.create_entity("IfcCartesianPoint", (1.0, 2.0, 3.0))
    theirs = [rp, ref.create_entity("IfcAxis2Placement3D", rp, None, None),
              ref.create_entity("IfcQuantityLength", Name="Length", LengthValue=2.5),
              ref.create_entity("IfcPropertySingleValue", "IsExternal", None,
                                ref.create_entity("IfcBoolean", True), None)]
    assert [e.get_info(recursive=True, include_identifier=False) for e in ours] == \
        [e.get_info(recursive=True, include_identifier=False) for e in theirs]
