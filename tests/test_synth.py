"""plan2bim synth: determinism, valid ground truth, masks and labels that match it, styles, CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from plan2bim.errors import InputError
from plan2bim.export.json import building_to_dict
from plan2bim.schema import validate_plan
from plan2bim.tools.synth import generate, make_sample
from plan2bim.tools.synth import labels as synth_labels
from plan2bim.tools.synth.degrade import warp
from plan2bim.tools.synth.layout import make_sheet
from plan2bim.tools.synth.render import render, sample_style


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_generate_is_byte_identical_and_workers_do_not_matter(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    ids = generate(4, a, seed=11)
    generate(4, b, seed=11, workers=2)
    assert ids == ["000000", "000001", "000002", "000003"]
    fa, fb = _files(a), _files(b)
    assert fa == fb
    assert set(fa) == {f"{sub}/{i}.{ext}" for i in ids
                       for sub, ext in (("images", "png"), ("gt", "json"), ("masks", "png"))}


def test_different_seed_different_plan():
    assert make_sample(0, seed=1).png != make_sample(0, seed=2).png
    assert make_sample(0, seed=1).png != make_sample(1, seed=1).png


@pytest.mark.parametrize("style", ["cubicasa", "r3d", "mixed"])
@pytest.mark.parametrize("index", [0, 1, 2])
def test_ground_truth_validates_and_matches_image(style, index):
    s = make_sample(index, seed=5, style=style)
    d = building_to_dict(s.building)
    validate_plan(d)
    st = d["storeys"][0]
    h, w = s.image.shape[:2]
    assert s.image.ndim == 3 and s.image.dtype == np.uint8
    assert st["image_size_px"] == [w, h] and s.mask.shape == (h, w)
    assert st["walls"] and st["spaces"] and st["openings"]
    if style == "r3d":
        assert s.family == "r3d" and max(h, w) <= 640
    else:
        assert max(h, w) <= 3000
        if style == "cubicasa":
            assert s.family == "cubicasa"
    # metres and pixels agree: centre in metres is the pixel centre through px_to_m
    sc = st["scale"]["px_per_m"]
    for o in st["openings"]:
        cx, cy = o["center_px"]
        assert o["center"] == pytest.approx([cx / sc, (h - cy) / sc], abs=2e-3)
        assert o["width_px"] == pytest.approx(o["width"] * sc, rel=1e-3)


def _raster_walls(d: dict, shape: tuple[int, int]) -> np.ndarray:
    m = np.zeros(shape, np.uint8)
    for wall in d["storeys"][0]["walls"]:
        for poly in wall["footprint_px"]:
            cv2.fillPoly(m, [np.round(np.asarray(r) * 16).astype(np.int32) for r in poly], 1, cv2.LINE_8, 4)
    return m.astype(bool)


@pytest.mark.parametrize("index", range(4))
def test_mask_agrees_with_ground_truth(index):
    s = make_sample(index, seed=3)
    d = building_to_dict(s.building)
    st = d["storeys"][0]
    h, w = s.mask.shape
    assert set(np.unique(s.mask)) <= {0, 1, 2, 3}
    walls = _raster_walls(d, (h, w)) & (s.mask < 2)  # a jamb's pixel row may go to the opening
    mask_wall = s.mask == 1
    iou = (walls & mask_wall).sum() / (walls | mask_wall).sum()
    assert iou > 0.95
    # the JSON rounds to 0.01 px: an edge on a pixel boundary may move by one row, never more
    k = np.ones((3, 3), np.uint8)
    assert not (mask_wall & ~cv2.dilate(walls.astype(np.uint8), k).astype(bool)).any()
    assert not (walls & ~cv2.dilate(mask_wall.astype(np.uint8), k).astype(bool)).any()
    for o in st["openings"]:
        cx, cy = o["center_px"]
        want = 2 if o["kind"] == "door" else 3
        assert s.mask[int(cy), int(cx)] == want


@pytest.mark.parametrize("angle", [0.0, 2.5, -90.0])
def test_drawn_walls_sit_on_the_ground_truth(angle):
    """Render solid black walls, turn the page, and check the mask lands on the black pixels."""
    rng = np.random.default_rng(4)
    parts = make_sheet(rng)
    st = replace(sample_style(rng, "cubicasa"), wall_mode="solid", wall=(0, 0, 0), interior_wall=(0, 0, 0),
                 floor=None)
    drawing = render(parts, st, rng)
    img, M = warp(drawing.image, rng, "cubicasa", angle=angle, factor=1.0)
    to_img = M @ drawing.to_px
    mask = synth_labels.semantic_mask(parts, to_img, (img.shape[1], img.shape[0]))
    core = cv2.erode((mask == 1).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    assert core.sum() > 1000
    assert (grey[core] < 80).mean() > 0.97
    # the door and window gaps are not filled with wall colour
    gaps = cv2.erode((mask >= 2).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    assert (grey[gaps] < 80).mean() < 0.5


def test_layout_openings_clear_of_other_walls():
    """An opening's rectangle never overlaps another wall, so the cut-out footprints and masks agree."""
    for i in range(25):
        for lay in make_sheet(np.random.default_rng([9, i])):
            fps = [w.footprint() for w in lay.walls]
            for op in lay.openings:
                w = lay.walls[op.wall]
                assert op.width / 2 <= op.offset <= w.length - op.width / 2
                r = op.rect(w).buffer(-0.002)
                assert not any(r.intersects(f) for j, f in enumerate(fps) if j != op.wall)
            rooms = [r.polygon for r in lay.rooms if r.polygon is not None]
            for a in range(len(rooms)):
                for b in range(a + 1, len(rooms)):
                    assert rooms[a].intersection(rooms[b]).area < 1e-6


def test_unknown_style_is_refused(tmp_path):
    with pytest.raises(InputError):
        make_sample(0, style="blueprint")
    with pytest.raises(InputError):
        generate(1, tmp_path, style="blueprint")


def test_extending_a_set_adds_plans(tmp_path):
    generate(2, tmp_path, seed=0, start=9)
    generate(1, tmp_path, seed=0, start=20)
    assert sorted(p.name for p in (tmp_path / "masks").glob("*.png")) == [
        f"{i:06d}.png" for i in (9, 10, 20)]


def test_cli_writes_a_set(tmp_path):
    from typer.testing import CliRunner

    from plan2bim.cli import app

    out = tmp_path / "set"
    res = CliRunner().invoke(app, ["synth", "-n", "2", "-o", str(out), "--seed", "1", "--style", "r3d"])
    assert res.exit_code == 0, res.output
    gt = json.loads((out / "gt" / "000001.json").read_text())
    validate_plan(gt)
    assert (out / "images" / "000000.png").is_file() and (out / "masks" / "000001.png").is_file()
    assert cv2.imread(str(out / "masks" / "000000.png"), cv2.IMREAD_UNCHANGED).ndim == 2
    res = CliRunner().invoke(app, ["synth", "-n", "1", "-o", str(out), "--style", "nope"])
    assert res.exit_code != 0
