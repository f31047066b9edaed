"""Section and elevation markers are not walls: their bars are as thick as a partition and pair
like wall faces. A cut line drawn as a row of filled bars (no layers to tell), and the real
surau sheet's markers (on a section-line layer)."""

from __future__ import annotations

import pytest

from plan2bim.vector.recognise import MM, recognise

pytest.importorskip("reportlab.pdfgen.canvas")

from test_vector_openings import K50, X0, Y0, W, _page  # noqa: E402


def _cut_line(c) -> None:
    """A section cut across the room at mid height: 0.4 m bars 0.12 m thick every 0.55 m, from
    2 m outside the building to 2 m past it, a thick marker bar across each end."""
    c.setFillColorRGB(0, 0, 0)
    y = Y0 + 1.5 * K50
    x = X0 - 2.0 * K50
    while x < X0 + W + 2.0 * K50:
        c.rect(x, y - 0.06 * K50, 0.4 * K50, 0.12 * K50, stroke=0, fill=1)
        x += 0.55 * K50
    for xe in (X0 - 2.3 * K50, X0 + W + 2.3 * K50):
        c.rect(xe - 0.1 * K50, y - 0.5 * K50, 0.2 * K50, 1.0 * K50, stroke=0, fill=1)


def test_cut_line_of_filled_bars_is_no_wall(tmp_path):
    vp = recognise(_page(tmp_path, [], _cut_line))
    assert sorted(round(w.thickness / K50, 2) for w in vp.walls) == [0.2] * 4
    assert len(vp.rooms) == 1 and vp.rooms[0][0].area / K50**2 == pytest.approx(3.8 * 2.8, rel=0.01)


@pytest.mark.needs_data("drawing-sets/surau.pdf")
def test_surau_stilts_plan_markers_are_no_walls():
    """surau p1 (columns on stilts, no walls): the section markers A and B (filled bars on
    "A-sec_liine") made 21 short "walls"; at most the title block's strip is left."""
    from conftest import SHARED_DATA

    from plan2bim.vector.pdf import read_page

    page = read_page(SHARED_DATA / "drawing-sets" / "surau.pdf", 1)
    vp = recognise(page, given=(1000 / 75 * MM, "printed"))
    markers = [p.bbox for p in page.paths if p.layer == "A-sec_liine" and p.fill is not None]
    assert len(markers) >= 6
    for w in vp.walls:
        x0, y0, x1, y1 = w.band().bounds
        assert not any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in markers)
    assert len(vp.walls) <= 2 and len(vp.columns) >= 24


@pytest.mark.needs_data("drawing-sets/surau.pdf")
def test_surau_stilts_plan_is_columns_only():
    """The drawing's viewport of surau p1 (as the pipeline clips it): the 28 stilts, drawn on
    "A-COLUMN" (their square faces pair like a wall's: 30 "walls" before), and no wall."""
    from conftest import SHARED_DATA

    from plan2bim.vector.pdf import read_page
    from plan2bim.vector.route import clip_content

    page = clip_content(read_page(SHARED_DATA / "drawing-sets" / "surau.pdf", 1), (81.0, 38.0, 894.0, 754.0))
    vp = recognise(page, given=(1000 / 75 * MM, "printed"))
    assert vp.walls == [] and len(vp.columns) == 28


def test_filled_wall_pieces_in_a_row_at_uneven_spacing_are_walls():
    """Three filled bars of one size on one line are a cut line only when evenly spaced, a
    dash's gap apart: solid wall pieces between openings of different widths stay. (The row's
    positions were all read from its first bar, so any three bars in line were a cut line.)"""
    from plan2bim.vector.recognise import _dash_bars
    from plan2bim.vector.settings import DEFAULT

    class P:
        def __init__(self, x0: float, x1: float, y0: float = 0.0, t: float = 4.0):
            import numpy as np

            pts = [(x0, y0), (x1, y0), (x1, y0 + t), (x0, y0 + t), (x0, y0)]
            self.segments = np.array([[*a, *b] for a, b in zip(pts, pts[1:], strict=False)], float)
            self.fill, self.closed = (0, 0, 0, 255), True

    even = [P(x, x + 20) for x in (0, 30, 60, 90)]  # dashes 20 long, 10 apart
    uneven = [P(x, x + 20, y0=100) for x in (0, 45, 130)]  # 25 and 65 apart: a door, a window
    flags = _dash_bars(even + uneven, 100.0, DEFAULT)  # 100 pt a metre: bars 0.04 m thick
    assert flags[:4].all() and not flags[4:].any()
