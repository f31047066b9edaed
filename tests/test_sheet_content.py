"""The drawing's content as the second cue for its kind (plan2bim.sheet.content): a column of level
labels says an untitled drawing is an elevation or a section, never over a title."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from plan2bim.sheet.analyse import read_sheet
from plan2bim.sheet.content import ground_overhang_mm, is_level_label, level_column
from plan2bim.sheet.model import TextItem
from plan2bim.sheet.settings import SheetSettings

PX_PER_MM = 150 / 25.4


def _t(text: str, x_mm: float, y_mm: float) -> TextItem:
    x, y = x_mm * PX_PER_MM, y_mm * PX_PER_MM
    return TextItem(text, (x, y, x + 20 * PX_PER_MM, y + 2.5 * PX_PER_MM), "pdf")


@pytest.mark.parametrize("text,level", [
    ("ARAS TANAH", True), ("ARAS LANTAI KORIDOR", True), ("FFL", True), ("GROUND LEVEL", True),
    ("FL +1.200", True), ("RUANG BELAJAR", False), ("3000", False), ("SECTION A-A", False),
])
def test_level_labels_are_told_by_their_words(text: str, level: bool) -> None:
    assert is_level_label(text) is level


def test_a_column_counts_labels_stacked_at_one_x_with_distinct_texts() -> None:
    column = [_t("ARAS RASUK", 20, 10), _t("ARAS LANTAI", 21, 50), _t("ARAS TANAH", 19.5, 68)]
    assert level_column(column, PX_PER_MM) == 3
    # A plan's level boxes: the same mark in rooms one above the other, others elsewhere.
    plan = [_t("FL +0.100", 100, 10), _t("FL +0.100", 101, 80), _t("FL +0.100", 20, 60),
            _t("FL +0.100", 300, 60), _t("RUANG BELAJAR", 100, 40)]
    assert level_column(plan, PX_PER_MM) == 1
    # Labels out of line (more than the tolerance apart) are no column.
    tol = SheetSettings().level_column_x_tolerance_mm
    apart = [_t("ARAS RASUK", 20, 10), _t("ARAS LANTAI", 20 + 2 * tol, 50), _t("ARAS TANAH", 20 + 4 * tol, 68)]
    assert level_column(apart, PX_PER_MM) == 1


def _drawing(kind: str) -> np.ndarray:
    """A 150 dpi ink image of a plan (a house, its dimension chain below with extension lines up
    to the walls) or of an elevation (walls and a roof on a ground line running 20 mm past)."""
    mm = PX_PER_MM
    ink = np.zeros((int(120 * mm), int(220 * mm)), bool)

    def line(x0, y0, x1, y1):
        ink[int(y0 * mm):int(y1 * mm) + 2, int(x0 * mm):int(x1 * mm) + 2] = True

    if kind == "plan":
        for x0, y0, x1, y1 in ((20, 10, 200, 11.5), (20, 90, 200, 91.5), (20, 10, 21.5, 91.5),
                               (198.5, 10, 200, 91.5), (110, 10, 111.5, 60)):
            ink[int(y0 * mm):int(y1 * mm), int(x0 * mm):int(x1 * mm)] = True
        line(15, 105, 205, 105)  # the dimension line, past the walls as chains run
        for x in (20, 110, 200):
            line(x, 94, x, 108)  # extension lines up to the walls
    else:
        line(0, 110, 219, 110)  # the ground line
        for x0, y0, x1, y1 in ((20, 40, 20, 110), (200, 40, 200, 110), (15, 40, 205, 40)):
            line(x0, y0, x1, y1)
        for i in range(60):  # the roof's two slopes
            line(15 + 1.5 * i, 40 - 0.5 * i, 15 + 1.5 * i, 40 - 0.5 * i)
            line(205 - 1.5 * i, 40 - 0.5 * i, 205 - 1.5 * i, 40 - 0.5 * i)
        for x in (40, 90, 140):
            line(x, 60, x + 20, 60), line(x, 85, x + 20, 85), line(x, 60, x, 85), line(x + 20, 60, x + 20, 85)
    return ink


def test_an_elevation_stands_on_a_ground_line_running_past_it_and_a_plan_does_not() -> None:
    need = SheetSettings().ground_line_overhang_mm
    over = ground_overhang_mm(_drawing("elevation"), PX_PER_MM)
    assert over is not None and over >= need
    over = ground_overhang_mm(_drawing("plan"), PX_PER_MM)
    assert over is None or over < need


def _sheet(path: Path, *, captions: dict[str, str] | None = None, plan: bool = True,
           notes: bool = False, labels: bool = True) -> Path:
    """An A3 sheet: frame, a title-block strip naming no drawing, an untitled plan on the left
    (a 10 m x 7 m house at 1:100 with two rooms) and, larger, an elevation on the right whose
    level labels stand one above the other at its left."""
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    mm = 72 / 25.4
    W, H = 420 * mm, 297 * mm
    c = canvas.Canvas(str(path), pagesize=(W, H))
    c.setLineWidth(0.8)
    c.rect(10 * mm, 10 * mm, W - 20 * mm, H - 20 * mm)
    c.line(10 * mm, 45 * mm, W - 10 * mm, 45 * mm)  # the title-block strip, full of short lines
    c.setFont("Helvetica", 6)
    for col in range(4):
        for row in range(7):
            c.drawString((20 + 100 * col) * mm, (14 + 4 * row) * mm, f"ITEM {col}{row}: PROJECT 12")
    captions = captions or {}
    if plan:
        c.setLineWidth(5)
        c.rect(30 * mm, 120 * mm, 100 * mm, 70 * mm)
        c.line(90 * mm, 120 * mm, 90 * mm, 150 * mm)
        c.line(90 * mm, 160 * mm, 90 * mm, 190 * mm)
        c.setFont("Helvetica", 9)
        c.drawString(50 * mm, 150 * mm, "LIVING")
        c.drawString(100 * mm, 150 * mm, "BED")
        if "plan" in captions:
            c.setFont("Helvetica-Bold", 14)
            c.drawString(40 * mm, 105 * mm, captions["plan"])
    # The elevation: ground line, walls, a pitched roof, windows, level labels with leaders.
    gx0, gx1, gy = 170 * mm, 390 * mm, 70 * mm
    c.setLineWidth(1.5)
    c.line(gx0, gy, gx1, gy)
    c.setLineWidth(0.8)
    bx0, bx1, top = 200 * mm, 370 * mm, 150 * mm
    c.rect(bx0, gy, bx1 - bx0, top - gy)
    p = c.beginPath()
    p.moveTo(bx0 - 8 * mm, top)
    p.lineTo((bx0 + bx1) / 2, top + 50 * mm)
    p.lineTo(bx1 + 8 * mm, top)
    p.close()
    c.drawPath(p)
    for x in range(215, 360, 35):
        c.rect(x * mm, 95 * mm, 18 * mm, 30 * mm)
    c.setFont("Helvetica", 7)
    for name, y in (("ARAS TANAH", gy), ("ARAS LANTAI", 85 * mm), ("ARAS RASUK", top)) if labels else ():
        c.line(172 * mm, y, bx0, y)
        c.drawString(172 * mm, y + 1.5 * mm, name)
    if "elevation" in captions:
        c.setFont("Helvetica-Bold", 14)
        c.drawString(250 * mm, 50 * mm, captions["elevation"])
    if notes:  # a small boxed note beside the elevation
        c.setLineWidth(0.5)
        c.rect(40 * mm, 190 * mm, 80 * mm, 40 * mm)
        c.line(40 * mm, 210 * mm, 120 * mm, 210 * mm)
    c.save()
    return path


def _read(path: Path):
    from plan2bim.load import iter_pages

    page = next(iter(iter_pages(path)))
    return read_sheet(page.image, 1, dpi=page.dpi, pdf_path=path)


def test_an_untitled_elevation_is_told_by_its_column_of_level_labels(tmp_path: Path) -> None:
    """Captions left blank: the sheet's largest drawing, an elevation, was taken for the plan.
    Its level labels one above the other say it is an elevation; the plan stays the plan."""
    sheet = _read(_sheet(tmp_path / "s.pdf"))
    kinds = sorted((v.bbox[0], v.kind, v.reason) for v in sheet.viewports)
    (plan,) = [v for v in sheet.viewports if v.kind == "floor_plan"]
    assert plan.bbox[2] < 150 * PX_PER_MM, kinds  # the house on the left
    (elev,) = [v for v in sheet.viewports if v.kind == "elevation"]
    assert elev.bbox[0] > 150 * PX_PER_MM and "level labels" in elev.reason, kinds


def test_small_ink_beside_an_untitled_elevation_is_no_plan(tmp_path: Path) -> None:
    """An elevation sheet with a small boxed note and nothing titled: the note was the largest
    drawing left unnamed, and so taken for the plan."""
    sheet = _read(_sheet(tmp_path / "s.pdf", plan=False, notes=True))
    kinds = [(v.kind, v.bbox, v.reason) for v in sheet.viewports]
    assert any(v.kind == "elevation" for v in sheet.viewports), kinds
    assert not any(v.kind == "floor_plan" for v in sheet.viewports), kinds


def test_the_level_labels_never_override_a_title(tmp_path: Path) -> None:
    """A drawing its caption names is what the caption says, whatever its content shows."""
    sheet = _read(_sheet(tmp_path / "s.pdf", captions={"elevation": "GROUND FLOOR PLAN",
                                                       "plan": "SECTION A-A"}))
    by_x = sorted(sheet.viewports, key=lambda v: v.bbox[0])
    assert [v.kind for v in by_x] == ["section", "floor_plan"], [(v.kind, v.reason) for v in by_x]


def test_an_untitled_elevation_is_told_by_its_ground_line(tmp_path: Path) -> None:
    """No level labels and no caption: the elevation's ground line runs on past its walls and
    roof at both ends, which no plan's lowest line does (a wall or a dimension chain meets the
    ink above at its ends)."""
    sheet = _read(_sheet(tmp_path / "s.pdf", labels=False))
    kinds = sorted((v.bbox[0], v.kind, v.reason) for v in sheet.viewports)
    (elev,) = [v for v in sheet.viewports if v.kind == "elevation"]
    assert "ground line" in elev.reason, kinds
    (plan,) = [v for v in sheet.viewports if v.kind == "floor_plan"]
    assert plan.bbox[2] < 150 * PX_PER_MM, kinds

