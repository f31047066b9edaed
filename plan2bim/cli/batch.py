"""``plan2bim batch``: convert an archive of plans, resumably, on this machine or a Dask cluster.

On a real Dask cluster
----------------------
Start a scheduler and workers (one thread each: a plan is CPU-bound Python and OpenCV), on
machines that all have plan2bim installed (same version) and see the inputs and OUTDIR at the same
paths, e.g. an NFS or Lustre mount::

    dask scheduler --port 8786                                        # on the head node
    dask worker tcp://head:8786 --nworkers 16 --nthreads 1 --memory-limit 4GiB   # on each node

    plan2bim batch /mnt/archive -o /mnt/bim --scheduler tcp://head:8786 --report

Or through a job queue with ``dask-jobqueue`` (SLURM, PBS): start the cluster in Python, scale
it, and pass ``cluster.scheduler_address`` to ``--scheduler``. The command itself only submits
plans and writes the manifest as results arrive, so it can run on a login node; killing it and
running it again resumes from the manifest. Without a cluster, ``--dask`` starts a LocalCluster
of ``--workers`` processes on this machine (``--workers`` alone uses a plain process pool, which
is the better choice on one machine).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Annotated

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
from plan2bim.config import Config
from plan2bim.errors import Plan2BimError
from plan2bim.export import FORMATS as _FORMATS  # the writer registry: light, imports no writer

log = logging.getLogger("plan2bim")


@app.command(
    "batch",
    epilog=(
        f"Exit codes: {EXIT_OK} every plan converted (now or by an earlier run); "
        f"{EXIT_PARTIAL} the batch finished but some plans failed or timed out (see the summary, "
        f"the manifest OUTDIR/.plan2bim-manifest.sqlite, or --report); "
        f"{EXIT_INPUT} bad options, an input that does not exist, no plan found, or OUTDIR in use "
        "by another batch; 130 interrupted (finished plans are kept: run the command again to resume)."
    ),
)
def batch(
    inputs: Annotated[list[str] | None, typer.Argument(
        help="Plan files, folders (searched recursively for png jpg jpeg tif tiff bmp pdf) or glob "
             "patterns (quote them: 'scans/**/*.pdf').", show_default=False)] = None,
    outdir: Annotated[Path, typer.Option(
        "--outdir", "-o", help="Output folder; the inputs' folder layout is kept under it.",
        file_okay=False)] = ...,  # type: ignore[assignment]
    from_list: Annotated[str | None, typer.Option(
        "--from-list", metavar="FILE",
        help="Read more inputs from FILE, one a line ('-' for stdin; # comments).")] = None,
    formats: Annotated[str, typer.Option(
        "--formats", help="Comma-separated outputs: ifc, glb, json, overlay.")] = ",".join(_FORMATS),
    workers: Annotated[int | None, typer.Option(
        "--workers", "-j", min=1, help="Worker processes. Default: the number of CPUs.",
        show_default=False)] = None,
    timeout_per_plan: Annotated[float | None, typer.Option(
        "--timeout-per-plan", metavar="SECONDS", min=0.001,
        help="Stop a plan that takes longer and record it as timed out.")] = None,
    retry_failed: Annotated[bool, typer.Option(
        "--retry-failed", help="Also retry plans that failed or timed out before. Without it, "
                               "a failed plan is retried only if the file or the options changed.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Convert every plan again, even those done and unchanged.")] = False,
    report: Annotated[bool, typer.Option(
        "--report", help="Write OUTDIR/report.csv and OUTDIR/report.json (one row per plan).")] = False,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", metavar="ADDRESS",
        help="Run on an existing Dask cluster, e.g. tcp://head:8786.")] = None,
    dask: Annotated[bool, typer.Option(
        "--dask", help="Run on a Dask LocalCluster of --workers processes started here.")] = False,
    scale: Annotated[float | None, typer.Option(
        "--scale", min=0.001, help="Scale of every input in pixels per metre (skips estimation).")] = None,
    dpi: Annotated[float | None, typer.Option(
        "--dpi", min=1, help="Scan resolution, with --drawing-scale; on PDFs, the resolution "
                             "pages are read at (default 150).")] = None,
    drawing_scale: Annotated[str | None, typer.Option(
        "--drawing-scale", help="Drawing scale, e.g. 1:100 (with --dpi, or for PDFs).")] = None,
    wall_height: Annotated[float, typer.Option(
        "--wall-height", min=0.5, max=20, help="Storey wall height in metres.")] = Config.wall_height,
    pages: Annotated[str | None, typer.Option(
        "--pages", help="PDF pages to use, e.g. 1,3 or 2-4 (default: all).")] = None,
    detector: Annotated[str | None, typer.Option(
        "--detector", help="Detector to use (default: the best one installed).", show_default=False)] = None,
    max_pages: Annotated[int, typer.Option(
        "--max-pages", min=1, help="A plan with more pages to read than this fails.")] = 100,
    settings: Annotated[Path | None, typer.Option(
        "--settings", metavar="FILE", dir_okay=False,
        help="TOML file overriding recognition settings (see `plan2bim settings --show`).")] = None,
) -> None:
    """Convert many plans into OUTDIR, in parallel, resumably.

    A manifest in OUTDIR records each plan's content hash, options, status, outputs, timings,
    scale and error, so running the same command again skips what is done and unchanged,
    converts what is new or changed, and (with --retry-failed) retries what failed. Killing the
    command, even with kill -9, loses no finished plan and leaves no half-written file. A plan
    that fails never stops the batch. A multi-page PDF gives one building, a storey per page.
    """
    if scheduler and dask:
        err_console.print("[bold red]error:[/] use --scheduler or --dask, not both")
        raise typer.Exit(EXIT_INPUT)
    with user_errors():
        from plan2bim.batch import run_batch
        from plan2bim.cli.options import base_config, parse_formats, parse_pages, scale_fields
        from plan2bim.raster.detect import default_detector

        fields = scale_fields(scale, dpi, drawing_scale)
        if scale is not None and (dpi is not None or drawing_scale is not None):
            raise Plan2BimError("--scale gives the scale itself: use it without --dpi and "
                                "--drawing-scale")
        if dpi is not None and drawing_scale is None:
            log.warning("--dpi without --drawing-scale only sets the resolution PDF pages are "
                        "read at; images are scaled from their doors")
        config = replace(
            base_config(settings), **fields, wall_height=wall_height, pages=parse_pages(pages),
            detector=detector or default_detector(), max_pages=max_pages,
        )
        with _BarProgress() as progress:
            result = run_batch(
                inputs or [], outdir, config, parse_formats(formats), from_list=from_list,
                workers=workers, timeout=timeout_per_plan, retry_failed=retry_failed, force=force,
                scheduler=scheduler, dask=dask, report=report, progress=progress)
    from plan2bim.batch.report import summary_table

    for table in summary_table(result):
        console.print(table)
    for path in result.reports:
        console.print(f"report: {path}")
    raise typer.Exit(EXIT_OK if result.ok else EXIT_PARTIAL)


class _BarProgress:
    """The batch's progress as a rich bar on stderr: plans done, failures, ETA."""

    def __enter__(self) -> _BarProgress:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("[green]{task.fields[done]} ok[/] [red]{task.fields[failed]} failed[/]"),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=err_console, transient=True,  # the summary table takes its place
        )
        self._bar.start()
        self._task = self._bar.add_task("finding plans", total=None, done=0, failed=0)
        self._done = self._failed = 0
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    # the Progress hooks of plan2bim.batch.core
    def planned(self, todo: int, skipped: int) -> None:
        what = f"converting ({skipped} unchanged, skipped)" if skipped else "converting"
        self._bar.update(self._task, description=what, total=todo, completed=0)
        self._bar.reset(self._task, total=todo, description=what, done=0, failed=0)

    def started(self, job: object) -> None:
        pass

    def finished(self, record: object) -> None:
        ok = getattr(record, "status", "") == "done"
        self._done += ok
        self._failed += not ok
        self._bar.update(self._task, advance=1, done=self._done, failed=self._failed)
        if not ok:
            self._bar.console.print(f"[red]{record.status}:[/] {record.error}")  # type: ignore[attr-defined]
