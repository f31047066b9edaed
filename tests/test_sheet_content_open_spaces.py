"""Corridors open on one side on a raster storey (plan2bim.sheet.open_spaces): the space between a
wall run and a row of columns, as the vector route finds it (rbt-2bd p2's KORIDOR)."""

from __future__ import annotations

import numpy as np

from plan2bim.model import Scale, Space, Storey, Wall
from plan2bim.sheet.open_spaces import find_columns, open_spaces

K = 50.0  # px per metre


def _wall(i: int, x0: float, y0: float, x1: float, y1: float) -> Wall:
    """A wall whose drawn outline is the pixel box (x0, y0)-(x1, y1); metres are not used."""
    ring = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return Wall(f"S1-W{i}", (0.0, 0.0), (1.0, 0.0), 0.2, 3.0, True, f"g{i}", [[ring]])


def _space(i: int, x0: float, y0: float, x1: float, y1: float) -> Space:
    ring = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return Space(f"S1-R{i}", "HALL", [(0, 0), (1, 0), (1, 1)], ring, (x1 - x0) * (y1 - y0) / K / K, f"r{i}")


def _plan(columns: bool = True, railing: bool = True) -> tuple[Storey, np.ndarray]:
    """A 12 m x 6 m hall (walls 0.2 m) and, 2 m below its bottom wall, a row of five 0.25 m
    columns with a railing between them (read as a thin wall): an open corridor along the hall,
    open at both ends."""
    img = np.full((700, 900), 255, np.uint8)
    x0, y0, x1, y1 = 100, 100, 700, 400  # the hall's outer faces
    t = 10
    walls = [_wall(1, x0, y0, x1, y0 + t), _wall(2, x0, y1 - t, x1, y1), _wall(3, x0, y0, x0 + t, y1),
             _wall(4, x1 - t, y0, x1, y1)]
    for w in walls:
        (a, b), _, (c, d), _ = w.footprint_px[0][0]
        img[int(b):int(d), int(a):int(c)] = 0
    row_y = y1 + 2 * K
    if railing:
        walls.append(_wall(5, x0 + 6, row_y - 2, x1 - 6, row_y + 2))
        img[int(row_y - 2):int(row_y + 2), x0 + 6:x1 - 6] = 0
    if columns:
        for x in np.linspace(x0 + 6, x1 - 6, 5):
            img[int(row_y - 6):int(row_y + 6), int(x - 6):int(x + 6)] = 0
    storey = Storey("S1", "Ground", 0.0, 3.0, walls, [], [_space(1, x0 + t, y0 + t, x1 - t, y1 - t)],
                    [], 0.2, Scale(K, "dimensions"), (900, 700), 1, "gs", "gsl")
    return storey, img


def test_columns_are_compact_dark_squares_and_lines_are_not() -> None:
    _, img = _plan()
    cols = find_columns(img, K)
    assert len(cols) == 5 and all(abs(y - 500) <= 1 for _, y, _ in cols)  # the walls are no columns


def test_the_space_between_a_wall_run_and_a_column_row_is_an_open_room() -> None:
    storey, img = _plan()
    (sp,) = open_spaces(storey, img)
    xs, ys = zip(*sp.polygon_px, strict=True)
    assert min(ys) >= 398 and max(ys) <= 502 and max(ys) - min(ys) >= 95  # wall face to the row
    assert min(xs) <= 100 and max(xs) >= 690  # along the whole row
    assert 22.0 <= sp.area <= 24.5 and sp.name.startswith("Room ")  # 12 m x 2 m, unnamed yet


def test_no_column_row_makes_no_open_room() -> None:
    storey, img = _plan(columns=False)
    assert open_spaces(storey, img) == []


def test_free_standing_columns_make_no_open_room() -> None:
    """Columns standing free (a building on stilts, a grid in an open hall) bound no corridor:
    the bays between them and the walls became rooms (surau and rbt-2bd's stilts rasterised)."""
    storey, img = _plan(railing=False)
    assert len(find_columns(img, K)) == 5
    assert open_spaces(storey, img) == []


def test_a_raster_storey_gains_its_open_corridor_when_finished() -> None:
    """The sheet stage's last step on a raster storey adds the corridor (and then names it from
    the text inside, as any unnamed room): rbt-2bd p2 rasterised lost its KORIDOR."""
    from plan2bim.sheet.model import Viewport
    from plan2bim.sheet.stage import View, finish_storey

    storey, img = _plan()
    view = View(page=1, viewport=Viewport((0.0, 0.0, 900.0, 700.0), "floor_plan"),
                image=np.dstack([img] * 3), original=np.dstack([img] * 3), origin=(0, 0), record=0)
    done = finish_storey(storey, view)
    assert len(done.spaces) == 2 and done.spaces[0].name == "HALL"
