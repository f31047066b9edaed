"""A curved wall drawn as two concentric arcs (a semicircular bay on a room's side) becomes a
chain of short straight walls along the arc, closing the room with the bay. The PDF is drawn
here with reportlab from fixed numbers (1:50, 0.2 m walls, a bay of 1.5 m inner radius)."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

from plan2bim.vector.pdf import read_page
from plan2bim.vector.recognise import recognise

canvas = pytest.importorskip("reportlab.pdfgen.canvas")

MM = 72 / 25.4
K = 1000 / 50 * MM  # points per metre at 1:50
T, R = 0.2 * K, 1.5 * K
X0, Y0, W, H = 150.0, 150.0, 5 * K, 4 * K


def _bay_room(c) -> None:
    """A 5 x 4 m room (axes); its right wall is open over 3 m + 0.2 m and a half-round bay,
    inner face radius 1.5 m, outer 1.7 m, closes the opening."""
    c.setLineWidth(0.5)
    cy = Y0 + H / 2  # the bay's centre, on the right wall's axis
    xo, xi = X0 + W + T / 2, X0 + W - T / 2
    lo, hi = cy - R - T / 2, cy + R + T / 2
    outer = [(X0 - T / 2, Y0 - T / 2), (xo, Y0 - T / 2), (xo, Y0 + H + T / 2), (X0 - T / 2, Y0 + H + T / 2)]
    inner = [(X0 + T / 2, Y0 + T / 2), (xi, Y0 + T / 2), (xi, Y0 + H - T / 2), (X0 + T / 2, Y0 + H - T / 2)]
    for ring in (outer, inner):
        for i in range(4):
            (a, b), (e, f) = ring[i], ring[(i + 1) % 4]
            if i == 1:  # the right wall, broken where the bay opens
                c.line(a, b, e, min(f, lo) if a == xo else min(f, cy - R))
                c.line(a, max(b, hi) if a == xo else max(b, cy + R), e, f)
            else:
                c.line(a, b, e, f)
    # the bay's faces: concentric half circles about (X0 + W, cy), drawn as Béziers
    cx = X0 + W
    for r in (R, R + T):
        c.arc(cx - r, cy - r, cx + r, cy + r, -90, 180)
    c.setFont("Helvetica", 8)
    c.drawCentredString(X0 + W / 2, cy, "LOUNGE")
    c.drawString(500, 60, "SCALE 1:50")
    c.setLineWidth(0.1)
    for i in range(300):  # enough line work to count as a vector drawing
        c.line(700 + i % 30, 500, 700 + i % 30, 505)


def _page(tmp_path):
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(420 * MM, 297 * MM), invariant=1)
    _bay_room(c)
    c.showPage()
    c.save()
    p = tmp_path / "bay.pdf"
    p.write_bytes(buf.getvalue())
    return read_page(p, 1)


def test_curved_wall_follows_its_arc(tmp_path):
    vp = recognise(_page(tmp_path))
    page_h = 297 * MM
    centre = np.array([X0 + W, page_h - (Y0 + H / 2)])  # page frame, y down
    mid_r = R + T / 2
    on_arc = [w for w in vp.walls if abs(np.hypot(*(w.p0 - centre)) - mid_r) < 1.0
              and abs(np.hypot(*(w.p1 - centre)) - mid_r) < 1.0]
    # the half circle as a chain of straight walls, 0.2 m thick, ends on the mid-radius
    assert len(on_arc) >= 6
    assert all(w.thickness / K == pytest.approx(0.2, abs=0.01) for w in on_arc)
    turned = sum(abs(math.atan2(*(w.p1 - centre)[::-1]) - math.atan2(*(w.p0 - centre)[::-1])) for w in on_arc)
    assert math.degrees(turned) == pytest.approx(180.0, abs=2.0)
    # no straight wall cuts across the bay's mouth: the room takes the bay in
    assert len(vp.rooms) == 1
    room, name = vp.rooms[0]
    bay = math.pi * (R + T / 2) ** 2 / 2  # the half disc to the right wall's axis
    want = (W - T) * (H - T) + bay - (R + T / 2) * 2 * T / 2  # less the right wall's part
    assert name == "LOUNGE"
    assert room.area == pytest.approx(want, rel=0.03)
