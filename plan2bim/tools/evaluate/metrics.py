"""The field's scoring protocol: one plan's counts from two annotations, pooled over a set.

- walls: pixel IoU of the footprints;
- doors, windows: one-to-one matching of centres within ``OPENING_TOLERANCE`` x max(W, H)
  (the Raster-to-Vector tolerance), precision / recall / F1 per kind; also without the kind
  (``opening``), the only way to score R3D, whose doors and windows share one mask;
- rooms: one-to-one matching of polygons at IoU >= 0.7 (and >= 0.5, as RoomFormer and
  Raster2Seq report), precision / recall / F1, and the mean IoU of the rooms matched at 0.5;
  predicted rooms mostly inside an ignored (outdoor) region are not counted;
- openings by pixel IoU where the ground truth has an opening mask.

A plan's figures are kept as counts (true/false positives, intersections, unions) so that a
set is scored by summing them: pooled figures, not means of per-plan ratios.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import shapely
from scipy.optimize import linear_sum_assignment

from plan2bim.tools.evaluate.datasets import Annotation

__all__ = [
    "OPENING_TOLERANCE",
    "ROOM_IOU",
    "ROOM_IOU_LOOSE",
    "Counts",
    "PlanScore",
    "match_points",
    "match_rooms",
    "score_plan",
    "summarize",
]

OPENING_TOLERANCE = 0.02
"""Opening centres match within this fraction of the image's longer side."""
ROOM_IOU = 0.7
ROOM_IOU_LOOSE = 0.5
IGNORE_OVERLAP = 0.5
"""A predicted room with more than this fraction of its area in an ignored region is not counted."""


class Counts(NamedTuple):
    """Detection counts; they add up over plans."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp, self)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn, self)

    @property
    def f1(self) -> float:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn, self)


def _ratio(num: float, den: float, c: Counts) -> float:
    # 0/0: nothing to find and nothing claimed is perfect; otherwise a miss or a false alarm is 0.
    if den:
        return num / den
    return 1.0 if c.fp == 0 and c.fn == 0 else 0.0


def _iou(inter: int, union: int) -> float:
    return inter / union if union else 1.0


def _assign(valid: np.ndarray, quality: np.ndarray) -> list[tuple[int, int]]:
    """One-to-one pairs among ``valid`` ones: as many as possible, then the best by ``quality`` (0..1)."""
    if not valid.any():
        return []
    # The count term (1 per pair) outweighs any sum of tie-breaking terms (< 1e-6 each).
    gain = np.where(valid, 1.0 + 1e-6 * np.clip(quality, 0.0, 1.0), 0.0)
    rows, cols = linear_sum_assignment(gain, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if valid[r, c]]


def match_points(pred: np.ndarray, gt: np.ndarray, tol: float) -> Counts:
    """Match (N, 2) predicted centres to (M, 2) true ones one-to-one within ``tol`` pixels."""
    pred = np.asarray(pred, float).reshape(-1, 2)
    gt = np.asarray(gt, float).reshape(-1, 2)
    if len(pred) == 0 or len(gt) == 0:
        return Counts(0, len(pred), len(gt))
    d = np.linalg.norm(pred[:, None, :] - gt[None, :, :], axis=2)
    tp = len(_assign(d <= tol, 1.0 - d / max(tol, 1e-9)))
    return Counts(tp, len(pred) - tp, len(gt) - tp)


def _iou_matrix(pred: list, gt: list) -> np.ndarray:
    m = np.zeros((len(pred), len(gt)))
    if not pred or not gt:
        return m
    tree = shapely.STRtree(gt)
    ip, ig = tree.query(pred, predicate="intersects")
    if len(ip) == 0:
        return m
    a, b = np.asarray(pred, dtype=object)[ip], np.asarray(gt, dtype=object)[ig]
    inter = shapely.area(shapely.intersection(a, b))
    union = shapely.area(a) + shapely.area(b) - inter
    m[ip, ig] = np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)
    return m


class RoomMatch(NamedTuple):
    strict: Counts
    """Matched at IoU >= ROOM_IOU."""
    loose: Counts
    """Matched at IoU >= ROOM_IOU_LOOSE."""
    iou_sum: float
    """Sum of the IoUs of the pairs matched loosely (for their mean)."""


def _counted(pred: list, ignore: list) -> list:
    """Predicted rooms, less those lying mostly inside an ignored region."""
    if not ignore or not pred:
        return list(pred)
    region = shapely.union_all(ignore)
    inside = shapely.area(shapely.intersection(np.asarray(pred, dtype=object), region))
    return [p for p, a in zip(pred, inside, strict=True) if a <= IGNORE_OVERLAP * p.area]


def match_rooms(pred: list, gt: list, ignore: list | None = None) -> RoomMatch:
    """Match predicted room polygons to true ones one-to-one at both IoU thresholds."""
    pred = _counted(pred, ignore or [])
    iou = _iou_matrix(pred, gt)
    out = []
    for t in (ROOM_IOU, ROOM_IOU_LOOSE):
        tp = len(_assign(iou >= t, iou))
        out.append(Counts(tp, len(pred) - tp, len(gt) - tp))
    pairs = _assign(iou >= ROOM_IOU_LOOSE, iou)
    return RoomMatch(out[0], out[1], float(sum(iou[r, c] for r, c in pairs)))


@dataclass
class PlanScore:
    """One plan's counts; add them up over a set with :func:`summarize`."""

    plan: str
    seconds: float = 0.0
    failed: bool = False
    error: str = ""
    wall_inter: int = 0
    wall_union: int = 0
    typed_openings: bool = True
    door: Counts = field(default_factory=Counts)
    window: Counts = field(default_factory=Counts)
    opening: Counts = field(default_factory=Counts)
    opening_inter: int = 0
    opening_union: int = 0
    has_opening_mask: bool = False
    room: Counts = field(default_factory=Counts)
    room_50: Counts = field(default_factory=Counts)
    room_iou_sum: float = 0.0
    scale_error: float | None = None
    """Relative error of the predicted scale, where the truth records one (drawing sheets)."""
    swing: tuple[int, int] | None = None
    """(swing doors found with the right hinge side, true swing doors), where the truth tells."""

    @property
    def wall_iou(self) -> float:
        return _iou(self.wall_inter, self.wall_union)

    def row(self) -> dict[str, Any]:
        """A flat record for the per-plan CSV: counts and this plan's own ratios."""
        r: dict[str, Any] = {"plan": self.plan, "seconds": round(self.seconds, 3),
                             "failed": self.failed, "error": self.error,
                             "wall_iou": round(self.wall_iou, 4)}
        kinds = ("door", "window", "opening") if self.typed_openings else ("opening",)
        for name in (*kinds, "room", "room_50"):
            c: Counts = getattr(self, name)
            r.update({f"{name}_tp": c.tp, f"{name}_fp": c.fp, f"{name}_fn": c.fn,
                      f"{name}_f1": round(c.f1, 4)})
        r["room_miou"] = round(self.room_iou_sum / self.room_50.tp, 4) if self.room_50.tp else None
        r["opening_iou"] = (round(_iou(self.opening_inter, self.opening_union), 4)
                            if self.has_opening_mask else None)
        if self.scale_error is not None:
            r["scale_error"] = round(self.scale_error, 5)
        return r


def _points(ann: Annotation, kind: str | None) -> np.ndarray:
    return np.array([c for k, c in ann.openings if kind is None or k == kind], float).reshape(-1, 2)


def _pixels(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    return int(np.count_nonzero(a & b)), int(np.count_nonzero(a | b))


def _same_grid(mask: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    if mask is None:
        return np.zeros(shape, bool)
    if mask.shape != shape:
        raise ValueError(f"masks differ in size: {mask.shape} vs {shape}")
    return mask


def score_plan(pred: Annotation, gt: Annotation, plan: str = "", seconds: float = 0.0) -> PlanScore:
    """Score one prediction against its ground truth (both on the ground truth's pixel grid)."""
    shape = gt.wall_mask.shape
    s = PlanScore(plan=plan, seconds=seconds, typed_openings=gt.typed_openings)
    s.wall_inter, s.wall_union = _pixels(_same_grid(pred.wall_mask, shape), gt.wall_mask)
    tol = OPENING_TOLERANCE * max(gt.image_size)
    if gt.typed_openings:
        s.door = match_points(_points(pred, "door"), _points(gt, "door"), tol)
        s.window = match_points(_points(pred, "window"), _points(gt, "window"), tol)
    s.opening = match_points(_points(pred, None), _points(gt, None), tol)
    if gt.opening_mask is not None:
        s.has_opening_mask = True
        s.opening_inter, s.opening_union = _pixels(_same_grid(pred.opening_mask, shape), gt.opening_mask)
    rooms = match_rooms(pred.rooms, gt.rooms, gt.ignore)
    s.room, s.room_50, s.room_iou_sum = rooms.strict, rooms.loose, rooms.iou_sum
    return s


def _prf(prefix: str, c: Counts, suffix: str = "") -> dict[str, float]:
    return {f"{prefix}_precision{suffix}": c.precision, f"{prefix}_recall{suffix}": c.recall,
            f"{prefix}_f1{suffix}": c.f1}


def _total(scores: list[PlanScore], name: str) -> Counts:
    cs = [getattr(s, name) for s in scores]
    return Counts(sum(c.tp for c in cs), sum(c.fp for c in cs), sum(c.fn for c in cs))


def summarize(scores: list[PlanScore]) -> dict[str, Any]:
    """Pooled figures over a set of plans: counts summed first, ratios taken last.

    Door and window figures are None where no plan's ground truth tells them apart (R3D);
    ``opening_iou`` is None where no plan has an opening mask.
    """
    typed = [s for s in scores if s.typed_openings]
    masked = [s for s in scores if s.has_opening_mask]
    secs = [s.seconds for s in scores]
    out: dict[str, Any] = {
        "plans": len(scores),
        "failed": sum(s.failed for s in scores),
        "wall_iou": _iou(sum(s.wall_inter for s in scores), sum(s.wall_union for s in scores)),
    }
    for kind in ("door", "window"):
        if typed:
            out.update(_prf(kind, _total(typed, kind)))
        else:
            out.update(dict.fromkeys(_prf(kind, Counts()), None))
    out.update(_prf("opening", _total(scores, "opening")))
    out["opening_iou"] = (_iou(sum(s.opening_inter for s in masked), sum(s.opening_union for s in masked))
                          if masked else None)
    out.update(_prf("room", _total(scores, "room")))
    loose = _total(scores, "room_50")
    out.update(_prf("room", loose, "_50"))
    out["room_miou"] = sum(s.room_iou_sum for s in scores) / loose.tp if loose.tp else 0.0
    out["seconds_median"] = statistics.median(secs) if secs else 0.0
    out["seconds_p90"] = float(np.percentile(secs, 90)) if secs else 0.0
    out["seconds_total"] = float(sum(secs))
    out["counts"] = {name: _total(scores, name)._asdict()
                     for name in ("door", "window", "opening", "room", "room_50")}
    scaled = [s.scale_error for s in scores if s.scale_error is not None]
    if scaled:  # sheets whose truth records the scale: the share within 1%
        out["scale_within_1pct"] = sum(e <= 0.01 for e in scaled) / len(scaled)
    swings = [s.swing for s in scores if s.swing is not None]
    if swings and sum(n for _, n in swings):
        out["door_swing_right"] = sum(r for r, _ in swings) / sum(n for _, n in swings)
    return out

