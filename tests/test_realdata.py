"""The README's figures on the real development sets, as a test: `plan2bim eval` with the default
detector on cubicasa-dev and r3d-dev must give them within 0.01.

A change that moves recognition on real plans fails here; when a change is meant to (better
figures), update the README's table and these numbers together. Without ../shared/data the
tests are skipped, except on CI, where they fail.
"""

from __future__ import annotations

import json
import os

import pytest
from conftest import SHARED_DATA, require_data
from typer.testing import CliRunner

from plan2bim.cli import app

# README.md, "Measuring": the hybrid detector on each set.
README = {
    "cubicasa-dev": {"wall_iou": 0.713, "door_f1": 0.82, "window_f1": 0.79, "room_f1": 0.66,
                     "room_f1_50": 0.74},
    "r3d-dev": {"wall_iou": 0.893, "opening_f1": 0.69, "room_f1": 0.51, "room_f1_50": 0.54},
}
TOLERANCE = 0.01

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


@pytest.fixture(scope="session")
def dev_figures():
    """Both sets evaluated once per session (about 2 minutes on two cores)."""
    cache = {}

    def figures(name: str) -> dict:
        if name not in cache:
            require_data(SHARED_DATA / name)
            workers = str(max(1, min(4, os.cpu_count() or 1)))
            res = CliRunner().invoke(app, ["eval", str(SHARED_DATA / name), "--json", "-j", workers])
            assert res.exit_code == 0, res.output
            cache[name] = json.loads(res.stdout)
        return cache[name]

    return figures


@pytest.mark.parametrize("dataset", sorted(README))
def test_dev_set_figures_match_the_readme(dev_figures, dataset: str) -> None:
    got = dev_figures(dataset)
    assert got["failed"] == 0
    off = {k: (round(got[k], 4), want) for k, want in README[dataset].items()
           if abs(got[k] - want) > TOLERANCE}
    assert not off, f"{dataset}: (measured, README) {off}"
