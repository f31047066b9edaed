"""Openings the vector path reads in styles CAD exports use: glazing drawn on the faces' lines
(triple windows), a window and a door in one gap, door swings drawn as chains of dashes. PDFs
are drawn here with reportlab, from fixed numbers (1:50, a 4 x 3 m room, 0.2 m walls)."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest

from plan2bim.vector.arcs import arc_bezier, chained_arcs
from plan2bim.vector.openings import circle
from plan2bim.vector.pdf import read_page
from plan2bim.vector.recognise import recognise
from plan2bim.vector.settings import DEFAULT

canvas = pytest.importorskip("reportlab.pdfgen.canvas")

MM = 72 / 25.4
K50 = 1000 / 50 * MM  # points per metre at 1:50
T = 0.2 * K50
X0, Y0 = 150.0, 150.0
W, H = 4 * K50, 3 * K50


def _room(c, cuts: list[tuple[float, float]], draw_gap) -> None:
    """The room, its bottom wall broken at ``cuts`` (metres from the left inner corner, jambs
    drawn), ``draw_gap(c)`` drawing what fills the breaks, a scale, a name and enough line work."""
    c.setLineWidth(0.5)
    outer = (X0 - T / 2, Y0 - T / 2, X0 + W + T / 2, Y0 + H + T / 2)
    inner = (X0 + T / 2, Y0 + T / 2, X0 + W - T / 2, Y0 + H - T / 2)
    xs = [outer[0]] + [X0 + v * K50 for a, b in cuts for v in (a, b)] + [outer[2]]
    for i in range(0, len(xs), 2):
        for y in (outer[1], inner[1]):
            c.line(max(xs[i], inner[0]) if y == inner[1] else xs[i], y,
                   min(xs[i + 1], inner[2]) if y == inner[1] else xs[i + 1], y)
    for a, b in cuts:
        for x in (X0 + a * K50, X0 + b * K50):
            c.line(x, outer[1], x, inner[1])
    for a, b, e, f in ((outer[2], outer[1], outer[2], outer[3]), (outer[2], outer[3], outer[0], outer[3]),
                       (outer[0], outer[3], outer[0], outer[1]), (inner[2], inner[1], inner[2], inner[3]),
                       (inner[2], inner[3], inner[0], inner[3]), (inner[0], inner[3], inner[0], inner[1])):
        c.line(a, b, e, f)
    draw_gap(c)
    c.setFont("Helvetica", 8)
    c.drawCentredString(X0 + W / 2, Y0 + H / 2, "KITCHEN")
    c.drawString(500, 60, "SCALE 1:50")
    c.setLineWidth(0.1)
    for i in range(300):  # enough line work to count as a vector drawing
        c.line(600 + i % 30, 500, 600 + i % 30, 505)


def _page(tmp_path: Path, cuts, draw_gap):
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(420 * MM, 297 * MM), invariant=1)
    _room(c, cuts, draw_gap)
    c.showPage()
    c.save()
    p = tmp_path / "p.pdf"
    p.write_bytes(buf.getvalue())
    return read_page(p, 1)


def _openings(vp):
    return sorted((o.kind, round(o.width / K50, 2), o.swing) for w in vp.walls for o in w.openings)


def test_triple_glazing_on_the_face_lines_is_a_window(tmp_path):
    """Glazing lines on both faces and the axis, only a little lighter than the walls (0.35 to
    0.5 pt: heavy enough to count as faces): the faces seem to run on, the axis line tells."""
    a, b = 1.0, 2.2

    def gap(c):
        c.setLineWidth(0.35)
        for y in (Y0 - T / 2, Y0, Y0 + T / 2):
            c.line(X0 + a * K50, y, X0 + b * K50, y)

    vp = recognise(_page(tmp_path, [(a, b)], gap))
    assert _openings(vp) == [("window", 1.2, "none")]
    assert len(vp.rooms) == 1


def test_window_pier_and_door_in_one_gap(tmp_path):
    """A window, a pier too short to be a wall piece (0.08 m), a door: both openings found."""
    w0, w1, d0, d1 = 0.6, 1.6, 1.68, 2.58

    def gap(c):
        c.setLineWidth(0.5)
        for y in (Y0 - T / 2, Y0 + T / 2):  # the pier's faces
            c.line(X0 + w1 * K50, y, X0 + d0 * K50, y)
        c.setLineWidth(0.18)
        for y in (Y0 - T / 6, Y0 + T / 6):  # double glazing
            c.line(X0 + w0 * K50, y, X0 + w1 * K50, y)
        hinge = (X0 + d1 * K50, Y0 + T / 2)
        c.line(*hinge, hinge[0], hinge[1] + 0.9 * K50)  # leaf into the room
        c.arc(hinge[0] - 0.9 * K50, hinge[1] - 0.9 * K50, hinge[0] + 0.9 * K50, hinge[1] + 0.9 * K50, 90, 90)

    vp = recognise(_page(tmp_path, [(w0, w1), (d0, d1)], gap))
    kinds = _openings(vp)
    assert [k for k, _, _ in kinds] == ["door", "window"]
    assert kinds[0][1] == pytest.approx(0.9, abs=0.02) and kinds[1][1] == pytest.approx(1.0, abs=0.02)


def _swing_dashes(c, hinge, r: float, a0: float, a1: float, n: int = 12) -> None:
    """A swing as ``n`` dashes of two straight pieces each (rbt-2bd's door swings)."""
    for i in range(n):
        t0 = a0 + (a1 - a0) * i / n
        t1 = a0 + (a1 - a0) * (i + 0.6) / n
        tm = (t0 + t1) / 2
        pts = [(hinge[0] + r * math.cos(t), hinge[1] + r * math.sin(t)) for t in (t0, tm, t1)]
        p = c.beginPath()
        p.moveTo(*pts[0])
        p.lineTo(*pts[1])
        p.lineTo(*pts[2])
        c.drawPath(p, stroke=1, fill=0)


@pytest.mark.parametrize("dashed", [False, True])
def test_door_swing_drawn_as_dashes_reads_as_its_arc(tmp_path, dashed):
    """The same door with its swing as a Bézier and as 12 dashes: the same door, the same hand."""
    d0, d1 = 1.0, 1.9

    def gap(c):
        c.setLineWidth(0.18)
        hinge = (X0 + d0 * K50, Y0 + T / 2)
        c.line(*hinge, hinge[0], hinge[1] + 0.9 * K50)
        if dashed:
            _swing_dashes(c, hinge, 0.9 * K50, 0.0, math.pi / 2)
        else:
            c.arc(hinge[0] - 0.9 * K50, hinge[1] - 0.9 * K50, hinge[0] + 0.9 * K50, hinge[1] + 0.9 * K50, 0, 90)

    vp = recognise(_page(tmp_path, [(d0, d1)], gap))
    ops = _openings(vp)
    assert len(ops) == 1 and ops[0][0] == "door" and ops[0][1] == pytest.approx(0.9, abs=0.02)
    # standing in the room, facing the door (down the sheet), the hinge at the left jamb is on
    # your right
    assert ops[0][2] == "right"


def test_chained_arcs_leave_hatching_alone():
    """Dashes along a quarter circle make one arc (centre and radius back); 200 short parallel
    hatch strokes side by side make none."""
    k = K50
    c0, r = np.array([100.0, 100.0]), 0.9 * k
    segs = []
    for i in range(12):
        t0, t1 = math.pi / 2 * i / 12, math.pi / 2 * (i + 0.6) / 12
        segs.append([*(c0 + r * np.array([math.cos(t0), math.sin(t0)])), *(c0 + r * np.array([math.cos(t1), math.sin(t1)]))])
    for i in range(200):
        x = 300 + (i % 40) * 1.0
        y = 300 + (i // 40) * 6.0
        segs.append([x, y, x + 3.0, y + 3.0])
    arcs = chained_arcs(np.array(segs), k, DEFAULT)
    assert len(arcs) == 1
    c, rad, _, _ = circle(arcs[0])
    assert np.allclose(c, c0, atol=0.5) and rad == pytest.approx(r, rel=0.01)


def test_arc_bezier_is_on_its_circle():
    b = arc_bezier(np.array([10.0, 20.0]), 30.0, 0.3, 0.3 + math.pi / 2)
    c, r, mid, _ = circle(b)
    assert np.allclose(c, [10, 20], atol=0.05) and r == pytest.approx(30.0, rel=1e-3)
    assert math.hypot(*(mid - np.array([10.0, 20.0]))) == pytest.approx(30.0, rel=1e-3)


@pytest.mark.needs_data("drawing-sets/rbt-2bd.pdf")
def test_rbt_floor_plan_doors_from_their_dashed_swings():
    """rbt-2bd p2: two double doors (P1) and two single ones (P2), every swing drawn as dashes."""
    from conftest import SHARED_DATA

    vp = recognise(read_page(SHARED_DATA / "drawing-sets" / "rbt-2bd.pdf", 2))
    doors = [o for w in vp.walls for o in w.openings if o.kind == "door"]
    assert sorted(o.swing for o in doors) == ["double", "double", "left", "right"]
    k = vp.k_pt_per_m
    assert sorted(o.width / k for o in doors) == pytest.approx([0.9, 0.9, 1.45, 1.45], abs=0.06)
