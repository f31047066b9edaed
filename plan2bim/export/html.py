"""The review page: one self-contained HTML file to check a conversion without a BIM tool.

It holds everything inline, so it opens offline, from an e-mail or a CI artefact: the overlay of
each storey (JPEG), an interactive 3D view of the glTF model (``<model-viewer>``, bundled in the
package with its licence, no CDN), tables of the storeys, walls, openings, spaces and columns with
their sizes and areas, the scale and how it was found, what the reviewer should look at (notes),
and the record of the input's pages where there is one.

The counts at the top are those of the solids every exporter writes (``plan2bim.geometry``): a
wall with no body of its own or an opening with no room in its wall is in the notes, not counted.
``write_index`` writes the page that links the review pages of a batch.
"""

from __future__ import annotations

import base64
import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from shapely.geometry import Polygon

from plan2bim import __version__
from plan2bim.errors import ExportError
from plan2bim.geometry import storey_geometry
from plan2bim.model import Building, Storey

__all__ = ["write_html", "review_html", "counts", "write_index", "write_batch_index", "IndexEntry"]

log = logging.getLogger(__name__)

OVERLAY_MAX_PX = 1600
"""Overlays are scaled down to this width: enough to read a plan on screen, a few hundred kB."""
LOW_CONFIDENCE = 0.5
"""Openings recognised with less confidence than this are listed for checking."""

_SCALE_METHODS = {
    "user": "given by the user", "dpi": "from the file's dpi and the drawing scale",
    "printed": "from the scale printed on the sheet", "dimensions": "from dimension texts",
    "doors": "estimated from door widths", "walls": "estimated from wall thickness",
    "default": "a default guess (nothing on the sheet told it): check it",
}

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}h3{font-size:15px}
table{border-collapse:collapse;margin:6px 0 14px}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}
#counts td{font-weight:600}.note{color:#8a4b00}.ok{color:#246b24}
model-viewer{width:100%;height:520px;background:#eef2f5;border:1px solid #ccc}
img.overlay{max-width:100%;border:1px solid #ccc}details{margin:6px 0}small{color:#666}
"""


def _viewer_js() -> str:
    js = resources.files("plan2bim").joinpath("export/static/model-viewer.min.js").read_text("utf-8")
    # Inline in a <script>; the bundle has no "</script" but make sure.
    return js.replace("</script", "<\\/script")


def _e(v: Any) -> str:
    return html.escape(str(v), quote=True)


def _f(v: float, nd: int = 2) -> str:
    return f"{v:.{nd}f}"


def counts(building: Building) -> dict[str, int]:
    """What the page shows as the model's element counts: the solids written to IFC and glTF."""
    out = {"storeys": len(building.storeys), "walls": 0, "doors": 0, "windows": 0,
           "spaces": 0, "columns": 0}
    for s in building.storeys:
        g = storey_geometry(s)
        kinds = {o.id: o.kind for o in s.openings}
        out["walls"] += len(g.walls)
        out["doors"] += sum(kinds.get(k) == "door" for k in g.openings)
        out["windows"] += sum(kinds.get(k) == "window" for k in g.openings)
        out["spaces"] += sum(len(sp.polygon) >= 3 and sp.area > 0 for sp in s.spaces)
        out["columns"] += len(s.columns)
    return out


def _notes(building: Building) -> list[str]:
    notes = []
    for s in building.storeys:
        g = storey_geometry(s)
        if s.scale.method == "default":
            notes.append(f"{s.name}: the scale is a default guess ({_f(s.scale.px_per_m, 1)} px/m); "
                         "give it with --scale or --dpi and --drawing-scale")
        for w in s.walls:
            if w.id not in g.walls:
                notes.append(f"{s.name}: wall {w.id} lies inside other walls and is not modelled")
        for o in s.openings:
            if o.id not in g.openings:
                notes.append(f"{s.name}: {o.kind} {o.id} has no room in wall {o.wall_id} and is "
                             "not modelled")
            elif o.confidence < LOW_CONFIDENCE:
                notes.append(f"{s.name}: {o.kind} {o.id} was recognised with low confidence "
                             f"({_f(o.confidence)})")
        doors = [o for o in s.openings if o.kind == "door" and o.id in g.openings]
        unknown = [o.id for o in doors if g.openings[o.id].operation == "NOTDEFINED"]
        if unknown:
            notes.append(f"{s.name}: {len(unknown)} of {len(doors)} doors have no swing side "
                         f"(the drawing did not show it clearly): {', '.join(unknown)}")
        if not s.spaces:
            notes.append(f"{s.name}: no room was found")
    for p in building.pages:
        if not p.used:
            notes.append(f"page {p.page} ({p.kind}{': ' + p.title if p.title else ''}) not used: "
                         f"{p.reason}")
    return notes


def _overlay_jpeg(storey: Storey, image: np.ndarray | None) -> str:
    from plan2bim.export.overlay import render_storey

    rgb = render_storey(storey, image)
    h, w = rgb.shape[:2]
    if w > OVERLAY_MAX_PX:
        rgb = cv2.resize(rgb, (OVERLAY_MAX_PX, round(h * OVERLAY_MAX_PX / w)),
                         interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise ExportError(f"cannot encode the overlay of {storey.id} as JPEG")
    return base64.b64encode(buf.tobytes()).decode("ascii")


def _glb_base64(building: Building) -> str:
    from plan2bim.export.glb import glb_bytes

    return base64.b64encode(glb_bytes(building)).decode("ascii")


def _table(headers: Sequence[str], rows: list[Sequence[Any]], cls: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    # Long tables start folded: the page is read from the top.
    fold = (f"<details><summary>{len(rows)} rows</summary>", "</details>") if len(rows) > 30 \
        else ("", "")
    body = "".join(
        "<tr>" + "".join(
            f'<td class="n">{_e(v)}</td>' if isinstance(v, int | float) or
            (isinstance(v, str) and v.replace(".", "", 1).lstrip("-").isdigit())
            else f"<td>{_e(v)}</td>" for v in row) + "</tr>"
        for row in rows)
    return f'{fold[0]}<table class="{cls}"><tr>{head}</tr>{body}</table>{fold[1]}'


def _storey_section(s: Storey, image: np.ndarray | None) -> str:
    g = storey_geometry(s)
    method = _SCALE_METHODS.get(s.scale.method, s.scale.method)
    detail = f" ({_e(s.scale.detail)})" if s.scale.detail else ""
    parts = [f'<h2 id="{_e(s.id)}">{_e(s.name)}{" - " + _e(s.title) if s.title else ""}</h2>',
             f"<p>Page {s.page}, floor at {_f(s.elevation)} m, {_f(s.height)} m high. "
             f"Scale: <b>{_f(s.scale.px_per_m, 1)} px per metre</b>, {_e(method)}{detail}.</p>",
             f'<img class="overlay" alt="overlay of {_e(s.name)}" '
             f'src="data:image/jpeg;base64,{_overlay_jpeg(s, image)}">']
    walls = []
    for w in s.walls:
        sol = g.walls.get(w.id)
        walls.append([w.id, "external" if w.is_external else "internal", _f(w.length),
                      _f(w.thickness, 3), _f(w.height),
                      _f(sol.net_volume, 3) if sol else "not modelled", len(sol.cuts) if sol else 0])
    parts.append(f"<h3>Walls ({len(g.walls)} modelled)</h3>")
    parts.append(_table(["id", "kind", "length m", "thickness m", "height m", "volume m3",
                         "openings"], walls, "walls"))
    ops = []
    for o in s.openings:
        sol = g.openings.get(o.id)
        ops.append([o.id, o.kind, o.wall_id, _f(sol.width) if sol else _f(o.width),
                    _f(sol.height) if sol else _f(o.height), _f(sol.sill) if sol else _f(o.sill_height),
                    (sol.operation if o.kind == "door" else "-") if sol else "not modelled",
                    _f(o.confidence)])
    parts.append(f"<h3>Openings ({len(g.openings)} modelled)</h3>")
    parts.append(_table(["id", "kind", "wall", "width m", "height m", "sill m", "operation",
                         "confidence"], ops, "openings"))
    rooms = [[sp.id, sp.name, _f(sp.area), _f(Polygon(sp.polygon).length) if len(sp.polygon) >= 3
              else "-"] for sp in s.spaces]
    total = sum(sp.area for sp in s.spaces)
    parts.append(f"<h3>Spaces ({len(s.spaces)}, {_f(total, 1)} m2)</h3>")
    parts.append(_table(["id", "name", "area m2", "perimeter m"], rooms, "spaces"))
    if s.columns:
        parts.append(f"<h3>Columns ({len(s.columns)})</h3>")
        parts.append(_table(["id", "x m", "y m", "height m"],
                            [[c.id, _f(c.center[0]), _f(c.center[1]), _f(c.height)]
                             for c in s.columns], "columns"))
    return "\n".join(parts)


def review_html(building: Building, images: Sequence[np.ndarray] | None = None) -> str:
    """The review page of ``building`` as one HTML string."""
    if images is not None and len(images) != len(building.storeys):
        images = None  # a page without its drawing still shows the model
    c = counts(building)
    notes = _notes(building)
    count_rows = "".join(f'<tr data-kind="{k}"><th>{k.capitalize()}</th><td class="n">{v}</td></tr>'
                         for k, v in c.items())
    area = sum(sp.area for s in building.storeys for sp in s.spaces)
    doors_known = sum(
        storey_geometry(s).openings[o.id].operation != "NOTDEFINED"
        for s in building.storeys for o in s.openings
        if o.kind == "door" and o.id in storey_geometry(s).openings)
    note_html = ("<ul>" + "".join(f'<li class="note">{_e(n)}</li>' for n in notes) + "</ul>"
                 if notes else '<p class="ok">Nothing to check.</p>')
    pages = ""
    if building.pages:
        pages = "<h2>Pages of the input</h2>" + _table(
            ["page", "kind", "title", "used", "storey", "scale 1:", "why"],
            [[p.page, p.kind, p.title, "yes" if p.used else "no", p.storey_id or "-",
              f"{p.scale_denominator:g}" if p.scale_denominator else "-", p.reason]
             for p in building.pages], "pages")
    storeys = "\n".join(_storey_section(s, None if images is None else images[i])
                        for i, s in enumerate(building.storeys))
    toc = " | ".join(f'<a href="#{_e(s.id)}">{_e(s.name)}</a>' for s in building.storeys)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="plan2bim {_e(__version__)}">
<title>{_e(building.name)} - plan2bim review</title>
<style>{_STYLE}</style>
<script type="module">{_viewer_js()}</script>
</head><body>
<h1>{_e(building.name)} <small>plan2bim {_e(__version__)} review</small></h1>
<p>Source <code>{_e(building.source)}</code> (sha256 {_e(building.source_hash[:16])}...).
Storeys: {toc}. Floor area of the spaces: <b>{_f(area, 1)} m2</b>; doors with a known swing:
{doors_known} of {c["doors"]}.</p>
<table id="counts">{count_rows}</table>
<h2>Model</h2>
<model-viewer id="model" alt="3D model of {_e(building.name)}" camera-controls
 loading="eager" reveal="auto" interaction-prompt="none" shadow-intensity="0.7" exposure="0.7"
 tone-mapping="neutral"
 camera-orbit="-30deg 50deg auto" src="data:model/gltf-binary;base64,{_glb_base64(building)}">
</model-viewer>
<p><small>Drag to turn, scroll to zoom. Walls grey, doors brown, glass blue, rooms green.</small></p>
<h2>To check</h2>
{note_html}
{storeys}
{pages}
<p><small>3D view: &lt;model-viewer&gt; (Apache-2.0, with three.js MIT and lit BSD-3-Clause),
bundled.</small></p>
</body></html>
"""


def write_html(building: Building, path: Path, *, images: Sequence[np.ndarray] | None = None) -> None:
    """Write the review page of ``building`` to ``path``."""
    text = review_html(building, images)
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as e:
        raise ExportError(f"cannot write {path}: {e}") from e


@dataclass(frozen=True)
class IndexEntry:
    """One plan of a batch, as the index page lists it."""

    name: str
    page: str | None
    """The review page, relative to the index; None when the plan has none (failed)."""
    status: str
    storeys: int = 0
    walls: int = 0
    doors: int = 0
    windows: int = 0
    spaces: int = 0
    area_m2: float = 0.0
    scale: str = ""
    error: str = ""


def index_entry(name: str, page: str | None, building: Building | None, status: str,
                error: str = "") -> IndexEntry:
    """The index row of a plan converted in this process."""
    if building is None:
        return IndexEntry(name=name, page=page, status=status, error=error)
    c = counts(building)
    return IndexEntry(
        name=name, page=page, status=status, storeys=c["storeys"], walls=c["walls"],
        doors=c["doors"], windows=c["windows"], spaces=c["spaces"],
        area_m2=sum(sp.area for s in building.storeys for sp in s.spaces),
        scale=", ".join(sorted({s.scale.method for s in building.storeys})), error=error)


def write_batch_index(records: Sequence[Any], outdir: Path) -> Path:
    """``index.html`` in a batch's ``outdir``, from its manifest records (``plan2bim.batch``):
    what each plan's record says, linking the review pages that exist."""
    entries = []
    for r in records:
        page = (getattr(r, "outputs", None) or {}).get("html")
        if page and not (Path(outdir) / page).is_file():
            page = None
        scale = f"{r.px_per_m:.1f} px/m ({r.scale_method})" if getattr(r, "px_per_m", None) else ""
        entries.append(IndexEntry(
            name=str(r.key), page=page, status=r.status, storeys=r.storeys, walls=r.walls,
            doors=r.doors, windows=r.windows, spaces=r.spaces, area_m2=0.0, scale=scale,
            error=r.error))
    path = Path(outdir) / "index.html"
    write_index(entries, path, title=f"plan2bim batch: {Path(outdir).name}", area=False)
    return path


def write_index(entries: Sequence[IndexEntry], path: Path, title: str = "plan2bim batch",
                area: bool = True) -> None:
    """The batch's index page: one row per plan, linking its review page, with its figures."""
    rows = []
    for e in entries:
        name = f'<a href="{_e(e.page)}">{_e(e.name)}</a>' if e.page else _e(e.name)
        rows.append(
            f"<tr><td>{name}</td><td>{_e(e.status)}</td><td class=n>{e.storeys}</td>"
            f"<td class=n>{e.walls}</td><td class=n>{e.doors}</td><td class=n>{e.windows}</td>"
            f"<td class=n>{e.spaces}</td>" + (f"<td class=n>{_f(e.area_m2, 1)}</td>" if area else "")
            + f"<td>{_e(e.scale)}</td>"
            f"<td>{_e(e.error)}</td></tr>")
    ok = sum(e.status in ("ok", "done", "converted", "cached") for e in entries)
    text = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title><style>{_STYLE}</style></head>
<body><h1>{_e(title)}</h1><p>{len(entries)} plans, {ok} converted.</p>
<table id="plans"><tr><th>plan</th><th>status</th><th>storeys</th><th>walls</th><th>doors</th>
<th>windows</th><th>spaces</th>{"<th>area m2</th>" if area else ""}<th>scale</th><th>error</th></tr>
{"".join(rows)}</table></body></html>
"""
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as e:
        raise ExportError(f"cannot write {path}: {e}") from e
