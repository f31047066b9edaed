"""Spaces open on one side (corridors, verandahs): between a run of walls and a parallel row of
columns, named by the text inside. A PDF drawn here with reportlab from fixed numbers, and the
real drawing sets where such a corridor holds a printed name."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from plan2bim.pipeline import build_model

canvas = pytest.importorskip("reportlab.pdfgen.canvas")

MM = 72 / 25.4
K100 = 1000 / 100 * MM  # points per metre at 1:100
DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "drawing-sets"


def _sheet(c, columns: bool, gap_m: float = 2.1) -> None:
    """An A3 sheet at 1:100 (y up): an 8 x 6 m classroom of 0.2 m walls as line pairs, and
    along its bottom wall, ``gap_m`` away, a row of five 0.25 m filled columns (when ``columns``)
    with "CORRIDOR" printed between."""
    W, H = 420 * MM, 297 * MM
    m = 10 * MM
    c.setLineWidth(1.0)
    c.rect(m, m, W - 2 * m, H - 2 * m)
    ty = m + 32 * MM
    c.line(m, ty, W - m, ty)
    c.setFont("Helvetica", 7)
    c.drawString(12 * MM, m + 20 * MM, "PLAN2BIM TEST")
    x0, y0 = 120 * MM, 150 * MM
    t = 0.2 * K100
    w, h = 8 * K100, 6 * K100
    c.setLineWidth(0.5)
    for o in (t / 2, -t / 2):
        a, b, e, f = x0 - o, y0 - o, x0 + w + o, y0 + h + o
        for seg in ((a, b, e, b), (e, b, e, f), (e, f, a, f), (a, f, a, b)):
            c.line(*seg)
    c.setFont("Helvetica", 8)
    c.drawCentredString(x0 + 4 * K100, y0 + 3 * K100, "CLASSROOM")
    c.drawCentredString(x0 + 4 * K100, y0 - 1.1 * K100, "CORRIDOR")
    if columns:
        s = 0.25 * K100
        yc = y0 - gap_m * K100
        for i in range(5):
            xc = x0 + i * 2 * K100
            c.rect(xc - s / 2, yc - s / 2, s, s, stroke=0, fill=1)
    c.setLineWidth(0.1)
    for i in range(200):  # a hatch: enough line work for a vector drawing, no wall
        x = x0 + 0.5 * K100 + (i % 80) * 0.03 * K100
        c.line(x, y0 + 4.5 * K100, x, y0 + 4.6 * K100)
    c.setFont("Helvetica-Bold", 12)
    c.drawString(x0, 80 * MM, "FLOOR PLAN")
    c.setFont("Helvetica", 8)
    c.drawString(x0, 74 * MM, "SCALE 1:100")


def _pdf(tmp_path: Path, columns: bool, gap_m: float = 2.1) -> Path:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(420 * MM, 297 * MM), invariant=1)
    _sheet(c, columns, gap_m)
    c.showPage()
    c.save()
    path = tmp_path / f"corridor-{columns}-{gap_m}.pdf"
    path.write_bytes(buf.getvalue())
    return path


def test_corridor_between_wall_and_column_row_is_a_named_space(tmp_path: Path) -> None:
    st = build_model(_pdf(tmp_path, columns=True)).building.storeys[0]
    assert len(st.columns) == 5
    names = {s.name for s in st.spaces}
    assert names == {"CLASSROOM", "CORRIDOR"}
    corridor = next(s for s in st.spaces if s.name == "CORRIDOR")
    # 8 m along the wall, from the wall's face to the columns' centres (2.1 - 0.1 m)
    assert corridor.area == pytest.approx(8.0 * 2.0, rel=0.05)
    # the wall onto the open corridor is still an outside wall: all four are external
    assert len(st.walls) >= 4 and all(w.is_external for w in st.walls)


def test_no_open_space_without_columns(tmp_path: Path) -> None:
    st = build_model(_pdf(tmp_path, columns=False)).building.storeys[0]
    assert [s.name for s in st.spaces] == ["CLASSROOM"]


def test_no_open_space_where_the_column_row_is_beyond_corridor_distance(tmp_path: Path) -> None:
    # 5.5 m out: a yard or a car porch's posts, not a corridor (open_space_max_m is 4 m)
    st = build_model(_pdf(tmp_path, columns=True, gap_m=5.5)).building.storeys[0]
    assert len(st.columns) == 5
    assert [s.name for s in st.spaces] == ["CLASSROOM"]


@pytest.mark.needs_data("drawing-sets/rbt-2bd.pdf")
def test_rbt_corridor_open_on_its_column_side_is_found() -> None:
    from plan2bim.config import Config

    b = build_model(DATA / "rbt-2bd.pdf", Config(pages=(2,))).building
    names = {s.name for st in b.storeys for s in st.spaces}
    assert {"KORIDOR", "RUANG BELAJAR", "STOR"} <= names


@pytest.mark.needs_data("drawing-sets/tandas.pdf")
def test_tandas_walkway_below_the_toilets_is_a_named_space() -> None:
    from plan2bim.config import Config

    b = build_model(DATA / "tandas.pdf", Config(pages=(1,))).building
    st = b.storeys[0]
    # along the column row below the toilets: 2.1 m deep, 6 m along the grid, named by the
    # sheet's text inside it
    walk = [s for s in st.spaces if "KORIDOR" in s.name.upper()]
    assert len(walk) == 1, [s.name for s in st.spaces]
    assert "LALUAN" in walk[0].name.upper()
    assert walk[0].area == pytest.approx(6.0 * 2.1, rel=0.1)
