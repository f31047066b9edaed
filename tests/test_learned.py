"""The learned detector: shipped weights, ONNX inference, and how blobs become openings."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from plan2bim.config import Config
from plan2bim.errors import Plan2BimError
from plan2bim.raster.detect import DETECTORS, get_detector, learned
from plan2bim.raster.preprocess import preprocess


def draw_room(size=(420, 560), t: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """A one-room plan drawn like a CAD print: solid black walls, a door gap with leaf and arc."""
    h, w = size
    img = np.full((h, w, 3), 255, np.uint8)
    walls = np.zeros((h, w), np.uint8)
    cv2.rectangle(walls, (60, 60), (w - 60, h - 60), 1, t)
    walls[60 - t // 2:60 + t // 2 + 1, 200:280] = 0  # a door gap in the top wall
    img[walls > 0] = 0
    cv2.line(img, (200, 60), (200, 140), (0, 0, 0), 1)
    cv2.ellipse(img, (200, 60), (80, 80), 0, 0, 90, (0, 0, 0), 1)
    cv2.putText(img, "ROOM", (230, 230), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 0), 1)
    return img, walls.astype(bool)


def test_registered_and_weights_shipped_small():
    assert "learned" in DETECTORS
    assert get_detector("learned") is learned.detect
    assert learned.WEIGHTS.is_file()
    assert learned.WEIGHTS.stat().st_size < 20 * 2**20


def test_missing_weights_is_a_plan2bim_error(tmp_path):
    with pytest.raises(Plan2BimError, match="weights not found"):
        learned.load_session(tmp_path / "none.onnx")


def test_detect_finds_the_drawn_walls():
    img, walls = draw_room()
    det = learned.detect(preprocess(img), Config(detector="learned"))
    assert det.wall_mask.shape == walls.shape and det.wall_mask.dtype == bool
    inter = (det.wall_mask & walls).sum()
    union = (det.wall_mask | walls).sum()
    assert inter / union > 0.6
    assert 5 < det.wall_thickness_px < 20


def test_large_pages_are_scaled_down_and_back():
    """A 2400 px page reaches the network at 1200 px (the measured best scale), and what the
    network says about a place comes back at that place of the page."""
    seen = []

    class Session:
        def run(self, _, feeds):
            x = feeds["image"]
            seen.append(x.shape)
            out = np.zeros((1, 4, *x.shape[2:]), np.float32)
            out[:, 0] = 1.0
            out[:, :, 100:200, 300:500] = np.array([0.0, 1.0, 0.0, 0.0])[:, None, None]  # wall here, at the network's scale
            return [out]

    gray = np.full((900, 2400), 255, np.uint8)
    probs = learned.class_probabilities(gray, Session())
    (shape,) = seen
    assert shape == (1, 1, 480, 1216)  # 450 x 1200, padded to the network's stride
    assert probs.shape == (4, 900, 2400)
    wall = probs.argmax(0) == 1
    ys, xs = np.nonzero(wall)
    assert (ys.min(), ys.max(), xs.min(), xs.max()) == pytest.approx((200, 399, 600, 999), abs=2)
    # and the real network's output is a probability everywhere on a large page
    img, _ = draw_room((900, 2400), t=20)
    real = learned.class_probabilities(preprocess(img).gray)
    assert real.shape == (4, 900, 2400)
    np.testing.assert_allclose(real.sum(0), 1.0, atol=1e-3)


def test_openings_need_the_models_confidence(monkeypatch):
    """Blobs whose mean probability is under 0.75 (tuned on cubicasa-dev) are dropped."""
    probs = np.zeros((4, 400, 600), np.float32)
    probs[0] = 1.0
    for x0, p in ((100, 0.7), (300, 0.8)):  # two doors, 60 x 12 px, in a wall
        probs[:, 200:212, x0:x0 + 60] = np.array([1 - p - 0.01, 0.01, p, 0.0])[:, None, None]
    probs[:, 190:200, 50:550] = probs[:, 212:222, 50:550] = np.array([0.0, 1.0, 0.0, 0.0])[:, None, None]
    monkeypatch.setattr(learned, "class_probabilities", lambda gray, session=None, st=None: probs)
    page = preprocess(np.full((400, 600, 3), 255, np.uint8))
    det = learned.detect(page, Config(detector="learned"))
    assert [round(o.center[0]) for o in det.openings] == [330]


@pytest.mark.parametrize("deg", [0, 30, 45, 90, -30, 120])
def test_blob_becomes_an_oriented_opening(deg):
    mask = np.zeros((300, 300), np.uint8)
    box = cv2.boxPoints(((140, 160), (80, 12), -deg))  # cv2 turns clockwise on screen
    cv2.fillPoly(mask, [np.round(box).astype(np.int32)], 1)
    probs = np.zeros((4, *mask.shape), np.float32)
    probs[3], probs[2] = 0.8, 0.2
    (o,) = learned._blobs(mask > 0, probs)
    assert o.kind == "window"
    assert o.center == pytest.approx((140, 160), abs=1.0)
    assert o.width == pytest.approx(81, abs=2) and o.depth == pytest.approx(13, abs=2)
    expected = (deg + 90) % 180 - 90
    assert min(abs(o.angle - expected), 180 - abs(o.angle - expected)) < 1.5
    assert o.confidence == pytest.approx(0.8)


def test_specks_are_not_openings():
    mask = np.zeros((50, 50), bool)
    mask[10:12, 10:12] = True
    probs = np.full((4, *mask.shape), 0.25, np.float32)
    assert learned._blobs(mask, probs) == []
    mask[20:24, 10:30] = True
    assert learned._blobs(mask, probs, min_side=25) == []
    assert len(learned._blobs(mask, probs, min_side=15)) == 1


def test_a_blob_split_between_door_and_window_is_one_opening():
    mask = np.zeros((60, 100), bool)
    mask[20:30, 10:70] = True
    probs = np.zeros((4, 60, 100), np.float32)
    probs[2, :, :45], probs[3, :, 45:] = 0.9, 0.9  # most of the blob says door
    (o,) = learned._blobs(mask, probs)
    assert o.kind == "door" and o.width == pytest.approx(60, abs=1)


def test_small_pages_are_scaled_up_for_the_network_and_back():
    seen = []

    class Session:
        def run(self, _, feeds):
            x = feeds["image"]
            seen.append(x.shape)
            out = np.zeros((1, 4, *x.shape[2:]), np.float32)
            out[:, 0] = 1.0
            return [out]

    gray = np.full((420, 560), 255, np.uint8)
    probs = learned.class_probabilities(gray, Session())
    assert probs.shape == (4, 420, 560)
    (shape,) = seen
    assert max(shape[2:]) >= min(Config().learned.min_side_px, 560 * Config().learned.max_upscale)
    assert shape[3] == 1120 and shape[2] % learned.STRIDE == 0


def test_onnxruntime_threads_follow_the_process_share(monkeypatch):
    from plan2bim.raster.detect.learned import session_threads

    assert session_threads(3) == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # what batch, bench and eval workers set
    assert session_threads(0) == 1
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert 1 <= session_threads(0) <= 4


def test_more_threads_give_the_same_probabilities():
    """A single convert runs the network on every core; its output must not change with that."""
    import cv2

    from plan2bim.raster.detect.learned import WEIGHTS, class_probabilities, load_session

    gray = cv2.imread(str(Path(__file__).resolve().parents[1] / "fixtures" / "flat.png"),
                      cv2.IMREAD_GRAYSCALE)
    one = class_probabilities(gray, load_session(WEIGHTS, 1))
    two = class_probabilities(gray, load_session(WEIGHTS, 2))
    assert np.array_equal(one, two)
