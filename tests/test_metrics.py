"""The scoring protocol on hand-made cases whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import box

from plan2bim.tools.evaluate.datasets import Annotation, empty_annotation, rasterize
from plan2bim.tools.evaluate.metrics import Counts, match_points, match_rooms, score_plan, summarize

W, H = 400, 300  # tolerance for openings: 0.02 * 400 = 8 px


def _ann(walls=(), openings=(), rooms=(), ignore=(), opening_mask=None, typed=True) -> Annotation:
    return Annotation(
        image_size=(W, H),
        wall_mask=rasterize(list(walls), (W, H)),
        openings=list(openings),
        rooms=list(rooms),
        ignore=list(ignore),
        opening_mask=opening_mask,
        typed_openings=typed,
    )


def _plan(dx: float = 0.0) -> Annotation:
    """Two rooms side by side, their walls, a door and two windows; everything moved by dx px."""
    walls = [box(20 + dx, 20, 380 + dx, 30), box(20 + dx, 270, 380 + dx, 280), box(195 + dx, 30, 205 + dx, 270)]
    openings = [("door", (200 + dx, 150)), ("window", (100 + dx, 25)), ("window", (300 + dx, 25))]
    rooms = [box(30 + dx, 30, 195 + dx, 270), box(205 + dx, 30, 370 + dx, 270)]
    return _ann(walls, openings, rooms)


def test_perfect_prediction_scores_one():
    gt = _plan()
    s = score_plan(gt, gt)
    assert s.wall_iou == 1.0
    assert s.door == Counts(1, 0, 0) and s.window == Counts(2, 0, 0)
    assert s.room == Counts(2, 0, 0) and s.room_50 == Counts(2, 0, 0)
    out = summarize([s])
    for key in ("wall_iou", "door_precision", "door_recall", "door_f1", "window_f1", "opening_f1",
                "room_precision", "room_recall", "room_f1", "room_f1_50", "room_miou"):
        assert out[key] == pytest.approx(1.0), key


def test_shifted_prediction_scores_less():
    gt, pred = _plan(), _plan(dx=4)  # 4 px: openings still match (8 px), walls overlap less
    s = summarize([score_plan(pred, gt)])
    assert 0.0 < s["wall_iou"] < 1.0
    assert s["door_f1"] == 1.0 and s["window_f1"] == 1.0
    assert s["room_f1"] == 1.0  # 4 px on a 165 px room keeps IoU > 0.9
    assert 0.9 < s["room_miou"] < 1.0

    far = summarize([score_plan(_plan(dx=12), gt)])  # beyond the 8 px tolerance
    assert far["door_f1"] == 0.0 and far["window_f1"] == 0.0
    assert far["wall_iou"] < s["wall_iou"]


def test_wall_iou_exact():
    gt = _ann([box(0, 0, 100, 10)])
    pred = _ann([box(0, 5, 100, 15)])  # half the rows overlap: 500 / 1500 px
    assert score_plan(pred, gt).wall_iou == pytest.approx(1 / 3, abs=0.02)


def test_empty_prediction_scores_zero():
    s = summarize([score_plan(empty_annotation((W, H)), _plan())])
    for key in ("wall_iou", "door_precision", "door_recall", "door_f1", "window_f1", "room_f1",
                "room_f1_50", "room_miou"):
        assert s[key] == 0.0, key


def test_nothing_to_find_and_nothing_claimed_is_perfect():
    assert Counts(0, 0, 0).f1 == 1.0
    assert Counts(0, 3, 0).precision == 0.0 and Counts(0, 3, 0).f1 == 0.0
    assert Counts(0, 0, 2).recall == 0.0


def test_points_are_matched_one_to_one():
    gt = np.array([[100.0, 100.0]])
    # Two predictions near one true centre: one of them is a false positive, not two hits.
    assert match_points(np.array([[101.0, 100.0], [99.0, 101.0]]), gt, 8.0) == Counts(1, 1, 0)
    # One prediction between two true centres: it takes only one.
    assert match_points(np.array([[104.0, 100.0]]), np.array([[100.0, 100.0], [108.0, 100.0]]), 8.0) == Counts(1, 0, 1)


def test_point_matching_maximises_the_number_of_pairs():
    # Greedy nearest-first would pair a-x and leave b unmatched; the best assignment pairs a-y, b-x.
    pred = np.array([[100.0, 100.0], [93.0, 100.0]])  # a, b
    gt = np.array([[100.5, 100.0], [106.0, 100.0]])  # x, y
    assert match_points(pred, gt, 8.0) == Counts(2, 0, 0)


@pytest.mark.parametrize(("dx", "strict", "loose"), [(0, 1, 1), (10, 1, 1), (25, 0, 1), (40, 0, 0)])
def test_room_iou_thresholds(dx, strict, loose):
    # IoU of a 100 px square and its copy moved by dx: (100 - dx) / (100 + dx); 25 px -> 0.6
    m = match_rooms([box(dx, 0, 100 + dx, 100)], [box(0, 0, 100, 100)])
    assert m.strict.tp == strict and m.loose.tp == loose
    assert m.strict.fp == 1 - strict and m.strict.fn == 1 - strict
    if loose:
        assert m.iou_sum == pytest.approx((100 - dx) / (100 + dx))


def test_rooms_are_matched_one_to_one():
    gt = [box(0, 0, 100, 100)]
    m = match_rooms([box(0, 0, 100, 100), box(1, 0, 101, 100)], gt)  # a duplicate prediction
    assert m.strict == Counts(1, 1, 0) and m.loose == Counts(1, 1, 0)


def test_rooms_in_ignored_regions_are_not_counted():
    gt = [box(0, 0, 100, 100)]
    balcony = [box(200, 0, 300, 100)]
    on_balcony = box(205, 5, 295, 95)  # wholly outdoor: neither a hit nor a false alarm
    half_out = box(150, 0, 250, 100)  # half its area on the balcony: not "more than half", counted
    m = match_rooms([box(0, 0, 100, 100), on_balcony, half_out], gt, balcony)
    assert m.strict == Counts(1, 1, 0)
    # Ground truth outdoor rooms are not rooms to find either.
    assert match_rooms([], gt, balcony).strict == Counts(0, 0, 1)


def test_untyped_openings_are_scored_by_kind_free_matching_and_pixels():
    mask = np.zeros((H, W), bool)
    mask[20:30, 90:110] = True
    gt = _ann(openings=[("opening", (100, 25))], opening_mask=mask, typed=False)
    pred_mask = np.zeros((H, W), bool)
    pred_mask[20:30, 100:120] = True  # half overlaps: 100 / 300 px
    pred = _ann(openings=[("window", (102, 25))], opening_mask=pred_mask)
    s = score_plan(pred, gt)
    assert s.opening == Counts(1, 0, 0)
    out = summarize([s])
    assert out["door_f1"] is None and out["window_f1"] is None  # not told apart: not scored
    assert out["opening_f1"] == 1.0
    assert out["opening_iou"] == pytest.approx(1 / 3)


def test_figures_are_pooled_not_averaged():
    gt_a = _ann([box(0, 0, 100, 10)])  # 1000 px of wall, found exactly
    gt_b = _ann([box(0, 0, 300, 30)])  # 9000 px, missed
    scores = [score_plan(gt_a, gt_a, "a"), score_plan(empty_annotation((W, H)), gt_b, "b")]
    out = summarize(scores)
    assert out["wall_iou"] == pytest.approx(1000 / 10000, rel=0.02)  # a mean of ratios would be 0.5
    assert out["plans"] == 2


def test_timing_and_failure_summary():
    gt = _plan()
    scores = [score_plan(gt, gt, str(i), seconds=float(i)) for i in range(1, 6)]
    scores[0].failed = True
    out = summarize(scores)
    assert out["seconds_median"] == 3.0
    assert out["failed"] == 1
    assert out["counts"]["door"] == {"tp": 5, "fp": 0, "fn": 0}


def test_rasterize_keeps_holes_empty_without_erasing_other_polygons():
    ring = box(0, 0, 100, 100).difference(box(25, 25, 75, 75))
    inner = box(40, 40, 60, 60)  # inside the first polygon's hole
    m = rasterize([ring, inner], (120, 120))
    assert m[10, 10] and not m[30, 30] and m[50, 50]
    assert m.sum() == pytest.approx(100 * 100 - 50 * 50 + 20 * 20, rel=0.05)
