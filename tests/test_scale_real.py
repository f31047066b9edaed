"""The scale estimated from doors on real scans, against the scale their dimension labels give."""

from __future__ import annotations

import os

import pytest
from conftest import SHARED_DATA

from plan2bim.pipeline import build_model

# CubiCasa5K's F1_scaled.png plans are drawn at 100 px per metre (their labels say so).
PLANS = ["4021", "4745", "5540", "5586"]


@pytest.mark.parametrize("plan", PLANS)
def test_door_scale_on_cubicasa(plan: str) -> None:
    path = SHARED_DATA / "cubicasa-dev" / plan / "F1_scaled.png"
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} missing on CI")
        pytest.skip("../shared/data not here")
    s = build_model(path).building.storeys[0].scale
    assert s.method == "doors"
    assert s.px_per_m == pytest.approx(100, rel=0.2)
