"""``plan2bim bench``: time full conversions (all outputs) and measure their memory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from plan2bim.cli._app import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_PARTIAL,
    app,
    console,
    err_console,
    user_errors,
)
from plan2bim.cli.options import base_config, detector_option, settings_option


@app.command(
    "bench",
    epilog=(f"Exit codes: {EXIT_OK} every plan converted; {EXIT_PARTIAL} some plans failed (their "
            f"times are left out of the figures); {EXIT_INPUT} bad options or no plan found."),
)
def bench(
    folder: Annotated[Path, typer.Argument(
        help="Folder searched recursively for plans (png jpg jpeg tif tiff bmp pdf; R3D's "
             "_wall/_close/_rooms masks are skipped).", exists=True, show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    workers: Annotated[int, typer.Option(
        "--workers", "-j", min=1, help="Worker processes; above 1, throughput is measured too.")] = 1,
    detector: str = detector_option(),
    settings: Path | None = settings_option(),
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N plans.")] = None,
    cold: Annotated[int, typer.Option(
        "--cold", min=0, help="Instead, time N fresh `plan2bim convert` processes of the first "
                              "plan (start-up and imports included), as a user runs it.")] = 0,
) -> None:
    """Time full conversions of every plan in DIR, stage by stage, and their memory.

    Converts every plan with all four outputs (into a temporary folder) and reports, per plan,
    the median and 90th percentile seconds of each stage and in total, megapixels per second
    and the peak resident memory (per worker, and of all processes together)."""
    from dataclasses import asdict, replace

    if cold:
        with user_errors():
            base_config(settings)  # a bad settings file is an error before anything runs
            from plan2bim.tools.bench import cold_start, find_plans

            c = cold_start(find_plans(folder)[0], cold, settings=settings, detector=detector)
        if as_json:
            typer.echo(json.dumps({"cold_start": asdict(c)}, indent=1))
        else:
            w, u = c.wall_seconds, c.cpu_seconds
            console.print(f"{c.plan}: cold `plan2bim convert`, {c.runs} runs: wall median "
                          f"{w['median']:.2f} s (min {w['min']:.2f}, max {w['max']:.2f}); cpu median "
                          f"{u['median']:.2f} s; peak RSS {c.peak_rss_mb:.0f} MiB")
        raise typer.Exit(EXIT_OK if not any(c.exit_codes) else EXIT_PARTIAL)

    with user_errors():
        config = replace(base_config(settings), detector=detector)
        from plan2bim.tools.bench import bench as run_bench

        report = run_bench(folder, config, workers=workers, limit=limit)
    s = report.summary
    if as_json:
        plans = [{"plan": p.plan, "seconds": round(p.seconds, 4),
                  "stages": {k: round(v, 4) for k, v in p.stages.items()},
                  "megapixels": round(p.megapixels, 3), "error": p.error} for p in report.plans]
        typer.echo(json.dumps({"folder": str(folder), "detector": detector, **s, "per_plan": plans}, indent=1))
    else:
        console.print(_table(str(folder), s))
        for p in report.plans:
            if p.error:
                err_console.print(f"[red]failed:[/] {p.plan}: {p.error}")
    raise typer.Exit(EXIT_PARTIAL if s["failed"] else EXIT_OK)


def _table(folder: str, s: dict[str, Any]) -> Any:
    from rich.table import Table

    t = Table(title=f"{folder}: {s['plans']} plans, {s['failed']} failed, {s['workers']} worker(s)")
    t.add_column("seconds per plan")
    t.add_column("median", justify="right")
    t.add_column("p90", justify="right")
    for stage, v in s["stages"].items():
        t.add_row(stage, f"{v['median']:.3f}", f"{v['p90']:.3f}")
    t.add_row("[bold]total[/]", f"[bold]{s['seconds']['median']:.3f}[/]", f"[bold]{s['seconds']['p90']:.3f}[/]")
    lines = [f"{s['megapixels_per_second']:.2f} megapixels/s (median plan {s['megapixels_median']:.2f} MP)",
             f"peak RSS {s['peak_rss_mb']:.0f} MiB"]
    if s["workers"] > 1:
        lines.append(f"{s['plans_per_second']:.2f} plans/s; peak RSS per worker "
                     + ", ".join(f"{m:.0f}" for m in s["peak_rss_per_worker_mb"])
                     + f" MiB; all processes {s['peak_rss_total_mb']:.0f} MiB")
    t.caption = "; ".join(lines)
    return t
