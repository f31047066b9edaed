"""Fault injection: every reproduction of issue 14, small, each asserting that nothing is lost,
no temporary file is left, and the exit code and one-line message are the documented ones."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from plan2bim.batch import MANIFEST_NAME, Manifest, discover, run_batch
from plan2bim.cli import app
from plan2bim.config import Config
from plan2bim.errors import InputError, NoPlanError
from plan2bim.load import count_pages, iter_pages
from plan2bim.pipeline import build_model, convert_file
from plan2bim.runtime.files import expand_glob, walk_plans
from plan2bim.runtime.tempfiles import temp_path

ROOT = Path(__file__).resolve().parents[1]
F = ROOT / "fixtures"


def _temps(folder: Path) -> list[Path]:
    """Temporary files: plan2bim's (``.x.plan2bim-<pid>-<host>.part``/``.tmp``) or any ``.part``."""
    return [p for p in Path(folder).rglob("*")
            if p.name.endswith(".part") or (p.name.endswith(".tmp") and ".plan2bim-" in p.name)]


def _cli(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def _one_error_line(result) -> str:
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error:")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.output
    assert "Traceback" not in result.output
    return errors[0]


def _pdf(path: Path, sizes_pt: list[tuple[float, float]], image: Path | None = None) -> Path:
    """A PDF with pages of the given sizes in points, ``image`` drawn on each big enough."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    pil = Image.open(image).convert("RGB") if image else None
    for w, h in sizes_pt:
        page = doc.new_page(w, h)
        if pil is not None and w > 50:
            obj = pdfium.PdfImage.new(doc)
            obj.set_bitmap(pdfium.PdfBitmap.from_pil(pil))
            s = min(w / pil.width, h / pil.height)
            obj.set_matrix(pdfium.PdfMatrix().scale(pil.width * s, pil.height * s))
            page.insert_obj(obj)
            page.gen_content()
    doc.save(str(path))
    return path


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def _stale_temp(final: Path) -> Path:
    """What a writer of ``final`` killed mid-write leaves."""
    name = temp_path(final).name.replace(f"-{os.getpid()}-", f"-{_dead_pid()}-")
    p = final.with_name(name)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("half written")
    return p


# ---------------------------------------------------------------------------------------------
# 1, 2, 3, 5: a batch loses no plan and no one's file


def test_batch_into_its_own_folder_loses_nothing(tmp_path):
    """Names that collide (a.png, a.pdf, a_png.png), a plan called report.png, outputs written
    beside the inputs (batch X -o X) twice, a user's hidden .tmp and a live writer's temporary
    file in OUTDIR: every plan has outputs of its own, nothing is converted twice, nothing of
    anyone else's is deleted."""
    c = tmp_path / "c"
    (c / "sub").mkdir(parents=True)
    shutil.copy(F / "flat.png", c / "a.png")
    shutil.copy(F / "two_storeys.pdf", c / "a.pdf")
    shutil.copy(F / "flat_sheet.png", c / "a_png.png")
    shutil.copy(F / "flat.png", c / "report.png")
    (c / ".backup.tmp").write_text("mine")
    live = temp_path(c / "sub" / "x.ifc")  # this process is alive: a convert writing now
    live.write_text("being written")

    first = run_batch([c], c, formats=("json", "overlay"), workers=2, report=True)
    assert first.ok and first.converted == 4, [r.error for r in first.records]
    stems = {r.key: Path(r.outputs["json"]).name for r in first.records}
    assert len(set(stems.values())) == 4, stems
    for r in first.records:
        doc = json.loads((c / r.outputs["json"]).read_text())
        assert doc["storeys"] and doc["source"]["file"] == Path(r.key).name
    assert "summary" in json.loads((c / "report.json").read_text())
    assert (c / ".backup.tmp").read_text() == "mine" and live.exists()

    again = run_batch([c], c, formats=("json", "overlay"), workers=1, report=True)
    assert again.converted == 0 and again.skipped == 4  # its own overlays are not plans
    assert not list(c.glob("*.overlay.overlay*"))
    assert not [p for p in _temps(c) if p != live]


def test_discovery_is_one_rule_with_unique_stems(tmp_path):
    for name in ("a.png", "a.pdf", "a_png.png", "A.PNG", "report.jpg", "sub/report.png",
                 "7.jpg", "7_wall.png", "7_rooms.png", "kitchen_wall.png", "p.overlay.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    jobs = {j.key: j.stem for j in discover([tmp_path], tmp_path / "out")}
    assert "7_wall.png" not in jobs and "p.overlay.png" not in jobs  # a mask beside its plan
    assert "kitchen_wall.png" in jobs  # no kitchen.* beside it: a plan
    assert jobs["a_png.png"] == "a_png" and jobs["report.jpg"] == "report_jpg"
    assert jobs["sub/report.png"] == "report"  # only OUTDIR's root holds the batch's report
    lowered = [s.lower() for s in jobs.values()]
    assert len(set(lowered)) == len(lowered), jobs
    assert sorted(p.name for p in walk_plans(tmp_path)) == sorted(Path(k).name for k in jobs)


def test_a_batch_that_grows_or_changes_keeps_one_tree(tmp_path):
    """An input added from elsewhere moves the layout up (the outputs so far move with it, not
    converted again); a sub-folder run later writes where the first did; an input that changed
    and now fails keeps no outputs of its old content."""
    (tmp_path / "in").mkdir()
    (tmp_path / "other").mkdir()
    shutil.copy(F / "flat.png", tmp_path / "in" / "a.png")
    shutil.copy(F / "flat_sheet.png", tmp_path / "other" / "x.png")
    out = tmp_path / "out"
    assert run_batch([tmp_path / "in"], out, formats=("json",), workers=1).ok
    assert (out / "a.json").is_file()
    grown = run_batch([tmp_path / "in", tmp_path / "other" / "x.png"], out, formats=("json",),
                      workers=1)
    assert grown.ok and grown.converted == 1 and grown.skipped == 1
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json")) == \
        ["in/a.json", "other/x.json"]  # one tree, no duplicate
    with Manifest(out) as m:
        assert [(r.key, r.conversions) for r in m.records()] == [("in/a.png", 1), ("other/x.png", 1)]

    (tmp_path / "in" / "a.png").write_bytes(b"now broken")
    sub = run_batch([tmp_path / "in"], out, formats=("json",), workers=1)  # a sub-folder
    assert sub.failed == 1 and [r.key for r in sub.records] == ["in/a.png"]
    assert not (out / "in" / "a.json").exists() and (out / "other" / "x.json").is_file()


# ---------------------------------------------------------------------------------------------
# 4, 6, 7, 10: pages


def test_a_page_that_cannot_be_rendered_is_an_error_not_a_skipped_page(tmp_path):
    pdf = _pdf(tmp_path / "p.pdf", [(580, 430), (0.2, 0.2)], F / "flat.png")
    with pytest.raises(InputError, match="page 2 cannot be rendered"):
        build_model(pdf)
    result = _cli("convert", pdf, "-o", tmp_path / "out", "--formats", "json")
    assert result.exit_code == 2 and "--pages" in _one_error_line(result)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    ok = _cli("convert", pdf, "-o", tmp_path / "out", "--formats", "json", "--pages", "1")
    assert ok.exit_code == 0, ok.output


def test_every_page_of_a_tiff_is_read(tmp_path):
    blank = Image.open(F / "blank.png").convert("RGB")
    blank.save(tmp_path / "t.tif", save_all=True, append_images=[Image.open(F / "flat.png")])
    assert count_pages(tmp_path / "t.tif") == 2
    result = build_model(tmp_path / "t.tif")
    assert [s.page for s in result.building.storeys] == [2]


def test_each_pdf_page_is_sized_before_it_is_rendered(tmp_path, monkeypatch):
    """An A4 page then a 2 m x 1.4 m page: the big one is rendered at the resolution recognition
    uses, its pixels counted at 150 dpi; and pages are rendered one at a time, as asked for."""
    import pypdfium2 as pdfium

    pdf = _pdf(tmp_path / "p.pdf", [(595, 842), (5669, 3969)], F / "flat.png")
    rendered = []
    real = pdfium.PdfPage.render

    def render(self, *a, **k):
        rendered.append(k.get("scale"))
        return real(self, *a, **k)

    monkeypatch.setattr(pdfium.PdfPage, "render", render)
    config = Config(detect_max_pixels=4_000_000)
    pages = iter_pages(pdf, config)
    first = next(pages)
    assert len(rendered) == 1 and first.input_size is None and first.size_pt == (595, 842)
    big = next(pages)
    assert len(rendered) == 2
    assert big.image.shape[0] * big.image.shape[1] <= 4_000_000 * 1.01
    assert big.input_size == (round(5669 / 72 * 150), round(3969 / 72 * 150))
    assert big.dpi == 150 and big.work_factor < 0.5


def test_page_cap(tmp_path):
    pdf = _pdf(tmp_path / "p.pdf", [(200, 200)] * 120)
    result = _cli("convert", pdf, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "--max-pages" in _one_error_line(result)
    assert count_pages(pdf) == 120
    with pytest.raises(NoPlanError):  # raised, every page read (blank ones)
        build_model(pdf, Config(max_pages=200, pages=(119, 120)))


def test_a_large_page_is_recognised_reduced_and_mapped_back(tmp_path):
    """A plan three times the size of flat.png, recognised at flat.png's size: the same building
    in metres, its pixels those of the large input."""
    img = cv2.imread(str(F / "flat.png"))
    big = cv2.resize(img, (img.shape[1] * 3, img.shape[0] * 3), interpolation=cv2.INTER_NEAREST)
    cv2.imwrite(str(tmp_path / "big.png"), big)
    limit = img.shape[0] * img.shape[1]
    small = build_model(F / "flat.png").building.storeys[0]
    large = build_model(tmp_path / "big.png", Config(detect_max_pixels=limit)).building.storeys[0]
    assert large.image_size == (big.shape[1], big.shape[0])
    assert len(large.walls) == len(small.walls) and len(large.spaces) == len(small.spaces)
    assert abs(sum(s.area for s in large.spaces) - sum(s.area for s in small.spaces)) < 0.05 * \
        sum(s.area for s in small.spaces)
    assert large.scale.px_per_m == pytest.approx(3 * small.scale.px_per_m, rel=0.05)
    xs = [x for w in large.walls for poly in w.footprint_px for ring in poly for x, _ in ring]
    assert max(xs) > 2.5 * img.shape[1]  # in the large input's pixels
    out = convert_file(tmp_path / "big.png", tmp_path / "out", Config(detect_max_pixels=limit),
                       formats=("overlay",))
    assert cv2.imread(str(out.outputs["overlay"])).shape[1] <= img.shape[1] + 1


def test_a_bomb_is_refused_and_a_large_scan_is_not(tmp_path):
    from test_batch import png_bomb

    bomb = png_bomb(tmp_path / "bomb.png")
    result = _cli("convert", bomb, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "limit" in _one_error_line(result)
    assert Config().max_pixels >= 12000 * 9000  # an A0 sheet at 300 dpi is read


# ---------------------------------------------------------------------------------------------
# 8, 9: runaway inputs


def test_noise_is_refused_as_not_a_drawing(tmp_path):
    rng = np.random.default_rng(0)
    noise = cv2.GaussianBlur((rng.random((600, 800)) * 255).astype(np.uint8), (0, 0), 4)
    cv2.imwrite(str(tmp_path / "noise.png"), cv2.normalize(noise, None, 0, 255, cv2.NORM_MINMAX))
    t0 = time.monotonic()
    result = _cli("convert", tmp_path / "noise.png", "-o", tmp_path / "out")
    assert result.exit_code == 2 and "does not look like a drawing" in _one_error_line(result)
    assert time.monotonic() - t0 < 60  # minutes before: the guard comes before the slow stages
    assert not (tmp_path / "out").exists()


def test_globs_over_symlink_loops_finish(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    for link, target in ((a / "tob", b), (a / "tob2", b), (b / "toa", a), (b / "toa2", a)):
        os.symlink(target, link)
    os.symlink(a / "loop.png", a / "loop.png")  # a link to itself
    shutil.copy(F / "flat.png", a / "p.png")
    _, found = expand_glob(f"{a}/**/*.png")
    assert [p.name for p in found] == ["p.png"]
    jobs = discover([f"{a}/**/*.png", f"{a}/*.png"], tmp_path / "out")
    assert [j.key for j in jobs] == ["p.png"]
    result = _cli("batch", a / "loop.png", "-o", tmp_path / "out")
    assert result.exit_code == 2 and "no such file" in _one_error_line(result)


# ---------------------------------------------------------------------------------------------
# 11, 12, 15: one line, exit 2


@pytest.mark.parametrize(("args", "words"), [
    (["--scale", "inf"], "--scale"),
    (["--scale", "1e9"], "no building"),
    (["--scale", "0.001"], "no building"),
    (["--wall-height", "100"], "--wall-height"),
    (["--dpi", "300"], "--drawing-scale"),
    (["--drawing-scale", "1:100"], "--dpi"),
    (["--pages", "2"], "single image"),
    (["--bogus"], "--bogus"),
])
def test_convert_option_errors_are_one_line(tmp_path, args, words):
    result = _cli("convert", F / "flat.png", "-o", tmp_path / "out", "--formats", "json", *args)
    assert result.exit_code == 2 and words in _one_error_line(result)
    assert not (tmp_path / "out" / "flat.json").exists()


def test_batch_scale_errors_fail_the_plan_not_the_batch(tmp_path):
    shutil.copy(F / "flat.png", tmp_path / "a.png")
    result = run_batch([tmp_path / "a.png"], tmp_path / "out", Config(px_per_m=0.001),
                       formats=("json",), workers=1)
    assert result.failed == 1 and "no building" in result.records[0].error


def test_damaged_manifest_and_unwritable_outdir(tmp_path):
    shutil.copy(F / "flat.png", tmp_path / "a.png")
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / MANIFEST_NAME).write_text("x\n")
    result = _cli("batch", tmp_path / "a.png", "-o", tmp_path / "o")
    assert result.exit_code == 2 and "move it aside" in _one_error_line(result)
    (tmp_path / "f").write_text("a file")
    result = _cli("batch", tmp_path / "a.png", "-o", tmp_path / "f")
    assert result.exit_code == 2 and "is a file" in _one_error_line(result)
    assert (tmp_path / "f").read_text() == "a file"
    result = _cli("batch", tmp_path / "a.png", "-o", tmp_path / "f" / "out")  # under a file
    assert result.exit_code == 2 and "cannot create" in _one_error_line(result)


def test_encrypted_pdf_says_so(tmp_path):
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    c = canvas.Canvas(str(tmp_path / "enc.pdf"), encrypt="secret")
    c.drawImage(str(F / "flat.png"), 0, 0, 580, 430)
    c.showPage()
    c.save()
    result = _cli("convert", tmp_path / "enc.pdf", "-o", tmp_path / "out")
    assert result.exit_code == 2 and "encrypted" in _one_error_line(result)


# ---------------------------------------------------------------------------------------------
# 13, 14: interrupts and killed writers

_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}

_SWALLOWING_WRITER = """
import os, signal, sys, time
import plan2bim.export.glb as glb
real = glb.write_glb
def write_glb(building, path, **kw):
    real(building, path, **kw)
    try:  # what trimesh does around its optional imports
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(2)
    except BaseException:
        pass
glb.write_glb = write_glb
sys.argv[0] = "plan2bim"
from plan2bim.__main__ import main
main()
"""


def test_a_swallowed_ctrl_c_still_stops_the_run(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-c", _SWALLOWING_WRITER, "convert", str(F / "flat.png"),
                           "-o", str(out), "--formats", "json,glb"], env=_ENV, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "interrupted" and "Traceback" not in done.stderr
    assert not list(out.iterdir())  # neither temporary files nor half a set of outputs


def test_ctrl_c_while_starting_exits_130_without_a_traceback(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "plan2bim", "convert", str(F / "flat.png"),
                             "-o", str(tmp_path / "out")], env=_ENV, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert not _temps(tmp_path)


def test_a_killed_converts_temporary_files_go_on_the_next_run(tmp_path):
    out = tmp_path / "out"
    stale = _stale_temp(out / "flat.ifc")
    other = _stale_temp(out / "other.ifc")  # another output's: not this run's to judge
    mine = out / ".flat.ifc.backup.part"  # not named by plan2bim
    mine.write_text("mine")
    result = _cli("convert", F / "flat.png", "-o", out, "--formats", "json,ifc")
    assert result.exit_code == 0, result.output
    assert not stale.exists() and other.exists() and mine.exists()


def _stuck_in_export(source, outdir, config, formats, stem):
    """A plan whose writer hangs mid-write (killed by the timeout)."""
    outdir.mkdir(parents=True, exist_ok=True)
    temp_path(outdir / f"{stem}.json").write_text("{")
    time.sleep(120)


def test_a_timeout_during_export_leaves_no_temporary_file(tmp_path):
    shutil.copy(F / "flat.png", tmp_path / "a.png")
    result = run_batch([tmp_path / "a.png"], tmp_path / "out", formats=("json",), workers=1,
                       timeout=2, convert=_stuck_in_export)
    assert result.timed_out == 1
    assert not _temps(tmp_path / "out")


def test_batch_ctrl_c_keeps_finished_plans_and_no_temporary_file(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for i in range(6):
        shutil.copy(F / "flat.png", src / f"p{i}.png")
    proc = subprocess.Popen([sys.executable, "-m", "plan2bim", "batch", str(src), "-o", str(out),
                             "-j", "2", "--formats", "json,ifc"], env=_ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    done = 0
    while done < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
        try:
            with sqlite3.connect(out / MANIFEST_NAME, timeout=1) as db:
                done = db.execute("SELECT count(*) FROM plans WHERE status='done'").fetchone()[0]
        except sqlite3.Error:
            pass
    assert proc.poll() is None, "finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.strip().splitlines()[-1] == "interrupted"
    assert not _temps(out)
    with Manifest(out) as m:
        kept = [r for r in m.records() if r.status == "done"]
    assert kept and all((out / p).is_file() for r in kept for p in r.outputs.values())
