"""``plan2bim eval``: options, output, failures scored as zeros, and one real run end to end."""

from __future__ import annotations

import csv
import json
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import SHARED_DATA
from PIL import Image
from typer.testing import CliRunner

from plan2bim.cli import app
from plan2bim.errors import NoPlanError
from plan2bim.export.json import building_to_dict
from plan2bim.tools.evaluate import runner

REQUIRED = ("plans", "wall_iou", "door_precision", "door_recall", "door_f1", "window_precision",
            "window_recall", "window_f1", "room_precision", "room_recall", "room_f1", "room_f1_50",
            "room_miou", "opening_iou", "seconds_median", "failed")


@pytest.fixture
def dataset(tmp_path, sample_building, two_storey_building):
    """A plan2bim-format dataset; a fake pipeline 'recognises' each plan as its own ground truth."""
    root = tmp_path / "set"
    (root / "images").mkdir(parents=True)
    (root / "gt").mkdir()
    truth = {"a": sample_building, "b": two_storey_building, "c": sample_building}
    for name, b in truth.items():
        w, h = b.storeys[0].image_size
        Image.new("RGB", (w, h), "white").save(root / "images" / f"{name}.png")
        (root / "gt" / f"{name}.json").write_text(json.dumps(building_to_dict(b)))
    return root, truth


@pytest.fixture
def fake_pipeline(monkeypatch, dataset):
    _, truth = dataset
    failing: set[str] = set()

    def build(path, config):
        if path.stem in failing:
            raise NoPlanError(f"{path}: no wall found")
        b = truth[path.stem]
        w, h = b.storeys[0].image_size
        return SimpleNamespace(building=b, images=[np.full((h, w, 3), 255, np.uint8)])

    monkeypatch.setattr(runner, "_build", build)
    return failing


def _eval(*args):
    result = CliRunner().invoke(app, ["eval", *map(str, args)])
    return result


def test_json_has_the_pooled_figures_and_a_perfect_pipeline_scores_one(dataset, fake_pipeline):
    result = _eval(dataset[0], "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    for key in REQUIRED:
        assert key in out, key
    assert out["plans"] == 3 and out["failed"] == 0 and out["format"] == "plan2bim"
    for key in ("wall_iou", "door_f1", "window_f1", "room_f1", "room_f1_50", "room_miou", "opening_iou"):
        assert out[key] == pytest.approx(1.0), key


def test_failed_plan_is_scored_as_empty_not_skipped(dataset, fake_pipeline, tmp_path):
    fake_pipeline.add("b")
    csv_path = tmp_path / "rows.csv"
    result = _eval(dataset[0], "--json", "--per-plan", csv_path)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["plans"] == 3 and out["failed"] == 1
    # b has two storeys' worth of elements, all missed: pooled figures drop accordingly.
    assert out["counts"]["door"] == {"tp": 4, "fp": 0, "fn": 4}
    assert out["door_recall"] == pytest.approx(0.5) and out["door_precision"] == 1.0
    assert 0.0 < out["wall_iou"] < 1.0
    rows = {r["plan"]: r for r in csv.DictReader(csv_path.open())}
    assert set(rows) == {"a", "b", "c"}
    assert rows["b"]["failed"] == "True" and "no wall found" in rows["b"]["error"]
    assert float(rows["b"]["wall_iou"]) == 0.0 and float(rows["a"]["wall_iou"]) == 1.0


def test_overlays_limit_and_table(dataset, fake_pipeline, tmp_path):
    overlays = tmp_path / "overlays"
    result = _eval(dataset[0], "--limit", 2, "--save-overlays", overlays)
    assert result.exit_code == 0, result.output
    assert "walls" in result.stdout and "rooms, IoU >= 0.7" in result.stdout and "2 plans" in result.stdout
    pngs = sorted(p.name for p in overlays.iterdir())
    assert pngs == ["a.png", "b.png"]
    w, _ = Image.open(overlays / "a.png").size
    assert w > 2 * 1000  # prediction and ground truth side by side


def test_workers_give_the_same_figures(dataset, fake_pipeline, monkeypatch, fork_safe_opencv):
    monkeypatch.setattr(runner, "MP_CONTEXT", "fork")  # forked workers inherit the fake pipeline
    monkeypatch.setattr(runner, "_init_worker", lambda: None)  # it would touch OpenCV's pool
    fake_pipeline.add("c")
    serial = json.loads(_eval(dataset[0], "--json").stdout)
    parallel = json.loads(_eval(dataset[0], "--json", "--workers", 2).stdout)
    for key in ("plans", "failed", "wall_iou", "door_f1", "room_f1", "counts"):
        assert parallel[key] == serial[key], key


def test_not_a_dataset_is_a_one_line_error(tmp_path):
    result = _eval(tmp_path)
    assert result.exit_code == 2
    text = " ".join(result.output.split())  # rich wraps long lines
    assert "not a dataset" in text and "Traceback" not in text


def test_bad_format_is_refused(dataset):
    assert _eval(dataset[0], "--format", "coco").exit_code == 2


@pytest.mark.realdata
@pytest.mark.needs_data("cubicasa-dev")
def test_real_pipeline_on_two_cubicasa_plans():
    result = _eval(SHARED_DATA / "cubicasa-dev", "--json", "--limit", 2)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["plans"] == 2 and out["format"] == "cubicasa"
    assert out["failed"] == 0
    for key in REQUIRED:
        assert key in out, key
    assert 0.3 < out["wall_iou"] <= 1.0  # the classical detector finds most walls of a clean plan
    assert out["seconds_median"] > 0


def test_synthetic_vector_sheets_are_scored_as_scans(tmp_path):
    """``eval --rasterise`` on a synthetic vector set scores the raster path on whole sheets
    with the exact truth: each sheet's plan page becomes a PNG (no dpi, no text layer) of the
    truth's size, and a dpi other than the truth's is refused."""
    from plan2bim.tools.evaluate.vector_sheets import rasterised_sheets

    out = tmp_path / "set"
    r = CliRunner().invoke(app, ["synth", "--format", "pdf", "-n", "2", "--seed", "5", "-o", str(out)])
    assert r.exit_code == 0, r.output
    ras = rasterised_sheets(out, 150, tmp_path / "ras")
    for gt_path in sorted((ras / "gt").glob("*.json")):
        truth = json.loads(gt_path.read_text())
        with Image.open(ras / "images" / f"{gt_path.stem}.png") as im:
            assert im.format == "PNG" and "dpi" not in im.info
            assert list(im.size) == truth["storeys"][0]["image_size_px"]
        assert truth["storeys"][0]["page"] == 1
        assert (ras / "sheets" / gt_path.name).is_file()
    r = CliRunner().invoke(app, ["eval", str(out), "--rasterise", "150", "--json", "--limit", "1"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output[r.output.index("{"):])
    assert summary["plans"] == 1 and summary["failed"] == 0
    r = CliRunner().invoke(app, ["eval", str(out), "--rasterise", "100"])
    assert r.exit_code == 2 and "150 dpi" in r.output
