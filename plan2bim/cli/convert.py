"""``plan2bim convert``: one plan file to IFC, GLB, JSON and an overlay."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer

from ..config import Config
from ._app import app, console, user_errors
from .options import (
    base_config,
    detector_option,
    parse_drawing_scale,
    parse_formats,
    parse_pages,
    settings_option,
)


@app.command()
def convert(
    input: Path = typer.Argument(..., help="Plan drawing: PNG, JPG, TIFF, BMP, or PDF (one storey a page)."),
    output: Path = typer.Option(Path("."), "--output", "-o", help="Folder for the outputs."),
    scale: float | None = typer.Option(None, "--scale", min=0.001, help="Scale in pixels per metre (skips estimation)."),
    dpi: float | None = typer.Option(None, "--dpi", min=1, help="Scan resolution, with --drawing-scale."),
    drawing_scale: str | None = typer.Option(None, "--drawing-scale", help="Drawing scale, e.g. 1:100 (with --dpi, or for a PDF)."),
    wall_height: float = typer.Option(Config.wall_height, "--wall-height", min=0.5, max=20, help="Storey wall height in metres."),
    storey_name: str | None = typer.Option(None, "--storey-name", help="Name of the storey (numbered if several)."),
    formats: str = typer.Option("ifc,glb,json,overlay", "--formats", help="Comma-separated outputs: ifc, glb, json, overlay."),
    pages: str | None = typer.Option(None, "--pages", help="PDF pages to use, e.g. 1,3 or 2-4 (default: all)."),
    detector: str = detector_option(),
    settings: Path | None = settings_option(),
) -> None:
    """Convert one floor plan into a BIM model.

    Writes OUTPUT/<name>.ifc (IFC4), <name>.glb (glTF 2.0), <name>.json (the vector model) and
    <name>.overlay.png (the detections drawn over the input). Without --scale or --dpi and
    --drawing-scale, the scale is estimated from the widths of the doors found.
    """
    with user_errors():
        config = replace(
            base_config(settings), px_per_m=scale, dpi=dpi, drawing_scale=parse_drawing_scale(drawing_scale),
            wall_height=wall_height, storey_name=storey_name, pages=parse_pages(pages),
            detector=detector,
        )
        fmts = parse_formats(formats)
        from ..pipeline import convert_file

        result = convert_file(input, output, config, fmts)
    b = result.building
    for s in b.storeys:
        n_d = sum(o.kind == "door" for o in s.openings)
        console.print(
            f"[bold]{s.name}[/] (page {s.page}): {len(s.walls)} walls, {n_d} doors, "
            f"{len(s.openings) - n_d} windows, {len(s.spaces)} spaces, "
            f"{sum(sp.area for sp in s.spaces):.1f} m²; scale {s.scale.px_per_m:.1f} px/m "
            f"({s.scale.method}: {s.scale.detail})"
        )
    for fmt, p in result.outputs.items():
        console.print(f"  {fmt:8s} {p}")
