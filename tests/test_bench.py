"""``plan2bim bench``: which files are plans, the statistics, memory, workers and the CLI."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import SHARED_DATA
from typer.testing import CliRunner

from plan2bim.cli import app
from plan2bim.errors import InputError, NoPlanError
from plan2bim.tools import bench as bench_mod
from plan2bim.tools.bench import STAGES, bench, find_plans


def _touch(root, *names):
    for n in names:
        p = root / n
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")


def test_find_plans_skips_masks_outputs_and_hidden_files(tmp_path):
    _touch(tmp_path, "a.PNG", "sub/b.jpg", "sub/deeper/c.pdf", "r/7.jpg", "r/7_wall.png", "r/7_close.png",
           "r/7_rooms.png", "a.overlay.png", "notes.txt", "model.svg", ".cache/d.png", "e.tiff", "f.bmp")
    found = [p.relative_to(tmp_path).as_posix() for p in find_plans(tmp_path)]
    assert found == ["a.PNG", "e.tiff", "f.bmp", "r/7.jpg", "sub/b.jpg", "sub/deeper/c.pdf"]


def test_find_plans_in_an_empty_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no plan"):
        find_plans(tmp_path)


@pytest.mark.needs_data("cubicasa-dev", "r3d-dev")
def test_find_plans_in_the_real_sets():
    cubicasa = find_plans(SHARED_DATA / "cubicasa-dev")
    assert len(cubicasa) == 34 and {p.name for p in cubicasa} == {"F1_scaled.png"}
    assert len(find_plans(SHARED_DATA / "r3d-dev")) == 45


# Stage times of the fake pipeline, per plan: stage i of plan k takes (k + 1) * (i + 1) ms.
def _fake_convert(path, config, outdir):
    k = int(path.stem[1:])
    if path.stem == "p3":
        raise NoPlanError(f"{path}: no wall found")
    (outdir / f"{path.stem}.json").write_text("{}")  # outputs go to a scratch folder
    return SimpleNamespace(
        timings={s: (k + 1) * (i + 1) / 1000 for i, s in enumerate(STAGES)},
        images=[np.zeros((1000, 2000 * (k + 1), 3), np.uint8)], megapixels=2.0 * (k + 1))


@pytest.fixture
def plans(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_mod, "_convert", _fake_convert)
    monkeypatch.setattr(bench_mod, "_warm_up", lambda *a: None)
    _touch(tmp_path, *(f"p{k}.png" for k in range(5)))
    return tmp_path


def test_bench_statistics(plans):
    report = bench(plans)
    s = report.summary
    assert s["plans"] == 5 and s["failed"] == 1 and [p.plan for p in report.plans if p.error] == ["p3.png"]
    # Plans 0, 1, 2, 4 succeed: detect (3rd stage) takes 3, 6, 9, 15 ms.
    assert s["stages"]["detect"]["median"] == pytest.approx(0.0075)
    assert s["stages"]["detect"]["p90"] == pytest.approx(np.percentile([0.003, 0.006, 0.009, 0.015], 90))
    assert set(s["stages"]) == set(STAGES)
    assert s["megapixels_median"] == pytest.approx(5.0)
    total_s = sum(p.seconds for p in report.plans if not p.error)
    assert s["megapixels_per_second"] == pytest.approx((2 + 4 + 6 + 10) / total_s)
    assert s["peak_rss_mb"] > 10 and s["peak_rss_total_mb"] > 10
    assert s["seconds"]["median"] > 0


def test_bench_limit_and_scratch_cleanup(plans, tmp_path_factory, monkeypatch):
    import tempfile

    scratch = tmp_path_factory.mktemp("scratch")
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    report = bench(plans, limit=2)
    assert [p.plan for p in report.plans] == ["p0.png", "p1.png"]
    assert list(scratch.iterdir()) == []  # every plan's outputs were removed


def test_bench_workers(plans, monkeypatch, fork_safe_opencv):
    monkeypatch.setattr(bench_mod, "MP_CONTEXT", "fork")  # forked workers inherit the fake pipeline
    monkeypatch.setattr(bench_mod, "_init_worker", lambda *a: None)
    report = bench(plans, workers=2)
    s = report.summary
    assert s["workers"] == 2 and s["plans"] == 5 and s["failed"] == 1
    assert [p.plan for p in report.plans] == [f"p{k}.png" for k in range(5)]  # input order kept
    assert s["plans_per_second"] > 0
    assert 1 <= len(s["peak_rss_per_worker_mb"]) <= 2
    assert s["stages"]["detect"]["median"] == pytest.approx(0.0075)


def test_bench_cli_json_and_exit_code(plans):
    result = CliRunner().invoke(app, ["bench", str(plans), "--json"])
    assert result.exit_code == 3, result.output  # one plan failed
    out = json.loads(result.stdout)
    for key in ("seconds", "stages", "megapixels_per_second", "peak_rss_mb", "plans_per_second", "per_plan"):
        assert key in out, key
    assert out["seconds"].keys() == {"median", "p90"}
    assert len(out["per_plan"]) == 5


def test_bench_cli_table(plans):
    result = CliRunner().invoke(app, ["bench", str(plans), "--limit", "2"])
    assert result.exit_code == 0, result.output
    for word in (*STAGES, "total", "megapixels/s", "peak RSS"):
        assert word in result.stdout, word


@pytest.mark.realdata
@pytest.mark.needs_data("cubicasa-dev")
def test_real_pipeline_bench_one_plan():
    result = CliRunner().invoke(app, ["bench", str(SHARED_DATA / "cubicasa-dev"), "--json", "--limit", "1"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["plans"] == 1 and out["failed"] == 0
    assert all(out["stages"][s]["median"] > 0 for s in STAGES)  # every stage ran, export included
    assert out["megapixels_per_second"] > 0 and out["peak_rss_mb"] > 50


def test_cold_start_times_fresh_convert_processes(tmp_path):
    """``bench --cold N``: N fresh processes of `plan2bim convert` on the first plan, each one
    really converting (exit 0), measured from outside; no figure is asserted (speed belongs to
    the benchmark, not to a timed test)."""
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "fixtures" / "flat.png"
    (tmp_path / "flat.png").write_bytes(src.read_bytes())
    res = CliRunner().invoke(app, ["bench", str(tmp_path), "--cold", "2", "--json"])
    assert res.exit_code == 0, res.output
    c = json.loads(res.output)["cold_start"]
    assert c["runs"] == 2 and c["exit_codes"] == [0, 0]
    assert 0 < c["wall_seconds"]["min"] <= c["wall_seconds"]["median"] <= c["wall_seconds"]["max"]
    assert c["cpu_seconds"]["median"] > 0.1  # a real conversion, not a process that failed at once
    assert c["peak_rss_mb"] > 50
    assert not list(tmp_path.glob("*.ifc"))  # outputs go to scratch folders, removed after


def test_cold_start_counts_failed_runs(tmp_path):
    (tmp_path / "bad.png").write_bytes(b"not an image")
    res = CliRunner().invoke(app, ["bench", str(tmp_path), "--cold", "1", "--json"])
    assert res.exit_code == 3
    assert json.loads(res.output)["cold_start"]["exit_codes"] == [2]
