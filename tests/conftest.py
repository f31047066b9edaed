from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def sample_building():
    from sample import sample_building

    return sample_building()


@pytest.fixture
def two_storey_building():
    from sample import sample_building

    return sample_building(storeys=2)
