"""Run the pipeline over a dataset and score every plan: the layer under ``plan2bim eval``.

A plan that fails to convert is not skipped: it is scored as an empty prediction (zeros), so
that a pipeline that gives up on hard plans cannot look better than one that tries.
"""

from __future__ import annotations

import csv
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from plan2bim.config import Config
from plan2bim.errors import Plan2BimError
from plan2bim.tools.evaluate.datasets import (
    Sample,
    annotation_from_model,
    empty_annotation,
    list_samples,
    load_annotation,
)
from plan2bim.tools.evaluate.metrics import OPENING_TOLERANCE, PlanScore, score_plan, summarize
from plan2bim.tools.evaluate.vector_sheets import scale_error, swing_agreement, truth_scale

log = logging.getLogger(__name__)

__all__ = ["EvalReport", "evaluate", "evaluate_sample", "write_per_plan_csv"]

MP_CONTEXT = "spawn"
"""Worker start method: spawn, because forking a parent that holds runtime threads (onnxruntime,
OpenCV) can deadlock."""


@dataclass
class EvalReport:
    dataset: str
    format: str
    detector: str
    scores: list[PlanScore]
    summary: dict[str, Any]


def _build(path: Path, config: Config) -> Any:
    """The pipeline's recognition, imported late (tests replace this function)."""
    from plan2bim.pipeline import build_model

    return build_model(path, config)


def evaluate_sample(sample: Sample, config: Config | None = None, overlays: Path | None = None) -> PlanScore:
    """Convert one plan (recognition only, no output files), time it and score it."""
    from plan2bim.export.json import building_to_dict

    config = config or Config()
    gt = load_annotation(sample)
    result = None
    t0 = time.perf_counter()
    try:
        result = _build(sample.image, config)
        seconds = time.perf_counter() - t0
        data = building_to_dict(result.building)
        sizes = {tuple(s["image_size_px"]) for s in data["storeys"]}
        if sizes - {gt.image_size}:
            log.warning("%s: predicted image size %s differs from the ground truth's %s",
                        sample.id, sorted(sizes), gt.image_size)
        pred = annotation_from_model(data, image_size=gt.image_size)
        error = ""
    except Plan2BimError as e:
        seconds, error = time.perf_counter() - t0, str(e)
        log.warning("%s: conversion failed: %s", sample.id, e)
    except Exception as e:  # a bug; scored as a failure so that one plan cannot stop a long run
        seconds, error = time.perf_counter() - t0, f"{type(e).__name__}: {e}"
        log.exception("%s: conversion crashed", sample.id)
    if error:
        pred = empty_annotation(gt.image_size)
    score = score_plan(pred, gt, plan=sample.id, seconds=seconds)
    score.failed, score.error = bool(error), error
    if sample.format == "plan2bim":  # sheets whose truth records the scale (synthetic PDFs)
        score.scale_error = scale_error(None if error else data, truth_scale(sample.gt))
        score.swing = swing_agreement(None if error else data, sample.gt, OPENING_TOLERANCE * max(gt.image_size))
    if overlays is not None:
        _save_overlay(sample, result, pred, gt, score, Path(overlays))
    return score


def _save_overlay(sample: Sample, result: Any, pred: Any, gt: Any, score: PlanScore, outdir: Path) -> None:
    import cv2

    from plan2bim.tools.evaluate.overlay import side_by_side

    image = None
    if result is not None and getattr(result, "images", None):
        image = cv2.cvtColor(result.images[0], cv2.COLOR_RGB2BGR)
    else:
        image = cv2.imread(str(sample.image), cv2.IMREAD_COLOR)
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / f"{sample.id}.png"
    if not cv2.imwrite(str(path), side_by_side(image, pred, gt, score)):
        log.warning("%s: could not write %s", sample.id, path)


def _init_worker() -> None:
    import cv2

    # The processes share the cores; threads inside each would only fight (onnxruntime reads
    # its share from OMP_NUM_THREADS, see ``learned.session_threads``).
    os.environ["OMP_NUM_THREADS"] = "1"
    cv2.setNumThreads(1)


def evaluate(
    root: Path,
    fmt: str | None = None,
    config: Config | None = None,
    *,
    limit: int | None = None,
    workers: int = 1,
    overlays: Path | None = None,
    on_plan: Callable[[PlanScore], None] | None = None,
) -> EvalReport:
    """Convert and score every plan of the dataset at ``root`` (the first ``limit`` by id).

    ``workers`` > 1 converts in that many processes; ``on_plan`` is called, in this process,
    as each plan is scored (for progress display).
    """
    config = config or Config()
    samples = list_samples(Path(root), fmt)
    if limit is not None:
        samples = samples[: max(limit, 0)]
    run = partial(evaluate_sample, config=config, overlays=overlays)
    scores: list[PlanScore | None] = [None] * len(samples)
    if workers <= 1 or len(samples) <= 1:
        for i, sample in enumerate(samples):
            scores[i] = run(sample)
            if on_plan:
                on_plan(scores[i])  # type: ignore[arg-type]
    else:
        ctx = multiprocessing.get_context(MP_CONTEXT)
        with ProcessPoolExecutor(min(workers, len(samples)), mp_context=ctx, initializer=_init_worker) as pool:
            futures = {pool.submit(run, s): i for i, s in enumerate(samples)}
            for fut in as_completed(futures):
                scores[futures[fut]] = fut.result()
                if on_plan:
                    on_plan(fut.result())
    done = [s for s in scores if s is not None]
    return EvalReport(str(root), samples[0].format, config.detector, done, summarize(done))


def write_per_plan_csv(scores: list[PlanScore], path: Path) -> None:
    """One row per plan: its counts and figures, for finding the plans that fail."""
    rows = [s.row() for s in scores]
    fields: list[str] = []
    for r in rows:
        fields += [k for k in r if k not in fields]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
