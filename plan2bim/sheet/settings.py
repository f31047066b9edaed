"""Tuned values of sheet understanding, in one frozen dataclass (nested into ``Config`` later)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SheetSettings:
    blank_max_ink_fraction: float = 0.0002
    """A page with less ink than this share of its pixels (grey under 160) is blank: it is said
    so and not recognised (a PDF's empty back pages each cost a run of the network). A single
    3 m x 3 m room at 1:100 and 150 dpi inks about 0.1% of an A4 page."""
    work_long_side_px: int = 1600
    """Layout analysis runs on the page scaled to this longer side: an A3 sheet at ~95 dpi, where
    a 0.25 mm line is still one pixel and a sheet takes ~0.15 s to analyse on one core."""
    frame_span_ratio: float = 0.6
    """A frame edge is a straight line over at least this share of the page's width or height.
    Dimension chains on the dev sheets span at most 0.58 of the page, frames 0.95."""
    frame_margin_ratio: float = 0.15
    """A frame edge lies within this share of the page from the page's edge."""
    title_block_span_ratio: float = 0.7
    """A title block's dividing rule runs over at least this share of the frame's width/height."""
    corner_title_min_ratio: float = 0.2
    """A title block drawn as a box in the frame's corner is at least this share of the frame
    wide (the synthetic sheets: 0.45-0.65); wider than ``title_block_span_ratio`` it is a strip."""
    corner_title_reads: int = 3
    """Lines of such a box read (largest first) to find the drawing's title in it (it names the
    drawing in its second line, under the project's name)."""
    title_block_depth_ratio: float = 0.3
    """The title block lies within this share of the frame from its bottom (or right) edge; the
    dev sheets' title blocks take 0.07 to 0.14 of the frame height."""
    cluster_gap_mm: float = 9.0
    """Ink closer than this on paper belongs to one drawing: the dev sheets keep 15 mm or more
    between two drawings and 2-8 mm between a plan and its dimension chains and bubbles."""
    min_viewport_ratio: float = 0.02
    """A drawing covers at least this share of the frame's area (smaller clusters are notes,
    stamps, north arrows)."""
    lone_drawing_min_mm: float = 15.0
    """Where no group of ink is large enough for a drawing, the largest at least this many
    millimetres square (its area) is the sheet's only drawing (synthetic seed 5150 sheet 98: a
    1:200 house 27 x 47 mm on A3, 1% of the frame, was "no drawing found")."""
    strip_max_side_mm: float = 16.0
    """A cluster thinner than this on paper is a strip (a dimension chain 5-8 mm deep, a row of
    grid bubbles up to 16 mm, a caption line), not a drawing: it joins the drawing it runs along.
    The synthetic vector sheets' outer dimension chains sit 20 mm off the plan, beyond
    ``cluster_gap_mm``, and were taken for drawings of their own."""
    caption_search_mm: float = 40.0
    """A drawing's caption sits at most this far below (or beside) the drawing's ink."""
    text_min_height_mm: float = 1.2
    """Printed text is 1.8 to 7 mm high on the dev sheets (notes 2 mm, captions 5-7 mm): blobs
    from this height..."""
    text_max_height_mm: float = 9.0
    """...to this one are taken for characters."""
    max_ocr_lines: int = 12
    """At most this many text lines are read by OCR on a raster sheet (captions first): each
    costs ~0.05-0.1 s on one core, and a 10-sheet set must convert in under 20 s."""
    wall_fill_gap_mm: float = 1.5
    """On a raster sheet, strokes closer than this on paper are filled between: a wall's two
    faces (125-200 mm walls at 1:100: 1.25-2 mm apart, the hatch between them closer) and a
    window's three lines; a 300 mm floor tile grid at 1:75 (4 mm) stays open."""
    wall_fill_min_run_mm: float = 2.0
    """...between straight strokes at least this long on paper (a wall face between two
    openings; letters, tags and marker symbols are shorter). Rasterised dev plans, walls left
    by the filling: surau 143 with no limit, 47 at 1.5 mm, 38 at 2 mm (most of the others
    were its tags and markers), 43 at 3 mm; at 3 mm the tandas plan's hatched walls no longer
    closed its toilets (2 named rooms at 1.5-2 mm, none at 3 mm); the RBT plan the same throughout."""
    glazing_gap_tol_mm: float = 0.2
    """Three parallel strokes the filling would close, with gaps equal to within this on paper,
    are a window's glazing (two faces and the glass) and stay open: the synthetic "triple"
    windows are drawn at exactly equal gaps, and one pixel either way at 150 dpi (0.17 mm) is
    the rasteriser's rounding."""
    glazing_min_length_ratio: float = 2.0
    """...and run at least this many times the band's thickness along it: windows are 0.6-2.4 m
    in 0.1-0.3 m walls; the rasterised tandas plan's wall has a box of cross lines over its
    centre line about as long as the wall is thick (left open, its room leaked: 7 -> 5 rooms)."""
    glazing_min_pane_mm: float = 0.3
    """...with white at least this wide on paper between the glass and each face: a 150 mm wall
    at 1:200 has 0.375 mm panes; the rasterised RBT plan's corridor kerb (heavy grey lines with
    a dashed white line along them, 1 px gaps at 150 dpi) became a row of windows."""
    label_max_height_mm: float = 6.0
    """Room labels inside a drawing are at most this high on paper (the dev sheets print them
    3-4.5 mm; captions under the drawing are 5-7 mm)."""
    room_label_lines_per_room: int = 4
    """At most this many text lines are read by OCR in each unnamed room, the longest first: the
    name, a second line of it ("BILIK" / "PERSEDIAAN", "( LELAKI )"), and room for a level box
    or a fixture symbol that counts as long (the tandas plan's toilets need 4)."""
    max_room_label_lines: int = 40
    """At most this many room-label lines are read on one drawing: ~0.05-0.1 s each on one
    core, so a plan with many rooms stays within a few seconds."""
    bubble_min_diameter_mm: float = 4.0
    """Grid bubbles and section/elevation marker circles on the dev sheets are 6-12 mm across:
    circles from this diameter..."""
    bubble_max_diameter_mm: float = 16.0
    """...to this one are taken for bubbles."""
    cut_dash_max_mm: float = 15.0
    """Longest dash of a bold section/elevation cut line, on paper (the dev sheets: 5-12 mm)."""
    cut_dash_elongation: float = 4.0
    """A cut line's dash is at least this many times as long as it is thick (dev sheets: 6-8;
    a solid wall's pier between two openings is rarely over 3)."""
    cut_gap_max_mm: float = 6.0
    """Widest gap between two dashes of a cut line, on paper (dev sheets 2-3 mm; a door's gap
    in a wall at 1:100 is 7 mm and more)."""
    cut_min_dashes: int = 3
    """Fewest dashes in a row that make a cut line."""
    cut_marker_reach_mm: float = 10.0
    """A marker's flag, arrow and letter stand this near the end of its cut line, on paper
    (rasterised surau: the letter 3 mm from the flag, the flag on the line's end)."""
    cut_marker_max_mm: float = 16.0
    """... and are no larger than this (the surau flag with its first dash: 13 mm)."""
    cut_marker_max_fill: float = 0.75
    """... and fill at most this share of their box (letters, L-shaped flags and arrows fill
    0.3-0.6; a solid wall stub fills its box)."""
    note_min_mm: float = 3.0
    """A framed note or tag is at least this wide and high inside its frame, on paper (the
    dev sheets' level tags: 8 x 6 mm)..."""
    note_max_width_mm: float = 90.0
    """... at most this wide (specification notes: 30-80 mm)..."""
    note_max_height_mm: float = 40.0
    """... and this high."""
    note_frame_mm: float = 0.6
    """Its frame's line is at most this thick, on paper (taken out with what it frames)."""
    note_text_cover: float = 0.3
    """Its letters span at least this share of the inside (notes 0.5-0.9, tags 0.4-0.7; a
    room's name spans under 0.1 of its room)."""
    paper_aspect_tolerance: float = 0.03
    """A scan is taken to be of a whole standard sheet whose proportions are its own within this
    ratio (a scanner's margins: 1-2%); A-series sheets are sqrt(2) long, ANSI and ARCH 1.29-1.55."""
    dimension_tick_min: int = 3
    """A dimension-chain scale needs at least this many numbers agreeing between their ticks."""
    dimension_agree_ratio: float = 0.03
    """Dimension numbers agree on a scale when within this ratio of their median."""
    dimension_companion_gap_mm: float = 0.6
    """A line with ink within this distance of it on paper runs beside another (a wall's second
    face or fill, a window frame's lines are 0.2-0.5 mm apart at 1:100); a dimension line's
    numbers stand 0.5-1 mm off it."""
    dimension_companion_max_ratio: float = 0.7
    """...and is no dimension line where that ink runs along more than this share of it: the
    rasterised dev sheets' dimension lines 0.05-0.41 (numbers, ticks, extension lines), the
    wall faces and window frames taken for them 0.87-1.0."""
    table_rule_span_ratio: float = 0.8
    """A schedule's rules run across at least this share of the drawing (its width for the rows,
    its height for the column rules); a plan's walls and chains rarely all do."""
    table_min_rows: int = 5
    """A grid of cells has at least this many rules between the same two verticals (a header
    and three rows); a plan's outline has two (its top and bottom walls, merged per face pair)."""
    table_min_columns: int = 3
    """...and at least this many verticals across it (the border and one column rule)."""
    table_end_tolerance_mm: float = 1.0
    """A rule ends at the table's border within this on paper."""
    level_column_min_labels: int = 3
    """An untitled drawing with this many level labels stacked up its side is an elevation or a
    section. Dev sets (text layer), titles hidden: every section and elevation drawing 3-6 (one
    tandas elevation 0: its labels stand beside its neighbour), every plan at most 2 (rbt's
    "FL +1.150" and "FL +1.200" boxes; repeats of one mark count once); synthetic sheets 0 (no
    level labels). With titles hidden, the 12 elevation/section pages were all taken as plans
    (each sheet's largest unnamed drawing); with this cue none is."""
    level_column_x_tolerance_mm: float = 3.0
    """Labels of one column have left edges within this on paper: the dev sets' columns within
    2.7 mm (tandas section D-D), their plans' level boxes 1 mm apart where two share an x."""
    level_column_min_step_mm: float = 2.0
    """Labels of one column stand at least this far apart in height (a 2.5 mm text line); the
    closest two levels on the dev sheets are 5 mm apart (rbt's two floor levels, 50 mm at 1:100)."""
    ground_line_span_ratio: float = 0.8
    """An elevation's ground line runs across at least this share of the drawing's width (the
    synthetic elevations and sections: 1.0, the dev sets' 0.65-1.0)."""
    ground_line_below_max_ratio: float = 0.05
    """...with at most this share of the drawing's ink below it (the synthetic ones 0.0; every
    dev-set drawing more: notes and captions under it, so none of them passes here)..."""
    ground_line_overhang_mm: float = 10.0
    """...and runs on past the ink above it at both ends by at least this on paper: the synthetic
    elevations and sections 13.9-14.9 mm (40 sheets, seed 7: 11 drawings); the synthetic plans
    -30 to -0.2 (12 of 14 have no such line), the schedules -0.2 to 0.0. The dev sets' ground
    lines have level labels and leaders beside their ends (at most 8 mm past the ink above
    them): the level-label cue tells those."""
    cued_notes_max_area_ratio: float = 0.25
    """Where nothing is titled, an unnamed drawing under this share of the area of one whose
    content names it (an elevation's level labels) is notes, not the plan the sheet's largest
    unnamed drawing is taken for: tandas page 4 with titles hidden, a 0.04 note strip beside its
    two sections; the same share as for small ink beside titled drawings."""
    column_ink_grey: int = 200
    """On a raster drawing a column is ink darker than this: rbt-2bd p2's corridor columns,
    rasterised at 150 dpi, are 10 px squares outlined black and filled grey 152-166, which the
    usual 160 threshold breaks up (3 of its 8 columns found at 160, all 8 at 200)."""
    column_min_m: float = 0.14
    """Smallest column side, metres (as the vector route: 150 mm posts, less the rounding)."""
    column_max_m: float = 1.0
    """Largest column side, metres."""
    column_row_tol_m: float = 0.1
    """Column centres this close across stand in one row (rbt-2bd p2 rasterised: within 1 px)."""
    open_row_min_columns: int = 3
    """Fewest columns in a row that bounds an open space (as the vector route)."""
    open_space_min_m: float = 1.0
    """Narrowest open space between a wall's face and a column row, metres (as the vector route)."""
    open_space_max_m: float = 4.0
    """Widest one (a structural bay at most; as the vector route)."""
    open_space_parallel_deg: float = 3.0
    """A wall runs along a column row within this angle (raster walls are straight to a pixel
    over a few metres)."""
    open_space_column_on_wall_m: float = 0.05
    """A column bounds an open space only where it stands on a wall's drawn outline (within this):
    rbt-2bd p2 rasterised, its corridor's railing is read as a thin wall through the columns;
    free-standing columns (surau's and rbt's stilts, a golden plan's) made spaces of their bays."""
    open_space_min_m2: float = 0.7
    """Smallest open space, square metres (as the smallest room)."""
    max_wall_thickness_m: float = 1.0
    """Sanity limit: no wall is thicker than this (the thickest masonry walls are ~0.9 m)."""
    max_door_width_m: float = 3.0
    """Sanity limit: no door is wider than this (double and sliding doors reach ~2.4 m)."""
    max_building_m: float = 400.0
    """Sanity limit: a building drawn on one sheet is at most this long at the scale found."""
    picture_flat_mid_ratio: float = 0.2
    """A picture has more than this share of flat mid-grey pixels: the README's 3D render 0.38;
    every cubicasa-dev and r3d-dev plan at most 0.31 (one plan on grey paper), most under 0.1."""
    picture_axis_edge_ratio: float = 0.2
    """...and less than this share of its edge strength along the two axes: the render 0.13;
    the plans at least 0.32 (a round plan), most over 0.58."""
    title_block_min_text_lines: int = 12
    """A raster page is a sheet (not a bare plan) when its title-block strip holds at least this
    many text lines: 26-41 on the dev sheets, at most 6 in any cubicasa-dev or r3d-dev plan."""
