"""Tuned values of the vector path, with the measurement that chose each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VectorSettings:
    """Reading a PDF page's own lines and text (``plan2bim/vector``): the vector or raster route
    per page, wall pairs, doors, windows, columns, rooms."""

    min_lines: int = 100
    """A page with fewer drawn straight lines (curves flattened) is not a vector drawing (a scan
    wrapped in a PDF has a handful: a frame at most). The real sheets hold 3,000 to 60,000; the
    synthetic ones 171 and more (a small flat at 1:125 with no hatch: 200 sent it the raster
    way, where it scored wall IoU 0)."""
    max_image_area_ratio: float = 0.5
    """A page more than this share covered by raster images is a scan: it takes the raster way."""
    min_wall_m: float = 0.05
    """Thinnest wall (distance between a pair of parallel lines), metres (the issue: 50 mm)."""
    max_wall_m: float = 0.6
    """Thickest wall, metres (the issue: 600 mm; synthetic exterior walls go to 0.5 m)."""
    parallel_deg: float = 1.0
    """Two lines closer than this in direction are parallel (CAD exports are exact to 1e-3 deg;
    flattened curves of a bay wall differ by 6 deg or more per piece)."""
    same_line_pt: float = 0.3
    """Two parallel lines closer than this (points) are one line drawn twice."""
    min_piece_m: float = 0.05
    """A wall piece (overlap of a pair) shorter than this is not kept (a jamb's end)."""
    min_piece_ratio: float = 0.5
    """... nor one shorter than this many times its own thickness (hatch strokes across a wall
    pair with each other at hatch spacing, over a length of about the wall's thickness)."""
    weight_ratio: float = 0.6
    """Lines thinner than this share of the page's wall line weight are not wall faces (CAD
    draws furniture, glazing, dimensions and hatch lighter); only used where weights differ."""
    collinear_pt: float = 0.6
    """Two wall pieces whose axes are closer than this (points, across) lie on one wall line."""
    max_opening_m: float = 3.0
    """The widest gap in a wall that may be an opening, metres."""
    door_leaf_min_m: float = 0.25
    """Narrowest door leaf (a swing arc's radius), metres: half of a narrow double door."""
    door_leaf_max_m: float = 1.6
    """Widest door leaf, metres."""
    min_window_m: float = 0.3
    """Shortest glazing line that makes a window, metres (shorter lines in a gap are a jamb's
    frame or a symbol)."""
    glazing_inset_ratio: float = 0.15
    """Where a wall's faces run on across a gap, a window is told by glazing lines lying this
    share of the thickness or more inside both faces (triple glazing lines draw the outer two on
    the faces; synthetic triple-window sheets: 0 of 7 windows found before)."""
    glazing_cover_ratio: float = 0.5
    """... and reaching over at least this share of the gap (a line inside a junction's gap
    that covers a little of it is a symbol, not glazing)."""
    arc_piece_max_m: float = 0.25
    """Longest straight piece of an arc drawn as a chain of lines, metres (rbt-2bd p2: door
    swings as dashes of 0.12-0.14 m at 1:100)."""
    arc_gap_max_m: float = 0.1
    """Widest gap between two pieces of one chained arc, metres (the dash gaps there: 0.06 m)."""
    arc_neighbours: int = 12
    """Nearest line ends looked at for the next piece of a chained arc (the next dash is the
    nearest but for its own and the other swing's dashes and jamb lines, 7th of 12 at rbt-2bd P1).
    Hatching crowds the rest."""
    arc_turn_max_deg: float = 35.0
    """Sharpest turn from one piece of a chained arc to the next (rbt-2bd: about 9 deg per dash)."""
    arc_min_pieces: int = 4
    """Fewest pieces that make a chained arc (fewer are a corner or a symbol's stroke)."""
    arc_fit_ratio: float = 0.06
    """Largest RMS distance of a chain's points off its circle, as a share of the radius."""
    arc_span_min_deg: float = 45.0
    """Smallest angle a chained door swing turns through (a quarter turn is drawn, 90 deg)."""
    arc_span_max_deg: float = 120.0
    """Largest angle: more is a circle or a fitting's outline, not a swing."""
    dash_bar_min_ratio: float = 3.0
    """A filled bar at least this many times as long as it is thick may be a dash of a cut line
    (surau p2: 19 x 3.2 pt); three of one size, evenly spaced in a row, are one: no wall."""
    curved_min_radius_m: float = 1.0
    """Inner radius of the tightest curved wall, metres (a bay or an apse; smaller concentric
    arcs are round columns, fittings, door swings)."""
    curved_min_span_deg: float = 20.0
    """Shortest curved wall, as the angle its two face arcs share."""
    curved_step_deg: float = 15.0
    """A curved wall is a chain of straight walls each turning this much (the chord's sagitta
    is 0.9 % of the radius: 17 mm on a 2 m bay)."""
    hinge_tol_m: float = 0.12
    """A door arc's centre lies within this of a jamb corner, metres."""
    min_room_m2: float = 0.7
    """Enclosed areas smaller than this are shafts or wall slivers, not rooms (as the raster path)."""
    name_angle_tol_deg: float = 5.0
    """A room name runs within this of the page's most common text direction: turned text is a
    note along a line (surau p2: "ROOF EAVES LINE ABOVE" at 270 deg, 327 of its 344 runs at 0);
    a turned plan's names turn with all its text (synthetic sheets at 20-30 deg)."""
    max_bridge_m: float = 1.8
    """Gaps up to this wide between two pieces of one straight wall are closed for finding rooms
    (an opening no symbol marks), as the raster path does."""
    column_min_m: float = 0.14
    """Smallest column side or diameter, metres: 150 mm posts, less the drawing's rounding
    (tandas p1's 150 mm columns measure 0.149 m at 1:50 as read; 0.15 lost its open row)."""
    column_max_m: float = 1.0
    """Largest column side or diameter, metres."""
    open_space_min_m: float = 1.0
    """Narrowest space open on one side (a corridor or verandah between a wall run and a row of
    columns), metres: narrower is an eave, a planter or a column's casing (rbt-2bd p2's KORIDOR:
    2.1 m between grid lines A and B; tandas p1's walkway: 2.1 m)."""
    open_space_max_m: float = 4.0
    """Widest such space, metres: wider is a yard or the open ground under a building on stilts,
    not a corridor (one structural bay at most)."""
    column_row_tol_m: float = 0.1
    """Column centres this close across (metres) stand in one row (CAD grids are exact; rbt-2bd
    p2's row varies by 0.002 m)."""
    open_row_min_columns: int = 3
    """Fewest columns in a row that bounds an open space (two are a porch's posts or stray
    squares; rbt-2bd p2's corridor has 8, tandas p1's 3)."""
    enclosed_outline_ratio: float = 0.8
    """A room whose outline runs along walls for at least this share is enclosed; a wall facing
    a less enclosed one (an open corridor) stays external. Closed rooms measure 0.95-1.0 (door
    gaps are in their walls), rbt-2bd p2's KORIDOR 0.46 and tandas p1's walkway 0.2 (their
    column side and ends are open)."""
    default_dpi: float = 150.0
    """Resolution of the rendered page where the pipeline gives none."""


DEFAULT = VectorSettings()
"""The settings used where none are given."""
