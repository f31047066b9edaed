"""Training cannot silently break: a few steps on a handful of drawn plans, through the CLI."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from conftest import require_module


@pytest.fixture(autouse=True)
def _training_extra():
    """CI installs the train extra: there a missing torch is a failure, not a skip."""
    require_module("torch")
    require_module("onnx")


@pytest.mark.slow
def test_train_cli_makes_data_trains_and_exports_a_loadable_onnx(tmp_path):
    import onnxruntime as ort
    from typer.testing import CliRunner

    from plan2bim.cli import app

    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["train", "--out", str(out), "--plans", "6", "--epochs", "1",
                                   "--steps", "2", "--batch", "2", "--imgsz", "64", "--device", "cpu"])
    assert res.exit_code == 0, res.output
    assert len(list((out / "data" / "masks").glob("*.png"))) >= 4
    masks = [np.unique(cv2.imread(str(p), cv2.IMREAD_UNCHANGED))
             for p in (out / "data" / "masks").glob("*.png")]
    assert any({1, 2}.issubset(set(m.tolist())) for m in masks)  # walls and doors are labelled
    report = json.loads((out / "train_report.json").read_text())
    assert set(report["val_iou"]) == {"background", "wall", "door", "window"}
    sess = ort.InferenceSession(str(out / "plan_unet.onnx"), providers=["CPUExecutionProvider"])
    probs = sess.run(None, {"image": np.ones((1, 1, 96, 160), np.float32)})[0]
    assert probs.shape == (1, 4, 96, 160)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-4)


def test_train_rejects_a_folder_without_masks(tmp_path):
    from typer.testing import CliRunner

    from plan2bim.cli import app

    (tmp_path / "images").mkdir()
    res = CliRunner().invoke(app, ["train", "--out", str(tmp_path / "o"), "--data", str(tmp_path)])
    assert res.exit_code == 2
    assert "no images" in res.output
