"""``plan2bim synth``: generate synthetic floor plans with exact ground truth and training masks."""

from __future__ import annotations

import time
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from plan2bim.cli._app import app, console, user_errors
from plan2bim.tools.synth import STYLES

Style = Enum("Style", {s: s for s in STYLES}, type=str)
"""The choices, from the library's own list."""


@app.command("synth")
def synth(
    count: Annotated[int, typer.Option("-n", "--count", min=0, help="How many plans to make.")] = 100,
    out: Annotated[Path, typer.Option("--out", "-o", file_okay=False,
                                      help="Output folder (images/, gt/, masks/).",
                                      show_default=False)] = ...,  # type: ignore[assignment]
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same plans, byte for byte.")] = 0,
    style: Annotated[Style, typer.Option("--style", help="cubicasa: Finnish CAD plans and scans; r3d: "
                                                         "small estate-agent plans; mixed: both.")] = Style.mixed,
    workers: Annotated[int, typer.Option("--workers", "-j", min=1, help="Worker processes.")] = 1,
    start: Annotated[int, typer.Option("--start", min=0, help="Index of the first plan (to extend a set).")] = 0,
    fmt: Annotated[str, typer.Option("--format", help="png: raster plans (and training labels); pdf: "
                                                     "vector PDF drawing sheets with printed scale.")] = "png",
) -> None:
    """Generate synthetic floor plans with exact ground truth and training masks.

    Draws procedural apartments and houses in the styles of real plans, degrades them like scans,
    and write each with its exact ground truth (project JSON, scored by `plan2bim eval`) and a
    wall/door/window mask (what `plan2bim train --data` learns from)."""
    t0 = time.perf_counter()
    with user_errors():
        if fmt == "pdf":
            from plan2bim.tools.synth.pdf_set import generate_pdf

            ids = generate_pdf(count, out, seed=seed, workers=workers, start=start)
        elif fmt == "png":
            from plan2bim.tools.synth import generate

            ids = generate(count, out, seed=seed, style=style.value, workers=workers, start=start)
        else:
            from plan2bim.errors import InputError

            raise InputError(f"unknown synthetic format {fmt!r}; choose png or pdf")
    dt = time.perf_counter() - t0
    per = dt / len(ids) if ids else 0.0
    console.print(f"{len(ids)} plans in {out} ({dt:.1f} s, {per:.2f} s per plan with {workers} worker(s))")
