"""``plan2bim batch`` on a real Dask cluster gives the same outputs and manifest as the local pool."""

from __future__ import annotations

import json
import logging
import time

import pytest

distributed = pytest.importorskip("distributed")

from test_batch import draw_plan, make_broken, misbehaving_convert  # noqa: E402

from plan2bim.batch import run_batch  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded workers in this process: a real scheduler, real TCP, fast to start."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                  dashboard_address=":0", silence_logs=logging.ERROR) as c:
        yield c


def _outputs(out, result) -> dict:
    return {r.key: json.loads((out / r.outputs["json"]).read_text())
            for r in result.records if r.status == "done"}


def test_dask_gives_the_same_outputs_as_the_local_pool(tmp_path, cluster):
    src = tmp_path / "in"
    for i in range(6):
        draw_plan(src / f"f{i % 2}" / f"p{i}.png", i)
    make_broken(src / "bad", "text", 0)
    make_broken(src / "bad", "nopages", 0)

    local = run_batch([src], tmp_path / "local", formats=("json",), workers=2)
    dask = run_batch([src], tmp_path / "dask", formats=("json",),
                     scheduler=cluster.scheduler_address, report=True)

    assert (dask.converted, dask.failed) == (local.converted, local.failed) == (6, 2), [r.error for r in dask.records]
    assert _outputs(tmp_path / "dask", dask) == _outputs(tmp_path / "local", local)
    fields = ("key", "status", "sha256", "config_key", "outputs", "walls", "doors", "windows",
              "spaces", "floor_area_m2", "px_per_m", "scale_method", "error", "conversions")
    assert [[getattr(r, f) for f in fields] for r in dask.records] == \
        [[getattr(r, f) for f in fields] for r in local.records]
    assert (tmp_path / "dask/report.csv").is_file()

    # The same manifest semantics: a re-run through Dask finds everything done.
    again = run_batch([src], tmp_path / "dask", formats=("json",),
                      scheduler=cluster.scheduler_address)
    assert (again.converted, again.skipped, again.skipped_failed) == (0, 6, 2)


def test_dask_timeout_stops_the_plan(tmp_path, cluster):
    """On Dask a plan with a timeout runs in a child process, which is killed when over time."""
    for name in ("slow.png", "ok.png"):
        draw_plan(tmp_path / "in" / name)
    t0 = time.monotonic()
    result = run_batch([tmp_path / "in"], tmp_path / "out", formats=("json",), timeout=8,
                       convert=misbehaving_convert, scheduler=cluster.scheduler_address)
    assert time.monotonic() - t0 < 60
    status = {r.key: r.status for r in result.records}
    assert status == {"ok.png": "done", "slow.png": "timeout"}


def test_dask_local_cluster_of_processes(tmp_path):
    """``--dask``: the batch starts (and stops) its own LocalCluster of worker processes."""
    for i in range(3):
        draw_plan(tmp_path / "in" / f"p{i}.png", i)
    make_broken(tmp_path / "in", "empty", 0)
    result = run_batch([tmp_path / "in"], tmp_path / "out", formats=("json",), workers=2,
                       dask=True)
    assert (result.converted, result.failed) == (3, 1)

