"""The overlay writer: a PNG of the input's size per storey, walls red over the input, the rest untouched."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from plan2bim.errors import ExportError
from plan2bim.export import get_writer
from plan2bim.export.overlay import ROOM_COLORS, render_storey, write_overlay

GREY = 200


def _read(path) -> np.ndarray:
    img = cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    assert img is not None, "not a readable image"
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def _page(building, value: int = GREY) -> np.ndarray:
    w, h = building.storeys[0].image_size
    return np.full((h, w, 3), value, np.uint8)


def _wall_interior_pixel(wall, storey) -> tuple[int, int]:
    """A pixel on the wall's axis, 80 % along it: inside the footprint and, in the sample, away
    from the opening markers and the other walls."""
    scale, height = storey.scale.px_per_m, storey.image_size[1]
    x = wall.start[0] + 0.8 * (wall.end[0] - wall.start[0])
    y = wall.start[1] + 0.8 * (wall.end[1] - wall.start[1])
    return round(x * scale), round(height - y * scale)


def test_registered_as_overlay_writer():
    assert get_writer("overlay") is write_overlay


def test_png_of_the_input_size(sample_building, tmp_path):
    path = tmp_path / "o.png"
    write_overlay(sample_building, path, images=[_page(sample_building)])
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = sample_building.storeys[0].image_size
    assert _read(path).shape == (h, w, 3)


def test_white_canvas_without_images(sample_building, tmp_path):
    path = tmp_path / "o.png"
    write_overlay(sample_building, path)
    img = _read(path)
    w, h = sample_building.storeys[0].image_size
    assert img.shape == (h, w, 3)
    # The far bottom-left corner is outside every element and the legend: white.
    assert (img[h - 5, 5] == 255).all()


@pytest.mark.parametrize("wall_index", range(5))
def test_wall_footprints_are_reddish(sample_building, tmp_path, wall_index):
    path = tmp_path / "o.png"
    write_overlay(sample_building, path, images=[_page(sample_building)])
    img = _read(path).astype(int)
    s = sample_building.storeys[0]
    x, y = _wall_interior_pixel(s.walls[wall_index], s)
    r, g, b = img[y, x]
    assert r > GREY and r > g + 60 and r > b + 60, (x, y, img[y, x])


def test_pixels_outside_everything_untouched(sample_building, tmp_path):
    rng = np.random.default_rng(0)
    page = rng.integers(0, 256, size=(*_page(sample_building).shape[:2], 3), dtype=np.uint8)
    path = tmp_path / "o.png"
    write_overlay(sample_building, path, images=[page])
    img = _read(path)
    s = sample_building.storeys[0]
    # Everything drawn lies within the walls' outer outline (grown by the marker sizes), except
    # the legend in one corner; the margin outside it, minus the legend, must be the input.
    outline = Polygon([(35, 135), (865, 135), (865, 665), (35, 665)]).buffer(15)
    changed = np.argwhere((img != page).any(axis=2))
    legend_corner = changed[~shapely.contains_xy(outline, changed[:, 1], changed[:, 0])]
    h, w = page.shape[:2]
    if len(legend_corner):
        (y0, x0), (y1, x1) = legend_corner.min(axis=0), legend_corner.max(axis=0)
        # Only the legend is drawn outside the building: one compact box at an image corner.
        assert (y1 - y0) * (x1 - x0) < 0.1 * w * h
        assert x0 == 0 or x1 == w - 1
        assert y0 == 0 or y1 == h - 1
    else:
        pytest.fail("no legend was drawn")
    # And the input shows through the translucent fills (not painted over): a wall pixel still
    # correlates with the input.
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.int32(s.walls[1].footprint_px[0][0])], 1)
    mask = cv2.erode(mask, np.ones((5, 5), np.uint8)).astype(bool)
    corr = np.corrcoef(page[mask][:, 1].astype(float), img[mask][:, 1].astype(float))[0, 1]
    assert corr > 0.9


def test_rooms_get_distinct_fills(sample_building):
    img = render_storey(sample_building.storeys[0], _page(sample_building, 255)).astype(int)
    colours = []
    for sp in sample_building.storeys[0].spaces:
        # A point inside the room but away from its label and the door marker.
        x, y = (int(v) for v in Polygon(sp.polygon_px).centroid.coords[0])
        colours.append(tuple(img[y + 120, x]))
    assert colours[0] != colours[1]
    for c, room in zip(colours, ROOM_COLORS, strict=False):
        assert np.abs(np.array(c) - (255 * 0.7 + np.array(room) * 0.3)).max() <= 2


@pytest.mark.parametrize("kind, expected", [("door", (0, 170, 0)), ("window", (0, 90, 255))])
def test_openings_are_marked_along_their_wall(sample_building, kind, expected):
    s = sample_building.storeys[0]
    img = render_storey(s, _page(sample_building, 255)).astype(int)
    for o in (o for o in s.openings if o.kind == kind):
        wall = next(w for w in s.walls if w.id == o.wall_id)
        dx, dy = wall.end[0] - wall.start[0], -(wall.end[1] - wall.start[1])
        n = np.hypot(dx, dy)
        cx, cy = o.center_px
        # The marker's line runs along the wall, not across it: points 40 % of the opening's
        # width away on the axis are coloured, points as far across are not.
        along = [(cx + s_ * dx / n * 0.4 * o.width_px, cy + s_ * dy / n * 0.4 * o.width_px)
                 for s_ in (-1, 1)]
        across = [(cx + s_ * -dy / n * 0.4 * o.width_px, cy + s_ * dx / n * 0.4 * o.width_px)
                  for s_ in (-1, 1)]
        for x, y in along:
            assert np.abs(img[round(y), round(x)] - expected).max() < 40, (o.id, x, y)
        for x, y in across:
            assert np.abs(img[round(y), round(x)] - expected).max() > 60, (o.id, x, y)


def test_two_storeys_stack_vertically(two_storey_building, tmp_path):
    path = tmp_path / "o.png"
    pages = [_page(two_storey_building, 180), _page(two_storey_building, 220)]
    write_overlay(two_storey_building, path, images=pages)
    img = _read(path)
    w, h = two_storey_building.storeys[0].image_size
    assert img.shape == (2 * h, w, 3)
    # Each half shows its own page (bottom-left corners are away from everything drawn).
    assert (img[h - 3, 3] == 180).all() and (img[2 * h - 3, 3] == 220).all()
    # The second storey's walls are drawn in the lower half, at the same place.
    s1 = two_storey_building.storeys[1]
    x, y = _wall_interior_pixel(s1.walls[0], s1)
    assert img[y + h, x][0] > img[y + h, x][1] + 60


def test_pages_of_different_widths_are_padded(two_storey_building, tmp_path):
    s0, s1 = two_storey_building.storeys
    s1 = dataclasses.replace(s1, image_size=(900, 700))
    b = dataclasses.replace(two_storey_building, storeys=[s0, s1])
    path = tmp_path / "o.png"
    write_overlay(b, path)
    img = _read(path)
    assert img.shape == (1400, 1000, 3)
    assert (img[700:, 900:] == 255).all()


def test_grayscale_page_is_accepted(sample_building, tmp_path):
    path = tmp_path / "o.png"
    write_overlay(sample_building, path, images=[_page(sample_building)[:, :, 0]])
    assert _read(path).shape[:2] == _page(sample_building).shape[:2]


def test_wrong_number_of_images(two_storey_building, tmp_path):
    with pytest.raises(ExportError, match="1 images for 2 storeys"):
        write_overlay(two_storey_building, tmp_path / "o.png", images=[_page(two_storey_building)])


def test_deterministic(sample_building, tmp_path):
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    write_overlay(sample_building, a)
    write_overlay(sample_building, b)
    assert a.read_bytes() == b.read_bytes()


def _narrow_rooms(sample_building, names):
    """The sample storey with only two tall, narrow rooms side by side (no walls, no openings)."""
    st = sample_building.storeys[0]
    spaces = []
    for i, name in enumerate(names):
        x0 = 500 + i * 90  # clear of the legend, drawn top left
        ring = [(x0, 30), (x0 + 85, 30), (x0 + 85, 330), (x0, 330)]
        spaces.append(dataclasses.replace(st.spaces[i], name=name, polygon_px=ring))
    return dataclasses.replace(st, spaces=spaces, walls=[], openings=[], columns=[])


def test_long_room_names_are_wrapped_and_kept_inside_their_room(sample_building):
    """Labels of long names in narrow rooms used to spill over their neighbours; each is now
    wrapped and sized to fit inside its own room."""
    names = ["TANDAS PELAJAR (LELAKI)", "TANDAS PELAJAR (PEREMPUAN)"]
    st = _narrow_rooms(sample_building, names)
    img = render_storey(st, np.full((st.image_size[1], st.image_size[0], 3), 255, np.uint8))
    text = (img.max(axis=2) < 60)  # black lettering (fills, halo and page are light)
    text[:, :450] = False  # the legend, top left
    ys, xs = np.nonzero(text)
    assert len(xs) > 200, "no label drawn"
    inside = np.zeros_like(text)
    for sp in st.spaces:
        (x0, y0), (x1, y1) = sp.polygon_px[0], sp.polygon_px[2]
        inside[y0:y1, x0:x1] = True
    assert inside[ys, xs].all(), "label lettering outside its room"
    for sp in st.spaces:  # both rooms are labelled
        (x0, y0), (x1, y1) = sp.polygon_px[0], sp.polygon_px[2]
        assert text[y0:y1, x0:x1].sum() > 100


def test_an_l_shaped_room_is_labelled_inside_it():
    from plan2bim.export.overlay import _fit_label

    ell = Polygon([(0, 0), (400, 0), (400, 60), (60, 60), (60, 400), (0, 400)])
    (x, y), lines, _ = _fit_label(ell, "CORRIDOR", "12.0 m", 0.6)
    assert ell.contains(shapely.Point(x, y))  # the centroid (about 115, 115) is outside it
    assert lines == ["CORRIDOR"]


@pytest.mark.parametrize("colour", [False, True])
@pytest.mark.parametrize("mask_box", [None, (0, 0, 3, 2), (5, 7, 12, 10), (0, 0, 16, 12)])
def test_blend_mixes_only_the_masked_pixels_as_over_the_whole_image(mask_box, colour):
    from plan2bim.export.overlay import WALL_FILL, _blend

    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    img[0, :4] = (0, 127, 255)  # the ends of the range, and a value that rounds half-way
    layer = np.broadcast_to(np.asarray(WALL_FILL, np.uint8), img.shape) if colour \
        else rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    mask = np.zeros((12, 16), np.uint8)
    if mask_box is not None:
        x0, y0, x1, y1 = mask_box
        mask[y0:y1, x0:x1] = 1
        mask[y0, x0] = 0  # a hole inside the window stays unmixed
    expected = img.copy()
    inside = mask.astype(bool)
    expected[inside] = (img[inside] * 0.55 + layer[inside] * 0.45).round().astype(np.uint8)
    _blend(img, mask, WALL_FILL if colour else layer, 0.45)
    assert np.array_equal(img, expected)


def test_png_rows_are_stored_as_differences_from_the_row_above(sample_building, tmp_path):
    import struct
    import zlib

    path = tmp_path / "o.png"
    page = _page(sample_building)
    write_overlay(sample_building, path, images=[page])
    data = path.read_bytes()
    idat, at = b"", 8
    while at < len(data):
        (length,), kind = struct.unpack(">I", data[at:at + 4]), data[at + 4:at + 8]
        if kind == b"IDAT":
            idat += data[at + 8:at + 8 + length]
        at += 12 + length
    raw = zlib.decompress(idat)
    h, w = page.shape[:2]
    row = 1 + 3 * w  # the filter byte, then the pixels (8-bit RGB)
    assert len(raw) == h * row
    assert {raw[i * row] for i in range(h)} == {2}  # PNG filter type 2: Up
