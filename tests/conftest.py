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


@pytest.fixture
def fork_safe_opencv():
    """Run OpenCV single-threaded while a test forks worker processes.

    A fork inherits OpenCV's thread pool in whatever state earlier tests left it; a lock held by
    one of its threads deadlocks the child. Single-threaded, the child never touches the pool.
    """
    import cv2

    threads = cv2.getNumThreads()
    cv2.setNumThreads(0)
    yield
    cv2.setNumThreads(threads)
