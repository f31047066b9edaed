"""``plan2bim convert``: one plan file to IFC, GLB, JSON and an overlay."""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path

import typer
from rich.markup import escape

from plan2bim.cli._app import app, console, user_errors
from plan2bim.cli.options import (
    base_config,
    check_input_options,
    detector_option,
    parse_formats,
    parse_pages,
    scale_fields,
    settings_option,
)
from plan2bim.config import Config


@app.command()
def convert(
    input: Path = typer.Argument(..., help="Plan drawing: PNG, JPG, TIFF, BMP, or PDF (its floor-plan drawings become storeys; see --pages, --keep-pages, --all-pages)."),
    output: Path = typer.Option(Path("."), "--output", "-o", help="Folder for the outputs."),
    scale: float | None = typer.Option(None, "--scale", min=0.001, help="Scale in pixels per metre (skips estimation)."),
    dpi: float | None = typer.Option(None, "--dpi", min=1, help="Scan resolution, with --drawing-scale; on a PDF, the resolution pages are read at (default 150)."),
    drawing_scale: str | None = typer.Option(None, "--drawing-scale", help="Drawing scale, e.g. 1:100 (with --dpi, or for a PDF)."),
    wall_height: float = typer.Option(Config.wall_height, "--wall-height", min=0.5, max=20, help="Storey wall height in metres."),
    storey_name: str | None = typer.Option(None, "--storey-name", help="Name of the storey (numbered if several)."),
    formats: str = typer.Option("ifc,glb,json,overlay", "--formats", help="Comma-separated outputs: ifc, glb, json, overlay, html (review page)."),
    pages: str | None = typer.Option(None, "--pages", help="PDF pages to use, e.g. 1,3 or 2-4, whatever they hold (default: the floor plans of all pages)."),
    keep_pages: str | None = typer.Option(None, "--keep-pages", help="Also convert these pages where no floor plan was recognised on them, e.g. 3 or 2-4."),
    all_pages: bool = typer.Option(False, "--all-pages", help="Convert every page (its floor plans, else its largest drawing)."),
    detector: str = detector_option(),
    max_pages: int = typer.Option(100, "--max-pages", min=1, help="Refuse inputs with more pages to read than this."),
    settings: Path | None = settings_option(),
) -> None:
    """Convert one floor plan into a BIM model.

    Writes OUTPUT/<name>.ifc (IFC4), <name>.glb (glTF 2.0), <name>.json (the vector model) and
    <name>.overlay.png (the detections drawn over the input). Without --scale or --dpi and
    --drawing-scale, the scale is estimated from the widths of the doors found.
    """
    with user_errors():
        fields = scale_fields(scale, dpi, drawing_scale)
        check_input_options(input, scale=scale, dpi=dpi, drawing_scale=drawing_scale, pages=pages)
        config = replace(
            base_config(settings), **fields, wall_height=wall_height, storey_name=storey_name,
            pages=parse_pages(pages), keep_pages=parse_pages(keep_pages) or (),
            all_pages=all_pages, detector=detector, max_pages=max_pages,
        )
        fmts = parse_formats(formats)
        from plan2bim.pipeline import convert_file

        # The modules just loaded live as long as the process: out of the collector's sight,
        # each full collection no longer walks them again (surau p3: collections 0.20 -> 0.12 s
        # CPU of ~4 s, one core).
        gc.freeze()
        result = convert_file(input, output, config, fmts)
    b = result.building
    for r in b.pages:
        mark = "[green]used[/]" if r.used else "[dim]not used[/]"
        scale_txt = f", 1:{r.scale_denominator:g}" if r.scale_denominator else ""
        title = f" {r.title!r}" if r.title else ""
        console.print(f"page {r.page}: {r.kind}{escape(title)}{scale_txt}: {mark}: {escape(r.reason)}",
                      emoji=False)
    for s in b.storeys:
        n_d = sum(o.kind == "door" for o in s.openings)
        console.print(
            f"[bold]{s.name}[/] (page {s.page}): {len(s.walls)} walls, "
            + (f"{len(s.columns)} columns, " if s.columns else "")
            + f"{n_d} doors, "
            f"{len(s.openings) - n_d} windows, {len(s.spaces)} spaces, "
            f"{sum(sp.area for sp in s.spaces):.1f} m²; scale {s.scale.px_per_m:.1f} px/m "
            f"({s.scale.method}: {s.scale.detail})"
        )
    for fmt, p in result.outputs.items():
        console.print(f"  {fmt:8s} {p}")

