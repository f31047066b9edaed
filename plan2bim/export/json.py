"""The JSON vector model: everything in metres, and in the input image's pixels for scoring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from plan2bim import __version__
from plan2bim.geometry import storey_geometry
from plan2bim.model import Building, PageRecord, Storey

SCHEMA_VERSION = "1.0"


def _r(v: float, nd: int = 4) -> float:
    return round(float(v), nd)


def _pt(p: tuple[float, float], nd: int = 4) -> list[float]:
    return [_r(p[0], nd), _r(p[1], nd)]


def _ring(r: list[tuple[float, float]], nd: int = 4) -> list[list[float]]:
    return [_pt(p, nd) for p in r]


def storey_to_dict(s: Storey) -> dict[str, Any]:
    geom = storey_geometry(s)
    return {
        "id": s.id,
        "name": s.name,
        "title": s.title,
        "global_id": s.global_id,
        "page": s.page,
        "elevation": _r(s.elevation),
        "height": _r(s.height),
        "image_size_px": [int(s.image_size[0]), int(s.image_size[1])],
        "scale": {
            "px_per_m": _r(s.scale.px_per_m),
            "method": s.scale.method,
            "detail": s.scale.detail,
        },
        "slab": {
            "global_id": s.slab_global_id,
            "thickness": _r(s.slab_thickness),
            "polygon": _ring(s.slab),
        },
        "walls": [
            {
                "id": w.id,
                "global_id": w.global_id,
                "start": _pt(w.start),
                "end": _pt(w.end),
                "length": _r(w.length),
                "thickness": _r(w.thickness),
                "height": _r(w.height),
                "is_external": bool(w.is_external),
                "footprint_px": [[_ring(r, 2) for r in poly] for poly in w.footprint_px],
                "source": w.source,
                # The solid every exporter writes: the wall's own footprint (joined at its
                # junctions) extruded to its height, less its openings' voids.
                "body": {
                    "footprint": [[_ring(r) for r in poly] for poly in geom.walls[w.id].footprint],
                    "net_volume": _r(geom.walls[w.id].net_volume),
                } if w.id in geom.walls else None,
            }
            for w in s.walls
        ],
        "openings": [
            {
                "id": o.id,
                "global_id": o.global_id,
                "kind": o.kind,
                "wall_id": o.wall_id,
                "offset": _r(o.offset),
                "width": _r(o.width),
                "height": _r(o.height),
                "sill_height": _r(o.sill_height),
                "center": _pt(o.center),
                "center_px": _pt(o.center_px, 2),
                "width_px": _r(o.width_px, 2),
                "confidence": _r(o.confidence, 3),
                "swing": o.swing,
                "opens_to": o.opens_to,
                "source": o.source,
                # Where the door or window is built: clamped inside its wall's own body.
                "placed": {
                    "start": _r(geom.openings[o.id].x0), "end": _r(geom.openings[o.id].x1),
                    "sill_height": _r(geom.openings[o.id].sill),
                    "height": _r(geom.openings[o.id].height),
                    "operation": geom.openings[o.id].operation if o.kind == "door" else None,
                } if o.id in geom.openings else None,
            }
            for o in s.openings
        ],
        "spaces": [
            {
                "id": sp.id,
                "global_id": sp.global_id,
                "name": sp.name,
                "area": _r(sp.area),
                "polygon": _ring(sp.polygon),
                "polygon_px": _ring(sp.polygon_px, 2),
                "source": sp.source,
            }
            for sp in s.spaces
        ],
        "columns": [
            {
                "id": c.id,
                "global_id": c.global_id,
                "center": _pt(c.center),
                "outline": _ring(c.outline),
                "outline_px": _ring(c.outline_px, 2),
                "height": _r(c.height),
                "source": c.source,
            }
            for c in s.columns
        ],
        "connections": [
            {"relating": c.relating, "related": c.related, "relating_at": c.relating_at,
             "related_at": c.related_at}
            for c in geom.connections
        ],
    }


def building_to_dict(b: Building) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"plan2bim {__version__}",
        "units": "m",
        "source": {"file": b.source, "sha256": b.source_hash},
        "project_global_id": b.project_global_id,
        "site_global_id": b.site_global_id,
        "building": {"name": b.name, "global_id": b.building_global_id},
        "storeys": [storey_to_dict(s) for s in b.storeys],
        "pages": [_page_to_dict(r) for r in b.pages],
    }


def _page_to_dict(r: PageRecord) -> dict[str, Any]:
    """A page or viewport record: what the sheet stage found and whether it became a storey."""
    return {
        "page": r.page, "kind": r.kind, "title": r.title, "used": r.used, "reason": r.reason,
        "scale_denominator": r.scale_denominator, "source": r.source,
        "viewport_px": None if r.viewport_px is None else [_r(v, 1) for v in r.viewport_px],
        "storey_id": r.storey_id,
    }


def write_json(building: Building, path: Path, **_: Any) -> None:
    path.write_text(json.dumps(building_to_dict(building), indent=1), encoding="utf-8")
