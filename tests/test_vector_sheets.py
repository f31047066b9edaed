"""The vector route through the sheet stage: only floor-plan viewports of a vector drawing set
become storeys, recognised from the lines inside their viewport only. PDFs drawn here with
reportlab (and the synthetic sheet generator), from fixed numbers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from plan2bim.pipeline import build_model

canvas = pytest.importorskip("reportlab.pdfgen.canvas")

MM = 72 / 25.4
K100 = 1000 / 100 * MM  # points per metre at 1:100


def _house(c, x0: float, y0: float, name: str) -> None:
    """An 8 x 6 m house at 1:100 (page points, y up): 0.2 m walls as pairs of lines, a partition
    at 5 m, a door with its swing in the partition, two room names."""
    t = 0.2 * K100
    W, H = 8 * K100, 6 * K100
    c.setLineWidth(0.5)
    for o in (t / 2, -t / 2):  # outer then inner face of the outside walls, as loose lines
        a, b, e, f = x0 - o, y0 - o, x0 + W + o, y0 + H + o
        for seg in ((a, b, e, b), (e, b, e, f), (e, f, a, f), (a, f, a, b)):
            c.line(*seg)
    xp = x0 + 5 * K100
    d0, d1 = y0 + 1.0 * K100, y0 + 1.9 * K100  # door in the partition
    for x in (xp - t / 2, xp + t / 2):
        c.line(x, y0 + t / 2, x, d0)
        c.line(x, d1, x, y0 + H - t / 2)
    c.line(xp - t / 2, d0, xp + t / 2, d0)
    c.line(xp - t / 2, d1, xp + t / 2, d1)
    c.setLineWidth(0.18)
    c.line(xp + t / 2, d0, xp + t / 2 + 0.9 * K100, d0)
    c.arc(xp + t / 2 - 0.9 * K100, d0 - 0.9 * K100, xp + t / 2 + 0.9 * K100, d0 + 0.9 * K100, 0, 90)
    c.setFont("Helvetica", 8)
    c.drawCentredString(x0 + 2.5 * K100, y0 + 3 * K100, name)
    c.drawCentredString(x0 + 6.5 * K100, y0 + 3 * K100, "STORE")
    c.setLineWidth(0.1)
    for i in range(200):  # a hatch 30 mm apart: enough line work for a vector drawing, no wall
        x = x0 + 5.3 * K100 + (i % 80) * 0.03 * K100
        c.line(x, y0 + 4.5 * K100, x, y0 + 4.6 * K100)


def _two_drawings(c) -> None:
    """An A3 sheet: frame, title block, a floor plan on the left and a roof plan on the right."""
    W, H = 420 * MM, 297 * MM
    m = 10 * MM
    c.setLineWidth(1.0)
    c.rect(m, m, W - 2 * m, H - 2 * m)
    ty = m + 32 * MM
    c.line(m, ty, W - m, ty)
    for x in (90, 170, 250, 330):
        c.line(x * MM, m, x * MM, ty)
    c.setFont("Helvetica", 7)
    for i, w in enumerate(["CLIENT", "PROJECT", "DRAWN BY", "SHEET A-101", "PLAN2BIM TEST"]):
        c.drawString((12 + 80 * i) * MM, m + 20 * MM, w)
    for x0, title in ((40 * MM, "FLOOR PLAN"), (240 * MM, "ROOF PLAN")):
        _house(c, x0, 120 * MM, "KITCHEN" if title == "FLOOR PLAN" else "ROOF")
        c.setFont("Helvetica-Bold", 12)
        c.drawString(x0, 95 * MM, title)
        c.setFont("Helvetica", 8)
        c.drawString(x0, 89 * MM, "SCALE 1:100")


def _pdf(draw) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(420 * MM, 297 * MM), invariant=1)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_two_viewport_vector_sheet_converts_its_floor_plan_only(tmp_path: Path) -> None:
    path = tmp_path / "two.pdf"
    path.write_bytes(_pdf(_two_drawings))
    b = build_model(path).building
    assert len(b.storeys) == 1
    st = b.storeys[0]
    assert st.walls and {w.source for w in st.walls} == {"vector"}
    used = [r for r in b.pages if r.used]
    assert [(r.kind, r.source) for r in used] == [("floor_plan", "vector")]
    assert any(r.kind == "roof_plan" and not r.used for r in b.pages)
    # only the left drawing's lines: its 8 x 6 m outline (the roof plan would double it)
    xs = [p[0] for w in st.walls for p in (w.start, w.end)]
    ys = [p[1] for w in st.walls for p in (w.start, w.end)]
    assert max(xs) - min(xs) == pytest.approx(8.0, abs=0.3)
    assert max(ys) - min(ys) == pytest.approx(6.0, abs=0.3)
    # the sheet stage's printed scale, and room names from the text inside the rooms
    assert st.scale.method == "printed" and st.scale.px_per_m == pytest.approx(150 / 0.0254 / 100, rel=0.01)
    assert "KITCHEN" in {s.name for s in st.spaces}
    assert "ROOF" not in {s.name for s in st.spaces}


def test_vector_set_non_plan_pages_are_no_storeys(tmp_path: Path) -> None:
    from plan2bim.tools.synth.pdf_sheet import make_pdf_sheet

    sheet = make_pdf_sheet(1, seed=2026)  # a plan page, then two of elevation/section/schedule
    assert sheet.pages == 3
    path = tmp_path / "set.pdf"
    path.write_bytes(sheet.pdf)
    b = build_model(path).building
    assert len(b.storeys) == 1 and b.storeys[0].page == 1
    assert {r.page for r in b.pages} == set(range(1, sheet.pages + 1))
    for r in b.pages:
        assert r.used == (r.page == 1), r
    assert b.pages[0].source == "vector" and b.pages[0].kind == "floor_plan"
    assert {r.kind for r in b.pages if r.page > 1} <= {"elevation", "section", "schedule"}


def _house_with_double_door(c, x0: float, y0: float) -> None:
    """The 8 x 6 m house of ``_house`` with a 1.2 m double door in its partition: two 0.6 m
    leaves hinged on opposite jambs, each with its quarter arc."""
    t = 0.2 * K100
    W, H = 8 * K100, 6 * K100
    c.setLineWidth(0.5)
    for o in (t / 2, -t / 2):
        a, b, e, f = x0 - o, y0 - o, x0 + W + o, y0 + H + o
        for seg in ((a, b, e, b), (e, b, e, f), (e, f, a, f), (a, f, a, b)):
            c.line(*seg)
    xp = x0 + 5 * K100
    d0, d1 = y0 + 1.0 * K100, y0 + 2.2 * K100
    for x in (xp - t / 2, xp + t / 2):
        c.line(x, y0 + t / 2, x, d0)
        c.line(x, d1, x, y0 + H - t / 2)
    c.line(xp - t / 2, d0, xp + t / 2, d0)
    c.line(xp - t / 2, d1, xp + t / 2, d1)
    c.setLineWidth(0.18)
    r = 0.6 * K100
    hx = xp + t / 2
    c.line(hx, d0, hx + r, d0)
    c.arc(hx - r, d0 - r, hx + r, d0 + r, 0, 90)
    c.line(hx, d1, hx + r, d1)
    c.arc(hx - r, d1 - r, hx + r, d1 + r, 270, 90)
    c.setFont("Helvetica", 8)
    c.drawCentredString(x0 + 2.5 * K100, y0 + 3 * K100, "HALL")
    c.drawCentredString(x0 + 6.5 * K100, y0 + 3 * K100, "STORE")
    c.setLineWidth(0.1)
    for i in range(200):
        x = x0 + 5.3 * K100 + (i % 80) * 0.03 * K100
        c.line(x, y0 + 4.5 * K100, x, y0 + 4.6 * K100)


def test_a_drawn_double_door_is_an_ifc_double_door(tmp_path: Path) -> None:
    """Two leaves from opposite jambs are one double door, written as DOUBLE_DOOR_SINGLE_SWING
    (not as a single leaf with a hinge side)."""
    import ifcopenshell

    from plan2bim.pipeline import convert_file

    def draw(c) -> None:
        _house_with_double_door(c, 60 * MM, 120 * MM)
        c.setFont("Helvetica-Bold", 12)
        c.drawString(60 * MM, 95 * MM, "GROUND FLOOR PLAN")
        c.setFont("Helvetica", 8)
        c.drawString(60 * MM, 89 * MM, "SCALE 1:100")

    path = tmp_path / "double.pdf"
    path.write_bytes(_pdf(draw))
    result = convert_file(path, tmp_path / "out", formats=("ifc", "json"))
    doors = [o for s in result.building.storeys for o in s.openings if o.kind == "door"]
    assert [d.swing for d in doors] == ["double"]
    assert abs(doors[0].width - 1.2) < 0.05
    model = ifcopenshell.open(str(result.outputs["ifc"]))
    assert [d.OperationType for d in model.by_type("IfcDoor")] == ["DOUBLE_DOOR_SINGLE_SWING"]


def _house_and_outbuilding(c) -> None:
    """An A3 sheet: frame, a corner title block naming the drawing ("GROUND FLOOR PLAN", its
    scale), no caption under it; the house and, 3 m to its right, a 3 x 3 m shed of its own."""
    W, H = 420 * MM, 297 * MM
    m = 10 * MM
    c.setLineWidth(1.0)
    c.rect(m, m, W - 2 * m, H - 2 * m)
    bx = W - m - 120 * MM
    c.rect(bx, m, 120 * MM, 40 * MM)
    for y in (20, 30):
        c.line(bx, m + y * MM, W - m, m + y * MM)
    c.setFont("Helvetica", 7)
    c.drawString(bx + 3 * MM, m + 33 * MM, "PLAN2BIM TEST PROJECT")
    c.drawString(bx + 3 * MM, m + 23 * MM, "GROUND FLOOR PLAN")
    c.drawString(bx + 3 * MM, m + 13 * MM, "SCALE 1:100")
    x0, y0 = 80 * MM, 150 * MM
    _house(c, x0, y0, "KITCHEN")
    t, s = 0.2 * K100, 3 * K100
    sx = x0 + 11 * K100
    c.setLineWidth(0.5)
    for o in (t / 2, -t / 2):
        a, b, e, f = sx - o, y0 - o, sx + s + o, y0 + s + o
        for seg in ((a, b, e, b), (e, b, e, f), (e, f, a, f), (a, f, a, b)):
            c.line(*seg)
    c.setFont("Helvetica", 8)
    c.drawCentredString(sx + s / 2, y0 + s / 2, "SHED")


def test_a_detached_part_beside_the_drawing_is_read(tmp_path: Path) -> None:
    """The title block names the sheet's one drawing; a detached part of the building (a shed
    beside the house) is part of it, though its ink lies apart from the house's."""
    path = tmp_path / "shed.pdf"
    path.write_bytes(_pdf(_house_and_outbuilding))
    b = build_model(path).building
    assert len(b.storeys) == 1
    names = {s.name for s in b.storeys[0].spaces}
    assert {"KITCHEN", "STORE", "SHED"} <= names
