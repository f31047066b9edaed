"""``plan2bim eval``: convert every plan of a dataset and score it against its ground truth."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from plan2bim.cli._app import EXIT_INPUT, EXIT_OK, app, console, err_console, user_errors
from plan2bim.cli.options import base_config, detector_option, settings_option

DatasetFormat = Literal["cubicasa", "r3d", "plan2bim"]  # = plan2bim.tools.evaluate.FORMATS (a test checks)


@app.command(
    "eval",
    epilog=(f"Exit codes: {EXIT_OK} scored (plans that failed to convert are scored as empty "
            f"predictions and counted under 'failed'); {EXIT_INPUT} bad options or not a dataset."),
)
def evaluate(
    dataset: Annotated[Path, typer.Argument(
        help="Dataset folder: CubiCasa5K plan folders (F1_scaled.png + model.svg), R3D images with "
             "<id>_wall/_close/_rooms.png masks, or plan2bim's images/ + gt/*.json.",
        exists=True, file_okay=False, show_default=False)],
    fmt: Annotated[DatasetFormat | None, typer.Option(
        "--format", help="Dataset format. Default: told from the folder's layout.", show_default=False)] = None,
    detector: str = detector_option(),
    settings: Path | None = settings_option(),
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (pooled figures) on stdout.")] = False,
    per_plan: Annotated[Path | None, typer.Option(
        "--per-plan", metavar="CSV", dir_okay=False, help="Write one row per plan (counts and figures).")] = None,
    overlays: Annotated[Path | None, typer.Option(
        "--save-overlays", metavar="DIR", file_okay=False,
        help="Write per plan a PNG: prediction (left) beside ground truth (right).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Score only the first N plans (by id).")] = None,
    workers: Annotated[int, typer.Option("--workers", "-j", min=1, help="Worker processes.")] = 1,
    rasterise: Annotated[int | None, typer.Option(
        "--rasterise", metavar="DPI", min=30,
        help="Drawing sets and synthetic vector sheets: render each page to a PNG without dpi "
             "first, and convert those (the scan's way).")] = None,
) -> None:
    """Score recognition on a dataset with the field's protocol.

    Walls: pixel IoU of the footprints. Doors and windows: precision / recall / F1, centres
    matched one-to-one within 2 % of the image's longer side (R3D, which does not tell doors from
    windows: openings of any kind, and their pixel IoU). Rooms: precision / recall / F1 with
    polygons matched one-to-one at IoU >= 0.7 and >= 0.5, and the mean IoU of the matched rooms;
    outdoor rooms (balconies) are not counted. Figures are pooled over the set (counts summed,
    not ratios averaged). Seconds are the recognition time per plan, no output written.
    """
    from dataclasses import replace

    from plan2bim.tools.evaluate.drawing_sets import evaluate_drawing_sets, is_drawing_sets

    if fmt is None and is_drawing_sets(dataset):
        # PDF drawing sets with page labels: pages, printed scale and room names are scored.
        with user_errors():
            config = replace(base_config(settings), detector=detector)
            summary = {"dataset": str(dataset), "format": "drawing-sets", "detector": detector,
                       **evaluate_drawing_sets(dataset, config, rasterise_dpi=rasterise, limit=limit)}
        if as_json:
            typer.echo(json.dumps(summary, indent=1))
            return
        for k in ("sets", "storeys", "page_precision", "page_recall", "scale_within_5pct",
                  "room_name_recall"):
            console.print(f"{k:18s} {summary[k] if isinstance(summary[k], int) else _f(summary[k])}")
        for ps in summary["per_set"]:
            console.print(f"  {ps['set']}: storeys from pages {ps['storey_pages']}, "
                          f"{ps['seconds']:.1f} s" + (f", error: {ps['error']}" if ps["error"] else ""))
        return
    with user_errors(), tempfile.TemporaryDirectory(prefix="plan2bim-rasterised-") as tmp:
        config = replace(base_config(settings), detector=detector)
        from plan2bim.tools.evaluate import evaluate as run_eval
        from plan2bim.tools.evaluate import write_per_plan_csv

        scored = dataset
        if rasterise is not None:
            from plan2bim.tools.evaluate.vector_sheets import rasterised_sheets

            scored = rasterised_sheets(dataset, rasterise, Path(tmp), limit)
        with _Progress(enabled=err_console.is_terminal) as progress:
            report = run_eval(scored, fmt, config, limit=limit, workers=workers,
                              overlays=overlays, on_plan=progress.advance)
        if per_plan is not None:
            write_per_plan_csv(report.scores, per_plan)
    summary = {"dataset": str(dataset), "format": report.format, "detector": report.detector,
               **report.summary}
    if as_json:
        typer.echo(json.dumps(summary, indent=1))
        return
    console.print(_table(summary))
    for s in report.scores:
        if s.failed:
            err_console.print(f"[red]failed:[/] {s.plan}: {s.error}")
    if per_plan is not None:
        console.print(f"per plan: {per_plan}")
    if overlays is not None:
        console.print(f"overlays: {overlays}")


def _f(v: Any, nd: int = 3) -> str:
    return "-" if v is None else f"{v:.{nd}f}"


def _table(s: dict[str, Any]) -> Any:
    from rich.table import Table

    t = Table(title=f"{s['dataset']} ({s['format']}, {s['plans']} plans, {s['failed']} failed, "
                    f"detector {s['detector']})")
    t.add_column("")
    for c in ("precision", "recall", "F1", "IoU"):
        t.add_column(c, justify="right")
    t.add_row("walls (pixels)", "", "", "", _f(s["wall_iou"]))
    for name, key in (("doors", "door"), ("windows", "window"), ("openings, any kind", "opening")):
        if s[f"{key}_f1"] is not None:
            iou = _f(s["opening_iou"]) if key == "opening" and s["opening_iou"] is not None else ""
            t.add_row(name, _f(s[f"{key}_precision"]), _f(s[f"{key}_recall"]), _f(s[f"{key}_f1"]), iou)
    t.add_row("rooms, IoU >= 0.7", _f(s["room_precision"]), _f(s["room_recall"]), _f(s["room_f1"]), "")
    t.add_row("rooms, IoU >= 0.5", _f(s["room_precision_50"]), _f(s["room_recall_50"]), _f(s["room_f1_50"]),
              _f(s["room_miou"]))
    t.caption = (f"seconds per plan: median {_f(s['seconds_median'], 2)}, p90 {_f(s['seconds_p90'], 2)}; "
                 "room IoU: mean over rooms matched at 0.5")
    return t


class _Progress:
    """A transient bar on stderr while plans are scored (only on a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._bar: Any = None

    def __enter__(self) -> _Progress:
        if self._enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(TextColumn("scoring"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.description}"), TimeElapsedColumn(),
                                 console=err_console, transient=True)
            self._bar.start()
            self._task = self._bar.add_task("", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, score: Any) -> None:
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=score.plan)
