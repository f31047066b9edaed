"""The vectorizer on hand-made detections, where the right topology is obvious."""

from __future__ import annotations

import numpy as np
import pytest

from plan2bim.raster.detections import Detections, OpeningDetection
from plan2bim.raster.vectorize import vectorize


def _room_mask() -> np.ndarray:
    """A 400 x 300 px room, walls 10 px thick, with a 60 px door gap in the bottom wall."""
    m = np.zeros((400, 500), bool)
    m[50:60, 50:450] = True
    m[340:350, 50:220] = True
    m[340:350, 280:450] = True
    m[50:350, 50:60] = True
    m[50:350, 440:450] = True
    return m


def test_door_gap_hosted_and_room_closed() -> None:
    door = OpeningDetection("door", center=(250.0, 345.0), width=60.0, depth=10.0, angle=0.0,
                            confidence=0.9)
    g = vectorize(Detections(_room_mask(), [door], 10.0), px_per_m=100.0)
    assert len(g.walls) == 4  # the bottom wall runs through its door
    (h,) = g.openings
    host = g.walls[h.wall]
    assert host.length == pytest.approx(390, abs=12)
    assert h.width == 60 and 0 < h.offset < host.length
    # The offset places the opening where it was found, after the wall's ends were snapped.
    assert host.point_at(h.offset) == pytest.approx((250.0, 345.0), abs=1.0)
    assert h.center == pytest.approx((250.0, 345.0), abs=1.0)
    assert len(g.rooms) == 1 and g.rooms[0].area == pytest.approx(380 * 280, rel=0.05)
    assert all(g.external)


@pytest.mark.parametrize("conf, angle, kept", [(0.95, 0.0, True), (0.5, 0.0, False), (0.95, 30.0, False)])
def test_opening_without_a_wall(conf: float, angle: float, kept: bool) -> None:
    lone = OpeningDetection("window", center=(250.0, 200.0), width=80.0, depth=10.0, angle=angle,
                            confidence=conf)
    g = vectorize(Detections(_room_mask(), [lone], 10.0), px_per_m=100.0)
    assert len(g.openings) == int(kept)
    assert len(g.walls) == 5 + int(kept)  # the four walls (bottom one in two pieces) + its own


def test_outer_walls_much_thicker_than_partitions_are_kept() -> None:
    """Outer walls drawn 6 times as thick as the partitions (typical of load-bearing concrete)
    stay walls, with their own thickness."""
    m = np.zeros((600, 700), bool)
    m[40:100, 40:660] = m[500:560, 40:660] = True  # 60 px outer walls
    m[40:560, 40:100] = m[40:560, 600:660] = True
    m[100:500, 345:355] = True  # a 10 px partition
    g = vectorize(Detections(m, [], 10.0), px_per_m=100.0)
    thick = sorted(round(s.thickness) for s in g.walls)
    assert thick[0] == 10 and thick[-1] == 60 and len(g.walls) == 5
    assert len(g.rooms) == 2


def test_footprint_keeps_a_wall_part_its_axis_does_not_reach() -> None:
    """A 10 px wall with a 30 px thick stretch (a chimney breast, a thicker old wall) is one
    wall whose drawn outline keeps all of it."""
    m = np.zeros((300, 600), bool)
    m[100:110, 50:550] = True
    m[95:125, 250:330] = True
    g = vectorize(Detections(m, [], 10.0), px_per_m=100.0)
    area = sum(p.area for fp in g.footprints for p in fp)
    assert area == pytest.approx(m.sum(), rel=0.03)


@pytest.mark.parametrize("collinear, rooms", [(True, 2), (False, 1)])
def test_long_gap_closes_a_room_only_within_one_wall(collinear: bool, rooms: int) -> None:
    """A 1.5 m gap between two pieces of one wall is an opening (the room is closed); the same
    gap between a wall's end and another wall is a passage (the two spaces are one room)."""
    m = np.zeros((1000, 1400), bool)
    m[50:60, 50:850] = m[540:550, 50:850] = True  # top and bottom walls
    m[50:550, 50:60] = m[50:550, 840:850] = True  # left and right walls
    if collinear:  # a partition from top to bottom with a 150 px (1.5 m) gap in its middle
        m[60:220, 445:455] = m[370:540, 445:455] = True
    else:  # a partition that stops 150 px short of the bottom wall
        m[60:390, 445:455] = True
    g = vectorize(Detections(m, [], 10.0), px_per_m=100.0)
    assert len(g.rooms) == rooms


def test_a_small_lone_blob_is_not_a_wall_but_a_freestanding_wall_is() -> None:
    m = _room_mask()
    m[150:190, 200:215] = True  # a filled symbol inside the room, 0.4 m long
    m[250:260, 150:350] = True  # a freestanding 2 m wall
    g = vectorize(Detections(m, [], 10.0), px_per_m=100.0)
    centres = [((s.p0[0] + s.p1[0]) / 2, (s.p0[1] + s.p1[1]) / 2) for s in g.walls]
    assert not any(190 <= x <= 225 and 140 <= y <= 200 for x, y in centres)
    assert any(abs(y - 255) < 3 and abs(x - 250) < 5 for x, y in centres)
