"""``plan2bim batch``: discovery, the manifest, the process pool with its timeout, faults and resume."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import time
import zlib
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from plan2bim.batch import MANIFEST_NAME, Manifest, Record, discover, run_batch
from plan2bim.batch.core import LOCK_NAME, _exclusive
from plan2bim.batch.discover import read_list
from plan2bim.batch.manifest import config_key, file_sha256, needs_work
from plan2bim.batch.runner import pipeline_convert
from plan2bim.config import Config
from plan2bim.errors import InputError, Plan2BimError
from plan2bim.runtime.tempfiles import temp_path

# ---------------------------------------------------------------------------------------------
# Small plans that really convert, and the broken files an archive is full of


def draw_plan(path: Path, i: int = 0) -> Path:
    """A rectangle of thick black walls, an internal wall with a door gap; sizes vary with ``i``."""
    w, h = 360 + 8 * (i % 7), 260 + 6 * (i % 5)
    img = np.full((h, w, 3), 245, np.uint8)  # off-white paper, dark grey ink, like a scan
    ink, t = (40, 40, 40), 9
    cv2.rectangle(img, (20, 20), (w - 20, h - 20), ink, t, cv2.LINE_AA)
    x = w // 2 + (i % 3) * 10
    cv2.line(img, (x, 20), (x, h // 2 - 30), ink, t)
    cv2.line(img, (x, h // 2 + 30), (x, h - 20), ink, t)  # the gap is a doorway
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), img)
    return path


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(path: Path) -> Path:
    """A valid PNG whose header claims 100000 x 100000 px: a decompression bomb."""
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    data = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
            + _png_chunk(b"IDAT", zlib.compress(b"\0" * 4096)) + _png_chunk(b"IEND", b""))
    path.write_bytes(data)
    return path


EMPTY_PDF = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""


def make_broken(folder: Path, kind: str, i: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "truncated":
        p = draw_plan(folder / f"truncated{i}.png", i)
        p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    elif kind == "empty":
        p = folder / f"empty{i}.png"
        p.write_bytes(b"")
    elif kind == "text":
        p = folder / f"text{i}.png"
        p.write_text("this is not an image\n")
    elif kind == "bomb":
        p = png_bomb(folder / f"bomb{i}.png")
    elif kind == "nopages":
        p = folder / f"nopages{i}.pdf"
        p.write_bytes(EMPTY_PDF)
    else:
        raise ValueError(kind)
    return p


BROKEN = {  # kind -> words the recorded error must contain (a clear message, not a traceback)
    "truncated": ("damaged", "truncated"),
    "empty": ("empty",),
    "text": ("not a supported",),
    "bomb": ("limit",),
    "nopages": ("no pages",),
}


# ---------------------------------------------------------------------------------------------
# A per-plan function for the runner (module level, so that worker processes can import it)


def misbehaving_convert(source, outdir, config, formats, stem):
    """The real conversion, except that it hangs on ``slow*``, kills its own process on
    ``crash*`` and has a bug on ``bug*``."""
    if source.name.startswith("slow"):
        time.sleep(120)
    if source.name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGKILL)  # what the OOM killer or a segfault looks like
    if source.name.startswith("bug"):
        raise ZeroDivisionError("division by zero")
    return pipeline_convert(source, outdir, config, formats, stem)


FORMATS = ("json",)


# ---------------------------------------------------------------------------------------------
# Discovery


def test_discover_keeps_layout_and_skips_hidden_and_outdir(tmp_path):
    root = tmp_path / "archive"
    for rel in ("a/p1.png", "a/b/p2.PDF", "c/p3.tif", "a/.hidden.png", ".cache/p4.png", "a/notes.txt"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"x")
    out = root / "out"  # inside the input folder: its files must not become inputs
    (out / "a").mkdir(parents=True)
    (out / "a" / "p1.overlay.png").write_bytes(b"x")
    jobs = discover([root], out)
    assert [j.key for j in jobs] == ["a/b/p2.PDF", "a/p1.png", "c/p3.tif"]
    j = jobs[0]
    assert j.source == (root / "a/b/p2.PDF").resolve()
    assert j.outdir == (out / "a/b").resolve() and j.stem == "p2"


def test_discover_files_globs_collisions_and_common_root(tmp_path):
    for rel in ("x/plan.png", "x/plan.pdf", "y/z/other.jpg", "y/z/skip.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    named = tmp_path / "y/z/skip.txt"  # named explicitly: taken whatever its extension
    jobs = discover([tmp_path / "x/plan.png", str(tmp_path / "x/*.pdf"), str(tmp_path / "y/**/*"),
                     named, tmp_path / "x/plan.png"], tmp_path / "out")
    by_key = {j.key: j for j in jobs}
    assert sorted(by_key) == ["x/plan.pdf", "x/plan.png", "y/z/other.jpg", "y/z/skip.txt"]
    assert by_key["x/plan.png"].stem == "plan_png" and by_key["x/plan.pdf"].stem == "plan_pdf"
    assert by_key["y/z/other.jpg"].outdir == (tmp_path / "out/y/z").resolve()


def test_discover_errors_and_list_file(tmp_path, monkeypatch):
    with pytest.raises(InputError, match="no such file"):
        discover([tmp_path / "missing.png"], tmp_path / "out")
    assert discover([str(tmp_path / "*.png")], tmp_path / "out") == []  # an empty glob is no error
    draw_plan(tmp_path / "in/a.png")
    lst = tmp_path / "list.txt"
    lst.write_text("# plans\n\nin/a.png\n  in  \n")
    monkeypatch.chdir(tmp_path)
    assert read_list(lst) == ["in/a.png", "in"]
    assert [j.key for j in discover(read_list(lst), tmp_path / "out")] == ["a.png"]


# ---------------------------------------------------------------------------------------------
# The manifest and the skip rule


def test_config_key_follows_every_setting():
    base = config_key(Config())
    assert config_key(Config()) == base
    assert config_key(replace(Config(), wall_height=3.0)) != base
    assert config_key(replace(Config(), vectorize=replace(Config().vectorize, min_wall_length_px=7.0))) != base


def _done(tmp_path, **kw) -> Record:
    (tmp_path / "p.json").write_text("{}")
    return Record(key="p.png", source="p.png", sha256="h", config_key="k", status="done",
                  outputs={"json": "p.json"}, **kw)


@pytest.mark.parametrize(
    ("change", "kwargs", "expected"),
    [
        ({}, {}, None),
        ({}, {"force": True}, "forced"),
        ({"sha256": "other"}, {}, "changed"),
        ({"config_key": "other"}, {}, "settings changed"),
        ({"status": "failed"}, {}, None),
        ({"status": "timeout"}, {"retry_failed": True}, "retry"),
        ({"status": "failed", "sha256": "other"}, {}, "changed"),
        ({"outputs": {"json": "gone.json"}}, {}, "outputs missing"),
        ({"outputs": {}}, {}, "new format json"),
    ],
)
def test_needs_work(tmp_path, change, kwargs, expected):
    rec = replace(_done(tmp_path), **change)
    assert needs_work(rec, "h", "k", ("json",), tmp_path, **kwargs) == expected
    assert needs_work(None, "h", "k", ("json",), tmp_path) == "new"


def test_manifest_counts_attempts_and_conversions(tmp_path):
    with Manifest(tmp_path) as m:
        rec = _done(tmp_path)
        m.put(replace(rec, status="failed", error="boom"))
        m.put(rec)
        got = m.put(replace(rec, seconds=1.5, timings={"load": 0.1}))
    with Manifest(tmp_path) as m:  # reopened: everything committed
        assert m.get("p.png") == got
    assert (got.attempts, got.conversions, got.status, got.error) == (3, 2, "done", "")
    assert got.timings == {"load": 0.1} and got.outputs == {"json": "p.json"}
    mode = sqlite3.connect(tmp_path / MANIFEST_NAME).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_manifest_of_an_older_version_gains_the_new_columns(tmp_path):
    db = sqlite3.connect(tmp_path / MANIFEST_NAME)
    db.execute("CREATE TABLE plans (key TEXT PRIMARY KEY, source TEXT, sha256 TEXT, "
               "config_key TEXT, status TEXT, attempts INTEGER, conversions INTEGER)")
    db.execute("INSERT INTO plans VALUES ('a.png', 'a.png', 'h', 'k', 'done', 1, 1)")
    db.commit()
    db.close()
    with Manifest(tmp_path) as m:
        old = m.get("a.png")
        assert (old.status, old.cpu_seconds, old.outputs, old.error) == ("done", 0.0, {}, "")
        assert m.put(replace(old, status="failed", error="x")).attempts == 2


def test_hash_reused_only_while_size_and_mtime_match(tmp_path):
    p = tmp_path / "a.png"
    p.write_bytes(b"one")
    sha, size, mtime = file_sha256(p)
    known = Record(key="a", source="a", sha256="cached", config_key="", status="done",
                   size=size, mtime_ns=mtime)
    assert file_sha256(p, known=known)[0] == "cached"
    p.write_bytes(b"two!")
    assert file_sha256(p, known=known)[0] not in ("cached", sha)


# ---------------------------------------------------------------------------------------------
# Batches


def test_fifty_plans_ten_broken(tmp_path):
    """40 good plans convert, the 10 broken ones are reported with clear messages, exit code 3."""
    src = tmp_path / "in"
    for i in range(40):
        draw_plan(src / f"floor{i % 4}" / f"plan{i:02d}.png", i)
    broken = {make_broken(src / "bad", kind, i): kind for kind in BROKEN for i in range(2)}
    result = run_batch([src], tmp_path / "out", formats=FORMATS, workers=2, report=True)
    by_key = {r.key: r for r in result.records}
    assert len(by_key) == 50 and result.converted == 40 and result.failed == 10 and not result.ok
    for path, kind in broken.items():
        rec = by_key[f"bad/{path.name}"]
        assert rec.status == "failed", rec
        assert path.name in rec.error and any(w in rec.error for w in BROKEN[kind]), rec.error
        assert "unexpected" not in rec.error and not rec.outputs
    for rec in by_key.values():
        if rec.status == "done":
            out = tmp_path / "out" / rec.outputs["json"]
            assert out.parent.name == Path(rec.key).parent.name  # layout kept
            assert json.loads(out.read_text())["storeys"]
            assert rec.walls > 0 and rec.px_per_m and rec.scale_method and rec.seconds > 0
    rows = list(csv.DictReader((tmp_path / "out/report.csv").open()))
    assert len(rows) == 50 and sum(r["status"] == "failed" for r in rows) == 10
    doc = json.loads((tmp_path / "out/report.json").read_text())
    assert doc["summary"]["done"] == 40 and doc["summary"]["failed"] == 10
    assert doc["summary"]["floor_area_m2"] == pytest.approx(sum(r.floor_area_m2 for r in result.records), abs=0.1)


def test_multipage_pdf_is_one_building_with_a_storey_a_page(tmp_path):
    from PIL import Image

    pages = [Image.open(draw_plan(tmp_path / f"page{i}.png", i)).convert("RGB") for i in range(2)]
    pdf = tmp_path / "in" / "house.pdf"
    pdf.parent.mkdir()
    pages[0].save(pdf, save_all=True, append_images=pages[1:], resolution=100.0)
    result = run_batch([pdf], tmp_path / "out", formats=FORMATS, workers=1)
    (rec,) = result.records
    assert rec.status == "done", rec.error
    assert rec.storeys == 2 and rec.outputs == {"json": "house.json"}
    doc = json.loads((tmp_path / "out/house.json").read_text())
    assert [s["page"] for s in doc["storeys"]] == [1, 2]


def test_timeout_crash_and_bug_do_not_stop_the_batch(tmp_path):
    src = tmp_path / "in"
    for name in ("a.png", "slow.png", "b.png", "crash.png", "bug.png", "c.png"):
        draw_plan(src / name)
    # Workers warm up (imports, model session, a first conversion) before a plan's clock
    # starts, so a good plan takes well under a second of its 6 s however busy the machine;
    # the slow one sleeps 120 s.
    t0 = time.monotonic()
    result = run_batch([src], tmp_path / "out", formats=FORMATS, workers=2, timeout=6,
                       convert=misbehaving_convert)
    assert time.monotonic() - t0 < 100
    status = {r.key: (r.status, r.error) for r in result.records}
    assert status["slow.png"][0] == "timeout" and "longer than 6 s" in status["slow.png"][1]
    assert status["crash.png"][0] == "failed" and "signal 9" in status["crash.png"][1]
    assert status["bug.png"][0] == "failed" and "ZeroDivisionError" in status["bug.png"][1]
    assert all(status[k][0] == "done" for k in ("a.png", "b.png", "c.png"))
    assert (result.converted, result.failed, result.timed_out) == (3, 2, 1)


def test_rerun_skips_done_and_redoes_changed(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    for i in range(3):
        draw_plan(src / f"p{i}.png", i)
    make_broken(src, "empty", 0)
    kw = dict(formats=FORMATS, workers=1)
    first = run_batch([src], out, **kw)
    assert (first.converted, first.failed) == (3, 1)

    again = run_batch([src], out, **kw)  # nothing changed: nothing converted
    assert (again.converted, again.failed, again.skipped, again.skipped_failed) == (0, 0, 3, 1)
    assert not again.ok  # the failed plan still counts for the exit code

    draw_plan(src / "p1.png", 5)  # new content
    (out / "p2.json").unlink()  # an output deleted by hand
    changed = run_batch([src], out, **kw)
    assert changed.converted == 2 and changed.skipped == 1

    draw_plan(src / "empty0.png")  # the broken file was fixed
    assert run_batch([src], out, retry_failed=True, **kw).converted == 1

    settings = run_batch([src], out, config=replace(Config(), wall_height=3.1), **kw)
    assert settings.converted == 4 and settings.ok
    forced = run_batch([src], out, config=replace(Config(), wall_height=3.1), force=True, **kw)
    assert forced.converted == 4
    with Manifest(out) as m:
        assert {r.key: r.conversions for r in m.records()} == {
            "empty0.png": 3, "p0.png": 3, "p1.png": 4, "p2.png": 4}


def test_one_batch_per_outdir(tmp_path):
    draw_plan(tmp_path / "in/a.png")
    out = tmp_path / "out"
    out.mkdir()
    with _exclusive(out), pytest.raises(Plan2BimError, match="another plan2bim batch"):
        run_batch([tmp_path / "in"], out, formats=FORMATS)
    assert (out / LOCK_NAME).exists()
    assert run_batch([tmp_path / "in"], out, formats=FORMATS).ok  # released


def test_usage_errors(tmp_path):
    draw_plan(tmp_path / "in/a.png")
    with pytest.raises(InputError, match="no plan found"):
        run_batch([str(tmp_path / "in/*.jpg")], tmp_path / "out")
    with pytest.raises(InputError, match="unknown output format"):
        run_batch([tmp_path / "in"], tmp_path / "out", formats=("dwg",))
    with pytest.raises(InputError, match="no input"):
        run_batch([], tmp_path / "out")


# ---------------------------------------------------------------------------------------------
# Killed with SIGKILL in the middle, then resumed


def _batch_command(src: Path, out: Path) -> list[str]:
    return [sys.executable, "-c", "from plan2bim.cli import app; app()", "batch", str(src),
            "-o", str(out), "--formats", "json,ifc", "--workers", "2"]


def _done_count(out: Path) -> int:
    try:
        with sqlite3.connect(out / MANIFEST_NAME, timeout=1) as db:
            return db.execute("SELECT count(*) FROM plans WHERE status = 'done'").fetchone()[0]
    except sqlite3.Error:
        return 0


def _check_outputs_complete(out: Path) -> None:
    """Every file with a final name is complete: it parses."""
    for p in out.rglob("*.json"):
        if not p.name.startswith("."):
            assert json.loads(p.read_text())["storeys"], p
    for p in out.rglob("*.ifc"):
        if not p.name.startswith("."):
            assert p.read_text().rstrip().endswith("END-ISO-10303-21;"), p


def test_sigkill_then_resume_converts_each_plan_once(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    n = 16
    for i in range(n):
        draw_plan(src / f"f{i % 2}" / f"plan{i:02d}.png", i)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    proc = subprocess.Popen(_batch_command(src, out), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _done_count(out) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, f"finished before it could be killed: {proc.stderr.read()!r}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stderr = proc.stderr.read()
    proc.stderr.close()
    done_before = _done_count(out)
    assert 3 <= done_before < n, stderr
    time.sleep(0.5)  # let the killed run's workers notice (they die with their parent)
    _check_outputs_complete(out)
    # What a writer killed mid-write leaves (whether this kill caught one is luck): a temporary
    # file plan2bim named, of a process that is gone; and a user's own hidden file, kept.
    (out / "f1").mkdir(parents=True, exist_ok=True)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    # (Of an output no plan of the rerun writes: only the batch's own clean-up can remove it.)
    planted = temp_path(out / "f1" / "plan99.ifc").name.replace(f"-{os.getpid()}-",
                                                                 f"-{gone.stdout.strip()}-")
    (out / "f1" / planted).write_text("ISO-10303-21;\nHEADER;")
    (out / "f1" / ".notes.tmp").write_text("the user's")

    rerun = subprocess.run(_batch_command(src, out), env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    with Manifest(out) as m:
        recs = m.records()
    assert len(recs) == n and all(r.status == "done" for r in recs)
    assert all(r.conversions == 1 for r in recs), [(r.key, r.conversions) for r in recs]
    assert sum(r.attempts for r in recs) == n  # nothing that had finished was redone
    _check_outputs_complete(out)
    assert not (out / "f1" / planted).exists()  # the killed run's temporary files are gone
    assert not [p for p in out.rglob("*.part")] + [p for p in out.rglob("*plan2bim-*.tmp")]
    assert (out / "f1" / ".notes.tmp").read_text() == "the user's"
    for r in recs:
        assert sorted(r.outputs) == ["ifc", "json"]
        assert all((out / p).is_file() for p in r.outputs.values())


# ---------------------------------------------------------------------------------------------
# The command


def _cli(*args: str):
    from typer.testing import CliRunner

    from plan2bim.cli import app

    return CliRunner().invoke(app, ["batch", *args])


def test_cli_exit_codes_summary_and_report(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    draw_plan(src / "a/p1.png", 1)
    draw_plan(src / "b/p2.png", 2)
    lst = tmp_path / "list.txt"
    lst.write_text(f"{src / 'a'}\n")

    ok = _cli("--from-list", str(lst), "-o", str(out), "--formats", "json", "-j", "1")
    assert ok.exit_code == 0, ok.output
    assert (out / "p1.json").is_file() and not (out / "p2.json").exists()

    make_broken(src / "b", "text", 0)
    partial = _cli(str(src), "-o", str(out), "--formats", "json,ifc", "--report", "-j", "2")
    assert partial.exit_code == 3, partial.output
    text = " ".join(partial.output.split())
    assert "text0.png" in text and "not a supported plan format" in text and "converted now" in text
    assert (out / "a/p1.ifc").is_file() and (out / "b/p2.ifc").is_file()
    rows = {r["input"]: r for r in csv.DictReader((out / "report.csv").open())}
    assert rows["b/text0.png"]["status"] == "failed" and int(rows["a/p1.png"]["walls"]) > 0

    again = _cli(str(src), "-o", str(out), "--formats", "json,ifc")  # still one failed plan
    assert again.exit_code == 3 and "failed earlier" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{src}/*.jpg"], "no plan found"),
        (["{src}/missing.png"], "no such file"),
        (["{src}", "--formats", "dwg"], "--formats"),
        (["{src}", "--drawing-scale", "big"], "--drawing-scale"),
        (["{src}", "--detector", "magic"], "unknown detector"),
        (["{src}", "--dask", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
    ],
)
def test_cli_usage_errors_exit_2(tmp_path, args, message):
    draw_plan(tmp_path / "p.png")
    result = _cli(*[a.format(src=tmp_path) for a in args], "-o", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


def test_cli_help_documents_exit_codes():
    out = " ".join(_cli("--help").output.split())
    assert "Exit codes: 0" in out and "3 the batch finished but some plans failed" in out


def test_package_version_is_the_one_in_pyproject() -> None:
    """The batch manifest keys results by version: a release that changes recognition must bump
    it in both places, or a resumed batch keeps results of the old recognition."""
    import tomllib
    from pathlib import Path

    import plan2bim

    meta = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert meta["project"]["version"] == plan2bim.__version__
