"""Which line pairs are walls on a vector page: pairs at a wall-like spacing that are not walls
(a narrow named space between two walls' faces). PDFs are drawn here with reportlab from fixed
numbers (1:50, a 4 x 3 m room, 0.2 m walls)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from plan2bim.vector.pdf import read_page
from plan2bim.vector.recognise import recognise

canvas = pytest.importorskip("reportlab.pdfgen.canvas")

# The 4 x 3 m room at 1:50 of the openings tests.
from test_vector_openings import K50, MM, X0, Y0, H, T, W  # noqa: E402


def _rect(c, x0: float, y0: float, x1: float, y1: float) -> None:
    for seg in ((x0, y0, x1, y0), (x1, y0, x1, y1), (x1, y1, x0, y1), (x0, y1, x0, y0)):
        c.line(*seg)


def _page(tmp_path: Path, draw) -> object:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(420 * MM, 297 * MM), invariant=1)
    c.setLineWidth(0.5)
    draw(c)
    c.setFont("Helvetica", 8)
    c.drawString(500, 60, "SCALE 1:50")
    c.setLineWidth(0.1)
    for i in range(300):  # enough line work to count as a vector drawing
        c.line(600 + i % 30, 500, 600 + i % 30, 505)
    c.showPage()
    c.save()
    p = tmp_path / "p.pdf"
    p.write_bytes(buf.getvalue())
    return read_page(p, 1)


def _room_with_store(name: str):
    """The room's walls, and a 0.1 m partition 0.5 m below the top wall's inner face across the
    room's width: a 0.5 m deep store between two wall faces, ``name`` printed inside it."""
    def draw(c):
        _rect(c, X0 - T / 2, Y0 - T / 2, X0 + W + T / 2, Y0 + H + T / 2)
        top = Y0 + H - T / 2
        yp = top - 0.5 * K50
        t2 = 0.1 * K50
        xi0, xi1 = X0 + T / 2, X0 + W - T / 2
        # the inner faces: the room below the partition, the store above it
        c.line(xi0, Y0 + T / 2, xi1, Y0 + T / 2)
        c.line(xi0, Y0 + T / 2, xi0, yp - t2)
        c.line(xi1, Y0 + T / 2, xi1, yp - t2)
        c.line(xi0, yp - t2, xi1, yp - t2)
        c.line(xi0, yp, xi1, yp)
        c.line(xi0, yp, xi0, top)
        c.line(xi1, yp, xi1, top)
        c.line(xi0, top, xi1, top)
        c.setFont("Helvetica", 8)
        c.drawCentredString(X0 + W / 2, Y0 + H / 2 - 0.5 * K50, "KITCHEN")
        if name:
            c.drawCentredString(X0 + W / 2, (yp + top) / 2 - 2, name)
    return draw


def test_a_named_narrow_space_between_walls_is_a_room_not_a_wall(tmp_path):
    """A 0.5 m store between the top wall and a partition: its two bounding faces pair at a
    wall-like spacing, but the drawing prints a room's name there, so it is a room."""
    vp = recognise(_page(tmp_path, _room_with_store("STORE")))
    assert vp.walls and max(w.thickness / K50 for w in vp.walls) < 0.3
    assert sorted(n for _, n in vp.rooms) == ["KITCHEN", "STORE"]


def test_an_unnamed_narrow_space_still_pairs_as_a_wall(tmp_path):
    """Without a name nothing tells the space from a thick wall: it stays one (the rule reads
    the name, not the spacing)."""
    vp = recognise(_page(tmp_path, _room_with_store("")))
    assert any(abs(w.thickness / K50 - 0.5) < 0.02 for w in vp.walls)


def _room_with_counter(c):
    """The room's walls, and a 0.6 m deep, 1.2 m long counter drawn as a closed rectangle
    standing against the top wall's inner face (its back edge on the face)."""
    _rect(c, X0 - T / 2, Y0 - T / 2, X0 + W + T / 2, Y0 + H + T / 2)
    _rect(c, X0 + T / 2, Y0 + T / 2, X0 + W - T / 2, Y0 + H - T / 2)
    top = Y0 + H - T / 2
    c.setLineWidth(0.35)  # furniture a little lighter than the walls (0.5)
    p = c.beginPath()
    x = X0 + 1.0 * K50
    p.moveTo(x, top)
    for px, py in ((x + 1.2 * K50, top), (x + 1.2 * K50, top - 0.6 * K50), (x, top - 0.6 * K50)):
        p.lineTo(px, py)
    p.close()
    c.drawPath(p, stroke=1, fill=0)
    p = c.beginPath()  # a closed shape of another number of sides (a north arrow's head)
    p.moveTo(500, 400)
    p.lineTo(520, 400)
    p.lineTo(510, 420)
    p.close()
    c.drawPath(p, stroke=1, fill=0)
    c.setFont("Helvetica", 8)
    c.drawCentredString(X0 + W / 2, Y0 + H / 2 - 0.5 * K50, "KITCHEN")


def test_a_fixture_against_a_wall_is_no_wall(tmp_path):
    """The counter's front edge and the wall's face pair 0.6 m apart, over the counter's
    length: that band is the counter's own inside, not a wall."""
    vp = recognise(_page(tmp_path, _room_with_counter))
    assert len(vp.walls) == 4
    assert max(w.thickness / K50 for w in vp.walls) < 0.3
    assert [n for _, n in vp.rooms] == ["KITCHEN"]


def _two_rooms_windows_at_a_t(c):
    """A 4 x 5 m outline of 0.3 m walls split by a 0.1 m partition 2.5 m up; in the left wall a
    1.475 m window on each side of the partition, leaving a 0.25 m pier at the T (its inner
    face cut by the partition into stubs shorter than a wall piece). Jambs drawn across."""
    t, tp = 0.3 * K50, 0.1 * K50
    w_, h_ = 4 * K50, 5 * K50
    xo, xi = X0 - t / 2, X0 + t / 2  # left wall's outer and inner face
    yp = Y0 + 2.5 * K50
    wins = [(Y0 + 0.9 * K50, yp - 0.125 * K50), (yp + 0.125 * K50, Y0 + 4.1 * K50)]
    # outside faces: bottom, right, top, and the left one broken by the windows
    c.line(xo, Y0 - t / 2, X0 + w_ + t / 2, Y0 - t / 2)
    c.line(X0 + w_ + t / 2, Y0 - t / 2, X0 + w_ + t / 2, Y0 + h_ + t / 2)
    c.line(X0 + w_ + t / 2, Y0 + h_ + t / 2, xo, Y0 + h_ + t / 2)
    stops = [Y0 - t / 2] + [v for a, b in wins for v in (a, b)] + [Y0 + h_ + t / 2]
    for i in range(0, len(stops), 2):
        c.line(xo, stops[i], xo, stops[i + 1])
    # inside faces of the two rooms
    xr = X0 + w_ - t / 2
    for y0, y1 in ((Y0 + t / 2, yp - tp / 2), (yp + tp / 2, Y0 + h_ - t / 2)):
        c.line(xi, y0, xr, y0)
        c.line(xr, y0, xr, y1)
        c.line(xr, y1, xi, y1)
        cuts = [y0] + [v for a, b in wins for v in (a, b) if y0 < a < y1 or y0 < b < y1] + [y1]
        for i in range(0, len(cuts), 2):
            c.line(xi, cuts[i], xi, cuts[i + 1])
    for a, b in wins:
        for y in (a, b):
            c.line(xo, y, xi, y)  # jambs
    c.setLineWidth(0.2)  # glazing, lighter than the walls
    for a, b in wins:
        for x in (X0 - 0.05 * K50, X0 + 0.05 * K50):
            c.line(x, a, x, b)
    c.setFont("Helvetica", 8)
    c.drawCentredString(X0 + w_ / 2, Y0 + 1.2 * K50, "KITCHEN")
    c.drawCentredString(X0 + w_ / 2, Y0 + 3.7 * K50, "LIVING")


def test_a_pier_between_two_windows_at_a_t_closes_both_rooms(tmp_path):
    """Each window is hosted at the end of its run of wall, up to the jamb at the pier; the
    pier left between the two runs is as short as any bridged gap: both rooms are closed."""
    vp = recognise(_page(tmp_path, _two_rooms_windows_at_a_t))
    assert sorted(n for _, n in vp.rooms) == ["KITCHEN", "LIVING"]
    assert sorted(o.kind for w in vp.walls for o in w.openings) == ["window", "window"]


def _window_at_a_corner(furniture: bool):
    """A 4 x 3 m room of 0.3 m walls whose top wall holds, from the left wall's inner face to
    1.5 m, a window drawn as one glazing line on its axis (the faces stop at its jambs, the
    left jamb running on from the left wall's inner face). Past the left wall, in the next
    room, a 0.6 m cupboard's edge on the same line (when ``furniture``)."""
    def draw(c):
        t = 0.3 * K50
        xo0, xi0 = X0 - t / 2, X0 + t / 2
        xo1, xi1 = X0 + W + t / 2, X0 + W - t / 2
        yo0, yi0 = Y0 - t / 2, Y0 + t / 2
        yo1, yi1 = Y0 + H + t / 2, Y0 + H - t / 2
        xw = X0 + 1.5 * K50
        for seg in ((xo0, yo0, xo1, yo0), (xo1, yo0, xo1, yo1), (xo1, yo1, xw, yo1), (xw, yo1, xw, yi1),
                    (xo0, yo1, xi0, yo1), (xo0, yo0, xo0, yo1),
                    (xi0, yi0, xi1, yi0), (xi1, yi0, xi1, yi1), (xi1, yi1, xw, yi1), (xi0, yi0, xi0, yo1)):
            c.line(*seg)
        c.setLineWidth(0.2)
        c.line(xi0, Y0 + H, xw, Y0 + H)  # the glazing
        if furniture:
            c.line(xo0 - 0.65 * K50, Y0 + H - 0.01 * K50, xo0 - 0.05 * K50, Y0 + H - 0.01 * K50)
            c.line(xo0 - 0.65 * K50, Y0 + H - 0.01 * K50, xo0 - 0.65 * K50, Y0 + H - 1.0 * K50)
        c.setFont("Helvetica", 8)
        c.drawCentredString(X0 + W / 2, Y0 + H / 2, "KITCHEN")
    return draw


@pytest.mark.parametrize("furniture", [False, True])
def test_a_window_at_a_corner_ends_at_the_wall_across(tmp_path, furniture):
    """The glazing between the wall's end and the corner is the window; a line past the wall
    across (another room's cupboard) is not part of it (it made the glazing a sliding door)."""
    vp = recognise(_page(tmp_path, _window_at_a_corner(furniture)))
    assert [o.kind for w in vp.walls for o in w.openings] == ["window"]
    assert [n for _, n in vp.rooms] == ["KITCHEN"]
