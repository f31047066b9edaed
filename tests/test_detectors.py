"""The detectors on a plan of our own making whose doors, windows and walls are known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from plan2bim.config import Config
from plan2bim.errors import Plan2BimError
from plan2bim.load import load_pages
from plan2bim.raster.detect import DETECTORS, default_detector, detect
from plan2bim.raster.preprocess import preprocess

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def flat():
    return preprocess(load_pages(FIXTURES / "flat.png")[0].image)


@pytest.mark.parametrize("name", DETECTORS)
def test_every_detector_finds_the_flats_openings(flat, name: str) -> None:
    det = detect(flat, Config(detector=name))
    kinds = sorted(o.kind for o in det.openings)
    assert kinds.count("door") == 5 and kinds.count("window") == 4
    assert det.wall_mask.shape == flat.gray.shape and det.wall_mask.dtype == bool
    # walls are where the ink is thick: the drawn walls are black in the fixture
    assert flat.gray[det.wall_mask].mean() < 80
    for o in det.openings:
        assert 0 <= o.confidence <= 1 and o.width > 0 and o.depth > 0


def test_hybrid_takes_classical_walls_and_learned_openings(flat) -> None:
    cl = detect(flat, Config(detector="classical"))
    le = detect(flat, Config(detector="learned"))
    hy = detect(flat, Config(detector="hybrid"))
    assert not (hy.wall_mask & ~cl.wall_mask).any()  # solid walls: never more than the classical cut
    assert hy.wall_mask.sum() > 0.8 * cl.wall_mask.sum()
    # the learned openings, each placed on the classical gap it matches (measured wall end to end)
    assert [o.kind for o in hy.openings] == [o.kind for o in le.openings]
    gaps = {o.center for o in cl.openings}
    assert sum(o.center in gaps for o in hy.openings) >= 8
    for h, lo in zip(hy.openings, le.openings, strict=True):
        assert np.hypot(h.center[0] - lo.center[0], h.center[1] - lo.center[1]) < lo.width


def test_default_and_unknown_detector() -> None:
    assert default_detector() in DETECTORS
    with pytest.raises(Plan2BimError, match="unknown detector"):
        detect(preprocess(np.full((64, 64, 3), 255, np.uint8)), Config(detector="nope"))


def test_hollow_walls_fill_outlined_walls_but_not_railings() -> None:
    """A wall drawn as two lines 20 px apart is filled where the model sees wall; a railing (two
    lines 3 px apart) and a strip the model does not call wall are not."""
    from plan2bim.raster.detect.hybrid import hollow_walls

    ink = np.zeros((200, 400), bool)
    ink[20:22, 20:380] = ink[42:44, 20:380] = True  # outlined wall, 20 px of paper inside
    ink[20:44, 20:22] = ink[20:44, 378:380] = True
    ink[100:102, 20:380] = ink[105:107, 20:380] = True  # railing, 3 px inside
    ink[100:107, 20:22] = ink[100:107, 378:380] = True
    ink[150:152, 20:380] = ink[172:174, 20:380] = True  # outlined, but not wall to the model
    ink[150:174, 20:22] = ink[150:174, 378:380] = True
    learned = np.zeros_like(ink)
    learned[18:46, 18:382] = True
    learned[98:109, 18:382] = True
    out = hollow_walls(ink, learned, thickness=24.0)
    assert out[22:42, 22:378].all()  # the inside of the outlined wall
    assert out[20:22, 20:380].all()  # and its bounding lines
    assert not out[95:115].any()
    assert not out[145:180].any()


def test_hybrid_keeps_unconfirmed_openings_only_when_the_model_is_sure(flat, monkeypatch) -> None:
    """A model opening that a classical gap confirms takes the gap's extent at the model's own
    threshold; one that no gap confirms must be sure: 0.92 is kept, 0.88 is not (the measured
    bar is 0.9; the numbers here are fixed, not read from the setting under test)."""
    from plan2bim.raster.detect import classical, hybrid, learned
    from plan2bim.raster.detections import Detections, OpeningDetection

    mask = np.zeros(flat.gray.shape, bool)
    mask[100:110, 50:700] = True
    gap = OpeningDetection("door", (300.0, 105.0), 70.0, 10.0, 0.0, 0.6)

    def op(x: float, conf: float) -> OpeningDetection:
        return OpeningDetection("door", (x, 105.0), 80.0, 12.0, 0.0, conf)

    monkeypatch.setattr(classical, "detect", lambda p, c=None: Detections(mask.copy(), [gap], 10.0))
    monkeypatch.setattr(learned, "detect", lambda p, c=None: Detections(
        mask.copy(), [op(305.0, 0.8), op(150.0, 0.8), op(450.0, 0.92), op(600.0, 0.88)], 10.0))
    got = hybrid.detect(flat)
    assert sorted(o.center[0] for o in got.openings) == [300.0, 450.0]
    confirmed = next(o for o in got.openings if o.center[0] == 300.0)
    assert confirmed.width == 70.0 and confirmed.confidence == 0.8
    # the gap is cut from the wall mask; the wall drawn across the model-only door stays whole
    assert not got.wall_mask[100:110, 280:320].any() and got.wall_mask[100:110, 430:470].all()


def test_hybrid_keeps_classical_wall_within_five_pixels_of_the_models(flat, monkeypatch) -> None:
    """The classical mask is kept where the model's wall is at most 5 px away (the 11 px square
    agreement kernel measured on both dev sets), and dropped beyond."""
    from plan2bim.raster.detect import classical, hybrid, learned
    from plan2bim.raster.detections import Detections

    cl = np.zeros(flat.gray.shape, bool)
    cl[100:124, 50:600] = True  # a 24 px classical wall ...
    le = np.zeros_like(cl)
    le[107:117, 50:600] = True  # ... of which the model sees the middle 10 px
    monkeypatch.setattr(classical, "detect", lambda p, c=None: Detections(cl.copy(), [], 24.0))
    monkeypatch.setattr(learned, "detect", lambda p, c=None: Detections(le.copy(), [], 10.0))
    got = hybrid.detect(flat).wall_mask[:, 100:500]
    assert got[102:122].all()  # 5 px either side of the model's wall
    assert not got[100:102].any() and not got[122:124].any()  # 6 and 7 px away


def test_oblique_bars_keeps_diagonal_walls_only() -> None:
    import cv2

    from plan2bim.raster.detect.hybrid import oblique_bars

    m = np.zeros((400, 400), np.uint8)
    cv2.line(m, (50, 50), (250, 250), 1, 10)  # a 45-degree wall, 10 px thick
    cv2.line(m, (300, 50), (300, 300), 1, 10)  # an axis-parallel one: the model judges those
    cv2.line(m, (50, 350), (80, 330), 1, 3)  # a pen stroke
    out = oblique_bars(m > 0, thickness=10.0)
    assert (out[:300, :270] == (m[:300, :270] > 0)).all() and out[150, 150]  # the whole diagonal
    assert not out[:, 290:].any() and not out[320:].any()
