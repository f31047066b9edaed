"""Ground truth readers: every dataset format, and plan2bim's own output, become one :class:`Annotation`.

Scoring then compares two annotations of the same image and never needs to know where either
came from. Formats read:

- ``cubicasa``: CubiCasa5K, one folder per plan with ``F1_scaled.png`` and ``model.svg``;
- ``r3d``: R3D masks, ``<id>.jpg`` with ``<id>_wall.png``, ``<id>_close.png``, ``<id>_rooms.png``;
- ``plan2bim``: ``images/<id>.<ext>`` with ``gt/<id>.json`` in the project's JSON model (what
  ``plan2bim synth`` writes, and what ``convert`` writes, so a prediction reads the same way).
"""

from __future__ import annotations

import json
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from plan2bim.errors import InputError
from plan2bim.load import SUFFIXES
from plan2bim.raster.segments import box_corners

log = logging.getLogger(__name__)

__all__ = [
    "FORMATS",
    "Annotation",
    "Sample",
    "annotation_from_model",
    "detect_format",
    "empty_annotation",
    "list_samples",
    "load_annotation",
    "rasterize",
    "read_cubicasa",
    "read_plan2bim",
    "read_r3d",
]

Format = Literal["cubicasa", "r3d", "plan2bim"]
FORMATS: tuple[str, ...] = ("cubicasa", "r3d", "plan2bim")

Area = Polygon | MultiPolygon
"""A room: normally a Polygon; a MultiPolygon where repairing a self-crossing outline splits it."""


@dataclass(frozen=True)
class Annotation:
    """What is on one plan image, in its pixels (x right, y down), as scoring needs it."""

    image_size: tuple[int, int]
    """(width, height) in pixels."""
    wall_mask: np.ndarray
    """bool (H, W): wall footprint, door and window openings cut out."""
    openings: list[tuple[str, tuple[float, float]]] = field(default_factory=list)
    """(kind, (cx, cy)) per door or window; kind is "door", "window" or "opening" (not told apart)."""
    rooms: list[Area] = field(default_factory=list)
    ignore: list[Area] = field(default_factory=list)
    """Regions whose rooms are not scored (outdoor: balconies, terraces)."""
    opening_mask: np.ndarray | None = None
    """bool (H, W) of door and window pixels, where known: scored by pixel IoU."""
    typed_openings: bool = True
    """Whether doors are told from windows; False for R3D, whose openings are scored without
    their kind (and by ``opening_mask``) only."""


@dataclass(frozen=True)
class Sample:
    """One plan of a dataset: the image to convert and where its ground truth is."""

    id: str
    image: Path
    gt: Path
    """model.svg (cubicasa), the image itself (r3d: masks sit beside it) or gt/<id>.json (plan2bim)."""
    format: str


def empty_annotation(image_size: tuple[int, int]) -> Annotation:
    """What a failed conversion predicts: nothing."""
    w, h = image_size
    return Annotation(image_size=(w, h), wall_mask=np.zeros((h, w), bool))


# --------------------------------------------------------------------------- rasterising

def _parts(geom: Any) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon) and not g.is_empty]


def rasterize(geoms: list[Any], image_size: tuple[int, int]) -> np.ndarray:
    """Fill polygons (holes left empty) into a bool (H, W) mask, by the pixel-centre rule.

    Pixel (i, j) covers [i, i+1] x [j, j+1] and is inside if its centre is, so a 100 x 10 px
    rectangle fills exactly 1000 pixels. (cv2.fillPoly also fills every pixel an edge touches,
    which thickens a 10 px wall by a pixel: a bias of ~10 % in wall IoU.) A scanline fill of
    all polygons at once: the rings' edges are cut by the pixel rows' centre lines, one
    polygon's crossings on one row are paired (even-odd, so holes stay empty), and the spans
    are summed, so that overlapping polygons unite.
    """
    w, h = image_size
    edges: list[np.ndarray] = []
    n = 0
    for geom in geoms:
        for poly in _parts(geom):
            for ring in (poly.exterior, *poly.interiors):
                c = np.asarray(ring.coords, np.float64)[:, :2]
                edges.append(np.column_stack([c[:-1], c[1:], np.full(len(c) - 1, n)]))
            n += 1
    if not n:
        return np.zeros((h, w), bool)
    x0, y0, x1, y1, pid = np.concatenate(edges).T
    # Rows whose centre line j + 0.5 lies in [ymin, ymax): half-open, so a vertex counts once;
    # rows outside the image are dropped for every edge alike, keeping the crossings paired.
    lo = np.clip(np.ceil(np.minimum(y0, y1) - 0.5), 0, h).astype(np.int64)
    hi = np.clip(np.ceil(np.maximum(y0, y1) - 0.5), 0, h).astype(np.int64)
    count = np.maximum(hi - lo, 0)
    if not count.any():
        return np.zeros((h, w), bool)
    edge = np.repeat(np.arange(len(count)), count)
    row = lo[edge] + np.arange(len(edge)) - np.repeat(np.cumsum(count) - count, count)
    t = (row + 0.5 - y0[edge]) / (y1[edge] - y0[edge])
    x = x0[edge] + t * (x1[edge] - x0[edge])
    order = np.lexsort((x, row, pid[edge]))
    x, row = x[order], row[order]
    start = np.clip(np.ceil(x[0::2] - 0.5), 0, w).astype(np.int64)
    end = np.clip(np.ceil(x[1::2] - 0.5), 0, w).astype(np.int64)
    r = row[0::2]
    size = h * (w + 1)
    diff = (np.bincount(r * (w + 1) + start, minlength=size)
            - np.bincount(r * (w + 1) + end, minlength=size))
    return np.cumsum(diff.reshape(h, w + 1), axis=1)[:, :w] > 0


def _valid(poly: Polygon) -> Area | None:
    """Repair a self-crossing outline (hand annotations have them); None if nothing is left."""
    if poly.is_valid:
        return poly if poly.area > 0 else None
    parts = _parts(shapely.make_valid(poly))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _polygon(ring: Any) -> Area | None:
    pts = [(float(x), float(y)) for x, y in ring]
    if len(pts) < 3:
        return None
    return _valid(Polygon(pts))


# --------------------------------------------------------------------------- CubiCasa5K

_SVG = "{http://www.w3.org/2000/svg}"
_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)")


def _parse_transform(text: str | None) -> np.ndarray:
    """An SVG ``transform`` attribute as a 3x3 matrix (points are column vectors)."""
    m = np.eye(3)
    for name, args in _TRANSFORM.findall(text or ""):
        v = [float(a) for a in _NUM.findall(args)]
        t = np.eye(3)
        if name == "matrix" and len(v) == 6:
            t[:2] = [[v[0], v[2], v[4]], [v[1], v[3], v[5]]]
        elif name == "translate" and v:
            t[:2, 2] = [v[0], v[1] if len(v) > 1 else 0.0]
        elif name == "scale" and v:
            t[0, 0], t[1, 1] = v[0], v[1] if len(v) > 1 else v[0]
        elif name == "rotate" and v:
            a = np.radians(v[0])
            r = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
            if len(v) == 3:
                c = np.array([[1, 0, v[1]], [0, 1, v[2]], [0, 0, 1]])
                r = c @ r @ np.linalg.inv(c)
            t = r
        elif name == "skewX" and v:
            t[0, 1] = np.tan(np.radians(v[0]))
        elif name == "skewY" and v:
            t[1, 0] = np.tan(np.radians(v[0]))
        m = m @ t
    return m


def _svg_points(elem: ET.Element, transform: np.ndarray) -> list[tuple[float, float]]:
    v = [float(a) for a in _NUM.findall(elem.get("points", ""))]
    pts = np.asarray(v[: len(v) // 2 * 2], dtype=np.float64).reshape(-1, 2)
    own = elem.get("transform")
    if own:
        transform = transform @ _parse_transform(own)
    if not np.allclose(transform, np.eye(3)):
        pts = pts @ transform[:2, :2].T + transform[:2, 2]
    return [(float(x), float(y)) for x, y in pts]


def _image_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    try:
        with Image.open(path) as im:  # reads the header only
            return im.size
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: cannot be read ({e})") from None


def read_cubicasa(plan_dir: Path) -> Annotation:
    """Read ``plan_dir/model.svg`` against the size of ``plan_dir/F1_scaled.png``.

    Walls are each ``<g id="Wall">``'s first polygon; CubiCasa does not cut walls at doorways, so
    the door and window rectangles are cleared from the wall mask. ``transform`` attributes on
    enclosing groups are applied (in the released files they are identities, but nothing
    guarantees it).
    """
    plan_dir = Path(plan_dir)
    svg = plan_dir / "model.svg"
    try:
        root = ET.parse(svg).getroot()
    except (OSError, ET.ParseError) as e:
        raise InputError(f"{svg}: cannot be read ({e})") from None
    size = _image_size(plan_dir / "F1_scaled.png")

    walls: list[Area] = []
    cut: list[Area] = []
    openings: list[tuple[str, tuple[float, float]]] = []
    rooms: list[Area] = []
    ignore: list[Area] = []

    def visit(elem: ET.Element, transform: np.ndarray) -> None:
        own = elem.get("transform")
        if own:
            transform = transform @ _parse_transform(own)
        if elem.tag == f"{_SVG}g":
            gid = elem.get("id", "")
            cls = (elem.get("class") or "").split()
            kind = gid if gid in ("Wall", "Door", "Window") else ("Space" if cls[:1] == ["Space"] else None)
            first = elem.find(f"{_SVG}polygon") if kind else None
            poly = _polygon(_svg_points(first, transform)) if first is not None else None
            if poly is not None:
                if kind == "Wall":
                    walls.append(poly)
                elif kind in ("Door", "Window"):
                    cut.append(poly)
                    c = poly.centroid
                    openings.append((kind.lower(), (c.x, c.y)))
                elif "Outdoor" in cls[1:]:
                    ignore.append(poly)
                else:
                    rooms.append(poly)
        for child in elem:
            visit(child, transform)

    visit(root, np.eye(3))
    opening_mask = rasterize(cut, size)
    return Annotation(size, rasterize(walls, size) & ~opening_mask, openings, rooms, ignore, opening_mask)


# --------------------------------------------------------------------------- R3D

R3D_ROOM_COLOURS: dict[tuple[int, int, int], str] = {
    (192, 192, 224): "closet",
    (192, 255, 255): "bath",
    (224, 255, 192): "living/kitchen/dining",
    (255, 224, 128): "bedroom",
    (255, 160, 96): "hall",
    (255, 224, 224): "balcony",
    (224, 224, 128): "utility",  # not in DeepFloorplan's table; laundries, walk-in closets, courtyards
    (224, 224, 224): "entry",  # likewise; used for entries
}
R3D_OUTDOOR = "balcony"
_R3D_MIN_ROOM_FRACTION = 2e-4
"""Colour specks smaller than this fraction of the image (anti-aliasing, stray clicks) are no room."""


def _read_mask(path: Path) -> np.ndarray:
    m = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if m is None:
        raise InputError(f"{path}: cannot be read")
    return m > 127


def _mask_regions(mask: np.ndarray, min_area: float) -> list[Area]:
    """Each 8-connected component of ``mask`` as a polygon (with its holes)."""
    out: list[Area] = []
    contours, hierarchy = cv2.findContours(mask.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return out
    hierarchy = hierarchy[0]
    # cv2 traces through pixel indices; pixel i's centre is at i + 0.5 in image coordinates.
    contours = [c.astype(np.float64) + 0.5 for c in contours]
    for i, c in enumerate(contours):
        if hierarchy[i][3] != -1 or len(c) < 3:
            continue  # a hole; taken with its parent
        holes = []
        j = hierarchy[i][2]
        while j != -1:
            if len(contours[j]) >= 3:
                holes.append(contours[j][:, 0])
            j = hierarchy[j][0]
        poly = _valid(Polygon(c[:, 0], holes))
        if poly is not None and poly.area >= min_area:
            out.append(poly)
    return out


def read_r3d(image: Path) -> Annotation:
    """Read the masks beside an R3D plan image ``<id>.jpg``.

    A room is a connected region of one room colour; balconies are outdoor (ignored). Doors
    and windows share one mask, so they are kept as a mask (``opening_mask``) and as untyped
    centres of its connected regions.
    """
    image = Path(image)
    stem = image.parent / image.stem
    wall = _read_mask(Path(f"{stem}_wall.png"))
    close = _read_mask(Path(f"{stem}_close.png"))
    rooms_bgr = cv2.imread(f"{stem}_rooms.png", cv2.IMREAD_COLOR)
    if rooms_bgr is None:
        raise InputError(f"{stem}_rooms.png: cannot be read")
    h, w = wall.shape
    if close.shape != (h, w) or rooms_bgr.shape[:2] != (h, w):
        raise InputError(f"{stem}: the R3D masks differ in size")
    min_area = _R3D_MIN_ROOM_FRACTION * w * h

    rooms: list[Area] = []
    ignore: list[Area] = []
    b, g, r = (rooms_bgr[:, :, i].astype(np.int32) for i in range(3))
    packed = (r << 16) | (g << 8) | b  # one int per pixel: np.unique on rows is slow
    colours, counts = np.unique(packed, return_counts=True)
    for colour, n in zip(colours.tolist(), counts.tolist(), strict=True):
        key = (colour >> 16, (colour >> 8) & 255, colour & 255)
        # Near-black is background and walls; unknown bright colours count as rooms.
        if max(key) < 32 or n < min_area:
            continue
        regions = _mask_regions(packed == colour, min_area)
        if R3D_ROOM_COLOURS.get(key) == R3D_OUTDOOR:
            ignore.extend(regions)
        else:
            rooms.extend(regions)

    n, _, _, centroids = cv2.connectedComponentsWithStats(close.astype(np.uint8), connectivity=8)
    openings = [("opening", (float(x) + 0.5, float(y) + 0.5)) for x, y in centroids[1:n]]
    return Annotation((w, h), wall & ~close, openings, rooms, ignore, close, typed_openings=False)


# --------------------------------------------------------------------------- plan2bim JSON


def _opening_rect(o: dict[str, Any], wall: dict[str, Any] | None, s: float) -> Polygon | None:
    """An opening's footprint in pixels: its width along the host wall, the wall's thickness across."""
    if wall is None or s <= 0:
        return None
    (x0, y0), (x1, y1) = wall["start"], wall["end"]
    d = np.array([x1 - x0, -(y1 - y0)])  # metres (y up) -> pixels (y down)
    norm = float(np.hypot(*d))
    if norm == 0:
        return None
    return Polygon(box_corners(o["center_px"], d / norm, float(o["width_px"]),
                               float(wall["thickness"]) * s))


def annotation_from_model(
    data: dict[str, Any], image_size: tuple[int, int] | None = None, storey: int | None = None
) -> Annotation:
    """Read the project's JSON model (``building_to_dict``'s output) as an annotation.

    ``storey`` picks one storey by index; None merges all of them, as when several storeys
    are drawn on one sheet. ``image_size`` overrides the storeys' own size (rasterise a
    prediction on the ground truth's grid).
    """
    storeys = data.get("storeys", [])
    if storey is not None:
        storeys = storeys[storey : storey + 1]
    if image_size is None:
        if not storeys:
            raise InputError("the model has no storey, so no image size; pass image_size")
        image_size = tuple(storeys[0]["image_size_px"])  # type: ignore[assignment]
    assert image_size is not None
    walls: list[Area] = []
    openings: list[tuple[str, tuple[float, float]]] = []
    opening_areas: list[Area] = []
    rooms: list[Area] = []
    ignore: list[Area] = []
    for st in storeys:
        for w in st.get("walls", []):
            for poly in w.get("footprint_px", []):
                if not poly or len(poly[0]) < 3:
                    continue
                g = _valid(Polygon(poly[0], [r for r in poly[1:] if len(r) >= 3]))
                if g is not None:
                    walls.append(g)
        by_id = {w["id"]: w for w in st.get("walls", [])}
        s = float(st.get("scale", {}).get("px_per_m", 0.0))
        for o in st.get("openings", []):
            cx, cy = o["center_px"]
            openings.append((o["kind"], (float(cx), float(cy))))
            rect = _opening_rect(o, by_id.get(o.get("wall_id", "")), s)
            if rect is not None:
                opening_areas.append(rect)
        for sp in st.get("spaces", []):
            g = _polygon(sp.get("polygon_px", []))
            if g is not None:
                # Balconies and terraces (named "Outdoor", CubiCasa's class) are not scored.
                (ignore if sp.get("name") == "Outdoor" else rooms).append(g)
    size = (int(image_size[0]), int(image_size[1]))
    # Footprints already have the openings cut out (the model's contract), so the walls are not
    # cut again here: a slightly long opening rectangle must not erase predicted wall.
    return Annotation(size, rasterize(walls, size), openings, rooms, ignore, rasterize(opening_areas, size))


def read_plan2bim(path: Path) -> Annotation:
    """Read a ground truth (or a prediction) file in the project's JSON model; all storeys merged."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: cannot be read ({e})") from None
    return annotation_from_model(data)


# --------------------------------------------------------------------------- datasets

def detect_format(root: Path) -> str:
    """Tell a dataset's format from its layout; raise :class:`InputError` if it is none of them."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: not a folder")
    if (root / "gt").is_dir() and (root / "images").is_dir():
        return "plan2bim"
    if (root / "model.svg").is_file() or any(root.glob("*/model.svg")):
        return "cubicasa"
    if any(root.glob("*_wall.png")):
        return "r3d"
    raise InputError(
        f"{root}: not a dataset plan2bim knows (CubiCasa5K folders with model.svg, R3D masks "
        "<id>_wall.png, or images/ + gt/ of plan2bim's own format)"
    )


def list_samples(root: Path, fmt: str | None = None) -> list[Sample]:
    """The plans of a dataset with ground truth, sorted by id; ``fmt`` None means detect it."""
    root = Path(root)
    fmt = fmt or detect_format(root)
    out: list[Sample] = []
    if fmt == "cubicasa":
        dirs = [root] if (root / "model.svg").is_file() else sorted(p.parent for p in root.glob("*/model.svg"))
        for d in dirs:
            if (d / "F1_scaled.png").is_file():
                out.append(Sample(d.name, d / "F1_scaled.png", d / "model.svg", fmt))
            else:
                log.warning("%s: model.svg without F1_scaled.png, skipped", d)
    elif fmt == "r3d":
        for wall in sorted(root.glob("*_wall.png")):
            stem = wall.name[: -len("_wall.png")]
            images = [root / f"{stem}{sfx}" for sfx in (".jpg", ".jpeg", ".png")]
            image = next((p for p in images if p.is_file()), None)
            if image is None:
                log.warning("%s: masks without an image, skipped", root / stem)
                continue
            out.append(Sample(stem, image, image, fmt))
    elif fmt == "plan2bim":
        images = {p.stem: p for p in (root / "images").iterdir() if p.suffix.lower() in SUFFIXES}
        for gt in sorted((root / "gt").glob("*.json")):
            if gt.stem in images:
                out.append(Sample(gt.stem, images[gt.stem], gt, fmt))
            else:
                log.warning("%s: no image for this ground truth, skipped", gt)
    else:
        raise InputError(f"unknown dataset format {fmt!r} (expected one of {', '.join(FORMATS)})")
    if not out:
        raise InputError(f"{root}: no plans with ground truth found ({fmt} format)")
    return out


def load_annotation(sample: Sample) -> Annotation:
    """The ground truth of one plan."""
    if sample.format == "cubicasa":
        return read_cubicasa(sample.gt.parent)
    if sample.format == "r3d":
        return read_r3d(sample.image)
    return read_plan2bim(sample.gt)
