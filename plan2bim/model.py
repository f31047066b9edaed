"""The building model: the one pivot between recognition and every exporter.

All lengths are metres in a right-handed plan frame: x to the right of the drawing, y up the
drawing (the image's rows flipped), z up. Each element also keeps its footprint in the pixels of
the input image, so that results can be drawn over it and scored against ground truth.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from plan2bim.geometry import StoreyGeometry

Point = tuple[float, float]
Ring = list[Point]

OpeningKind = Literal["door", "window"]
Source = Literal["raster", "vector"]
"""Where an element was recognised: from the page's pixels, or from a PDF's own vector lines."""

_GUID_NAMESPACE = uuid.UUID("6f1c3a52-1f0e-4b9e-9d55-7d3a2b5c9e10")


def stable_guid(source_hash: str, key: str) -> str:
    """An IFC GlobalId (22 chars) derived from the input's content hash and an element key.

    Re-converting the same plan gives the same ids, so links kept by a digital twin survive.
    """
    import ifcopenshell.guid

    return ifcopenshell.guid.compress(uuid.uuid5(_GUID_NAMESPACE, f"{source_hash}/{key}").hex)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Scale:
    px_per_m: float
    method: Literal["user", "dpi", "printed", "dimensions", "doors", "walls", "default"]
    """How the scale was found: given by the user, from dpi and drawing scale, estimated from
    door widths, or a default guess when nothing else was available."""
    detail: str = ""


@dataclass(frozen=True)
class Opening:
    id: str
    kind: OpeningKind
    wall_id: str
    offset: float
    """Distance in metres along the host wall's axis from its start to the opening's centre."""
    width: float
    height: float
    sill_height: float
    center: Point
    """Centre in metres (on the host wall's axis)."""
    center_px: Point
    width_px: float
    confidence: float
    global_id: str
    swing: Literal["left", "right", "double", "sliding", "none"] = "none"
    """Doors: the hinge side of a single leaf in IFC's sense, looking the way the door opens
    (SINGLE_SWING_LEFT or _RIGHT); a double door (two leaves from opposite jambs) or a sliding
    one where drawn so; "none" where the drawing did not tell (or for windows)."""
    source: Source = "raster"
    opens_to: Literal["left", "right", "none"] = "none"
    """Doors: the side of the host wall's axis (looking from its start to its end) the leaf
    swings into; "none" where not known."""


@dataclass(frozen=True)
class Wall:
    id: str
    start: Point
    end: Point
    """Axis end points in metres."""
    thickness: float
    height: float
    is_external: bool
    global_id: str
    footprint_px: list[list[Ring]]
    """Outline in image pixels with the openings cut out, as in GeoJSON MultiPolygon
    coordinates: a list of polygons, each [exterior, *holes], rings not closed."""
    source: Source = "raster"

    @property
    def length(self) -> float:
        dx, dy = self.end[0] - self.start[0], self.end[1] - self.start[1]
        return (dx * dx + dy * dy) ** 0.5


@dataclass(frozen=True)
class Space:
    id: str
    name: str
    polygon: Ring
    """Outline in metres, counter-clockwise, not closed (first point not repeated)."""
    polygon_px: Ring
    area: float
    global_id: str
    source: Source = "raster"


@dataclass(frozen=True)
class Column:
    """A free-standing column (a filled or hatched square or circle on the grid)."""

    id: str
    center: Point
    """Centre in metres."""
    outline: Ring
    """Section outline in metres, counter-clockwise, not closed."""
    height: float
    global_id: str
    outline_px: Ring
    source: Source = "raster"


@dataclass(frozen=True)
class PageRecord:
    """What was found on one page (or one viewport of a page) of the input, used or not.

    Every page and viewport is listed, so that a user sees why a sheet did not become a storey."""

    page: int
    kind: str
    """floor_plan, roof_plan, ceiling_plan, services_plan, site_plan, section, elevation,
    schedule, details, other (see ``plan2bim.sheet``)."""
    title: str
    used: bool
    reason: str
    """Why the page was used or not, in words."""
    scale_denominator: float | None = None
    """The printed 1:N scale, where one was read."""
    source: Source = "raster"
    viewport_px: tuple[float, float, float, float] | None = None
    """(x0, y0, x1, y1) of the viewport in the page image's pixels; None for the whole page."""
    storey_id: str | None = None


@dataclass(frozen=True)
class Storey:
    id: str
    name: str
    elevation: float
    height: float
    walls: list[Wall]
    openings: list[Opening]
    spaces: list[Space]
    slab: Ring
    """Floor slab outline in metres (the building's outline on this storey)."""
    slab_thickness: float
    scale: Scale
    image_size: tuple[int, int]
    """(width, height) of the page image in pixels."""
    page: int
    """1-based page of the source (1 for a raster image)."""
    global_id: str
    slab_global_id: str
    columns: list[Column] = field(default_factory=list)
    title: str = ""
    """The drawing's own title where one was read ("PELAN ARAS DUA"), else empty."""
    geometry: StoreyGeometry | None = field(default=None, compare=False, repr=False)
    """The elements' final solids (``plan2bim.geometry``), computed once by the build stage;
    None for a storey made elsewhere (exporters then compute them)."""

    def px_to_m(self, x: float, y: float) -> Point:
        from plan2bim.units import px_to_m  # numpy stays out of the model's import

        m = px_to_m((x, y), self.scale.px_per_m, self.image_size[1])[0]
        return (float(m[0]), float(m[1]))


@dataclass(frozen=True)
class Building:
    name: str
    source: str
    """File name of the input."""
    source_hash: str
    storeys: list[Storey]
    project_global_id: str
    site_global_id: str
    building_global_id: str
    pages: list[PageRecord] = field(default_factory=list)
    """Every page/viewport of the input with its kind and whether it became a storey."""

    @property
    def walls(self) -> list[Wall]:
        return [w for s in self.storeys for w in s.walls]
