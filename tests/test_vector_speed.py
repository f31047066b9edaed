"""Speed rewrites of the vector recogniser give the results of the plain loops they replace."""

import numpy as np

from plan2bim.vector.walls import _uncovered


def _subtract(spans, lo, hi):
    out = []
    for s0, s1 in spans:
        if hi <= s0 or lo >= s1:
            out.append((s0, s1))
            continue
        if lo > s0:
            out.append((s0, lo))
        if hi < s1:
            out.append((hi, s1))
    return out


def _loop(cand, a, d, lo, hi, starts, same_pt):
    """The per-candidate loop pair_lines ran before (taking each line between out in turn)."""
    out = []
    for c, r in enumerate(cand):
        i, dd = int(a[r]), float(d[r])
        lo_r, hi_r = float(lo[r]), float(hi[r])
        rs = slice(starts[i], starts[i + 1])
        dk = d[rs]
        between = (np.sign(dk) == np.sign(dd)) & (np.abs(dk) > same_pt) & \
                  (np.abs(dk) < abs(dd) - same_pt) & (hi[rs] > lo_r) & (lo[rs] < hi_r)
        spans = [(lo_r, hi_r)]
        for bl, bh in zip(lo[rs][between], hi[rs][between], strict=True):
            spans = _subtract(spans, float(bl), float(bh))
        out += [(c, s0, s1) for s0, s1 in spans]
    return out


def test_uncovered_matches_the_loop():
    rng = np.random.default_rng(7)
    for _ in range(200):
        n_lines, n_rows = int(rng.integers(1, 6)), int(rng.integers(1, 40))
        a = np.sort(rng.integers(0, n_lines, n_rows))
        # coarse values so that ends touch and overlaps nest, as on a drawing's grid
        d = rng.integers(-8, 9, n_rows).astype(float)
        lo = rng.integers(0, 20, n_rows).astype(float)
        hi = lo + rng.integers(1, 12, n_rows)
        starts = np.searchsorted(a, np.arange(n_lines + 1))
        cand = np.nonzero(rng.random(n_rows) < 0.5)[0]
        want = _loop(cand, a, d, lo, hi, starts, 0.5)
        # at once, and in runs of a few rows (how a page of dense hatching is kept in memory)
        for max_rows in (2_000_000, 1, 7):
            c, s0, s1 = _uncovered(cand, a, d, lo, hi, starts, 0.5, max_rows=max_rows)
            assert list(zip(c.tolist(), s0.tolist(), s1.tolist(), strict=True)) == want


def test_components_numbered_as_scipy_numbers_them():
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from plan2bim.vector.arcs import _components

    rng = np.random.default_rng(3)
    for _ in range(100):
        n = int(rng.integers(1, 60))
        m = int(rng.integers(0, 2 * n))
        i, j = rng.integers(0, n, m), rng.integers(0, n, m)
        _, want = connected_components(coo_matrix((np.ones(m), (i, j)), shape=(n, n)), directed=False)
        assert _components(n, i, j).tolist() == want.tolist()
    # a long chain numbered from its far end
    n = 500
    assert _components(n, np.arange(1, n)[::-1], np.arange(n - 1)[::-1]).tolist() == [0] * n


def test_bands_made_at_once_are_each_wall_lines_band():
    from shapely.geometry import Polygon

    from plan2bim.vector.walls import Piece, WallLine, _bands

    rng = np.random.default_rng(5)
    pieces = [Piece(rng.normal(size=2) * 100, rng.normal(size=2) * 100, float(rng.uniform(1, 20)), (0, 1))
              for _ in range(50)]
    pieces.append(Piece(np.array([3.0, 4.0]), np.array([3.0, 4.0]), 5.0, (0, 1)))  # no length
    for band, p in zip(_bands(pieces), pieces, strict=True):
        want = WallLine(p.p0, p.p1, p.thickness).band(ext=False)
        assert np.array_equal(np.asarray(band.exterior.coords), np.asarray(want.exterior.coords))
        # ... and the ring Polygon() made of the corner points before
        d = p.p1 - p.p0
        u = d / max(float(np.hypot(*d)), 1e-12)
        n = np.array([-u[1], u[0]]) * p.thickness / 2
        old = Polygon([p.p0 + n, p.p1 + n, p.p1 - n, p.p0 - n])
        assert np.array_equal(np.asarray(band.exterior.coords), np.asarray(old.exterior.coords))


def test_centres_at_once_are_each_curves_circle_centre():
    from plan2bim.vector.openings import circle
    from plan2bim.vector.recognise import _centres

    rng = np.random.default_rng(11)
    curves = rng.normal(size=(20000, 8)) * 300
    curves[:20, 2:] = np.tile(curves[:20, :2], 3)  # all four points one: no circle
    curves[20:40, 6:] = curves[20:40, :2] + 1e-12
    with np.errstate(all="ignore"):
        got = _centres(curves)
    want = np.array([circle(c)[0] for c in curves])
    # to the last bit (an array's ** 2 is not libm's pow: ~1 value in 1,000 differed)
    assert np.array_equal(got, want, equal_nan=True)
    assert np.isnan(got[:20]).all()


def test_maybe_within_keeps_every_point_near_a_centre():
    from plan2bim.vector.recognise import _maybe_within

    rng = np.random.default_rng(13)
    for d in (0.3, 1.0, 7.5):
        pts = rng.uniform(-50, 50, size=(4000, 2))
        centres = rng.uniform(-50, 50, size=(60, 2))
        pts[:60] = centres + rng.uniform(-d, d, size=(60, 2)) * 0.7
        pts[60:63] = [[np.nan, 0.0], [np.inf, 1.0], [1e300, -1e300]]
        near = (np.hypot(pts[:, None, 0] - centres[None, :, 0], pts[:, None, 1] - centres[None, :, 1]) <= d).any(1)
        got = _maybe_within(pts, centres, d)
        assert near[:60].all() and not (near & ~got).any()
        assert not got[60:62].any()
        if d <= 1.0:  # a sieve: most points far from every centre are left out
            assert got.sum() < 0.5 * len(pts)
