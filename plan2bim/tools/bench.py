"""Timing and memory of full conversions (all outputs written): the layer under ``plan2bim bench``.

Each plan is converted with :func:`plan2bim.pipeline.convert_file` into a temporary folder
that is removed afterwards. Reported per stage and in total: median and 90th percentile seconds
per plan, megapixels per second, and peak resident memory. With several worker processes,
the batch's throughput (plans per second of wall-clock time) and each worker's peak, and the
peak of all processes together (sampled), are reported too.
"""

from __future__ import annotations

import logging
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from plan2bim.config import Config
from plan2bim.errors import InputError, Plan2BimError

log = logging.getLogger(__name__)

__all__ = ["STAGES", "BenchReport", "ColdStart", "PlanTiming", "bench", "cold_start", "find_plans"]

STAGES: tuple[str, ...] = ("load", "preprocess", "detect", "vectorize", "model", "export")
MP_CONTEXT = "spawn"
_SAMPLE_SECONDS = 0.05


def find_plans(root: Path) -> list[Path]:
    """Plans under ``root`` (recursively, sorted) by the rule every command shares
    (:mod:`plan2bim.runtime.files`: no masks beside their plan, no overlays, nothing hidden)."""
    from plan2bim.runtime.files import walk_plans

    root = Path(root)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError(f"{root}: no such folder")
    out = sorted(walk_plans(root))
    if not out:
        raise InputError(f"{root}: no plan images or PDFs found")
    return out


@dataclass
class PlanTiming:
    plan: str
    seconds: float
    """Wall-clock seconds of the whole conversion (all stages and all outputs)."""
    stages: dict[str, float] = field(default_factory=dict)
    megapixels: float = 0.0
    peak_rss_mb: float = 0.0
    """Peak resident memory of the process that converted this plan, after it (MiB)."""
    pid: int = 0
    error: str = ""


@dataclass
class BenchReport:
    plans: list[PlanTiming]
    workers: int
    wall_seconds: float
    peak_rss_total_mb: float
    """Peak of the resident memory of this process and its workers together, sampled (MiB)."""
    summary: dict[str, Any]


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB on Linux


def _warm_up(config: Config | None = None) -> None:
    """Pay the one-off costs (imports, model session, writers) before timing: the shared warm-up."""
    from plan2bim.runtime.workers import warm_up

    warm_up(config)


def _init_worker(config: Config | None = None) -> None:
    _warm_up(config)


def _convert(path: Path, config: Config, outdir: Path) -> Any:
    """The pipeline's full conversion, imported late (tests replace this function)."""
    from plan2bim.export import DEFAULT_FORMATS
    from plan2bim.pipeline import convert_file

    return convert_file(path, outdir, config=config, formats=DEFAULT_FORMATS)


def bench_one(path: Path, config: Config, root: Path) -> PlanTiming:
    """Convert one plan with every output into a scratch folder and time it."""
    name = _name(path, root)
    scratch = Path(tempfile.mkdtemp(prefix="plan2bim-bench-"))
    t0 = time.perf_counter()
    try:
        result = _convert(path, config, scratch)
        seconds = time.perf_counter() - t0
        stages = {k: float(v) for k, v in result.timings.items()}
        mp = getattr(result, "megapixels", 0.0) or sum(im.shape[0] * im.shape[1] for im in result.images) / 1e6
        error = ""
    except Plan2BimError as e:
        seconds, stages, mp, error = time.perf_counter() - t0, {}, 0.0, str(e)
        log.warning("%s: conversion failed: %s", name, e)
    except Exception as e:  # a bug; recorded so that one plan cannot stop the measurement
        seconds, stages, mp, error = time.perf_counter() - t0, {}, 0.0, f"{type(e).__name__}: {e}"
        log.exception("%s: conversion crashed", name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return PlanTiming(name, seconds, stages, mp, _peak_rss_mb(), os.getpid(), error)


def _name(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path != root and root in path.parents else path.name


class _RssSampler:
    """Samples the summed RSS of this process and its children in a thread (psutil)."""

    def __init__(self) -> None:
        import psutil

        self._proc = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        import psutil

        total = 0
        for p in [self._proc, *self._proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass  # the process ended between listing and reading
        self.peak = max(self.peak, total)

    def _run(self) -> None:
        while not self._stop.wait(_SAMPLE_SECONDS):
            self._sample()

    def __enter__(self) -> _RssSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def _stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {"median": 0.0, "p90": 0.0}
    return {"median": float(np.median(values)), "p90": float(np.percentile(values, 90))}


def summarize(report: BenchReport) -> dict[str, Any]:
    ok = [p for p in report.plans if not p.error]
    total_s = sum(p.seconds for p in ok)
    per_worker: dict[int, float] = {}
    for p in report.plans:
        per_worker[p.pid] = max(per_worker.get(p.pid, 0.0), p.peak_rss_mb)
    return {
        "plans": len(report.plans),
        "failed": len(report.plans) - len(ok),
        "workers": report.workers,
        "seconds": _stats([p.seconds for p in ok]),
        "stages": {s: _stats([p.stages.get(s, 0.0) for p in ok]) for s in STAGES},
        "megapixels_median": float(np.median([p.megapixels for p in ok])) if ok else 0.0,
        "megapixels_per_second": sum(p.megapixels for p in ok) / total_s if total_s else 0.0,
        "plans_per_second": len(report.plans) / report.wall_seconds if report.wall_seconds else 0.0,
        "wall_seconds": report.wall_seconds,
        "peak_rss_mb": max(per_worker.values(), default=0.0),
        "peak_rss_per_worker_mb": sorted(per_worker.values(), reverse=True),
        "peak_rss_total_mb": report.peak_rss_total_mb,
    }


def bench(
    root: Path,
    config: Config | None = None,
    *,
    workers: int = 1,
    limit: int | None = None,
    on_plan: Callable[[PlanTiming], None] | None = None,
) -> BenchReport:
    """Convert every plan under ``root`` (the first ``limit``) with all outputs, and measure.

    ``workers`` == 1 converts in this process, so the peak memory is this process's;
    more converts in that many processes, each warmed up (its imports done) before timing.
    """
    config = config or Config()
    root = Path(root)
    paths = find_plans(root)[: limit if limit is not None else None]
    run = partial(bench_one, config=config, root=root)
    timings: list[PlanTiming | None] = [None] * len(paths)
    with _RssSampler() as rss:
        if workers <= 1:
            _warm_up(config)
            t0 = time.perf_counter()
            for i, p in enumerate(paths):
                timings[i] = run(p)
                if on_plan:
                    on_plan(timings[i])  # type: ignore[arg-type]
            wall = time.perf_counter() - t0
        else:
            from plan2bim.runtime.workers import PoolFailure, run_pool

            index = {p: i for i, p in enumerate(paths)}
            # The clock starts when every worker has started and warmed up.
            t0 = time.perf_counter()
            starting = [min(workers, len(paths))]

            def ready() -> None:
                nonlocal t0
                starting[0] -= 1
                if starting[0] == 0:
                    t0 = time.perf_counter()

            for p, out in run_pool(paths, run, workers=workers, warm=partial(_init_worker, config),
                                   on_ready=ready, context=MP_CONTEXT):
                if isinstance(out, PoolFailure):
                    out = PlanTiming(_name(p, root), out.seconds, error=f"worker {out.status} "
                                     f"{out.detail}".strip())
                timings[index[p]] = out
                if on_plan:
                    on_plan(out)
            wall = time.perf_counter() - t0
    done = [t for t in timings if t is not None]
    report = BenchReport(done, workers, wall, rss.peak / 2**20, {})
    report.summary = summarize(report)
    return report


@dataclass
class ColdStart:
    """``plan2bim convert PLAN`` run as a fresh process, as a user runs it: interpreter start,
    imports, model session and all default outputs included."""

    plan: str
    runs: int
    wall_seconds: dict[str, float]
    """min, median and max over the runs."""
    cpu_seconds: dict[str, float]
    """User + system seconds of the process, min, median and max."""
    peak_rss_mb: float
    """The largest peak resident memory of one run (MiB)."""
    exit_codes: list[int]


def cold_start(plan: Path, runs: int = 5, *, settings: Path | None = None,
               detector: str = "hybrid") -> ColdStart:
    """Time ``runs`` fresh ``python -m plan2bim convert`` processes of ``plan`` (after one
    unmeasured run that warms the disk cache), each writing into its own scratch folder."""
    import subprocess

    if runs < 1:
        raise InputError("cold start: at least one run")
    walls: list[float] = []
    cpus: list[float] = []
    peaks: list[float] = []
    codes: list[int] = []
    extra = ["--detector", detector] + (["--settings", str(settings)] if settings else [])
    for i in range(runs + 1):
        scratch = Path(tempfile.mkdtemp(prefix="plan2bim-cold-"))
        cmd = [sys.executable, "-m", "plan2bim", "convert", str(plan), "-o", str(scratch), *extra]
        try:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if i == 0:
            continue
        walls.append(wall)
        cpus.append(usage.ru_utime + usage.ru_stime)
        peaks.append(usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10))
        codes.append(proc.returncode)

    def spread(v: list[float]) -> dict[str, float]:
        return {"min": float(min(v)), "median": float(np.median(v)), "max": float(max(v))}

    return ColdStart(str(plan), runs, spread(walls), spread(cpus), float(max(peaks)), codes)
