"""Raster text: our line finder plus RapidOCR's recogniser read a rendered word, offline."""

from __future__ import annotations

import socket

import cv2
import numpy as np
import pytest

from plan2bim.sheet import layout, ocr


def _no_network(*_a, **_k):
    raise OSError("network is off in this test: the OCR must not fetch anything")


@pytest.fixture
def offline(monkeypatch):
    """No socket can connect and no HTTP request can go out; the engine is built afresh."""
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    monkeypatch.setattr(socket, "create_connection", _no_network)
    monkeypatch.setattr(socket, "getaddrinfo", _no_network)
    requests = pytest.importorskip("requests")
    monkeypatch.setattr(requests.Session, "request", _no_network)
    ocr._engine.cache_clear()
    yield
    ocr._engine.cache_clear()


def _word(text: str) -> np.ndarray:
    img = np.full((80, 40 + 26 * len(text), 3), 255, np.uint8)
    cv2.putText(img, text, (20, 55), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (0, 0, 0), 2, cv2.LINE_AA)
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def test_a_rendered_word_is_found_and_read_offline(offline) -> None:
    gray = _word("KORIDOR")
    lines = ocr.find_text_lines(gray < 128, (10.0, 40.0))
    assert len(lines) == 1 and lines[0].chars >= 6
    items = ocr.read_lines(gray, [lines[0].bbox])
    assert [t.text for t in items] == ["KORIDOR"]
    assert items[0].source == "ocr" and items[0].confidence >= 0.8


def test_the_recogniser_is_the_model_inside_the_wheel(offline) -> None:
    eng = ocr._engine()
    assert eng is not None
    assert eng.model_path.endswith(".onnx") and "_rec" in eng.model_path  # the recogniser only
    assert "rapidocr" in eng.model_path  # the package's own file, not a download cache


@pytest.fixture(scope="module")
def rapidocr_pipeline():
    """RapidOCR's own pipeline on the same model, recogniser only (~1.5 s to build)."""
    import rapidocr

    return rapidocr.RapidOCR(params={
        "Global.use_det": False, "Global.use_cls": False, "Global.use_rec": True,
        "Global.log_level": "warning", "Rec.model_path": ocr._engine().model_path,
    })


@pytest.mark.parametrize("text, height, pad", [
    ("3600", 80, 0), ("12", 18, 0), ("KORIDOR", 22, 3), ("TANDAS GURU", 30, 10), ("1", 12, 40),
])
def test_lines_read_as_through_rapidocr_s_own_pipeline(rapidocr_pipeline, text, height, pad) -> None:
    """Our recogniser repeats RapidOCR's steps (input bounds, resize, padding, CTC decoding):
    the same text and score as ``RapidOCR(...)(crop, use_det=False)`` on crops small (raised
    to 30 px), large and wide."""
    gray = cv2.resize(_word(text), None, fx=height / 80, fy=height / 80, interpolation=cv2.INTER_AREA)
    gray = cv2.copyMakeBorder(gray, 0, 0, pad, pad, cv2.BORDER_CONSTANT, value=255)
    crop = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    theirs = rapidocr_pipeline(crop, use_det=False, use_cls=False, use_rec=True)
    assert ocr._engine()(crop) == (theirs.txts[0], theirs.scores[0])


def test_the_recogniser_runs_on_one_thread(offline) -> None:
    # A line is too small to share out: the default pool (a thread a core) cost more CPU.
    eng = ocr._engine()
    assert eng is not None
    assert eng.session.get_session_options().intra_op_num_threads == 1


@pytest.mark.parametrize("connectivity", [4, 8])
def test_components_are_opencv_s_with_their_statistics(connectivity) -> None:
    rng = np.random.default_rng(connectivity)
    for _ in range(100):
        h, w = rng.integers(1, 80, 2)
        img = (rng.random((h, w)) < rng.random()).astype(np.uint8)
        n, labels, stats = layout.components(img, connectivity)
        n_cv, labels_cv, stats_cv, _ = cv2.connectedComponentsWithStats(img, connectivity=connectivity)
        assert n == n_cv and np.array_equal(labels, labels_cv)
        assert stats.dtype == stats_cv.dtype and np.array_equal(stats[1:], stats_cv[1:])
        assert stats[0, 4] == stats_cv[0, 4]  # the background: its area only
