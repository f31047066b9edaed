"""Measuring recognition: ground truth readers, the field's metrics, and a runner over datasets."""

from __future__ import annotations

from plan2bim.tools.evaluate.datasets import (
    FORMATS,
    Annotation,
    Sample,
    annotation_from_model,
    detect_format,
    list_samples,
    load_annotation,
)
from plan2bim.tools.evaluate.metrics import Counts, PlanScore, score_plan, summarize
from plan2bim.tools.evaluate.runner import EvalReport, evaluate, write_per_plan_csv

__all__ = [
    "FORMATS",
    "Annotation",
    "Counts",
    "EvalReport",
    "PlanScore",
    "Sample",
    "annotation_from_model",
    "detect_format",
    "evaluate",
    "list_samples",
    "load_annotation",
    "score_plan",
    "summarize",
    "write_per_plan_csv",
]
