"""``plan2bim convert`` from the outside: messages, exit codes, and what lands on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_load import BAD, make_bad_inputs
from typer.testing import CliRunner

from plan2bim.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
runner = CliRunner()


def test_convert_writes_four_outputs_and_says_how_it_scaled(tmp_path: Path) -> None:
    r = runner.invoke(app, ["convert", str(FIXTURES / "flat.png"), "-o", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "5 doors" in r.output and "px/m (doors: median width of 5 doors" in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "flat.glb", "flat.ifc", "flat.json", "flat.overlay.png"]
    scale = json.loads((tmp_path / "flat.json").read_text())["storeys"][0]["scale"]
    assert scale["method"] == "doors" and scale["px_per_m"] == pytest.approx(50, rel=0.05)


@pytest.mark.parametrize("args, method, px_per_m", [
    (["--scale", "64"], "user", 64.0),
    (["--dpi", "254", "--drawing-scale", "1:200"], "dpi", 50.0),
])
def test_scale_options(tmp_path: Path, args, method, px_per_m) -> None:
    r = runner.invoke(app, ["convert", str(FIXTURES / "flat.png"), "-o", str(tmp_path),
                            "--formats", "json", *args])
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "flat.json").read_text())["storeys"][0]
    assert s["scale"]["method"] == method and s["scale"]["px_per_m"] == pytest.approx(px_per_m)


def test_pdf_pages_height_and_name(tmp_path: Path) -> None:
    r = runner.invoke(app, ["convert", str(FIXTURES / "two_storeys.pdf"), "-o", str(tmp_path),
                            "--formats", "json,ifc", "--pages", "2", "--wall-height", "3",
                            "--storey-name", "Attic"])
    assert r.exit_code == 0, r.output
    d = json.loads((tmp_path / "two_storeys.json").read_text())
    assert [(s["page"], s["name"], s["height"]) for s in d["storeys"]] == [(2, "Attic", 3.0)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two_storeys.ifc", "two_storeys.json"]


@pytest.mark.parametrize("case", BAD + ["blank"])
def test_bad_input_exit_2_one_line_no_output(tmp_path: Path, case: str) -> None:
    if case == "blank":
        path = FIXTURES / "blank.png"
    else:
        path = make_bad_inputs(tmp_path)[case][0]
    out = tmp_path / "out"
    r = runner.invoke(app, ["convert", str(path), "-o", str(out)])
    assert r.exit_code == 2, r.output
    assert r.output.startswith("error: ") and r.output.count("\n") == 1
    assert "Traceback" not in r.output
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize("args, words", [
    (["--formats", "ifc,dwg"], "--formats"),
    (["--drawing-scale", "one to fifty"], "--drawing-scale"),
    (["--pages", "0"], "--pages"),
    (["--detector", "magic"], "unknown detector"),
])
def test_bad_options_exit_2(tmp_path: Path, args, words) -> None:
    r = runner.invoke(app, ["convert", str(FIXTURES / "flat.png"), "-o", str(tmp_path), *args])
    assert r.exit_code == 2 and words in r.output, r.output


def test_help_reads_well() -> None:
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0 and "convert" in r.output
    r = runner.invoke(app, ["convert", "--help"])
    assert r.exit_code == 0
    for opt in ("--scale", "--dpi", "--drawing-scale", "--wall-height", "--storey-name",
                "--formats", "--pages"):
        assert opt in r.output


def test_runs_as_a_process_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "x.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    p = subprocess.run([sys.executable, "-m", "plan2bim", "convert", str(bad), "-o", str(tmp_path)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "error:" in p.stderr


def test_converting_a_plan_imports_only_what_it_needs(tmp_path):
    """Start-up is most of what a user waits for on one plan (issue 13): a plain conversion must
    not pull in the heavy libraries that only other commands or other inputs use."""
    code = (
        "import sys\n"
        "from plan2bim.__main__ import main\n"
        f"sys.argv = ['plan2bim', 'convert', {str(FIXTURES / 'flat.png')!r}, '-o', {str(tmp_path)!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "heavy = {'scipy', 'trimesh', 'networkx', 'torch', 'ultralytics', 'dask', 'distributed',\n"
        "         'rapidocr', 'reportlab', 'pypdfium2', 'pydantic'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "flat.glb").is_file() and (tmp_path / "flat.ifc").is_file()


def test_the_summary_counts_columns(sample_building, tmp_path, monkeypatch):
    """A stilt level holds columns and no walls: the summary says so rather than '0 walls'."""
    import dataclasses

    import plan2bim.pipeline
    from plan2bim.model import Column
    from plan2bim.pipeline import Result

    st = sample_building.storeys[0]
    cols = [Column(id=f"C{i}", center=(i, 0.0), outline=[(i, 0), (i + .2, 0), (i + .2, .2), (i, .2)],
                   height=2.7, global_id=f"g{i}", outline_px=[(0, 0), (1, 0), (1, 1)]) for i in range(3)]
    b = dataclasses.replace(sample_building, storeys=[dataclasses.replace(st, walls=[], openings=[],
                                                                          columns=cols)])
    monkeypatch.setattr(plan2bim.pipeline, "convert_file", lambda *a, **k: Result(b, []))
    res = runner.invoke(app, ["convert", str(FIXTURES / "flat.png"), "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "0 walls, 3 columns, 0 doors" in res.output


def test_convert_freezes_the_loaded_modules_out_of_full_collections(tmp_path: Path) -> None:
    import gc

    gc.unfreeze()
    try:
        r = runner.invoke(app, ["convert", str(FIXTURES / "flat.png"), "-o", str(tmp_path),
                                "--formats", "json"])
        assert r.exit_code == 0, r.output
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
