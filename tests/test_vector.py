"""The vector PDF path: reading primitives, wall pairing, doors and their swing, the raster/vector
decision per page, and bad PDFs. PDFs are drawn here with reportlab, from fixed numbers."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest

from plan2bim.errors import InputError
from plan2bim.vector.openings import Gap, find_doors, swing_side
from plan2bim.vector.pdf import read_page
from plan2bim.vector.recognise import recognise
from plan2bim.vector.route import is_vector_page
from plan2bim.vector.settings import VectorSettings
from plan2bim.vector.walls import Lines, pair_lines

canvas = pytest.importorskip("reportlab.pdfgen.canvas")

MM = 72 / 25.4
K50 = 1000 / 50 * MM  # points per metre at 1:50


def _pdf(draw, size=(420 * MM, 297 * MM)) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size, invariant=1)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def _write(tmp_path: Path, data: bytes, name: str = "p.pdf") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_reads_each_primitive_kind(tmp_path):
    def draw(c):
        c.setLineWidth(0.7)
        c.line(100, 100, 300, 100)  # a line
        c.setDash([6, 2])
        c.line(100, 150, 300, 150)  # a dashed line
        c.setDash([])
        p = c.beginPath()  # a polyline
        p.moveTo(100, 200)
        p.lineTo(150, 250)
        p.lineTo(200, 200)
        c.drawPath(p, stroke=1, fill=0)
        c.setFillColorRGB(0.5, 0.5, 0.5)
        c.rect(400, 100, 50, 30, stroke=1, fill=1)  # a filled rectangle
        c.setStrokeColorRGB(1, 0, 0)
        c.arc(500, 100, 600, 200, 0, 90)  # a Bézier arc
        c.setFillColorRGB(0, 0, 0)
        c.drawString(100, 400, "SCALE 1:50")

    page = read_page(_write(tmp_path, _pdf(draw)), 1)
    h = page.size_pt[1]
    line = next(p for p in page.paths if len(p.segments) == 1 and not p.dash)
    assert np.allclose(line.segments[0], [100, h - 100, 300, h - 100])  # y down from the top
    assert line.stroke_width_pt == pytest.approx(0.7)
    assert any(p.dash == pytest.approx((6.0, 2.0)) for p in page.paths)
    assert any(len(p.segments) == 2 and not p.closed for p in page.paths)
    rect = next(p for p in page.paths if p.fill is not None)
    assert rect.closed and len(rect.segments) == 4 and rect.fill[:3] == (128, 128, 128)
    arc = next(p for p in page.paths if len(p.curves))
    assert arc.stroke[:3] == (255, 0, 0)
    assert any(t.text == "SCALE 1:50" and t.bbox[1] < h - 390 for t in page.texts)
    assert page.image_area_ratio == 0.0


def _lines(segs, width=0.5) -> Lines:
    s = np.asarray(segs, float)
    return Lines(s, np.full(len(s), width), np.zeros(len(s), bool))


@pytest.mark.parametrize("angle", [0.0, 30.0, 90.0, 127.0])
@pytest.mark.parametrize("thick_m", [0.1, 0.25, 0.45])
def test_wall_pairing_any_angle_and_thickness(angle, thick_m):
    a = math.radians(angle)
    u, n = np.array([math.cos(a), math.sin(a)]), np.array([-math.sin(a), math.cos(a)])
    o = np.array([200.0, 200.0])
    t, L = thick_m * K50, 4.0 * K50
    segs = [(*(o + n * t / 2), *(o + n * t / 2 + u * L)), (*(o - n * t / 2), *(o - n * t / 2 + u * L)),
            # a line 1 m away: another wall's face, not this wall's
            (*(o + n * 1.0 * K50), *(o + n * 1.0 * K50 + u * L))]
    pieces = pair_lines(_lines(segs), np.arange(3), K50, VectorSettings())
    assert len(pieces) == 1
    p = pieces[0]
    assert p.thickness == pytest.approx(t, rel=1e-6)
    assert p.length == pytest.approx(L, rel=1e-6)
    mid = (p.p0 + p.p1) / 2
    assert np.allclose(mid, o + u * L / 2, atol=1e-6)


def test_line_between_takes_the_pair():
    t = 0.2 * K50
    segs = [(0, 0, 400, 0), (0, t, 400, t), (0, t / 2, 400, t / 2)]
    pieces = pair_lines(_lines(segs), np.arange(3), K50, VectorSettings(min_wall_m=0.05))
    assert sorted(round(p.thickness, 3) for p in pieces) == [round(t / 2, 3)] * 2


def _door_gap(hinge_at_start: bool, side: int):
    """A 0.9 m gap in a horizontal 0.2 m wall (page frame) with a leaf swinging to ``side``."""
    t, w = 0.2 * K50, 0.9 * K50
    gap = Gap(np.array([100.0, 300.0]), np.array([1.0, 0.0]), 0.0, w, t)
    hinge = gap.point(0.0 if hinge_at_start else w, side * t / 2)
    far = gap.point(w if hinge_at_start else 0.0, side * t / 2)
    tip = hinge + gap.n * side * w
    k = 4 / 3 * math.tan(math.pi / 8)
    c1 = tip + (far - hinge) * k
    c2 = far + (tip - hinge) * k
    return gap, np.array([[*tip, *c1, *c2, *far]])


@pytest.mark.parametrize("hinge_at_start", [True, False])
@pytest.mark.parametrize("side", [1, -1])
def test_door_from_arc_both_hands_and_sides(hinge_at_start, side):
    gap, curves = _door_gap(hinge_at_start, side)
    doors = find_doors(gap, curves, K50, 0.12)
    assert len(doors) == 1
    d = doors[0]
    assert d.hinge_at_start == hinge_at_start and d.side == side
    assert d.s1 - d.s0 == pytest.approx(gap.width, rel=0.01)


def test_swing_convention_matches_synthetic_truth():
    from plan2bim.tools.synth.labels import swing_side as truth
    from plan2bim.tools.synth.layout import OpeningSpec, WallSpec

    # a wall along +x in the plan (y up); the page frame flips y
    w = WallSpec((0.0, 0.0), (4.0, 0.0), 0.2, False)
    for at_start in (True, False):
        for side in (1, -1):
            op = OpeningSpec("door", 0, 2.0, 0.9, "swing", at_start, side)
            # plan +y (w.n, side +1) is page -y, i.e. the page frame's -n for u = +x
            assert swing_side(np.array([1.0, 0.0]), -side, at_start) == truth(w, op)
    assert {swing_side(np.array([1.0, 0.0]), s, a) for s in (1, -1) for a in (True, False)} == {"left", "right"}


def _room_pdf(c):
    """A 4 x 3 m room at 1:50, 0.2 m walls as double lines, a door with its arc, a name, a scale."""
    t = 0.2 * K50
    x0, y0 = 150.0, 150.0
    W, H = 4 * K50, 3 * K50
    c.setLineWidth(0.5)
    outer = (x0 - t / 2, y0 - t / 2, x0 + W + t / 2, y0 + H + t / 2)
    inner = (x0 + t / 2, y0 + t / 2, x0 + W - t / 2, y0 + H - t / 2)
    d0, d1 = x0 + 1.0 * K50, x0 + 1.9 * K50  # door in the bottom wall
    p = c.beginPath()
    # bottom wall, broken at the door, with jambs
    segs = [
        (outer[0], outer[1], d0, outer[1]), (d1, outer[1], outer[2], outer[1]),
        (inner[0], inner[1], d0, inner[1]), (d1, inner[1], inner[2], inner[1]),
        (d0, outer[1], d0, inner[1]), (d1, outer[1], d1, inner[1]),
        (outer[2], outer[1], outer[2], outer[3]), (outer[2], outer[3], outer[0], outer[3]),
        (outer[0], outer[3], outer[0], outer[1]),
        (inner[2], inner[1], inner[2], inner[3]), (inner[2], inner[3], inner[0], inner[3]),
        (inner[0], inner[3], inner[0], inner[1]),
    ]
    for a, b, cc, d in segs:
        p.moveTo(a, b)
        p.lineTo(cc, d)
    c.drawPath(p, stroke=1, fill=0)
    c.setLineWidth(0.18)
    c.line(d0, inner[1], d0, inner[1] + 0.9 * K50)  # leaf into the room (page y up here)
    c.arc(d0 - 0.9 * K50, inner[1] - 0.9 * K50, d0 + 0.9 * K50, inner[1] + 0.9 * K50, 0, 90)
    c.drawCentredString(x0 + W / 2, y0 + H / 2, "KITCHEN")
    c.drawString(500, 60, "SCALE 1:50")
    for i in range(300):  # enough line work to count as a vector drawing
        c.line(600 + i % 30, 500, 600 + i % 30, 505)


def test_room_with_door_end_to_end(tmp_path):
    page = read_page(_write(tmp_path, _pdf(_room_pdf)), 1)
    assert is_vector_page(page)[0]
    vp = recognise(page)
    assert vp.scale_method == "printed" and vp.scale_denominator == 50
    assert len(vp.walls) == 4
    assert sorted(round(w.thickness / K50, 3) for w in vp.walls) == [0.2] * 4
    doors = [o for w in vp.walls for o in w.openings]
    assert len(doors) == 1 and doors[0].kind == "door" and doors[0].width / K50 == pytest.approx(0.9, abs=0.01)
    assert doors[0].swing in ("left", "right")
    assert len(vp.rooms) == 1
    room, name = vp.rooms[0]
    assert name == "KITCHEN"
    assert room.area / K50**2 == pytest.approx(3.8 * 2.8, rel=0.01)


def test_scanned_page_takes_the_raster_route(tmp_path):
    from PIL import Image

    img = tmp_path / "scan.png"
    Image.new("RGB", (800, 600), "white").save(img)

    def draw(c):
        c.drawImage(str(img), 0, 0, width=420 * MM, height=297 * MM)

    page = read_page(_write(tmp_path, _pdf(draw)), 1)
    ok, why = is_vector_page(page)
    assert not ok and "raster image" in why
    assert page.image_area_ratio > 0.95


def test_page_without_vector_content(tmp_path):
    page = read_page(_write(tmp_path, _pdf(lambda c: c.drawString(100, 100, "NOTES"))), 1)
    ok, why = is_vector_page(page)
    assert not ok and "vector lines" in why
    assert recognise(page).walls == []


def test_broken_pdf_is_a_clear_error(tmp_path):
    p = _write(tmp_path, b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage", "broken.pdf")
    with pytest.raises(InputError, match="damaged"):
        read_page(p, 1)


def test_broken_pdf_cli_exit_2_nothing_written(tmp_path):
    from typer.testing import CliRunner

    from plan2bim.cli import app

    p = _write(tmp_path, b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage", "broken.pdf")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["convert", str(p), "-o", str(out)])
    assert res.exit_code == 2
    assert "error" in res.output.lower()
    assert not out.exists() or not any(out.iterdir())


def test_synthetic_sheet_round_trip(tmp_path):
    """A generated sheet converts through the pipeline into the storey its truth describes."""
    import json

    from plan2bim.export.json import building_to_dict
    from plan2bim.pipeline import build_model
    from plan2bim.tools.evaluate.datasets import annotation_from_model
    from plan2bim.tools.evaluate.metrics import score_plan
    from plan2bim.tools.synth.pdf_sheet import make_pdf_sheet

    sheet = make_pdf_sheet(2, seed=5)
    pdf = _write(tmp_path, sheet.pdf, "sheet.pdf")
    result = build_model(pdf)
    st = result.building.storeys[0]
    assert st.scale.method == "printed"
    truth = building_to_dict(sheet.building)
    assert st.scale.px_per_m == pytest.approx(truth["storeys"][0]["scale"]["px_per_m"], rel=0.01)
    assert {w.source for w in st.walls} == {"vector"} and all(s.source == "vector" for s in st.spaces)
    pred = building_to_dict(result.building)
    assert all(w["source"] == "vector" for w in pred["storeys"][0]["walls"])
    gt = annotation_from_model(truth)
    score = score_plan(annotation_from_model(pred, image_size=gt.image_size), gt)
    assert score.wall_iou > 0.9
    assert score.door.f1 > 0.8 and score.room.f1 > 0.8
    json.dumps(pred)  # serialisable


def test_page_that_says_elevation_is_no_storey(tmp_path):
    """The sheet stage decides for vector pages too: an elevation's lines make no storey."""
    from plan2bim.errors import NoPlanError
    from plan2bim.pipeline import build_model

    def draw(c):
        c.drawString(100, 100, "NORTH ELEVATION")
        c.drawString(100, 80, "SCALE 1:100")
        for i in range(300):
            c.line(200 + i, 300, 200 + i, 400)

    path = _write(tmp_path, _pdf(draw))
    assert is_vector_page(read_page(path, 1))[0]
    with pytest.raises(NoPlanError, match="elevation"):
        build_model(path)


def test_synth_pdf_and_eval_commands(tmp_path):
    import json

    from typer.testing import CliRunner

    from plan2bim.cli import app

    out = tmp_path / "set"
    r = CliRunner().invoke(app, ["synth", "--format", "pdf", "-n", "1", "--seed", "3", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "images" / "000000.pdf").read_bytes().startswith(b"%PDF")
    sheet = json.loads((out / "sheets" / "000000.json").read_text())
    assert sheet["scale"] in (50, 75, 100, 125, 150, 200)
    from plan2bim.schema import validate_plan

    validate_plan(json.loads((out / "gt" / "000000.json").read_text()))
    r = CliRunner().invoke(app, ["eval", str(out), "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output[r.output.index("{"):])
    assert summary["plans"] == 1 and summary["scale_within_1pct"] == 1.0
    assert summary["wall_iou"] > 0.9


def test_turned_note_is_no_room_name(tmp_path):
    """A note turned across the page's text ("ROOF EAVES LINE ABOVE" at 270 deg on surau p2),
    larger than the room's name, does not name the room."""
    def draw(c):
        _room_pdf(c)
        c.saveState()
        c.setFont("Helvetica", 20)
        c.translate(150 + 0.6 * K50, 150 + 0.5 * K50)
        c.rotate(90)
        c.drawString(0, 0, "ROOF EAVES LINE")
        c.restoreState()

    page = read_page(_write(tmp_path, _pdf(draw)), 1)
    assert any(abs(t.angle_deg % 360 - 90) < 1 or abs(t.angle_deg % 360 - 270) < 1 for t in page.texts)
    (room, name), = recognise(page).rooms
    assert name == "KITCHEN"


def test_the_sheet_border_is_no_wall_when_the_whole_frame_is_read():
    """Where no title names the drawing, the vector route reads all of the sheet's frame; the
    border's own lines (and a dimension line beside it) made a wall (seed 4242, sheet 000065)."""
    import numpy as np

    from plan2bim.vector.pdf import PageContent, VectorPath
    from plan2bim.vector.route import clip_content

    def line(*xy):
        return VectorPath(np.array([xy], float), np.zeros((0, 8)), False, 0.5, (0, 0, 0, 255), None)

    frame = (20.0, 20.0, 500.0, 700.0)
    border = line(20.0, 20.0, 20.0, 700.0)
    dim = line(28.0, 100.0, 28.0, 600.0)
    wall = line(100.0, 100.0, 400.0, 100.0)
    page = PageContent(1, (520.0, 720.0), [border, dim, wall], [], 0.0)
    def xs(paths):
        return sorted(float(p.segments[0, 0]) for p in paths)

    assert xs(clip_content(page, frame, box_is_frame=True).paths) == [28.0, 100.0]
    assert xs(clip_content(page, frame).paths) == [20.0, 28.0, 100.0]  # a viewport's edge may hold a wall


def test_a_vector_page_is_never_masked(tmp_path, monkeypatch):
    """The vector route reads the PDF's lines, not the view's pixels: painting the sheet
    furniture out of its image (Hough circles over an A3 page) was wasted work."""
    from plan2bim.pipeline import build_model
    from plan2bim.sheet import stage
    from plan2bim.tools.synth.pdf_sheet import make_pdf_sheet

    def fail(*a, **k):
        raise AssertionError("a vector page's view was masked")

    monkeypatch.setattr(stage, "masked_viewport", fail)
    pdf = _write(tmp_path, make_pdf_sheet(2, seed=5).pdf, "sheet.pdf")
    st = build_model(pdf).building.storeys[0]
    assert st.walls and {w.source for w in st.walls} == {"vector"}


def test_marked_content_spans_name_the_paths_layers(tmp_path):
    """A path's layer is the names of the marked-content spans it sits in; a span's name is
    read once and reused for the paths after it, nested or not."""

    def draw(c):
        c._code.append("/A BMC /B BMC")
        c.line(10, 20, 100, 20)
        c.line(10, 30, 100, 30)
        c._code.append("EMC")
        c.line(10, 40, 100, 40)
        c.line(10, 45, 100, 45)
        c._code.append("EMC")
        c.line(10, 50, 100, 50)

    page = read_page(_write(tmp_path, _pdf(draw)), 1)
    assert [p.layer for p in page.paths] == ["A/B", "A/B", "A", "A", ""]
    assert page.layers == ("A/B", "A")


def test_clipping_keeps_whole_paths_cuts_the_crossing_ones_and_drops_the_rest():
    """A path inside stays as it is (the same object); one crossing the box keeps its inside
    lines and curves and is no longer closed; one outside or in a dropped box goes; paths
    without curves, or without lines, are counted right among the others."""
    from plan2bim.vector.pdf import PageContent, VectorPath
    from plan2bim.vector.route import clip_content

    no_curve = np.zeros((0, 8))
    curve = np.array([[60.0, 60.0, 70.0, 50.0, 80.0, 50.0, 90.0, 60.0]])
    far_curve = curve + 500.0

    def path(segs, curves=no_curve, closed=False):
        return VectorPath(np.array(segs, float).reshape(-1, 4), curves, closed, 0.5, (0, 0, 0, 255), None,
                          subpaths=(0,))

    inside = path([(10, 10, 50, 10), (50, 10, 50, 50)], curve, closed=True)
    crossing = path([(10, 20, 50, 20), (50, 20, 400, 20)], np.concatenate([curve, far_curve]), closed=True)
    outside = path([(300, 300, 400, 300)])
    curve_only = path([], curve)
    dropped = path([(150, 150, 160, 160)])
    page = PageContent(1, (600.0, 600.0), [inside, crossing, outside, curve_only, dropped], [], 0.0)
    out = clip_content(page, (0.0, 0.0, 200.0, 200.0), [(140.0, 140.0, 170.0, 170.0)]).paths
    assert len(out) == 3 and out[0] is inside and out[2] is curve_only
    cut = out[1]
    assert cut.segments.tolist() == [[10, 20, 50, 20]] and cut.curves.tolist() == curve.tolist()
    assert not cut.closed and cut.subpaths == ()


def test_a_page_as_read_keeps_its_whole_arrays_and_clipping_through_them_matches(tmp_path):
    """The page's segments and curves are kept whole with each path's bounds (clip_content
    tests the whole page at once without joining its paths' arrays); a changed page drops
    them, and clipping gives the same paths either way."""
    from dataclasses import replace

    from plan2bim.vector.route import clip_content

    page = read_page(_write(tmp_path, _pdf(_room_pdf)), 1)
    segs, curves, at_s, at_c = page.flat
    assert len(at_s) == len(at_c) == len(page.paths) + 1
    for i, p in enumerate(page.paths):
        assert np.array_equal(p.segments, segs[at_s[i]:at_s[i + 1]])
        assert np.array_equal(p.curves, curves[at_c[i]:at_c[i + 1]])
    plain = replace(page, paths=list(page.paths))
    assert plain.flat is None
    w, h = page.size_pt
    box = (0.0, 0.0, w / 2, h / 2)
    a, b = clip_content(page, box).paths, clip_content(plain, box).paths
    assert len(a) == len(b) and len(a) < len(page.paths)
    for p, q in zip(a, b, strict=True):
        assert np.array_equal(p.segments, q.segments) and np.array_equal(p.curves, q.curves)
        assert p.closed == q.closed
