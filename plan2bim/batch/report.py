"""What a batch produced, for people and for spreadsheets: ``report.csv``, ``report.json`` and the
summary table the CLI prints at the end.

One row per plan of the batch, from the manifest (so a resumed batch reports the plans converted
by earlier runs too): its status, counts of walls, doors, windows and spaces, total floor area
(the sum of its spaces' areas, m²), scale (px per metre and how it was found), seconds and error.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plan2bim.batch.manifest import Record
from plan2bim.runtime.tempfiles import temp_path

if TYPE_CHECKING:
    from rich.table import Table

    from plan2bim.batch.core import BatchResult

__all__ = ["COLUMNS", "report_rows", "summary", "summary_table", "write_reports"]

COLUMNS = (
    "input", "status", "storeys", "walls", "doors", "windows", "spaces", "floor_area_m2",
    "px_per_m", "scale_method", "seconds", "cpu_seconds", "peak_mb", "error",
)
"""Columns of ``report.csv``, in order."""


def report_rows(records: Sequence[Record]) -> list[dict[str, Any]]:
    """One flat dict per plan, keyed by :data:`COLUMNS`."""
    return [
        {
            "input": r.key, "status": r.status, "storeys": r.storeys, "walls": r.walls,
            "doors": r.doors, "windows": r.windows, "spaces": r.spaces,
            "floor_area_m2": round(r.floor_area_m2, 2), "px_per_m": r.px_per_m,
            "scale_method": r.scale_method, "seconds": round(r.seconds, 3),
            "cpu_seconds": round(r.cpu_seconds, 3),
            "peak_mb": r.peak_mb, "error": r.error,
        }
        for r in records
    ]


def summary(records: Sequence[Record]) -> dict[str, Any]:
    """Totals over the plans: counts by status, elements, floor area and conversion time."""
    done = [r for r in records if r.status == "done"]
    seconds = sum(r.seconds for r in done)
    return {
        "plans": len(records),
        "done": len(done),
        "failed": sum(r.status == "failed" for r in records),
        "timeout": sum(r.status == "timeout" for r in records),
        "walls": sum(r.walls for r in done),
        "doors": sum(r.doors for r in done),
        "windows": sum(r.windows for r in done),
        "spaces": sum(r.spaces for r in done),
        "floor_area_m2": round(sum(r.floor_area_m2 for r in done), 2),
        "seconds_per_plan": round(seconds / len(done), 3) if done else None,
        "cpu_seconds_per_plan": round(sum(r.cpu_seconds for r in done) / len(done), 3) if done else None,
        "peak_mb": max((r.peak_mb for r in records if r.peak_mb), default=None),
    }


def write_reports(records: Sequence[Record], outdir: Path) -> list[Path]:
    """Write ``outdir/report.csv`` and ``outdir/report.json`` (each atomically); return both paths."""
    rows = report_rows(records)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    plans = [
        {**row, "source": r.source, "sha256": r.sha256, "outputs": r.outputs,
         "timings": r.timings, "attempts": r.attempts}
        for row, r in zip(rows, records, strict=True)
    ]
    doc = {"summary": summary(records), "plans": plans}
    out = [Path(outdir) / "report.csv", Path(outdir) / "report.json"]
    _write_atomic(out[0], buf.getvalue())
    _write_atomic(out[1], json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    return out


def _write_atomic(path: Path, text: str) -> None:
    # Not mkstemp: its files are private (0600); a report is as readable as any output.
    tmp = temp_path(path, "tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def summary_table(result: BatchResult, *, max_errors: int = 20) -> list[Table]:
    """The end-of-batch summary as rich tables: totals, then the plans that failed and why."""
    from rich.table import Table

    s = summary(result.records)
    totals = Table(title="plan2bim batch", show_header=False, title_justify="left")
    totals.add_column(style="bold")
    totals.add_column(justify="right")
    rate = result.converted / result.seconds if result.seconds > 0 else 0.0
    for label, value in (
        ("plans", s["plans"]),
        ("converted now", result.converted),
        ("done earlier (skipped)", result.skipped),
        ("failed", result.failed),
        ("timed out", result.timed_out),
        ("failed earlier (not retried)", result.skipped_failed),
        ("walls / doors / windows", f"{s['walls']} / {s['doors']} / {s['windows']}"),
        ("spaces", s["spaces"]),
        ("floor area", f"{s['floor_area_m2']:,.1f} m²"),
        ("time", f"{result.seconds:.1f} s" + (f" ({rate:.2f} plans/s)" if rate else "")),
    ):
        if value or label in ("plans", "converted now"):
            totals.add_row(label, str(value))
    tables = [totals]
    bad = [r for r in result.records if r.status != "done"]
    if bad:
        errors = Table(title=f"{len(bad)} plan(s) not converted", title_justify="left")
        errors.add_column("input", overflow="fold")
        errors.add_column("status")
        errors.add_column("error", overflow="fold")
        for r in bad[:max_errors]:
            errors.add_row(r.key, r.status, r.error)
        if len(bad) > max_errors:
            errors.add_row(f"... and {len(bad) - max_errors} more", "", "see the manifest or --report")
        tables.append(errors)
    return tables
