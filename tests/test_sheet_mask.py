"""Sheet masking on raster sheets: what the wall filling closes and what it leaves open."""

from __future__ import annotations

import numpy as np

from plan2bim.sheet.mask import fill_thin_walls
from plan2bim.sheet.settings import SheetSettings

PX_PER_MM = 150 / 25.4


def _wall_with_triple_window(vertical: bool) -> np.ndarray:
    """A 150 mm wall at 1:100 (faces 9 px apart) with a window in it drawn as the two faces
    carried through the opening and the glass line between them (the synthetic "triple")."""
    img = np.full((120, 400), 255, np.uint8)
    img[50, 20:380] = img[59, 20:380] = 0  # the faces, through the opening
    img[50:60, 150] = img[50:60, 250] = 0  # the jambs
    img[55, 150:251] = 0  # the glass
    return np.ascontiguousarray(img.T) if vertical else img


def test_a_triple_line_window_is_not_filled_into_a_wall() -> None:
    for vertical in (False, True):
        out = fill_thin_walls(_wall_with_triple_window(vertical), PX_PER_MM, SheetSettings())
        if vertical:
            out = np.ascontiguousarray(out.T)
        assert (out[50:60, 30:140] == 0).all()  # the wall either side is filled
        assert (out[50:60, 260:370] == 0).all()
        assert (out[52:54, 160:240] == 255).all()  # the window's panes stay open
        assert (out[56:59, 160:240] == 255).all()


def test_a_wall_with_a_line_off_centre_inside_is_still_filled() -> None:
    """Three strokes at unequal gaps (a counter's edge along a wall's inner face) are no window."""
    img = np.full((120, 400), 255, np.uint8)
    img[50, 20:380] = img[59, 20:380] = 0
    img[52, 20:380] = 0
    out = fill_thin_walls(img, PX_PER_MM, SheetSettings())
    assert (out[50:60, 30:370] == 0).all()


def test_a_dashed_centre_line_in_a_wall_is_no_window() -> None:
    """A grid line's dash along a wall's middle, with no jambs at its ends, leaves the wall
    filled (the rasterised tandas plan's partitions)."""
    img = np.full((120, 400), 255, np.uint8)
    img[50, 20:380] = img[59, 20:380] = 0
    img[55, 150:251] = 0
    out = fill_thin_walls(img, PX_PER_MM, SheetSettings())
    assert (out[50:60, 30:370] == 0).all()


def test_a_short_box_over_a_centre_line_is_no_window() -> None:
    """Cross lines a wall's thickness apart over its centre line (the rasterised tandas plan's
    right wall) are no window: the wall stays filled."""
    img = np.full((120, 400), 255, np.uint8)
    img[50, 20:380] = img[59, 20:380] = 0
    img[50:60, 190] = img[50:60, 205] = 0  # the cross lines, 1.5 wall thicknesses apart
    img[55, 190:206] = 0  # a centre line between them
    out = fill_thin_walls(img, PX_PER_MM, SheetSettings())
    assert (out[50:60, 30:370] == 0).all()


def test_one_pixel_gaps_are_no_panes() -> None:
    """A heavy line with a dashed white line along it (the rasterised RBT plan's corridor kerb):
    at the dashes three strokes 1 px apart, equal gaps, and ink across at each dash's ends."""
    img = np.full((120, 400), 255, np.uint8)
    img[50:55, 20:380] = img[56:58, 20:380] = 0
    for x in range(40, 360, 40):
        img[52, x:x + 25] = 255  # the dashes
    out = fill_thin_walls(img, PX_PER_MM, SheetSettings())
    assert (out[50:58, 30:370] == 0).all()
