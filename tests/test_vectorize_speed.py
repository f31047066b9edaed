"""The vectorizer's joining steps look only at nearby bars (a spatial index), and give exactly
what comparing every pair gave: checked against the pairwise versions on random bars."""

from __future__ import annotations

import numpy as np
import pytest

from plan2bim.raster.segments import Segment
from plan2bim.raster.vectorize import (
    _line_intersection,
    _merge_collinear,
    _merged,
    _parallel,
    _snap_junctions,
)
from plan2bim.settings import VectorizeSettings

ST = VectorizeSettings()


def _merge(segs: list[Segment], gap: float) -> list[Segment]:
    return _merge_collinear(segs, gap, ST.merge_parallel_deg, ST.merge_max_thickness_change)


def _snap(segs: list[Segment]) -> list[Segment]:
    return _snap_junctions(segs, ST.snap_min_angle_deg, ST.snap_reach_px)


def _merge_pairwise(segs: list[Segment], gap: float) -> list[Segment]:
    """The former quadratic _merge_collinear, kept here as the reference."""
    segs = list(segs)
    changed = True
    while changed:
        changed = False
        i = 0
        while i < len(segs):
            j = i + 1
            while j < len(segs):
                merged = _merged(segs[i], segs[j], gap, ST.merge_parallel_deg,
                                 ST.merge_max_thickness_change)
                if merged is None:
                    j += 1
                    continue
                segs[i] = merged
                del segs[j]
                changed = True
            i += 1
    return segs


def _snap_pairwise(segs: list[Segment]) -> list[Segment]:
    """The former quadratic _snap_junctions, kept here as the reference."""
    out = list(segs)
    for i, s in enumerate(segs):
        ends = [np.asarray(s.p0, float), np.asarray(s.p1, float)]
        for k in range(2):
            best, best_d = None, np.inf
            for j, o in enumerate(segs):
                if j == i or _parallel(s, o, ST.snap_min_angle_deg):
                    continue
                x = _line_intersection(s, o)
                if x is None:
                    continue
                reach = (s.thickness + o.thickness) / 2 + ST.snap_reach_px
                d = float(np.hypot(*(x - ends[k])))
                along_o, _ = o.project(x)
                if d <= reach and -o.thickness <= along_o <= o.length + o.thickness and d < best_d:
                    best, best_d = x, d
            if best is not None:
                other = ends[1 - k]
                if np.dot(best - other, ends[k] - other) > 0:
                    ends[k] = best
        out[i] = s.with_ends(ends[0], ends[1])
    return out


def _random_bars(seed: int, n: int) -> list[Segment]:
    """Bars on a grid of lines, as walls are: many continue or cross one another."""
    rng = np.random.default_rng(seed)
    segs = []
    for _ in range(n):
        t = float(rng.choice([4.0, 6.0, 9.0, 14.0]))
        if rng.random() < 0.8:  # along the axes, on a few shared lines
            c = float(rng.integers(0, 12) * 40 + rng.normal(0, 1))
            a = float(rng.uniform(0, 500))
            b = a + float(rng.uniform(5, 120))
            p0, p1 = ((a, c), (b, c)) if rng.random() < 0.5 else ((c, a), (c, b))
        else:
            p0 = tuple(rng.uniform(0, 500, 2))
            ang = rng.uniform(0, np.pi)
            p1 = (p0[0] + 60 * np.cos(ang), p0[1] + 60 * np.sin(ang))
        segs.append(Segment(tuple(map(float, p0)), tuple(map(float, p1)), t))
    return segs


@pytest.mark.parametrize("seed", range(4))
def test_merge_and_snap_match_the_pairwise_versions(seed):
    segs = _random_bars(seed, 250)
    merged = _merge(segs, gap=6.0)
    assert merged == _merge_pairwise(segs, gap=6.0)
    assert len(merged) < len(segs)  # the case does join bars
    snapped = _snap(merged)
    assert snapped == _snap_pairwise(merged)
    assert snapped != merged  # ... and moves ends


def test_many_bars_are_joined_in_near_linear_work(monkeypatch):
    """3,000 bars: pairwise this is some 10 million comparisons of Python objects."""
    import plan2bim.raster.vectorize as v

    segs = _random_bars(7, 3000)
    calls = 0
    real = v._merged

    def counting(*args):
        nonlocal calls
        calls += 1
        return real(*args)

    monkeypatch.setattr(v, "_merged", counting)
    _merge(segs, gap=6.0)
    assert calls < 40 * len(segs)
