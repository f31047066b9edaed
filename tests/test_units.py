"""Pixels to metres: one conversion, used by the build stage, the model and the synthetic labels."""

from pathlib import Path

import numpy as np
import pytest

from plan2bim.config import Config
from plan2bim.pipeline import build_model
from plan2bim.units import px_to_m

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_pixels_to_plan_metres_flips_y_about_the_image_height():
    m = px_to_m([(0, 100), (50, 0), (25, 50)], px_per_m=50.0, image_height=100)
    assert np.allclose(m, [(0.0, 0.0), (1.0, 2.0), (0.5, 1.0)])


def test_storey_uses_the_same_conversion(sample_building):
    st = sample_building.storeys[0]
    x, y = 123.0, 45.0
    want = px_to_m((x, y), st.scale.px_per_m, st.image_size[1])[0]
    assert st.px_to_m(x, y) == pytest.approx(tuple(want))


def test_built_walls_sit_on_their_drawn_pixels():
    """Each wall's drawn outline (input pixels, y down), taken to metres (y up), lies on the
    wall's axis."""
    from shapely.geometry import LineString, Point, Polygon

    b = build_model(FIXTURES / "flat.png", Config()).building
    st = b.storeys[0]
    assert st.walls
    for w in st.walls:
        axis = LineString([w.start, w.end])
        for poly in w.footprint_px:
            c = Polygon(poly[0]).centroid
            s, h = st.scale.px_per_m, st.image_size[1]
            assert axis.distance(Point(c.x / s, (h - c.y) / s)) <= w.thickness
