from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(Path(__file__).parent))


def on_ci() -> bool:
    """Whether the tests run on CI (``CI`` set, as CI services do), where nothing may be skipped
    for want of data or of an installed extra."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def missing(reason: str) -> None:
    """Skip the test here for want of ``reason``; on CI, fail it: CI must have everything."""
    if on_ci():
        pytest.fail(f"{reason} (required on CI)", pytrace=False)
    pytest.skip(reason)


def require_data(*paths: Path) -> None:
    """Skip (fail on CI) unless every path of the real data sets exists."""
    absent = [p for p in paths if not Path(p).exists()]
    if absent:
        missing(f"{absent[0]} is missing (../shared/data must be beside the checkout)")


def require_module(name: str):
    """The imported module, or skip (fail on CI: it installs the extras) when it is missing."""
    try:
        return importlib.import_module(name)
    except ImportError:
        missing(f"python package {name!r} is not installed (pip install -e '.[dev,train]')")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """``@pytest.mark.needs_data("cubicasa-dev/4021")``: paths under ../shared/data that the test
    reads; missing ones skip it, or fail it on CI."""
    for mark in item.iter_markers("needs_data"):
        require_data(*(SHARED_DATA / p for p in mark.args))


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
