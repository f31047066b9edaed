"""The sheet stage: sheet furniture never becomes walls, drawings are found and classified, the
scale is taken in the drawing sets' order, storeys and rooms are named."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from sheetgen import PX_PER_MM, make_sheet

from plan2bim.config import Config
from plan2bim.errors import InputError, NoPlanError
from plan2bim.pipeline import build_model
from plan2bim.scale import resolve_scale_ordered
from plan2bim.sheet.analyse import looks_like_picture, read_sheet
from plan2bim.sheet.classify import is_room_name, kind_of_title, level_marks, level_of_title
from plan2bim.sheet.dimensions import dimension_value_m, measure, scale_from_dimensions
from plan2bim.sheet.stage import page_views
from plan2bim.sheet.text import repair_glyphs

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SETS = ROOT.parent / "shared" / "data" / "drawing-sets"

TRUE_PX_PER_M = 1000 * PX_PER_MM / 100  # the synthetic sheets' plans are drawn at 1:100


@pytest.fixture(scope="module")
def sheet_result(tmp_path_factory):
    img, boxes = make_sheet()
    path = tmp_path_factory.mktemp("sheet") / "sheet.png"
    Image.fromarray(img).save(path)  # no dpi stored: the scale must come from the drawing
    return build_model(path), boxes


def _wall_boxes_on_page(result) -> list[tuple[float, float, float, float]]:
    """The walls' boxes in the page's pixels: a storey recognised on a drawing's crop is given
    back on the whole page, like a vector storey."""
    b = result.building
    (rec,) = [r for r in b.pages if r.used]
    assert rec.viewport_px is not None  # recognised on the crop, not the whole sheet
    assert b.storeys[0].image_size == result.images[0].shape[1::-1]  # the page, not the crop
    out = []
    for w in b.storeys[0].walls:
        for poly in w.footprint_px:
            pts = np.asarray(poly[0])
            out.append((pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()))
    return out


def _overlaps(a, b, margin: float = 2.0) -> bool:
    return (min(a[2], b[2] - margin) - max(a[0], b[0] + margin) > 0
            and min(a[3], b[3] - margin) - max(a[1], b[1] + margin) > 0)


def test_the_plan_on_a_sheet_is_found_and_measured(sheet_result) -> None:
    result, boxes = sheet_result
    s = result.building.storeys[0]
    assert len(s.walls) >= 4 and len(s.spaces) >= 2
    assert s.name == "Ground floor" and s.title == "GROUND FLOOR PLAN"
    # The PNG has no dpi: its printed 1:100 on the A3 paper its chains confirm.
    assert s.scale.method == "printed" and "A3 paper" in s.scale.detail
    assert "dimensions between their ticks" in s.scale.detail
    assert s.scale.px_per_m == pytest.approx(TRUE_PX_PER_M, rel=0.01)
    walls = _wall_boxes_on_page(result)
    (plan,) = boxes["plan"]
    assert all(_overlaps(w, plan, -3) for w in walls)  # every wall lies on the drawn house


@pytest.mark.parametrize("element", ["frame", "title_block", "table", "bubble", "dimension",
                                     "section"])
def test_sheet_element_is_never_a_wall(sheet_result, element: str) -> None:
    result, boxes = sheet_result
    walls = _wall_boxes_on_page(result)
    assert walls
    for box in boxes[element]:
        if element == "frame":
            # The frame's four sides, each a thin band.
            x0, y0, x1, y1 = box
            bands = [(x0 - 3, y0 - 3, x1 + 3, y0 + 3), (x0 - 3, y1 - 3, x1 + 3, y1 + 3),
                     (x0 - 3, y0 - 3, x0 + 3, y1 + 3), (x1 - 3, y0 - 3, x1 + 3, y1 + 3)]
        else:
            bands = [box]
        for band in bands:
            assert not any(_overlaps(w, band) for w in walls), (element, band)


def test_two_drawings_side_by_side() -> None:
    img, _ = make_sheet([("FLOOR PLAN", 40), ("ROOF PLAN", 200)])
    sheet = read_sheet(img, 1)
    kinds = sorted(v.kind for v in sheet.viewports)
    assert kinds == ["floor_plan", "roof_plan"]
    fp = next(v for v in sheet.viewports if v.kind == "floor_plan")
    rp = next(v for v in sheet.viewports if v.kind == "roof_plan")
    assert fp.bbox[2] <= rp.bbox[0] + 1  # the plan on the left, the roof on the right
    assert fp.scale_denominator == 100 and rp.scale_denominator == 100


def test_only_the_floor_plan_becomes_a_storey(tmp_path: Path) -> None:
    img, _ = make_sheet([("FLOOR PLAN", 40), ("ROOF PLAN", 200)])
    Image.fromarray(img).save(tmp_path / "two.png")
    b = build_model(tmp_path / "two.png").building
    assert len(b.storeys) == 1
    used = [r for r in b.pages if r.used]
    assert [r.kind for r in used] == ["floor_plan"]
    assert any(r.kind == "roof_plan" and not r.used for r in b.pages)


def test_a_picture_is_not_a_plan() -> None:
    """The README's 3D render is said to be no floor plan (it used to give 12 walls)."""
    img = np.asarray(Image.open(FIXTURES / "readme_render.png").convert("L"))
    assert looks_like_picture(img)
    with pytest.raises(NoPlanError, match="picture"):
        build_model(FIXTURES / "readme_render.png")


def test_single_plans_take_the_cheap_path() -> None:
    for name in ("flat.png", "flat_blueprint.png", "flat_sheet.png"):
        img = np.asarray(Image.open(FIXTURES / name).convert("RGB"))
        sheet = read_sheet(img, 1)
        (v,) = sheet.viewports
        assert v.kind == "floor_plan" and v.bbox == (0, 0, img.shape[1], img.shape[0]), name
        assert not sheet.texts  # no OCR on a bare plan
        views, _, _ = page_views(img, 1, None, None)
        assert views[0].whole_page and not views[0].label_lines  # nor for its room labels


@pytest.mark.parametrize("title, kind", [
    ("GROUND FLOOR PLAN", "floor_plan"), ("PELAN ARAS DUA", "floor_plan"),
    ("PELAN LANTAI SUSUNATUR KEMASAN LANTAI", "other"), ("ROOF PLAN", "roof_plan"),
    ("PELAN BUMBUNG", "roof_plan"), ("REFLECTED CEILING PLAN", "ceiling_plan"),
    ("PELAN PEMBALIKAN 1 SUSUNATUR KEMASAN SILING", "ceiling_plan"), ("SECTION A-A", "section"),
    ("KERATAN C-C", "section"), ("TAMPAK HADAPAN", "elevation"), ("RIGHT ELEtATION", "elevation"),
    ("JADUAL PINTU", "schedule"), ("DOOR SCHEDULE", "schedule"), ("Coupe AA", "section"),
    ("Plan du rez-de-chaussée", "floor_plan"), ("Grundriss Erdgeschoss", "floor_plan"),
    ("Planta baja", "floor_plan"), ("Alzado norte", "elevation"), ("Leikkaus A-A", "section"),
    ("Julkisivu etelään", "elevation"), ("SITE PLAN", "site_plan"), ("ELECTRICAL LAYOUT", "services_plan"),
    ("ELEVATED FL0OR PLAN (1.2M)", "floor_plan"),
])
def test_title_words(title: str, kind: str) -> None:
    assert kind_of_title(title)[0] == kind


def test_storey_names_levels_and_room_names() -> None:
    assert level_of_title("PELAN ARAS DUA") == ("Level 2", 2.0) or \
        level_of_title("PELAN ARAS DUA")[1] == 2.0
    assert level_of_title("GROUND FLOOR PLAN") == ("Ground floor", 0.0)
    assert level_of_title("ELEVATED FLOOR PLAN (1.2M)")[1] == 1.0
    assert level_of_title("FIRST FLOOR PLAN") == ("First floor", 1.0)
    assert level_of_title("LEVEL 3 PLAN") == ("Level 3", 3.0)
    assert level_marks(["FL +1.200", "A.L 01.200", "FL ˟ɶʒɷɶɶ", "3000"]) == [1.2, 1.2]
    assert repair_glyphs("ɷ ʌ ɷɶɶ") == "1 : 100" and repair_glyphs("1\x01:\x0175") == "1 : 75"
    assert is_room_name("RUANG BELAJAR") and is_room_name("STOR")
    for not_a_name in ("FL +1.200", "3000", "12.5 m²", "T1", "1:100"):
        assert not is_room_name(not_a_name), not_a_name


def test_dimension_chain_gives_the_scale() -> None:
    img, _ = make_sheet()
    ink = np.asarray(Image.fromarray(img).convert("L")) < 160
    sheet = read_sheet(img, 1)
    numbers = [t for t in sheet.texts if dimension_value_m(t.text)]
    if not numbers:  # the raster sheet's OCR reads captions only: read the chain from its layout
        from plan2bim.sheet.stage import _ocr_dimension_numbers

        gray = np.asarray(Image.fromarray(img).convert("L"))
        numbers = _ocr_dimension_numbers(gray, ink, PX_PER_MM, sheet_settings())
    found = scale_from_dimensions(measure(ink, numbers), 3, 0.03)
    assert found and found[0] == pytest.approx(TRUE_PX_PER_M, rel=0.03)
    assert dimension_value_m("3100") == 3.1 and dimension_value_m("2,75") == 2.75
    assert dimension_value_m("FL") is None and dimension_value_m("12") is None


def sheet_settings():
    from plan2bim.sheet.settings import SheetSettings

    return SheetSettings()


def test_scale_order_and_sanity_limits() -> None:
    c = Config()
    doors = [30.0, 31.0, 29.0]  # 0.75 m doors at 40 px/m
    # The printed scale comes before the estimates.
    s = resolve_scale_ordered(c, doors, 8.0, 150, printed=(59.06, "printed 1:100"))
    assert (s.method, s.px_per_m) == ("printed", 59.06)
    # ... and the dimension chains before the estimates, after the printed scale.
    s = resolve_scale_ordered(c, doors, 8.0, None, dimensions=(41.0, "4 dimensions"))
    assert s.method == "dimensions"
    # A printed scale that makes walls 2 m thick is rejected for the dimension chains.
    s = resolve_scale_ordered(c, doors, 80.0, 150, printed=(20.0, "printed 1:300"),
                              dimensions=(100.0, "4 dimensions"))
    assert s.method == "dimensions" and "rejected" in s.detail
    # Doors 4.6 m wide: both rejected, the door estimate is used.
    s = resolve_scale_ordered(c, [92.0, 92.0], 8.0, 150, printed=(20.0, "p"), dimensions=(20.0, "d"))
    assert s.method == "doors"
    # A building 600 m across is not believed.
    s = resolve_scale_ordered(c, doors, 8.0, 150, printed=(5.0, "p"), extent_px=3000)
    assert s.method != "printed"
    # A printed 1:50 on a sheet printed smaller than drawn: the dimension chains say 1:75.
    s = resolve_scale_ordered(c, doors, 8.0, 150, printed=(118.1, "printed 1:50"),
                              dimensions=(78.3, "6 dimensions"))
    assert s.method == "dimensions" and "off the dimension chains" in s.detail
    # The user's option always wins; --drawing-scale without any dpi says what is missing.
    assert resolve_scale_ordered(Config(px_per_m=80), doors, 8.0, printed=(59.0, "p")).method == "user"
    with pytest.raises(InputError, match="--dpi"):
        resolve_scale_ordered(Config(drawing_scale=100), doors, 8.0, None)


# --- the real drawing sets (development data) -------------------------------------------------

def _sets_or_skip() -> dict:
    if not (SETS / "labels.json").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SETS} is missing")
        pytest.skip("drawing sets not available")
    return json.loads((SETS / "labels.json").read_text())


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["surau.pdf", "rbt-2bd.pdf", "tandas.pdf"])
def test_page_classification_on_the_dev_sets(name: str) -> None:
    labels = _sets_or_skip()[name]
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(SETS / name))
    plan_pages = set()
    for i in range(len(pdf)):
        # 100 dpi: the layout works in millimetres on paper, and the test stays quick.
        img = np.asarray(pdf[i].render(scale=100 / 72).to_pil().convert("RGB"))
        sheet = read_sheet(img, i + 1, dpi=100, pdf_path=SETS / name)
        if any(v.kind == "floor_plan" for v in sheet.viewports):
            plan_pages.add(i + 1)
            for v in sheet.viewports:
                if v.kind == "floor_plan":
                    assert v.scale_denominator in (labels["scale"], 75)  # surau prints 1:75
    pdf.close()
    assert set(labels["storeys"]) <= plan_pages <= set(labels["storeys"]) | set(labels["may"])


def test_a_sheet_without_a_floor_plan_is_said_so_and_can_be_kept(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from plan2bim.cli import app

    img, _ = make_sheet([("ROOF PLAN", 60)])
    Image.fromarray(img).save(tmp_path / "roof.png")
    with pytest.raises(NoPlanError, match="roof plan"):
        build_model(tmp_path / "roof.png")
    runner = CliRunner()
    r = runner.invoke(app, ["convert", str(tmp_path / "roof.png"), "-o", str(tmp_path / "out"),
                            "--formats", "json"])
    assert r.exit_code == 2 and "no floor plan" in r.output
    r = runner.invoke(app, ["convert", str(tmp_path / "roof.png"), "-o", str(tmp_path / "out"),
                            "--formats", "json", "--keep-pages", "1"])
    assert r.exit_code == 0, r.output
    assert "page 1: roof_plan 'ROOF PLAN', 1:100: used" in r.output
    d = json.loads((tmp_path / "out" / "roof.json").read_text())
    assert d["pages"][0]["kind"] == "roof_plan" and d["pages"][0]["used"]
    assert d["pages"][0]["storey_id"] == d["storeys"][0]["id"]


def test_room_names_from_the_text_inside_each_room() -> None:
    from plan2bim.sheet.model import TextItem
    from plan2bim.sheet.stage import _room_name

    room = [(0, 0), (400, 0), (400, 300), (0, 300)]
    texts = [
        TextItem("BILIK", (150, 100, 230, 130), "pdf"),
        TextItem("PERSEDIAAN", (120, 135, 280, 165), "pdf"),
        TextItem("FL +1.200", (160, 180, 240, 195), "pdf"),  # a level mark, smaller
        TextItem("3000", (10, 10, 50, 25), "pdf"),  # a dimension
        TextItem("KORIDOR", (600, 100, 700, 130), "pdf"),  # another room
    ]
    assert _room_name(room, texts) == "BILIK PERSEDIAAN"
    assert _room_name(room, texts[2:4]) == ""


def test_a_project_name_is_no_plan_title() -> None:
    """"PLAN2BIM SYNTHETIC PROJECT" (a title block's project line) named a floor plan."""
    assert kind_of_title("PLAN2BIM SYNTHETIC PROJECT") is None
    assert kind_of_title("FLOOR PLAN2")[0] == "floor_plan"
    assert kind_of_title("PLAN 2")[0] == "floor_plan"


def test_a_dimension_strip_joins_the_drawing_above_it() -> None:
    """A dimension chain 20 mm under a plan (beyond the cluster gap) is part of the plan, not a
    drawing captioned by the title block under it; a strip beside nothing stays."""
    from plan2bim.sheet.analyse import _join_strips

    plan = (100.0, 100.0, 900.0, 700.0)
    chain = (110.0, 800.0, 890.0, 830.0)  # 30 px deep, 100 px under the plan
    title_block = (100.0, 860.0, 1400.0, 1000.0)  # a body nearer the chain, below it
    lone = (1500.0, 100.0, 1530.0, 300.0)
    out = _join_strips([plan, chain, title_block, lone], max_side=50.0, reach=200.0)
    assert (100.0, 100.0, 900.0, 830.0) in out
    assert title_block in out and lone in out and len(out) == 3


def test_a_hairline_frame_survives_the_working_size() -> None:
    """An A1 page's 1 px frame is averaged below the ink threshold at the working size."""
    import cv2

    from plan2bim.sheet.analyse import find_sheet_frame
    from plan2bim.sheet.layout import Strokes
    from plan2bim.sheet.settings import SheetSettings

    gray = np.full((3362, 4760), 255, np.uint8)
    cv2.rectangle(gray, (53, 53), (4706, 3308), 0, 1)
    s = SheetSettings()
    f = s.work_long_side_px / 4760
    work = cv2.resize(gray, (round(4760 * f), round(3362 * f)), interpolation=cv2.INTER_AREA)
    strokes = Strokes(work < 160)
    assert not strokes.ink.any()  # the frame is gone at the working size
    frame = find_sheet_frame(gray, work, strokes, s)
    assert frame is not None and frame[0] < 25 and frame[2] > work.shape[1] - 25


def test_a_framed_pdf_page_naming_its_drawing_in_small_text_is_a_sheet(tmp_path: Path) -> None:
    """2 mm title-block lettering in a corner box, no strip across the sheet: still a sheet
    (the whole page was read as one drawing, title block lines and all)."""
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    from plan2bim.load import iter_pages

    mm = 72 / 25.4
    W, H = 297 * mm, 210 * mm
    path = tmp_path / "a4.pdf"
    c = canvas.Canvas(str(path), pagesize=(W, H))
    c.rect(10 * mm, 10 * mm, W - 20 * mm, H - 20 * mm)
    c.rect(180 * mm, 10 * mm, W - 190 * mm, 30 * mm)  # the corner title block
    c.setFont("Helvetica", 6)
    c.drawString(183 * mm, 30 * mm, "GROUND FLOOR PLAN")
    c.setLineWidth(3)
    c.rect(80 * mm, 80 * mm, 100 * mm, 70 * mm)  # the plan
    c.save()
    page = next(iter(iter_pages(path)))
    sheet = read_sheet(page.image, 1, dpi=page.dpi, pdf_path=path)
    assert sheet.frame is not None
    (plan,) = [v for v in sheet.viewports if v.kind == "floor_plan"]
    assert plan.bbox[3] - plan.bbox[1] < 0.6 * page.image.shape[0]  # the plan, not the page


def _rasterised(name: str, page: int, dpi: int = 150) -> np.ndarray:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(SETS / name))
    try:
        return np.asarray(pdf[page - 1].render(scale=dpi / 72).to_pil().convert("L"))
    finally:
        pdf.close()


@pytest.mark.needs_data("drawing-sets/rbt-2bd.pdf")
def test_a_hatched_wall_with_windows_is_no_dimension_line() -> None:
    """The columns and hatch of a CAD wall read as 45° ticks metres apart: the rasterised RBT
    plan's walls were painted out as dimension chains, and no room was left to find."""
    from plan2bim.sheet.dimensions import dimension_lines

    gray = _rasterised("rbt-2bd.pdf", 2)[287:1236, 188:2307]  # the plan's viewport
    lines = dimension_lines(gray < 160, 150 / 25.4)
    horizontal = [b for b in lines if b[2] - b[0] > b[3] - b[1]]
    assert any(130 <= b[1] <= 150 for b in horizontal)  # the 3000 chain over the plan
    for wall_y in (255, 706, 831):  # grid line D's wall, grid line B's, the corridor's edge
        assert not any(b[1] - 3 <= wall_y <= b[3] + 3 for b in horizontal), wall_y


def test_thin_wall_faces_are_filled_and_tiles_stay_open() -> None:
    from plan2bim.sheet.mask import fill_thin_walls
    from plan2bim.sheet.settings import SheetSettings

    px_per_mm = 150 / 25.4
    img = np.full((200, 400), 255, np.uint8)
    img[50, 20:380] = img[57, 20:380] = 0  # a 125 mm wall at 1:100: faces 1.25 mm apart
    img[120, 20:380] = img[144, 20:380] = 0  # tile joints 4 mm apart
    img[170, 20:28] = img[176, 20:28] = 0  # a letter's bars ("E", "=", a tag's box): 1.3 mm
    out = fill_thin_walls(img, px_per_mm, SheetSettings())
    assert (out[50:58, 30:370] == 0).all()
    assert (out[125:140, 30:370] == 255).all()
    assert (out[172:175, 20:28] == 255).all()  # filled, text and tags became walls


def test_a_text_box_over_a_wall_keeps_the_wall() -> None:
    """A marker's letter read on a wall ("1B" over the RBT plan's top wall) painted a stretch of
    the wall out with it, and the room it closed leaked."""
    from plan2bim.sheet.mask import _paint_text

    img = np.full((100, 200), 255, np.uint8)
    img[48:53, :] = 0  # the wall
    img[30:70, 90:94] = 0  # the letter's stem
    _paint_text(img, (80.0, 30.0, 120.0, 70.0), 0, 0, 2)
    assert (img[48:53, :] == 0).all()
    assert (img[30:47, 90:94] == 255).all()


def test_room_labels_on_a_raster_sheet_are_read(sheet_result) -> None:
    """The label printed inside a room of a scanned sheet is read by OCR and names it."""
    result, _ = sheet_result
    names = [sp.name for sp in result.building.storeys[0].spaces]
    assert "LIVING" in names, names


@pytest.mark.needs_data("drawing-sets/rbt-2bd.pdf")
def test_room_names_on_a_rasterised_dev_sheet(tmp_path: Path) -> None:
    """The RBT set's plan page as a 150 dpi scan: its walls are found and its rooms named."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(SETS / "rbt-2bd.pdf"))
    png = tmp_path / "p2.png"
    pdf[1].render(scale=150 / 72).to_pil().convert("RGB").save(png)
    pdf.close()
    result = build_model(png)
    s = result.building.storeys[0]
    names = {sp.name for sp in s.spaces}
    assert {"RUANG BELAJAR", "STOR", "BILIK PERSEDIAAN"} <= names, names
    assert s.scale.px_per_m == pytest.approx(150 / 0.0254 / 100, rel=0.05)
    # Nothing over the plan's top wall (its row on the page: 543 px) is a wall: the dimension
    # numbers and grid bubbles up there, filled solid with the walls, became walls.
    assert min(b[3] for b in _wall_boxes_on_page(result)) > 520


def test_notes_and_fittings_are_no_room_names() -> None:
    """"SCREED TO FALL" (a finish note) was read into the surau hall's name."""
    for note in ("SCREED TO FALL", "PLANTER BOX", "BOOK SHELF", "KABINET HASIL KERJA MURID",
                 "ROOF EAVES LINE ABOVE", "WHITE BOARD"):
        assert not is_room_name(note), note
    for name in ("RUANG", "BOARD ROOM", "MASTER BEDROOM", "TANDAS PELAJAR", "KORIDOR"):
        assert is_room_name(name), name


def test_a_room_name_is_the_block_in_the_largest_lettering() -> None:
    """Lines of one name differ in height (brackets, a leader merged into a line's box); a
    fitting's short label beside the name is as tall as it."""
    from plan2bim.sheet.model import TextItem
    from plan2bim.sheet.stage import _room_name

    room = [(0, 0), (400, 0), (400, 300), (0, 300)]
    two_lines = [TextItem("TANDAS PELAJAR", (100, 100, 240, 114), "ocr"),
                 TextItem("(PEREMPUAN)", (110, 112, 330, 138), "ocr")]
    assert _room_name(room, two_lines) == "TANDAS PELAJAR (PEREMPUAN)"
    pipe_and_name = [TextItem("PLPT", (20, 20, 74, 34), "ocr"),
                     TextItem("TANDAS GURU", (100, 200, 200, 213), "ocr")]
    assert _room_name(room, pipe_and_name) == "TANDAS GURU"


def test_outline_text_inside_a_vector_room_is_read() -> None:
    """A vector storey's room (in page pixels) whose name is drawn as outlines (no text layer):
    the crop's pixels are read, and the name lands on the room."""
    from dataclasses import replace

    from PIL import ImageDraw, ImageFont
    from sample import sample_building

    from plan2bim.sheet.model import Viewport
    from plan2bim.sheet.settings import SheetSettings
    from plan2bim.sheet.stage import View, _label_lines, finish_storey

    crop = Image.new("RGB", (600, 400), "white")
    d = ImageDraw.Draw(crop)
    d.rectangle((50, 50, 550, 350), outline="black", width=3)
    d.text((200, 180), "DEWAN", fill="black", font=ImageFont.load_default(size=22))
    arr = np.asarray(crop)
    origin = (300, 200)  # the crop's corner on the page
    room = [(350, 250), (850, 250), (850, 550), (350, 550)]  # page pixels
    storey = sample_building().storeys[0]
    sp = replace(storey.spaces[0], name="Room 1", polygon_px=room, source="vector")
    storey = replace(storey, spaces=[sp])
    view = View(1, Viewport((300, 200, 900, 600), "floor_plan"), arr, arr, origin, 0,
                label_lines=_label_lines(arr.min(axis=2) < 160, [], 150 / 25.4, SheetSettings()))
    assert finish_storey(storey, view).spaces[0].name == "DEWAN"


@pytest.mark.needs_data("drawing-sets/tandas.pdf")
def test_outline_room_names_on_the_tandas_plan() -> None:
    """The tandas plan prints its room names as outlines: its rooms were all "Room n"."""
    s = build_model(SETS / "tandas.pdf", Config(pages=[1])).building.storeys[0]
    names = {sp.name for sp in s.spaces}
    assert "TANDAS PELAJAR (LELAKI)" in names and "TANDAS GURU" in names, names


def test_an_untitled_schedule_is_told_by_its_grid_of_cells() -> None:
    """Captions left blank: the sheet's largest drawing was taken for the plan, even a door
    schedule's table. Its grid of cells says it is a schedule; the plan stays the plan."""
    from PIL import ImageDraw
    from sheetgen import _mm

    img, _ = make_sheet([(" ", 20)])
    pil = Image.fromarray(img)
    d = ImageDraw.Draw(pil)
    x0, y0, x1, y1 = _mm(215), _mm(30), _mm(395), _mm(200)
    d.rectangle((x0, y0, x1, y1), outline=(0, 0, 0), width=2)
    for k in range(1, 12):
        y = y0 + k * (y1 - y0) // 12
        d.line((x0, y, x1, y), fill=(0, 0, 0), width=1)
        d.text((x0 + _mm(4), y - _mm(9)), f"D{k}  900 x 2100  TIMBER", fill=(0, 0, 0))
    for x in (_mm(245), _mm(300), _mm(350)):
        d.line((x, y0, x, y1), fill=(0, 0, 0), width=1)
    sheet = read_sheet(np.asarray(pil), 1)
    kinds = {v.kind for v in sheet.viewports}
    assert "schedule" in kinds, [(v.kind, v.bbox) for v in sheet.viewports]
    (plan,) = [v for v in sheet.viewports if v.kind == "floor_plan"]
    assert plan.bbox[2] < _mm(215)  # the house on the left, not the table


def test_a_blank_page_is_said_so_and_not_recognised(tmp_path, caplog) -> None:
    """Empty pages of a set (back sides, separators) are listed as blank; they used to run the
    whole recognition and end as "no wall found"."""
    white = np.full((800, 600, 3), 255, np.uint8)
    white[100:102, 100:104] = 0  # a speck of scanner dust
    views, records, _ = page_views(white, 3, 150.0, None)
    assert views == [] and len(records) == 1
    assert records[0].reason == "a blank page" and not records[0].used

    plan = Image.open(Path(__file__).resolve().parents[1] / "fixtures" / "flat.png").convert("RGB")
    blank = Image.new("RGB", plan.size, "white")
    pdf = tmp_path / "set.pdf"
    plan.save(pdf, save_all=True, append_images=[blank, blank], resolution=100)
    caplog.set_level("WARNING")
    b = build_model(pdf, Config()).building
    assert len(b.storeys) == 1
    assert [(r.page, r.reason) for r in b.pages if not r.used] == [(2, "a blank page"), (3, "a blank page")]
    assert "no wall found" not in caplog.text


def test_a_bold_cut_line_across_a_wall_is_no_wall_but_wall_pieces_are() -> None:
    """A section line's heavy dashes cross the walls they cut: the dash joined to a wall's ink
    is not isolated, yet it is no wall (the rasterised surau plan's A-A and B-B became six
    walls). Wall pieces in a row between windows (glazing in the gaps) or doors (door-wide
    gaps) are walls."""
    from plan2bim.sheet.mask import cut_lines

    px_mm = 6.0
    ink = np.zeros((700, 1400), bool)
    # The cut line: 8 mm dashes, 2.5 mm gaps, 1.2 mm thick, at y = 200, from x = 40 to 900.
    y, t, dash, gap = 200, 7, 48, 15
    xs = list(range(40, 900, dash + gap))
    for x in xs:
        ink[y - t // 2:y + t // 2 + 1, x:x + dash] = True
    # A thin-faced wall it crosses (two 2 px faces 20 px apart), joined to one dash.
    ink[50:400, 300:302] = True
    ink[50:400, 320:322] = True
    # Its marker at the left end: a flag down from the first dash, a bold letter beside it.
    ink[200:260, 40:47] = True
    ink[225:265, 55:62] = True
    ink[225:232, 55:80] = True
    ink[245:252, 55:75] = True
    # Solid wall pieces between windows (glazing lines in the gaps) and between doors.
    for k in range(4):
        ink[500:507, 100 + k * 62:100 + k * 62 + 48] = True
    ink[502:505, 100:400] = True  # glazing along the row
    for k in range(4):
        ink[600:607, 500 + k * 108:500 + k * 108 + 48] = True  # 60 px (10 mm) door gaps
    boxes = cut_lines(ink, px_mm)

    def covered(x: int, yy: int) -> bool:
        return any(b[0] <= x <= b[2] and b[1] <= yy <= b[3] for b in boxes)

    crossing = next(x for x in xs if x <= 300 < x + dash)
    assert covered(crossing + 5, y)  # the dash joined to the wall
    assert all(covered(x + dash // 2, y) for x in xs)
    assert covered(43, 250) and covered(58, 240)  # flag and letter
    assert not covered(301, 100) and not covered(321, 350)  # the wall's faces away from the line
    assert not any(covered(100 + k * 62 + 20, 503) for k in range(4))
    assert not any(covered(500 + k * 108 + 20, 603) for k in range(4))


def test_a_framed_note_is_taken_out_and_a_named_room_is_not() -> None:
    """A framed note beside a leader made two close parallel strokes, filled as a wall on the
    rasterised RBT plan (and a level tag's box another); a small room with its name inside is
    also a rectangle around text, and stays."""
    from PIL import ImageDraw
    from sheetgen import _font, _mm

    from plan2bim.sheet.mask import note_boxes

    img = Image.new("L", (_mm(200), _mm(120)), 255)
    d = ImageDraw.Draw(img)
    # The note: 60 x 14 mm, two lines of 2.5 mm text; its leader runs along its top edge.
    nx, ny = _mm(120), _mm(20)
    d.rectangle((nx, ny, nx + _mm(60), ny + _mm(14)), outline=0, width=1)
    d.text((nx + _mm(1.5), ny + _mm(2)), "WALL FINISHES SPECIFICATION", fill=0, font=_font(2.5))
    d.text((nx + _mm(1.5), ny + _mm(7.5)), "IBS SOLID WALL TO MANUF'S DETAIL", fill=0, font=_font(2.5))
    d.line((_mm(40), ny - 3, nx + _mm(60), ny - 3), fill=0, width=1)
    # A level tag: "1.150" over "kt ls" in a 12 x 8 mm box.
    d.rectangle((_mm(20), _mm(90), _mm(32), _mm(98)), outline=0, width=1)
    d.text((_mm(21.5), _mm(91)), "1.150", fill=0, font=_font(2.5))
    d.text((_mm(21.5), _mm(94.5)), "kt ls", fill=0, font=_font(2.5))
    # A store room, 20 x 25 mm inside 1.5 mm walls, its name in the middle.
    d.rectangle((_mm(60), _mm(60), _mm(83), _mm(88)), fill=0)
    d.rectangle((_mm(61.5), _mm(61.5), _mm(81.5), _mm(86.5)), fill=255)
    d.text((_mm(66), _mm(72)), "STOR", fill=0, font=_font(3))
    ink = np.asarray(img) < 160
    boxes = note_boxes(ink, _mm(1))

    def covered(x: float, y: float) -> bool:
        return any(b[0] <= _mm(x) <= b[2] and b[1] <= _mm(y) <= b[3] for b in boxes)

    assert covered(150, 20) and covered(150, 34) and covered(120, 27)  # the note's frame
    assert covered(25, 90)  # the tag
    assert not covered(70, 60) and not covered(70, 74)  # the room's wall and its name


def test_a_scan_without_dpi_takes_its_printed_scale_on_a_standard_paper() -> None:
    """A scan carries no dpi, but it is of a whole sheet: A3 at 150 dpi is 2480 px long, so a
    printed 1:50 is 118.1 px/m there, 83.5 on A2, 167 on A4. The chains choose the paper (to
    3%), or, with no chains read, the doors' estimate (to 15%); a paper that only nearly fits
    (the tandas sheet: 1:50 on A2 is 6.8% off its chains) is not taken."""
    from plan2bim.sheet.paper import paper_scales

    paper = paper_scales((2480, 1754), 50, 0.03)
    assert {name for _, name in paper} == {"A0", "A1", "A2", "A3", "A4"}  # not ANSI, not ARCH
    c = Config()
    doors = [0.75 * 133.0] * 3  # the doors' estimate: 133 px/m, 13% off
    s = resolve_scale_ordered(c, doors, 10.0, None, paper=paper)
    assert s.method == "printed" and s.px_per_m == pytest.approx(2480 / 420 * 20) and "A3" in s.detail
    s = resolve_scale_ordered(c, doors, 10.0, None, dimensions=(117.0, "5 dimensions"), paper=paper)
    assert s.method == "printed" and s.px_per_m == pytest.approx(2480 / 420 * 20)
    s = resolve_scale_ordered(c, doors, 10.0, None, dimensions=(78.3, "5 dimensions"), paper=paper)
    assert (s.method, s.px_per_m) == ("dimensions", 78.3)
    # Doors halfway between two papers (19% off each) choose none: the estimate stands.
    s = resolve_scale_ordered(c, [0.75 * 99.3] * 3, 10.0, None, paper=paper)
    assert s.method == "doors"


def test_a_scanned_sheet_with_a_corner_title_box_is_read_as_a_sheet(tmp_path: Path) -> None:
    """A sheet whose title block is a box in the frame's corner, not a strip across it, of a
    few lines (the synthetic sheets; many small offices' A4 and A3 sheets), scanned: it was
    taken for a bare plan, frame and title box and all, at a scale from its doors. The box's
    lines are read, its title names the drawing, the box is sheet furniture, and the printed
    1:N on the scan's paper is the scale."""
    from typer.testing import CliRunner

    from plan2bim.cli import app
    from plan2bim.tools.evaluate.vector_sheets import rasterised_sheets

    out = tmp_path / "set"
    r = CliRunner().invoke(app, ["synth", "--format", "pdf", "-n", "1", "--seed", "11", "-o", str(out)])
    assert r.exit_code == 0, r.output
    ras = rasterised_sheets(out, 150, tmp_path / "ras")
    truth = json.loads((ras / "gt" / "000000.json").read_text())["storeys"][0]["scale"]["px_per_m"]
    png = ras / "images" / "000000.png"
    img = np.asarray(Image.open(png).convert("RGB"))
    sheet = read_sheet(img, 1)
    assert sheet.frame is not None
    (vp,) = sheet.viewports
    assert (vp.kind, vp.title, vp.scale_denominator) == ("floor_plan", "GROUND FLOOR PLAN", 50)
    H, W = img.shape[:2]
    (box,) = [b for b in sheet.furniture if b[2] > 0.9 * W and b[3] > 0.9 * H]  # bottom right
    assert box[0] > 0.3 * W and vp.bbox[3] <= box[1] + 2
    s = build_model(png).building.storeys[0]
    assert s.scale.method == "printed" and "A3 paper" in s.scale.detail
    assert s.scale.px_per_m == pytest.approx(truth, rel=0.01)


def test_masking_a_view_later_gives_the_same_image() -> None:
    """``page_views(mask=False)`` leaves the crops plain; ``mask_view`` paints them as before."""
    from plan2bim.sheet.stage import mask_view

    img, _ = make_sheet()
    now, _, _ = page_views(img, 1, None, None)
    later, _, sheet = page_views(img, 1, None, None, mask=False)
    assert len(now) == len(later) == 1 and now[0].masked and not later[0].masked
    assert np.array_equal(later[0].image, later[0].original)
    masked = mask_view(later[0], img, sheet)
    assert masked.masked and np.array_equal(masked.image, now[0].image)
    assert not np.array_equal(masked.image, masked.original)
    assert mask_view(masked, img, sheet) is masked


def test_label_lines_are_looked_for_when_first_needed() -> None:
    """An unmasked view has not looked for its label lines yet; looked for, they are those the
    crop's ink gives (as the masked view found them at once), and kept."""
    from plan2bim.sheet.stage import _label_lines, label_lines

    img, _ = make_sheet()
    now, _, _ = page_views(img, 1, None, None)
    (later,), _, _ = page_views(img, 1, None, None, mask=False)
    assert later.label_lines is None
    gray = cv2.cvtColor(later.original, cv2.COLOR_RGB2GRAY)
    read, px_per_mm = later.label_source
    eager = _label_lines(gray < 160, read, px_per_mm, later.settings)
    assert eager and label_lines(later) == eager == now[0].label_lines
    assert later.label_lines == eager


def test_a_small_lone_drawing_is_the_sheets_drawing(tmp_path: Path) -> None:
    """A sheet's only drawing may be small: a 6 x 9 m house at 1:200 on A3 covers 1% of the
    frame, under a drawing's usual share; it was "no drawing found" (synthetic seed 5150, sheet
    98). The largest group of ink that is not furniture is then the drawing."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    path = tmp_path / "small.pdf"
    c = canvas.Canvas(str(path), pagesize=(420 * mm, 297 * mm))
    c.setLineWidth(0.5)
    c.rect(10 * mm, 10 * mm, 400 * mm, 277 * mm)  # the frame
    c.rect(250 * mm, 10 * mm, 160 * mm, 40 * mm)  # the title box in its corner
    for i, text in enumerate(["PLAN2BIM TEST PROJECT", "GROUND FLOOR PLAN", "SCALE 1:200"]):
        c.setFont("Helvetica", 9)
        c.drawString(255 * mm, (42 - 11 * i) * mm, text)
    x0, y0, w, h, t = 190 * mm, 140 * mm, 30 * mm, 45 * mm, 1.0 * mm  # 6 x 9 m, 0.2 m walls
    c.setFillColorRGB(0, 0, 0)
    for r in ((x0, y0, w, t), (x0, y0 + h - t, w, t), (x0, y0, t, h), (x0 + w - t, y0, t, h),
              (x0, y0 + 20 * mm, w, t)):
        c.rect(*r, stroke=1, fill=1)
    c.showPage()
    c.save()
    b = build_model(path).building
    (s,) = b.storeys
    assert s.title == "GROUND FLOOR PLAN" and len(s.walls) >= 4
    assert s.scale.px_per_m == pytest.approx(150 / 0.0254 / 200, rel=0.01)


def test_run_lengths_are_each_ink_pixels_horizontal_run() -> None:
    from plan2bim.sheet.layout import _run_lengths

    rng = np.random.default_rng(7)
    for _ in range(50):
        h, w = rng.integers(1, 30, 2)
        ink = rng.random((h, w)) < rng.random()
        expected = np.zeros((h, w), np.int32)
        for y in range(h):
            x = 0
            while x < w:
                if ink[y, x]:
                    end = x
                    while end < w and ink[y, end]:
                        end += 1
                    expected[y, x:end] = end - x
                    x = end
                else:
                    x += 1
        got = _run_lengths(ink)
        assert got.dtype == np.int32 and np.array_equal(got, expected)
