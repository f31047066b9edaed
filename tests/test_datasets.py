"""Ground truth readers: real CubiCasa5K and R3D files, and a plan2bim dataset written here."""

from __future__ import annotations

import collections
import json
import re

import numpy as np
import pytest
from conftest import SHARED_DATA
from PIL import Image
from shapely.geometry import box

from plan2bim.export.json import building_to_dict
from plan2bim.tools.evaluate import (
    FORMATS,
    detect_format,
    list_samples,
    load_annotation,
    score_plan,
    summarize,
)
from plan2bim.tools.evaluate.datasets import annotation_from_model, read_cubicasa, read_r3d

CUBICASA = SHARED_DATA / "cubicasa-dev"
R3D = SHARED_DATA / "r3d-dev"
needs_cubicasa = pytest.mark.needs_data("cubicasa-dev/4021/model.svg")
needs_r3d = pytest.mark.needs_data("r3d-dev/10_wall.png")


@needs_cubicasa
def test_cubicasa_plan_counts():
    svg = (CUBICASA / "4021" / "model.svg").read_text()
    a = read_cubicasa(CUBICASA / "4021")
    assert a.image_size == Image.open(CUBICASA / "4021" / "F1_scaled.png").size == (1402, 1209)
    kinds = collections.Counter(k for k, _ in a.openings)
    assert kinds == {"door": svg.count('id="Door"'), "window": svg.count('id="Window"')} == {"door": 8, "window": 5}
    spaces = re.findall(r'class="Space ([A-Za-z ]+)"', svg)
    assert len(a.ignore) == sum("Outdoor" in s for s in spaces) == 1
    assert len(a.rooms) == len(spaces) - 1 == 9
    assert a.typed_openings
    # Walls are cut at the openings, and the opening rectangles are known as a mask.
    assert a.opening_mask is not None and a.opening_mask.any()
    assert not (a.wall_mask & a.opening_mask).any()
    assert 0.02 < a.wall_mask.mean() < 0.2
    # Each opening centre lies on its rectangle.
    for _, (x, y) in a.openings:
        assert a.opening_mask[int(y), int(x)]


@needs_cubicasa
def test_cubicasa_dataset_is_detected_and_listed():
    assert detect_format(CUBICASA) == "cubicasa"
    samples = list_samples(CUBICASA)
    assert len(samples) == 34
    assert samples[0].image.name == "F1_scaled.png" and samples[0].gt.name == "model.svg"


def _svg(body: str, w: int = 200, h: int = 100) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}"><g id="Model">'
            f"{body}</g></svg>")


def test_cubicasa_transforms_are_applied(tmp_path):
    Image.new("RGB", (200, 100), "white").save(tmp_path / "F1_scaled.png")
    (tmp_path / "model.svg").write_text(_svg(
        '<g transform="translate(50 10)">'
        '<g id="Wall" class="Wall"><polygon points="0,0 100,0 100,10 0,10"/></g>'
        '<g id="Door" class="Door Swing Beside"><polygon points="40,0 60,0 60,10 40,10"/></g>'
        '<g class="Space Bedroom" transform="scale(2)"><polygon points="0,5 50,5 50,40 0,40"/></g>'
        '<g class="Space Outdoor Balcony"><polygon points="0,80 20,80 20,90 0,90"/></g>'
        "</g>"))
    a = read_cubicasa(tmp_path)
    assert a.openings == [("door", pytest.approx((100.0, 15.0)))]
    assert a.wall_mask.sum() == 100 * 10 - 20 * 10  # the door is cut out of the wall
    assert a.wall_mask[15, 55] and not a.wall_mask[15, 45] and not a.wall_mask[15, 100]
    assert a.rooms[0].bounds == pytest.approx((50.0, 20.0, 150.0, 90.0))
    assert len(a.ignore) == 1 and a.ignore[0].bounds == pytest.approx((50.0, 90.0, 70.0, 100.0))


@needs_r3d
def test_r3d_plan_counts():
    import cv2

    a = read_r3d(R3D / "10.jpg")
    close = cv2.imread(str(R3D / "10_close.png"), cv2.IMREAD_GRAYSCALE) > 127
    wall = cv2.imread(str(R3D / "10_wall.png"), cv2.IMREAD_GRAYSCALE) > 127
    assert a.image_size == (500, 526)
    assert not a.typed_openings
    assert (a.opening_mask == close).all() and (a.wall_mask == (wall & ~close)).all()
    n, _ = cv2.connectedComponents(close.astype(np.uint8), connectivity=8)
    assert len(a.openings) == n - 1 == 35
    assert {k for k, _ in a.openings} == {"opening"}
    assert len(a.rooms) == 16 and not a.ignore


@needs_r3d
def test_r3d_balconies_are_ignored():
    a = read_r3d(R3D / "31567842.jpg")
    assert len(a.ignore) == 1 and len(a.rooms) == 5
    assert not any(r.intersects(a.ignore[0].buffer(-1)) for r in a.rooms)


@needs_r3d
def test_r3d_dataset_is_detected_and_listed():
    assert detect_format(R3D) == "r3d"
    samples = list_samples(R3D)
    assert len(samples) == 45
    assert all(s.image.suffix == ".jpg" and not s.id.endswith(("_wall", "_close", "_rooms")) for s in samples)


def _write_plan2bim_dataset(root, buildings):
    (root / "images").mkdir(parents=True)
    (root / "gt").mkdir()
    for name, b in buildings.items():
        w, h = b.storeys[0].image_size
        Image.new("RGB", (w, h), "white").save(root / "images" / f"{name}.png")
        (root / "gt" / f"{name}.json").write_text(json.dumps(building_to_dict(b)))


def test_plan2bim_ground_truth_scored_against_itself_is_perfect(tmp_path, sample_building, two_storey_building):
    _write_plan2bim_dataset(tmp_path, {"one": sample_building, "two": two_storey_building})
    assert detect_format(tmp_path) == "plan2bim"
    samples = list_samples(tmp_path)
    assert [s.id for s in samples] == ["one", "two"]
    gts = [load_annotation(s) for s in samples]
    # Every storey's elements are kept (the sample's storeys repeat the same plan).
    assert len(gts[0].openings) == 3 and len(gts[1].openings) == 6
    assert len(gts[0].rooms) == 2 and gts[0].wall_mask.any()
    out = summarize([score_plan(g, g, s.id) for g, s in zip(gts, samples, strict=True)])
    for key in ("wall_iou", "door_f1", "window_f1", "opening_f1", "opening_iou", "room_f1", "room_f1_50",
                "room_miou"):
        assert out[key] == pytest.approx(1.0), key


def test_model_reader_picks_one_storey_and_rasterises_openings(two_storey_building):
    data = building_to_dict(two_storey_building)
    one = annotation_from_model(data, storey=1)
    assert len(one.openings) == 3 and len(one.rooms) == 2
    door = next(o for o in data["storeys"][1]["openings"] if o["kind"] == "door")
    x, y = door["center_px"]
    assert one.opening_mask[int(y), int(x)]
    # On another grid (the ground truth's), the same pixels.
    big = annotation_from_model(data, image_size=(1200, 800), storey=1)
    assert big.wall_mask.shape == (800, 1200) and big.wall_mask[:700, :1000].sum() == one.wall_mask.sum()


def test_model_room_polygons_match_the_model(sample_building):
    a = annotation_from_model(building_to_dict(sample_building))
    expected = [box(*np.array(sp.polygon_px).min(0), *np.array(sp.polygon_px).max(0))
                for sp in sample_building.storeys[0].spaces]
    for got, want in zip(a.rooms, expected, strict=True):
        assert got.symmetric_difference(want).area < 1.0


def test_unknown_folder_is_an_input_error(tmp_path):
    from plan2bim.errors import InputError

    with pytest.raises(InputError, match="not a dataset"):
        detect_format(tmp_path)
    with pytest.raises(InputError, match="no plans"):
        (tmp_path / "gt").mkdir()
        (tmp_path / "images").mkdir()
        list_samples(tmp_path)


def test_formats_are_the_cli_choices():
    from typing import get_args

    from plan2bim.cli.evaluate import DatasetFormat

    assert get_args(DatasetFormat) == FORMATS


def test_plan2bim_outdoor_spaces_are_ignored_not_rooms(sample_building) -> None:
    import dataclasses

    from plan2bim.export.json import building_to_dict
    from plan2bim.tools.evaluate.datasets import annotation_from_model

    s = sample_building.storeys[0]
    spaces = [dataclasses.replace(s.spaces[0], name="Outdoor"), s.spaces[1]]
    b = dataclasses.replace(sample_building, storeys=[dataclasses.replace(s, spaces=spaces)])
    ann = annotation_from_model(building_to_dict(b))
    assert len(ann.rooms) == 1 and len(ann.ignore) == 1
