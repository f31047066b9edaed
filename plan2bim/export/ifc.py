"""IFC4 export of the building model, built with ``ifcopenshell.api``.

The file is meant to open as *real* building elements in Revit, ArchiCAD and Bonsai, not as
anonymous geometry:

The geometry is not derived here: every solid comes from ``plan2bim.geometry`` (the same
solids the glTF writer meshes), so the two files show the same building.

* walls are ``IfcWall`` (SOLIDWALL or PARTITIONING) with an ``Axis`` (start -> end) and a
  ``SweptSolid`` body, the wall's own footprint joined at its junctions, typed by thickness
  (one ``IfcWallType`` per thickness and kind with a one-layer ``IfcMaterialLayerSet``) and
  carrying ``IfcMaterialLayerSetUsage``; junctions are ``IfcRelConnectsPathElements``;
* each opening is an ``IfcOpeningElement`` that voids its wall and is filled by an ``IfcDoor``
  or ``IfcWindow`` whose frame, leaf and glass sit inside the void with a clearance; doors and
  windows of one size share an ``IfcDoorType``/``IfcWindowType``; doors carry the drawn swing as
  their ``OperationType``;
* rooms are ``IfcSpace`` extrusions (INTERNAL, or EXTERNAL for balconies and terraces) with
  first-level ``IfcRelSpaceBoundary`` to the walls, doors and windows around them;
* each storey has an ``IfcSlab`` (FLOOR) below its elevation, and its ``IfcColumn``s;
* every element has its base quantities (``Qto_*BaseQuantities``) and a surface style of the
  glTF's colour.

Every element gets the GlobalId the model gives it; ids the model does not give (types,
relationships, property sets) are derived from the source hash, so converting the same plan
twice gives the same file. The header time stamp honours ``SOURCE_DATE_EPOCH`` (the
reproducible-builds convention) for byte-identical output.

Local frames: a wall's placement has its origin at the wall's start and its x axis along the
wall, y to the wall's left, z up; the axis runs along local y = 0 and the body spans
y in [-t/2, t/2]. Openings and their fillings are placed in that frame.
"""

from __future__ import annotations

import datetime
import logging
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ifcopenshell
import ifcopenshell.api.aggregate
import ifcopenshell.api.context
import ifcopenshell.api.feature
import ifcopenshell.api.geometry
import ifcopenshell.api.material
import ifcopenshell.api.project
import ifcopenshell.api.root
import ifcopenshell.api.spatial
import ifcopenshell.api.style
import ifcopenshell.api.type
import ifcopenshell.api.unit
import ifcopenshell.util.element
import ifcopenshell.validate
import numpy as np
import shapely
from shapely.geometry import LineString, Polygon

from plan2bim import __version__
from plan2bim.errors import ExportError
from plan2bim.export.palette import MATERIALS, PART_MATERIAL
from plan2bim.geometry import (
    Box,
    OpeningSolid,
    StoreyGeometry,
    WallSolid,
    storey_geometry,
    to_local,
    to_plan,
    wall_frame,
)
from plan2bim.model import Building, Column, Opening, Point, Ring, Space, Storey, Wall, stable_guid

__all__ = ["build_ifc", "write_ifc"]

log = logging.getLogger(__name__)

Entity = ifcopenshell.entity_instance


@dataclass(frozen=True)
class IfcTolerances:
    """Geometric limits of the exporter, in metres."""

    opening_margin: float = 0.05
    """The opening box sticks out this far on both faces of the wall so that the cut is clean."""
    min_area: float = 1e-6
    """Space and slab outlines with less area than this (m2) are left out."""
    boundary_reach: float = 0.05
    """A space's outline within this of a wall's footprint runs along that wall's face (room
    outlines are traced on the drawing's pixels, a few centimetres off the wall's face)."""
    min_boundary: float = 0.05
    """Shared stretches shorter than this are corners touching, not a boundary."""
    partition_max_thickness: float = 0.15
    """Internal walls thinner than this are partitions (a 100-125 mm stud or block wall); thicker
    ones are taken as solid (load-bearing or party) walls."""


TOL = IfcTolerances()


def write_ifc(building: Building, path: Path, *, images: Any = None) -> None:
    """Write ``building`` as an IFC4 file to ``path`` (``images`` is unused)."""
    text = build_ifc(building).to_string()
    # Not ``file.write``: it guesses the format from the suffix (the pipeline hands us a
    # temporary name) and quietly creates missing parent folders.
    try:
        Path(path).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as e:
        raise ExportError(f"cannot write IFC file {path}: {e}") from e


def build_ifc(building: Building, *, file_name: str | None = None) -> ifcopenshell.file:
    """The IFC4 model of ``building``, in memory (no I/O)."""
    return _Exporter(building, file_name or f"{building.name}.ifc").run()


def _timestamp() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        try:
            when = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
        except ValueError:
            log.warning("ignoring SOURCE_DATE_EPOCH=%r: not an integer", epoch)
        else:
            return when.isoformat()
    return datetime.datetime.now().astimezone().replace(microsecond=0).isoformat()


def _polygon(ring: Ring) -> list[Point] | None:
    """A valid, counter-clockwise, closed version of ``ring``, or None if it has no area.

    Detected outlines can self-touch or repeat points; IFC profiles must be simple.
    """
    from shapely import make_valid
    from shapely.geometry import Polygon
    from shapely.geometry.polygon import orient

    if len(ring) < 3:
        return None
    poly = Polygon(ring)
    if not poly.is_valid:
        fixed = make_valid(poly)
        parts = [g for g in getattr(fixed, "geoms", [fixed]) if isinstance(g, Polygon)]
        if not parts:
            return None
        poly = max(parts, key=lambda g: g.area)
    if poly.area < TOL.min_area:
        return None
    poly = orient(Polygon(poly.exterior).simplify(0.0), 1.0)
    return [(float(x), float(y)) for x, y in poly.exterior.coords]


class _Exporter:
    """One conversion: the file being built and the ids handed out so far."""

    def __init__(self, building: Building, file_name: str) -> None:
        self.b = building
        self.file_name = file_name
        self.f = ifcopenshell.api.project.create_file(version="IFC4")
        self.used_ids: set[str] = set()
        self.wall_types: dict[tuple[int, str], Entity] = {}
        self.typed_walls: dict[tuple[int, str], list[Entity]] = {}
        self.filling_types: dict[tuple, Entity] = {}
        self.typed_fillings: dict[tuple, list[Entity]] = {}
        self.styles: dict[str, Entity] = {}
        self.points: dict[tuple[float, ...], Entity] = {}
        self.heights: dict[float, Entity] = {}
        self.z_dir: Entity | None = None
        self.slab_sets: dict[int, Entity] = {}
        self.materials: dict[str, Entity] = {}

    # --- ids -----------------------------------------------------------------------------

    def _gid(self, element: Entity, wanted: str | None, key: str) -> None:
        """Give ``element`` the model's GlobalId, or a stable derived one if it is missing or taken."""
        gid = wanted
        if not gid or gid in self.used_ids or ifcopenshell.validate.validate_guid(gid) is not None:
            if gid:
                log.warning("GlobalId %s of %s is invalid or used twice; deriving one", gid, key)
            gid = stable_guid(self.b.source_hash, f"ifc/{key}")
        element.GlobalId = gid
        self.used_ids.add(gid)

    def _sort_relations(self) -> None:
        """List related objects in creation order; the API collects them through sets."""
        # Which of the two each class has, looked up once: asking an entity for an attribute it
        # lacks walks the schema's derived-attribute rules (importing them first: ~25 ms a plan).
        has: dict[str, tuple[str, ...]] = {}
        for rel in self.f.by_type("IfcRelationship"):
            cls = rel.is_a()
            if cls not in has:
                names = rel.get_attribute_names()
                has[cls] = tuple(a for a in ("RelatedObjects", "RelatedElements") if a in names)
            for attr in has[cls]:
                related = getattr(rel, attr)
                if isinstance(related, tuple) and len(related) > 1:
                    setattr(rel, attr, sorted(related, key=lambda e: e.id()))

    def _derive_remaining_ids(self) -> None:
        """Replace the random GlobalIds that the API gave relationships and property sets, and
        give the ones made here (left without: a random one drawn only to be replaced cost
        ~10 ms a plan) theirs.

        Entities are visited in creation order, which is fixed for a given model, so the
        n-th entity of a class gets the same id on every run.
        """
        counts: dict[str, int] = {}
        for element in sorted(self.f.by_type("IfcRoot"), key=lambda e: e.id()):
            if element.GlobalId in self.used_ids:
                continue
            cls = element.is_a()
            counts[cls] = counts.get(cls, 0) + 1
            self._gid(element, None, f"{cls}/{counts[cls]}")

    # --- helpers -------------------------------------------------------------------------

    def _new(self, ifc_class: str, *args: Any, **attributes: Any) -> Entity:
        """A new entity, as ``file.create_entity`` makes it, without its cost per attribute: it
        sets each through ``entity_instance.__setitem__``, which makes two Python wrappers of
        the file to look for an undo transaction this exporter never opens (three quarters of
        the time of creating an entity; surau p3 has ~7,000: 0.13 -> 0.04 s CPU measured on
        12,000). The attribute values are handed to the same setter."""
        entity = self.f.create(ifc_class, -1)
        put = entity.set_attribute_value_py
        for i, value in enumerate(args):
            put(i, value)
        for name, value in attributes.items():
            put(entity.get_argument_index(name), value)
        return entity

    def _placement(self, rel_to: Entity | None, origin: Sequence[float] = (0.0, 0.0, 0.0),
                   x_dir: Sequence[float] = (1.0, 0.0, 0.0)) -> Entity:
        """An ``IfcLocalPlacement`` relative to ``rel_to``, z up, x along ``x_dir``.

        Placements are written directly (not through ``edit_object_placement``) so that local
        coordinates stay exact instead of passing through a matrix inverse.
        """
        axis = self._new(
            "IfcAxis2Placement3D",
            self._new("IfcCartesianPoint", [float(v) for v in origin]),
            self._new("IfcDirection", (0.0, 0.0, 1.0)),
            self._new("IfcDirection", [float(v) for v in x_dir]),
        )
        return self._new("IfcLocalPlacement", rel_to, axis)

    def _create(self, ifc_class: str, name: str | None, gid: str | None, key: str,
                predefined_type: str | None = None) -> Entity:
        element = ifcopenshell.api.root.create_entity(
            self.f, ifc_class=ifc_class, predefined_type=predefined_type, name=name
        )
        self._gid(element, gid, key)
        return element

    def _assign(self, product: Entity, representations: Iterable[Entity]) -> None:
        for rep in representations:
            ifcopenshell.api.geometry.assign_representation(self.f, product=product, representation=rep)

    def _pset(self, product: Entity, name: str, properties: dict[str, Any]) -> None:
        """A property set of single values, written directly (the API's templated editor is a
        tenth of the export's time): booleans, reals, ``Reference`` as an identifier, labels."""
        values = []
        for key, value in properties.items():
            if isinstance(value, bool):
                nominal = self._new("IfcBoolean", value)
            elif isinstance(value, int | float):
                nominal = self._new("IfcReal", float(value))
            elif key == "Reference":
                nominal = self._new("IfcIdentifier", str(value))
            else:
                nominal = self._new("IfcLabel", str(value))
            values.append(self._new("IfcPropertySingleValue", key, None, nominal, None))
        pset = self._new("IfcPropertySet", Name=name, HasProperties=values)
        self._new("IfcRelDefinesByProperties", RelatedObjects=[product],
                  RelatingPropertyDefinition=pset)

    # --- the file ------------------------------------------------------------------------

    def run(self) -> ifcopenshell.file:
        f, b = self.f, self.b
        header = f.header.file_name
        header.name = self.file_name
        header.time_stamp = _timestamp()
        header.originating_system = f"plan2bim {__version__}"

        project = self._create("IfcProject", b.name, b.project_global_id, "project")
        units = [
            ifcopenshell.api.unit.add_si_unit(f, unit_type="LENGTHUNIT"),
            ifcopenshell.api.unit.add_si_unit(f, unit_type="AREAUNIT"),
            ifcopenshell.api.unit.add_si_unit(f, unit_type="VOLUMEUNIT"),
            ifcopenshell.api.unit.add_si_unit(f, unit_type="PLANEANGLEUNIT"),
        ]
        # assign_unit collects the units through a set; keep them in a fixed order.
        ifcopenshell.api.unit.assign_unit(f, units=units).Units = units

        model = ifcopenshell.api.context.add_context(f, context_type="Model")
        self.body = ifcopenshell.api.context.add_context(
            f, context_type="Model", context_identifier="Body", target_view="MODEL_VIEW", parent=model
        )
        plan = ifcopenshell.api.context.add_context(f, context_type="Plan")
        self.axis = ifcopenshell.api.context.add_context(
            f, context_type="Plan", context_identifier="Axis", target_view="GRAPH_VIEW", parent=plan
        )
        self.footprint = ifcopenshell.api.context.add_context(
            f, context_type="Plan", context_identifier="FootPrint", target_view="PLAN_VIEW",
            parent=plan)

        site = self._create("IfcSite", "Site", b.site_global_id, "site")
        bldg = self._create("IfcBuilding", b.name, b.building_global_id, "building")
        ifcopenshell.api.aggregate.assign_object(f, products=[site], relating_object=project)
        ifcopenshell.api.aggregate.assign_object(f, products=[bldg], relating_object=site)
        site.ObjectPlacement = self._placement(None)
        bldg.ObjectPlacement = self._placement(site.ObjectPlacement)

        for storey in b.storeys:
            self._storey(storey, bldg)
        self._type_walls()
        for key, fillings in self.typed_fillings.items():
            ifcopenshell.api.type.assign_type(f, related_objects=fillings,
                                              relating_type=self.filling_types[key])
        self._style_materials()
        self._sort_relations()
        self._derive_remaining_ids()
        return f

    def _material(self, name: str, category: str) -> Entity:
        if name not in self.materials:
            self.materials[name] = ifcopenshell.api.material.add_material(self.f, name=name, category=category)
        return self.materials[name]

    def _layer_set(self, name: str, material: Entity, thickness: float) -> Entity:
        layer_set = ifcopenshell.api.material.add_material_set(
            self.f, name=name, set_type="IfcMaterialLayerSet"
        )
        layer = ifcopenshell.api.material.add_layer(self.f, layer_set=layer_set, material=material)
        ifcopenshell.api.material.edit_layer(self.f, layer=layer, attributes={"LayerThickness": thickness})
        return layer_set

    def _style_materials(self) -> None:
        """Give each material the surface style of its glTF colour (what importers that colour
        by material, such as Revit, show)."""
        names = {"Masonry": "wall", "Partition": "wall", "Concrete": "slab"}
        for name, material in self.materials.items():
            if name in names:
                ifcopenshell.api.style.assign_material_style(
                    self.f, material=material, style=self._style(names[name]), context=self.body)

    def _wall_type(self, mm: int, predefined: str, external: bool) -> Entity:
        """The wall type of a thickness in mm and kind; its material follows the first wall seen."""
        if (mm, predefined) not in self.wall_types:
            name = f"Wall {mm} mm" + (" partition" if predefined == "PARTITIONING" else "")
            wtype = self._create(
                "IfcWallType", name, None, f"walltype/{mm}/{predefined}",
                predefined_type=predefined,
            )
            material = self._material("Masonry", "brick") if external else self._material("Partition", "gypsum")
            layer_set = self._layer_set(name, material, mm / 1000.0)
            ifcopenshell.api.material.assign_material(
                self.f, products=[wtype], type="IfcMaterialLayerSet", material=layer_set
            )
            self.wall_types[(mm, predefined)] = wtype
        return self.wall_types[(mm, predefined)]

    def _type_walls(self) -> None:
        """Type the walls, one call per type so that each type has one shared layer set usage."""
        for (mm, predefined), walls in self.typed_walls.items():
            ifcopenshell.api.type.assign_type(self.f, related_objects=walls,
                                              relating_type=self.wall_types[(mm, predefined)])
            # assign_type gave the walls a layer set usage whose layers start on the axis; the
            # bodies are centred on the axis, so the layers start half a thickness to the right.
            usage = ifcopenshell.util.element.get_material(walls[0], should_skip_usage=False)
            if usage is not None and usage.is_a("IfcMaterialLayerSetUsage"):
                usage.OffsetFromReferenceLine = -mm / 2000.0

    # Each element is related (contained, aggregated, voiding, filling) before it is placed:
    # the API re-derives the placement of an element that already has one when it is related,
    # which would replace our exact local coordinates by matrix round trips.

    def _storey(self, storey: Storey, bldg: Entity) -> None:
        f = self.f
        st = self._create("IfcBuildingStorey", storey.name, storey.global_id, f"storey/{storey.id}")
        st.Elevation = float(storey.elevation)
        ifcopenshell.api.aggregate.assign_object(f, products=[st], relating_object=bldg)
        st.ObjectPlacement = self._placement(bldg.ObjectPlacement, (0.0, 0.0, float(storey.elevation)))

        geom = storey_geometry(storey)
        walls: dict[str, tuple[Wall, Entity]] = {}
        for wall in storey.walls:
            if wall.id not in geom.walls:
                log.warning("wall %s has no body of its own (degenerate or inside other walls); "
                            "left out", wall.id)
                continue
            walls[wall.id] = (wall, self._wall(wall, geom.walls[wall.id], storey, st))
        fillings: dict[str, Entity] = {}
        for opening in storey.openings:
            if opening.wall_id not in walls or opening.id not in geom.openings:
                log.warning("opening %s: host wall %s is not in the model or has no room for it; "
                            "left out", opening.id, opening.wall_id)
                continue
            fillings[opening.id] = self._opening(
                opening, geom.openings[opening.id], *walls[opening.wall_id], storey, st)
        self._slab(storey, st)
        for col in storey.columns:
            self._column(col, storey, st)
        spaces = {}
        for space in storey.spaces:
            element = self._space(space, storey, st)
            if element is not None:
                spaces[space.id] = element
        elements = {k: e for k, (_, e) in walls.items()}
        self._connect(geom, elements)
        self._space_boundaries(storey, geom, spaces, elements, fillings)

    def _contain(self, element: Entity, st: Entity) -> None:
        ifcopenshell.api.spatial.assign_container(self.f, products=[element], relating_structure=st)

    # --- geometry helpers ----------------------------------------------------------------

    # Shared geometric items: IFC lets any number of items use one point or direction, and
    # creating entities is most of the exporter's time (a plan has thousands).

    def _pt(self, p: Sequence[float]) -> Entity:
        key = tuple(float(v) for v in p)
        if key not in self.points:
            self.points[key] = self._new("IfcCartesianPoint", key)
        return self.points[key]

    def _z_up(self) -> Entity:
        if self.z_dir is None:
            self.z_dir = self._new("IfcDirection", (0.0, 0.0, 1.0))
        return self.z_dir

    def _at_height(self, z: float) -> Entity:
        key = float(z)
        if key not in self.heights:
            self.heights[key] = self._new("IfcAxis2Placement3D", self._pt((0.0, 0.0, key)), None, None)
        return self.heights[key]

    def _polyline(self, ring: Sequence[Point], closed: bool = True) -> Entity:
        pts = [(float(x), float(y)) for x, y in ring]
        if closed and pts[0] != pts[-1]:
            pts.append(pts[0])
        return self._new("IfcPolyline", [self._pt(p) for p in pts])

    def _extrusion(self, outer: Sequence[Point], holes: Sequence[Sequence[Point]], z0: float,
                   depth: float) -> Entity:
        if holes:
            profile = self._new(
                "IfcArbitraryProfileDefWithVoids", "AREA", None, self._polyline(outer), [self._polyline(h) for h in holes])
        else:
            profile = self._new("IfcArbitraryClosedProfileDef", "AREA", None, self._polyline(outer))
        return self._new("IfcExtrudedAreaSolid", profile, self._at_height(z0), self._z_up(), float(depth))

    def _box(self, b: Box) -> Entity:
        profile = self._new(
            "IfcRectangleProfileDef", "AREA", None,
            self._new("IfcAxis2Placement2D", self._pt(((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2)), None),
            float(b.x1 - b.x0), float(b.y1 - b.y0))
        return self._new("IfcExtrudedAreaSolid", profile, self._at_height(b.z0), self._z_up(),
                         float(b.z1 - b.z0))

    def _body(self, items: list[tuple[Entity, str]]) -> Entity:
        """A SweptSolid body of ``items``, each styled with its material's surface style."""
        for item, material in items:
            self._new("IfcStyledItem", item, [self._style(material)], None)
        return self._new(
            "IfcShapeRepresentation", self.body, "Body", "SweptSolid", [item for item, _ in items])

    def _style(self, material: str) -> Entity:
        if material not in self.styles:
            rgba = MATERIALS[material]["baseColorFactor"]
            colour = self._new("IfcColourRgb", None, *(float(c) for c in rgba[:3]))
            rendering = self._new(
                "IfcSurfaceStyleRendering", colour, float(1.0 - rgba[3]), None, None, None, None, None, None, "NOTDEFINED")
            self.styles[material] = self._new("IfcSurfaceStyle", material.capitalize(), "BOTH", [rendering])
        return self.styles[material]

    def _qto(self, product: Entity, name: str, quantities: dict[str, float]) -> None:
        """A base quantity set, written directly: the API's templated editor costs ~5 ms a set,
        a tenth of a plan's IFC export time for a handful of numbers."""
        items = []
        for key, value in quantities.items():
            kind = "Volume" if "Volume" in key else "Area" if "Area" in key else "Length"
            items.append(self._new(f"IfcQuantity{kind}", Name=key,
                                   **{f"{kind}Value": float(value)}))
        qto = self._new("IfcElementQuantity", Name=name, MethodOfMeasurement="BaseQuantities",
                        Quantities=items)
        self._new("IfcRelDefinesByProperties", RelatedObjects=[product],
                  RelatingPropertyDefinition=qto)

    # --- elements ------------------------------------------------------------------------

    def _wall(self, wall: Wall, solid: WallSolid, storey: Storey, st: Entity) -> Entity:
        f = self.f
        length, t = wall.length, float(wall.thickness)
        predefined = wall_predefined_type(wall)
        element = self._create("IfcWall", wall.id, wall.global_id, f"{storey.id}/{wall.id}",
                               predefined_type=predefined)
        element.Tag = wall.id
        self._contain(element, st)
        _, _, dx, dy = wall_frame(wall)
        element.ObjectPlacement = self._placement(
            st.ObjectPlacement, (wall.start[0], wall.start[1], 0.0), (dx, dy, 0.0)
        )
        axis = ifcopenshell.api.geometry.add_axis_representation(
            f, context=self.axis, axis=[(0.0, 0.0), (length, 0.0)]
        )
        # The body is the wall's own footprint (joined at its junctions) in the wall's frame.
        items = [(self._extrusion(to_local(wall, poly[0]), [to_local(wall, h) for h in poly[1:]],
                                  0.0, solid.height), "wall") for poly in solid.footprint]
        self._assign(element, (axis, self._body(items)))

        mm = max(1, round(t * 1000))
        self._wall_type(mm, predefined, wall.is_external)
        self.typed_walls.setdefault((mm, predefined), []).append(element)
        self._pset(element, "Pset_WallCommon", {"IsExternal": bool(wall.is_external),
                                                "LoadBearing": bool(wall.is_external)})
        cut_side = sum((c.x1 - c.x0) * (c.z1 - c.z0) for c in solid.cuts)
        self._qto(element, "Qto_WallBaseQuantities", {
            "Length": length, "Width": t, "Height": solid.height,
            "GrossFootprintArea": solid.footprint_area,
            "NetFootprintArea": solid.footprint_area,
            "GrossSideArea": length * solid.height, "NetSideArea": length * solid.height - cut_side,
            "GrossVolume": solid.gross_volume, "NetVolume": solid.net_volume,
        })
        return element

    def _opening(self, o: Opening, sol: OpeningSolid, wall: Wall, host: Entity, storey: Storey,
                 st: Entity) -> Entity:
        """The opening voiding ``host`` and the door or window filling it."""
        f = self.f
        t = sol.thickness
        margin = TOL.opening_margin
        opening = self._create("IfcOpeningElement", o.id, None, f"{storey.id}/{o.id}/opening",
                               predefined_type="OPENING")
        ifcopenshell.api.feature.add_feature(f, feature=opening, element=host)
        opening.ObjectPlacement = self._placement(host.ObjectPlacement, (sol.x0, -t / 2 - margin, sol.sill))
        # The void sticks out of both faces so the cut is clean; the filling stays inside the wall.
        self._assign(opening, [self._new("IfcShapeRepresentation", self.body, "Body", "SweptSolid", [
            self._box(Box(0.0, sol.width, 0.0, t + 2 * margin, 0.0, sol.height))])])

        is_door = o.kind == "door"
        cls = "IfcDoor" if is_door else "IfcWindow"
        filling = self._create(cls, o.id, o.global_id, f"{storey.id}/{o.id}",
                               predefined_type="DOOR" if is_door else "WINDOW")
        filling.Tag = o.id
        filling.OverallWidth = sol.width
        filling.OverallHeight = sol.height
        operation = sol.operation if is_door else "SINGLE_PANEL"
        if is_door:
            filling.OperationType = operation
        else:
            filling.PartitioningType = operation
        ifcopenshell.api.feature.add_filling(f, opening=opening, element=filling)
        self._contain(filling, st)
        # IFC doors open toward their local +y and are hinged "left" looking that way: a door
        # opening to the wall's right is placed turned half a turn, at the opening's far corner.
        turned = is_door and sol.opens_left is False
        if turned:
            filling.ObjectPlacement = self._placement(
                opening.ObjectPlacement, (sol.width, margin + t, 0.0), (-1.0, 0.0, 0.0))
        else:
            filling.ObjectPlacement = self._placement(opening.ObjectPlacement, (0.0, margin, 0.0))
        items = []
        for part, b in sol.parts:
            if turned:
                local = Box(sol.x1 - b.x1, sol.x1 - b.x0, t / 2 - b.y1, t / 2 - b.y0,
                            b.z0 - sol.sill, b.z1 - sol.sill)
            else:
                local = Box(b.x0 - sol.x0, b.x1 - sol.x0, b.y0 + t / 2, b.y1 + t / 2,
                            b.z0 - sol.sill, b.z1 - sol.sill)
            items.append((self._box(local), PART_MATERIAL[part]))
        self._assign(filling, [self._body(items)])
        if is_door and operation.startswith("SINGLE_SWING"):  # the symbol draws one leaf
            self._assign(filling, [self._swing_symbol(sol.width, t, operation)])
        self._filling_type(filling, o.kind, sol.width, sol.height, operation)
        if is_door:
            self._pset(filling, "Pset_DoorCommon", {
                "IsExternal": bool(wall.is_external), "Reference": self._type_name(o.kind, sol),
            })
            self._qto(filling, "Qto_DoorBaseQuantities", {
                "Width": sol.width, "Height": sol.height, "Area": sol.width * sol.height})
        else:
            self._pset(filling, "Pset_WindowCommon", {
                "IsExternal": bool(wall.is_external), "Reference": self._type_name(o.kind, sol),
            })
            self._qto(filling, "Qto_WindowBaseQuantities", {
                "Width": sol.width, "Height": sol.height, "Area": sol.width * sol.height})
        # IFC has no standard sill property; the placement holds it, and so does this set.
        self._pset(filling, "Plan2bim_Opening", {
            "SillHeight": float(sol.sill), "Confidence": float(o.confidence), "Source": o.source,
        })
        return filling

    def _swing_symbol(self, width: float, t: float, operation: str) -> Entity:
        """The door's plan symbol: the leaf drawn open at 90 degrees and its swing arc, in the
        door's frame (it opens toward +y, past the wall's face at y = t)."""
        hinge_x = 0.0 if operation == "SINGLE_SWING_LEFT" else width
        sign = 1.0 if hinge_x == 0.0 else -1.0
        leaf = [(hinge_x, t), (hinge_x, t + width)]
        arc = [(hinge_x + sign * width * math.cos(a), t + width * math.sin(a))
               for a in np.linspace(0.0, math.pi / 2, 13)]

        return self._new("IfcShapeRepresentation", self.footprint, "FootPrint", "Curve2D",
                         [self._polyline(leaf, False), self._polyline(arc, False)])

    @staticmethod
    def _type_name(kind: str, sol: OpeningSolid) -> str:
        w, h = round(sol.width * 100) * 10, round(sol.height * 100) * 10
        return f"{kind.capitalize()} {w} x {h} mm"

    def _filling_type(self, filling: Entity, kind: str, width: float, height: float,
                      operation: str) -> None:
        """Doors and windows of one size (to the centimetre) and operation share a type."""
        w, h = round(width * 100) * 10, round(height * 100) * 10
        key = (kind, w, h, operation)
        if key not in self.filling_types:
            name = f"{kind.capitalize()} {w} x {h} mm"
            if kind == "door" and operation != "NOTDEFINED":
                name += " " + operation.split("_")[-1].lower()
            cls = "IfcDoorType" if kind == "door" else "IfcWindowType"
            ftype = self._create(cls, name, None, f"{cls}/{w}/{h}/{operation}",
                                 predefined_type="DOOR" if kind == "door" else "WINDOW")
            if kind == "door":
                ftype.OperationType = operation
            else:
                ftype.PartitioningType = operation
            self.filling_types[key] = ftype
            self.typed_fillings[key] = []
        self.typed_fillings[key].append(filling)

    def _space(self, sp: Space, storey: Storey, st: Entity) -> Entity | None:
        ring = _polygon(sp.polygon)
        if ring is None or storey.height <= 0:
            log.warning("space %s has no area or height; left out", sp.id)
            return None
        f = self.f
        space = self._create("IfcSpace", sp.id, sp.global_id, f"{storey.id}/{sp.id}",
                             predefined_type="EXTERNAL" if is_outdoor(sp.name) else "INTERNAL")
        space.LongName = sp.name
        space.CompositionType = "ELEMENT"
        ifcopenshell.api.aggregate.assign_object(f, products=[space], relating_object=st)
        space.ObjectPlacement = self._placement(st.ObjectPlacement)
        self._assign(space, [self._body([(self._extrusion(ring, [], 0.0, float(storey.height)), "space")])])
        perimeter = Polygon(ring).length
        self._qto(space, "Qto_SpaceBaseQuantities", {
            "NetFloorArea": float(sp.area), "GrossFloorArea": float(sp.area),
            "Height": float(storey.height), "GrossPerimeter": perimeter,
            "GrossVolume": float(sp.area) * float(storey.height),
        })
        return space

    def _slab(self, storey: Storey, st: Entity) -> None:
        ring = _polygon(storey.slab)
        t = float(storey.slab_thickness)
        if ring is None or t <= 0:
            log.warning("storey %s has no slab outline or thickness; no slab", storey.id)
            return
        f = self.f
        slab = self._create("IfcSlab", f"{storey.name} floor", storey.slab_global_id,
                            f"{storey.id}/slab", predefined_type="FLOOR")
        self._contain(slab, st)
        # The slab's top is the storey's floor level: place it one thickness down, extrude up.
        slab.ObjectPlacement = self._placement(st.ObjectPlacement, (0.0, 0.0, -t))
        self._assign(slab, [self._body([(self._extrusion(ring, [], 0.0, t), "slab")])])
        mm = max(1, round(t * 1000))
        if mm not in self.slab_sets:
            self.slab_sets[mm] = self._layer_set(f"Slab {mm} mm", self._material("Concrete", "concrete"), mm / 1000.0)
        ifcopenshell.api.material.assign_material(
            f, products=[slab], type="IfcMaterialLayerSetUsage", material=self.slab_sets[mm]
        )
        self._pset(slab, "Pset_SlabCommon", {"IsExternal": False, "LoadBearing": True})
        poly = Polygon(ring)
        self._qto(slab, "Qto_SlabBaseQuantities", {
            "Width": t, "Perimeter": poly.length, "GrossArea": poly.area, "NetArea": poly.area,
            "GrossVolume": poly.area * t, "NetVolume": poly.area * t,
        })

    def _column(self, col: Column, storey: Storey, st: Entity) -> None:
        ring = _polygon(col.outline)
        if ring is None or col.height <= 0:
            log.warning("column %s has no section or height; left out", col.id)
            return
        f = self.f
        element = self._create("IfcColumn", col.id, col.global_id, f"{storey.id}/{col.id}",
                               predefined_type="COLUMN")
        element.Tag = col.id
        self._contain(element, st)
        element.ObjectPlacement = self._placement(st.ObjectPlacement)
        self._assign(element, [self._body([(self._extrusion(ring, [], 0.0, float(col.height)), "column")])])
        ifcopenshell.api.material.assign_material(f, products=[element], material=self._material("Concrete", "concrete"))
        self._pset(element, "Pset_ColumnCommon", {"IsExternal": False, "LoadBearing": True})

    def _connect(self, geom: StoreyGeometry, walls: dict[str, Entity]) -> None:
        for c in geom.connections:
            if c.relating in walls and c.related in walls:
                self._new(
                    "IfcRelConnectsPathElements",
                    RelatingElement=walls[c.relating], RelatedElement=walls[c.related],
                    RelatingPriorities=[], RelatedPriorities=[],
                    RelatingConnectionType=c.relating_at, RelatedConnectionType=c.related_at)

    def _space_boundaries(self, storey: Storey, geom: StoreyGeometry, spaces: dict[str, Entity],
                          walls: dict[str, Entity], fillings: dict[str, Entity]) -> None:
        """First-level space boundaries: the stretches of each space's outline along a wall's
        face, and the doors and windows on those stretches, as vertical surfaces."""
        wall_by_id = {w.id: w for w in storey.walls}
        ids = [wid for wid in geom.walls if wid in walls]
        reach = [shapely.union_all([Polygon(p[0], p[1:]) for p in geom.walls[wid].footprint])
                 .buffer(TOL.boundary_reach) for wid in ids]
        tree = shapely.STRtree(reach)
        for sp in storey.spaces:
            if sp.id not in spaces:
                continue
            ring = _polygon(sp.polygon)
            edge = LineString(ring)
            for k in sorted(int(i) for i in tree.query(edge)):
                wid, solid, near = ids[k], geom.walls[ids[k]], reach[k]
                w = wall_by_id[wid]
                shared = edge.intersection(near)
                pieces = [g for g in getattr(shared, "geoms", [shared])
                          if g.geom_type == "LineString" and g.length >= TOL.min_boundary]
                for piece in pieces:
                    self._boundary(spaces[sp.id], walls[wid], list(piece.coords), 0.0,
                                   solid.height, w.is_external)
                if not pieces:
                    continue
                band = shapely.union_all(pieces).buffer(TOL.boundary_reach + w.thickness)
                for oid, sol in geom.openings.items():
                    if sol.wall_id != wid or oid not in fillings:
                        continue
                    a, b = to_plan(w, [(sol.x0, 0.0), (sol.x1, 0.0)])
                    if band.contains(LineString([a, b]).centroid):
                        self._boundary(spaces[sp.id], fillings[oid], [a, b], sol.sill,
                                       sol.height, w.is_external)

    def _boundary(self, space: Entity, element: Entity, line: list[Point], z0: float,
                  height: float, external: bool) -> None:
        curve = self._polyline(line, closed=False)
        profile = self._new("IfcArbitraryOpenProfileDef", "CURVE", None, curve)
        surface = self._new("IfcSurfaceOfLinearExtrusion", profile, self._at_height(z0),
                            self._z_up(), float(height))
        self._new(
            "IfcRelSpaceBoundary", Name="1stLevel",
            RelatingSpace=space, RelatedBuildingElement=element,
            ConnectionGeometry=self._new("IfcConnectionSurfaceGeometry", surface, None),
            PhysicalOrVirtualBoundary="PHYSICAL",
            InternalOrExternalBoundary="EXTERNAL" if external else "INTERNAL")


_OUTDOOR_WORDS = ("balcon", "balkon", "terrace", "terrasse", "terraza", "patio", "porch", "deck",
                  "veranda", "outdoor", "garden", "yard", "parveke", "terassi", "loggia")


def is_outdoor(name: str) -> bool:
    """Whether a room's name says it is outside the building's envelope (a balcony, a terrace)."""
    low = name.lower()
    return any(w in low for w in _OUTDOOR_WORDS)


def wall_predefined_type(wall: Wall) -> str:
    """SOLIDWALL for external and thick internal walls, PARTITIONING for thin internal ones."""
    if wall.is_external or wall.thickness >= TOL.partition_max_thickness:
        return "SOLIDWALL"
    return "PARTITIONING"
