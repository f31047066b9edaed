"""IFC4 export of the building model, built with ``ifcopenshell.api``.

The file is meant to open as *real* building elements in Revit, ArchiCAD and Bonsai, not as
anonymous geometry:

* walls are ``IfcWall`` with an ``Axis`` (start -> end) and a ``SweptSolid`` body, typed by
  thickness (one ``IfcWallType`` per thickness with a one-layer ``IfcMaterialLayerSet``) and
  carrying ``IfcMaterialLayerSetUsage``, so that importers can treat them as layered walls;
* each opening is an ``IfcOpeningElement`` that voids its wall and is filled by an ``IfcDoor``
  or ``IfcWindow`` (the wall's body is not cut by hand: viewers do the boolean);
* rooms are ``IfcSpace`` extrusions with their area in ``Qto_SpaceBaseQuantities``;
* each storey has an ``IfcSlab`` (FLOOR) below its elevation.

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
import ifcopenshell.api.pset
import ifcopenshell.api.root
import ifcopenshell.api.spatial
import ifcopenshell.api.type
import ifcopenshell.api.unit
import ifcopenshell.util.element
import ifcopenshell.validate

from .. import __version__
from ..errors import ExportError
from ..model import Building, Opening, Point, Ring, Space, Storey, Wall, stable_guid

__all__ = ["build_ifc", "write_ifc"]

log = logging.getLogger(__name__)

Entity = ifcopenshell.entity_instance


@dataclass(frozen=True)
class IfcTolerances:
    """Geometric limits of the exporter, in metres."""

    min_wall_length: float = 0.01
    """Walls shorter than this have no extent to extrude and are left out."""
    min_wall_part: float = 0.05
    """An opening is clamped so that at least this much wall stays beside and above it."""
    min_opening_size: float = 0.05
    """Openings narrower or lower than this (after clamping) are left out."""
    opening_margin: float = 0.05
    """The opening box sticks out this far on both faces of the wall so that the cut is clean."""
    min_parametric_size: float = 0.3
    """Doors and windows narrower or lower than this get a plain box body: ifcopenshell's
    parametric bodies (lining, frame, panel) fail or degenerate when there is no room for them."""
    fallback_leaf: float = 0.05
    """Thickness of the plain box body."""
    min_area: float = 1e-6
    """Space and slab outlines with less area than this (m2) are left out."""


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
        self.wall_types: dict[int, Entity] = {}
        self.typed_walls: dict[int, list[Entity]] = {}
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
        for rel in self.f.by_type("IfcRelationship"):
            for attr in ("RelatedObjects", "RelatedElements"):
                related = getattr(rel, attr, None)
                if isinstance(related, tuple) and len(related) > 1:
                    setattr(rel, attr, sorted(related, key=lambda e: e.id()))

    def _derive_remaining_ids(self) -> None:
        """Replace the random GlobalIds that the API gave relationships and property sets.

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

    def _placement(self, rel_to: Entity | None, origin: Sequence[float] = (0.0, 0.0, 0.0),
                   x_dir: Sequence[float] = (1.0, 0.0, 0.0)) -> Entity:
        """An ``IfcLocalPlacement`` relative to ``rel_to``, z up, x along ``x_dir``.

        Placements are written directly (not through ``edit_object_placement``) so that local
        coordinates stay exact instead of passing through a matrix inverse.
        """
        f = self.f
        axis = f.createIfcAxis2Placement3D(
            f.createIfcCartesianPoint([float(v) for v in origin]),
            f.createIfcDirection((0.0, 0.0, 1.0)),
            f.createIfcDirection([float(v) for v in x_dir]),
        )
        return f.createIfcLocalPlacement(rel_to, axis)

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
        pset = ifcopenshell.api.pset.add_pset(self.f, product=product, name=name)
        ifcopenshell.api.pset.edit_pset(self.f, pset=pset, properties=properties)

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

        site = self._create("IfcSite", "Site", b.site_global_id, "site")
        bldg = self._create("IfcBuilding", b.name, b.building_global_id, "building")
        ifcopenshell.api.aggregate.assign_object(f, products=[site], relating_object=project)
        ifcopenshell.api.aggregate.assign_object(f, products=[bldg], relating_object=site)
        site.ObjectPlacement = self._placement(None)
        bldg.ObjectPlacement = self._placement(site.ObjectPlacement)

        for storey in b.storeys:
            self._storey(storey, bldg)
        self._type_walls()
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

    def _wall_type(self, mm: int, external: bool) -> Entity:
        """The wall type of a thickness in mm; its material follows the first wall seen of it."""
        if mm not in self.wall_types:
            name = f"Wall {mm} mm"
            wtype = self._create(
                "IfcWallType", name, None, f"walltype/{mm}",
                predefined_type="SOLIDWALL" if external else "PARTITIONING",
            )
            material = self._material("Masonry", "brick") if external else self._material("Partition", "gypsum")
            layer_set = self._layer_set(name, material, mm / 1000.0)
            ifcopenshell.api.material.assign_material(
                self.f, products=[wtype], type="IfcMaterialLayerSet", material=layer_set
            )
            self.wall_types[mm] = wtype
        return self.wall_types[mm]

    def _type_walls(self) -> None:
        """Type the walls, one call per type so that each type has one shared layer set usage."""
        for mm, walls in self.typed_walls.items():
            ifcopenshell.api.type.assign_type(self.f, related_objects=walls, relating_type=self.wall_types[mm])
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

        walls: dict[str, tuple[Wall, Entity]] = {}
        for wall in storey.walls:
            element = self._wall(wall, storey, st)
            if element is not None:
                walls[wall.id] = (wall, element)
        for opening in storey.openings:
            if opening.wall_id not in walls:
                log.warning("opening %s: host wall %s is not in the model; left out",
                            opening.id, opening.wall_id)
                continue
            self._opening(opening, *walls[opening.wall_id], storey, st)
        self._slab(storey, st)
        for space in storey.spaces:
            self._space(space, storey, st)

    def _contain(self, element: Entity, st: Entity) -> None:
        ifcopenshell.api.spatial.assign_container(self.f, products=[element], relating_structure=st)

    # --- elements ------------------------------------------------------------------------

    def _wall(self, wall: Wall, storey: Storey, st: Entity) -> Entity | None:
        length = wall.length
        if length < TOL.min_wall_length or wall.thickness <= 0 or wall.height <= 0:
            log.warning("wall %s has no extent (length %.3f m, thickness %.3f m, height %.3f m); "
                        "left out", wall.id, length, wall.thickness, wall.height)
            return None
        f = self.f
        t = float(wall.thickness)
        element = self._create("IfcWall", wall.id, wall.global_id, f"{storey.id}/{wall.id}")
        element.Tag = wall.id
        self._contain(element, st)
        dx, dy = (wall.end[0] - wall.start[0]) / length, (wall.end[1] - wall.start[1]) / length
        element.ObjectPlacement = self._placement(
            st.ObjectPlacement, (wall.start[0], wall.start[1], 0.0), (dx, dy, 0.0)
        )
        axis = ifcopenshell.api.geometry.add_axis_representation(
            f, context=self.axis, axis=[(0.0, 0.0), (length, 0.0)]
        )
        body = ifcopenshell.api.geometry.add_wall_representation(
            f, context=self.body, length=length, height=float(wall.height), thickness=t, offset=-t / 2
        )
        self._assign(element, (axis, body))

        mm = max(1, round(t * 1000))
        self._wall_type(mm, wall.is_external)
        self.typed_walls.setdefault(mm, []).append(element)
        self._pset(element, "Pset_WallCommon", {"IsExternal": bool(wall.is_external)})
        return element

    def _opening(self, o: Opening, wall: Wall, host: Entity, storey: Storey, st: Entity) -> None:
        """The opening voiding ``host`` and the door or window filling it."""
        length, t, h = wall.length, float(wall.thickness), float(wall.height)
        part = TOL.min_wall_part
        width = min(float(o.width), length - 2 * part)
        sill = min(max(0.0, float(o.sill_height)), h - part - TOL.min_opening_size)
        height = min(float(o.height), h - part - sill)
        if width < TOL.min_opening_size or height < TOL.min_opening_size:
            log.warning("opening %s does not fit wall %s (%.2f m long, %.2f m high); left out",
                        o.id, wall.id, length, h)
            return
        if (width, height, sill) != (o.width, o.height, o.sill_height):
            log.info("opening %s clamped to %.2f x %.2f m at sill %.2f m to fit wall %s",
                     o.id, width, height, sill, wall.id)
        centre = min(max(float(o.offset), width / 2 + part), length - width / 2 - part)
        x0 = centre - width / 2
        margin = TOL.opening_margin
        f = self.f

        opening = self._create("IfcOpeningElement", o.id, None, f"{storey.id}/{o.id}/opening",
                               predefined_type="OPENING")
        ifcopenshell.api.feature.add_feature(f, feature=opening, element=host)
        opening.ObjectPlacement = self._placement(host.ObjectPlacement, (x0, -t / 2 - margin, sill))
        self._assign(opening, [ifcopenshell.api.geometry.add_wall_representation(
            f, context=self.body, length=width, height=height, thickness=t + 2 * margin
        )])

        is_door = o.kind == "door"
        cls = "IfcDoor" if is_door else "IfcWindow"
        filling = self._create(cls, o.id, o.global_id, f"{storey.id}/{o.id}",
                               predefined_type="DOOR" if is_door else "WINDOW")
        filling.Tag = o.id
        filling.OverallWidth = width
        filling.OverallHeight = height
        if is_door:
            filling.OperationType = {"left": "SINGLE_SWING_LEFT", "right": "SINGLE_SWING_RIGHT"}.get(
                o.swing, "NOTDEFINED"
            )
        else:
            filling.PartitioningType = "SINGLE_PANEL"
        ifcopenshell.api.feature.add_filling(f, opening=opening, element=filling)
        self._contain(filling, st)
        # The filling's frame is the wall's face at the opening's lower left corner; placed
        # relative to the opening as IFC asks for fillings.
        filling.ObjectPlacement = self._placement(opening.ObjectPlacement, (0.0, margin, 0.0))
        self._assign(filling, [self._filling_body(o, width, height, t)])
        common = "Pset_DoorCommon" if is_door else "Pset_WindowCommon"
        self._pset(filling, common, {"IsExternal": bool(wall.is_external)})

    def _filling_body(self, o: Opening, width: float, height: float, t: float) -> Entity:
        """A parametric door/window body spanning the wall's thickness, or a plain leaf box."""
        f = self.f
        if min(width, height) >= TOL.min_parametric_size:
            try:
                if o.kind == "door":
                    return ifcopenshell.api.geometry.add_door_representation(
                        f, context=self.body, overall_height=height, overall_width=width,
                        operation_type="SINGLE_SWING_RIGHT" if o.swing == "right" else "SINGLE_SWING_LEFT",
                        lining_properties={"LiningDepth": t},
                    )
                # The window's lining fills the middle half of the wall.
                return ifcopenshell.api.geometry.add_window_representation(
                    f, context=self.body, overall_height=height, overall_width=width,
                    lining_properties={"LiningDepth": t / 2, "LiningOffset": t / 4, "LiningToPanelOffsetY": 0.0},
                )
            except Exception as e:  # noqa: BLE001 - a last resort: the builder's limits are undocumented
                log.debug("parametric %s body for %s failed (%s); using a box", o.kind, o.id, e)
        leaf = min(TOL.fallback_leaf, t)
        return ifcopenshell.api.geometry.add_wall_representation(
            f, context=self.body, length=width, height=height, thickness=leaf, offset=(t - leaf) / 2
        )

    def _space(self, sp: Space, storey: Storey, st: Entity) -> None:
        ring = _polygon(sp.polygon)
        if ring is None or storey.height <= 0:
            log.warning("space %s has no area or height; left out", sp.id)
            return
        f = self.f
        space = self._create("IfcSpace", sp.id, sp.global_id, f"{storey.id}/{sp.id}",
                             predefined_type="INTERNAL")
        space.LongName = sp.name
        space.CompositionType = "ELEMENT"
        ifcopenshell.api.aggregate.assign_object(f, products=[space], relating_object=st)
        space.ObjectPlacement = self._placement(st.ObjectPlacement)
        # A space body is an extruded outline, which is exactly what the slab builder makes.
        self._assign(space, [ifcopenshell.api.geometry.add_slab_representation(
            f, context=self.body, depth=float(storey.height), polyline=ring
        )])
        qto = ifcopenshell.api.pset.add_qto(f, product=space, name="Qto_SpaceBaseQuantities")
        ifcopenshell.api.pset.edit_qto(f, qto=qto, properties={
            "NetFloorArea": float(sp.area), "Height": float(storey.height),
        })

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
        self._assign(slab, [ifcopenshell.api.geometry.add_slab_representation(
            f, context=self.body, depth=t, polyline=ring
        )])
        mm = max(1, round(t * 1000))
        if mm not in self.slab_sets:
            self.slab_sets[mm] = self._layer_set(f"Slab {mm} mm", self._material("Concrete", "concrete"), mm / 1000.0)
        ifcopenshell.api.material.assign_material(
            f, products=[slab], type="IfcMaterialLayerSetUsage", material=self.slab_sets[mm]
        )
        self._pset(slab, "Pset_SlabCommon", {"IsExternal": False})

