"""The tuned values of recognition, one frozen dataclass per stage, nested in :class:`Config`.

Units are in the field names: ``_m`` metres, ``_wt`` the page's typical wall thickness (measured
by the detector before the scale is known), ``_deg`` degrees, ``_grey`` 8-bit grey levels (0 black,
255 white), ``_px`` pixels (only where the value is tied to an image size, not to the drawing's
scale, or where re-expressing it moved the dev-set figures: the docstring then says so),
``_fraction``/``_ratio`` dimensionless, ``confidence`` a probability in 0..1.

Each docstring says what chose the value. "Set by hand" means no sweep was recorded: the value
was picked while writing the code, on the dev sets and fixtures, and nothing measured since
argued for moving it. Override any field from a TOML file (``--settings FILE``); ``plan2bim
settings --show`` prints them all.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ClassicalSettings",
    "HybridSettings",
    "LearnedSettings",
    "PreprocessSettings",
    "ScaleSettings",
    "SegmentSettings",
    "BuildSettings",
    "VectorizeSettings",
]


@dataclass(frozen=True)
class PreprocessSettings:
    """Blueprint inversion, deskew and the ink cut (``preprocess.py``)."""

    max_skew_deg: float = 10.0
    """Scans are rarely skewed more; a larger dominant angle is more likely a diagonal drawing."""
    min_skew_deg: float = 0.15
    """Smaller skews are left alone: rotating resamples every line for less than a pixel of
    drift over a 400 px wall. Set by hand."""
    skew_working_side_px: int = 1200
    """The skew is measured on the page scaled down to this longer side (a speed bound on the
    Hough transform; an image size, not a drawing length). Set by hand."""
    skew_min_line_fraction: float = 0.08
    """Hough segments shorter than this fraction of the working page's longer side are not
    used for the skew (text and symbols). Set by hand on the skewed fixtures."""
    skew_refine_range_deg: float = 1.0
    """The Hough angle is refined by projection profiles within this many degrees either side,"""
    skew_refine_step_deg: float = 0.1
    """... in steps of this many degrees (fixture flat_skewed.jpg: -2.5 deg found within 0.1)."""
    skew_canny_low_grey: int = 50
    """Edges for the skew's Hough transform: Canny's lower threshold (grey-level gradient),"""
    skew_canny_high_grey: int = 150
    """... and its upper one. OpenCV's usual pair, set by hand."""
    skew_hough_votes: int = 60
    """A Hough segment needs this many edge pixels on it,"""
    skew_min_line_px: int = 20
    """... and at least this length on the working page (a floor under
    ``skew_min_line_fraction`` for small pages). Set by hand on the skewed fixtures."""
    skew_refine_ink_grey: int = 128
    """The skew is refined on the working page's pixels darker than this (ink),"""
    skew_refine_min_points: int = 50
    """... not at all with fewer of them (the Hough angle stands),"""
    skew_refine_max_points: int = 60_000
    """... and on a fixed random sample of this many where there are more: the profiles'
    sharpness is a statistic, and the sample keeps the refinement at ~20 ms a page."""
    blueprint_light_paper_grey: int = 110
    """A page whose median grey is at least this is light paper, never a blueprint."""
    blueprint_dark_paper_grey: int = 60
    """A page whose median grey is below this is a blueprint (light lines on a dark sheet);"""
    blueprint_min_saturation: int = 80
    """... between the two, only a strongly coloured paper (median HSV saturation above this) is
    one: estate agents' mid-grey backgrounds are neutral and must not be inverted (r3d-dev)."""
    ink_max_grey: float = 200.0
    """Otsu's cut on a mostly white sheet can land high; ink is never lighter than this."""
    ink_max_dark_fraction: float = 0.35
    """When more of the sheet than this is "ink", Otsu split a grey background from white rooms,
    and the dark class is split again (grey-background estate-agent plans in r3d-dev)."""


@dataclass(frozen=True)
class SegmentSettings:
    """Wall bars from a wall mask (``segments.py``), for the classical detector and the vectorizer."""

    min_bar_length_wt: float = 2.2
    """Axis-parallel runs shorter than this many (minimum) wall thicknesses are not bars:
    corners and stubs belong to the bars they join. Set by hand (commit c2f8532)."""
    min_bar_length_px: float = 6.0
    """... and never shorter than this many pixels (noise on very thin masks)."""
    oblique_min_elongation: float = 3.0
    """A leftover (oblique) piece is a bar when this many times as long as thick."""
    stroke_width_percentile: float = 85.0
    """The typical stroke width of a mask is this percentile of the widths at the distance
    transform's ridges: walls are the thick strokes, but the thickest are outer walls drawn
    3 to 4 times as thick as partitions. Set by hand when the classical detector was written."""


@dataclass(frozen=True)
class ClassicalSettings:
    """The classical detector (``detect/classical.py``): thick strokes and the gaps between them."""

    open_kernel_wt: float = 0.3
    """The morphological opening that keeps walls and drops lines is this many wall thicknesses
    wide (at least 3 px). A thinner kernel than the first 0.5 kept the partitions of scans whose
    walls vary in thickness (commit c2f8532)."""
    solid_blob_wt: float = 5.0
    """Ink regions this many typical wall thicknesses thick are areas (sheet borders, filled
    stairs, shading), not walls (commit e1f87a6) ..."""
    solid_blob_min_px: int = 15
    """... with the area kernel never under this many pixels: on a plan with hairline walls a
    smaller one erased the walls themselves. Kept in pixels: the figures are unchanged by it only
    at the dev sets' resolutions; not re-measured in wall thicknesses."""
    min_blob_area_kernels: float = 3.0
    """Isolated mask pieces smaller than (this x the kernel) squared are bold letters, arrow
    heads and dots, not walls. Set by hand."""
    max_bar_wt: float = 2.0
    """Bars thicker than this many typical wall thicknesses are not used to find gaps."""
    symbol_line_max_grey: int = 225
    """Door and window symbols are thin lines that scanning makes faint: pixels darker than this
    (and than the paper by ``symbol_line_contrast_grey``) may be symbol lines (commit 205c97d)."""
    symbol_line_contrast_grey: int = 30
    """See ``symbol_line_max_grey``; relative to the paper so that blueprints work (20639a1)."""
    min_gap_wt: float = 2.4
    """Gaps between collinear bars from this many wall thicknesses can be doors or windows
    (1.8 let mullions and wall joints through: commit 20639a1) ..."""
    max_gap_wt: float = 14.0
    """... up to this many (a 2.8 m window in a 0.2 m wall)."""
    door_symbol_min_fraction: float = 0.45
    """Fraction of a door symbol's leaf and swing arc that must be drawn for a gap to be a door
    (commit 205c97d, on fixtures and cubicasa-dev)."""
    glazing_line_coverage: float = 0.6
    """A line across a gap is a glazing line when it covers this fraction of the gap's length."""
    door_per_glazing_line: float = 0.25
    """A gap with both a door symbol and glazing lines is a door when its door score is at least
    this many times the number of glazing lines (a leaf drawn across a window's lines scores
    low). Set by hand (commit 205c97d)."""
    window_confidence: float = 0.5
    """A gap with two or more glazing lines is a window with this confidence,"""
    window_confidence_per_line: float = 0.15
    """... plus this much per line (capped at 1): ``HybridSettings.add_gap_min_confidence``
    reads these. Set by hand."""
    single_line_window_coverage: float = 0.8
    """A gap with one line across it is a window only when the line covers this fraction of it,"""
    single_line_window_confidence: float = 0.4
    """... and then with this (low) confidence: too unsure for the hybrid detector to add it."""
    door_swing_margin_ratio: float = 0.15
    """A door's swing (hinge jamb and side) is taken as drawn when its best hinge position scores
    this much more (fraction of the leaf and arc drawn) than every other; double doors and
    doors without an arc score alike on both jambs. Set by eye on fixtures and 20 cubicasa-dev
    doors (issue 12)."""
    sheet_frame_band_fraction: float = 0.03
    """A sheet border is looked for in a band this fraction of the page's shorter side wide
    (commits bbcc433, 01e1d00: fixture sheet.png and the framed dev plans). A component is that
    border when it spans ``sheet_frame_min_span_ratio`` of the page both ways, lies mostly in the
    band along its own bounding box (at most ``sheet_frame_max_inner_ratio`` of its pixels
    inside it), runs along ``sheet_frame_min_side_ratio`` of each of its four sides, and frames
    other walls (``sheet_frame_min_inside_ratio``). All four set by hand with it."""
    sheet_frame_min_span_ratio: float = 0.8
    """See ``sheet_frame_band_fraction``: a border spans this fraction of the page's width and
    height."""
    sheet_frame_max_inner_ratio: float = 0.4
    """See ``sheet_frame_band_fraction``: at most this fraction of a border's pixels lie inside
    the band along its bounding box (a building's outline has walls all through it)."""
    sheet_frame_min_side_ratio: float = 0.97
    """See ``sheet_frame_band_fraction``: a border is drawn along this fraction of each of its
    sides (a building's outer walls are broken by doors and windows)."""
    sheet_frame_min_inside_ratio: float = 0.3
    """See ``sheet_frame_band_fraction``: the walls inside a border hold at least this fraction
    of its own pixel count (it frames a drawing)."""
    solid_blob_margin_px: int = 5
    """Ink within this many pixels (a square) of a solid area goes with it: its anti-aliased
    edge. Pixels, as the edge is a few pixels wide at any scale. Set by hand."""
    gap_sample_length_ratio: float = 0.8
    """A gap's glazing lines are looked for in a box this fraction of the gap long (the jambs'
    ends stay out) ..."""
    gap_sample_depth_ratio: float = 1.2
    """... and this many wall thicknesses deep (frames drawn a little proud of the wall's faces
    count). Set by hand with ``glazing_line_coverage``."""
    door_arc_end_margin_rad: float = 0.08
    """A door's swing arc is sampled this far (radians) from its two ends, which touch the jamb
    and the leaf and would score as drawn on any gap. Set by hand."""
    door_leaf_from_ratio: float = 0.15
    """A door's leaf is sampled from this fraction of its length from the hinge (the hinge's
    corner is wall ink) ..."""
    door_leaf_to_ratio: float = 0.95
    """... to this one (its tip meets the arc). Set by hand."""
    door_min_samples: int = 12
    """The arc and the leaf are each sampled at one point every 2 px, and at least this many."""
    door_near_ink_px: int = 5
    """Lines drawn within this many pixels (a square) of the ideal arc and leaf still count:
    scans and anti-aliasing put them a pixel or two off. Pixels, set by hand."""


@dataclass(frozen=True)
class LearnedSettings:
    """The learned detector (``detect/learned.py``): the shipped U-Net run with onnxruntime."""

    max_side_px: int = 1200
    """Longer pages are scaled down to this many pixels for the network: bounded time, and a
    plan of a flat then comes out at 50 to 100 px per metre, the middle of what the network was
    trained on. In pixels because it is the network's input size. Measured on cubicasa-dev
    (window F1 / door F1 / wall IoU): 1600 px 0.733 / 0.831 / 0.709, 1400 px 0.736 / 0.828 /
    0.717, 1300 px 0.768 / 0.815 / 0.718, 1200 px 0.785 / 0.824 / 0.713, 1100 px 0.749 / 0.815 /
    0.718, 1024 px 0.756 / 0.803 / 0.717 (r3d-dev pages are smaller and unaffected)."""
    min_side_px: int = 1200
    """Shorter pages are scaled up to this many pixels (at most ``max_upscale`` times): on a
    600 px estate-agent plan a door is a few pixels deep, too small for the network's receptive
    field (r3d-dev opening F1 0.625 -> 0.691, room F1 0.451 -> 0.499, wall IoU 0.886 -> 0.895)."""
    max_upscale: float = 2.0
    """See ``min_side_px``: more upscaling only blurs (set with it, on r3d-dev)."""
    min_opening_area_px: float = 12.0
    """Door or window blobs smaller than this many pixels of the page are noise (a few pixels of
    the network's output). Set by hand; a floor under ``min_opening_side_wt``."""
    min_opening_side_wt: float = 1.5
    """Door or window blobs shorter than this many wall thicknesses are specks (a doorway is 3
    to 8). Tuned with ``min_opening_confidence`` on cubicasa-dev."""
    min_opening_confidence: float = 0.75
    """Blobs whose mean class probability is lower are dropped. With ``min_opening_side_wt``,
    tuned on cubicasa-dev (door F1 0.60 -> 0.75, window F1 0.61 -> 0.68 before vectorization)."""
    wall_thickness_percentile: float = 50.0
    """The model's wall thickness is this percentile of its wall mask's stroke widths: its
    edges are soft, so its thickest strokes are merged walls, not outer walls. Set by hand."""
    threads: int = 0
    """onnxruntime threads; 0: the process's share of the cores, i.e. ``OMP_NUM_THREADS`` where
    it is set (batch, bench and eval workers set it: they run one plan per core) and otherwise
    the machine's cores, at most 4 (a single ``convert``). The network's output is bitwise the
    same with 1 or 2 threads (7 plans compared), so this changes speed, not results."""


@dataclass(frozen=True)
class HybridSettings:
    """The hybrid detector (``detect/hybrid.py``): classical walls, learned doors and windows."""

    agree_px: int = 11
    """The classical wall mask is kept within this many pixels of the learned one (a square
    kernel), chosen on both dev sets (commit 5b72a68). Kept in pixels, resolution-dependent:
    11 px is 0.66 typical wall thicknesses on cubicasa-dev (median 16.6 px, pages ~1700 px) and
    1.25 on r3d-dev (median 8.8 px, pages ~600 px), and 8 and 22 of the network's pixels; no
    single factor of either keeps both sets' figures, so re-expressing it means re-tuning it."""
    sure_alone_confidence: float = 0.9
    """A door or window of the model's that no classical gap confirms needs this confidence.
    Below it, unconfirmed blobs are mostly furniture, stair treads, dashed lines and plain wall;
    confirmed ones keep the model's own ``LearnedSettings.min_opening_confidence``. With pages at
    1200 px: 0.9 gives cubicasa-dev door / window F1 0.824 / 0.785 and r3d-dev opening F1 0.691;
    0.85 gives 0.809 / 0.774 and 0.708 (r3d-dev's small pages leave the model less sure)."""
    match_max_angle_deg: float = 15.0
    """A classical gap is the model's opening when their directions differ by less than this,"""
    match_min_width_ratio: float = 0.6
    """... the gap is between this ratio of the model's width"""
    match_max_width_ratio: float = 1.4
    """... and this one, and their centres are within half the larger width. Set by hand."""
    add_gap_kinds: tuple[str, ...] = ("window",)
    """Kinds of classical gap opening added where the model found nothing (the model misses
    windows drawn as thin glazing lines more often than doors)."""
    add_gap_min_confidence: float = 0.5
    """The classical confidence such an added gap needs (two glazing lines or more)."""
    oblique_min_deg: float = 10.0
    """Classical strokes the model does not see are kept when this far from the axes,"""
    oblique_min_elongation: float = 4.0
    """... this many times as long as wide,"""
    oblique_min_thickness_wt: float = 0.6
    """... at least this many wall thicknesses thick,"""
    oblique_min_length_wt: float = 3.0
    """... and this many wall thicknesses long (r3d-dev raw wall IoU 0.906 -> 0.909)."""
    hollow_min_wall_fraction: float = 0.45
    """A strip of paper between outline lines is a hollow wall's inside when at least this
    fraction of it is wall to the model (balcony railings, drawn the same way, score lower),"""
    hollow_min_width_wt: float = 0.5
    """... when it is at least this many of the model's wall thicknesses wide (a railing's or a
    window's glazing gap is narrower),"""
    hollow_min_elongation: float = 4.0
    """... and when its area is this many times its width squared: a strip, not a room or a
    box. Measured on cubicasa-dev, unrotated plans: raw wall-mask IoU 0.723 -> 0.757."""
    hollow_min_area_px: int = 50
    """Paper pieces smaller than this many pixels are not looked at (letters' insides); the
    drawn lines bounding a hollow wall are those within a square band this many pixels wide
    (``hollow_line_band_px``) of its inside. Both set by hand with the hollow-wall fill; in
    pixels, resolution-dependent, not re-tuned."""
    hollow_line_band_px: int = 7
    """See ``hollow_min_area_px``."""


@dataclass(frozen=True)
class ScaleSettings:
    """Estimating the drawing's scale when it is not given (``scale.py``)."""

    door_width_m: float = 0.75
    """The opening drawn for a door, jamb to jamb, is about 0.75 m wide: domestic leaves are 0.7
    to 0.9 m. On cubicasa-dev, whose dimension labels give its scale (100 px/m), the ground truth
    door openings have a median width of 0.74 m; a 0.9 m assumption put estimates ~20% low."""
    min_doors: int = 2
    """The door estimate needs at least this many doors (one door may be a double or a slider)."""
    wall_thickness_m: float = 0.2
    """Fallback: a typical wall is about 0.2 m thick."""
    default_px_per_m: float = 100.0
    """Last resort when nothing can be measured (cubicasa-dev's true scale)."""
    min_px_per_m: float = 8.0
    """Estimates below this are not believed (a 1:500 site plan at 100 dpi),"""
    max_px_per_m: float = 2000.0
    """... nor above this (a 1:20 detail at 1000 dpi)."""
    printed_max_off_dimensions_ratio: float = 0.1
    """A printed 1:N more than this fraction off the drawing's dimension chains gives way to
    them: the sheet was printed on another paper size than it was drawn for (surau and tandas
    sets). Set by hand; the chains agree with each other within 1.2% there."""
    paper_max_off_dimensions_ratio: float = 0.03
    """A scan without dpi: its printed 1:N on a standard paper of its proportions is the scale
    where it lies within this ratio of the dimension chains (read to 1.2% on the dev sheets;
    the rasterised tandas plan's 1:50 on A2 would lie 6.8% off its chains: not taken)..."""
    paper_max_off_estimate_ratio: float = 0.15
    """... or, with no chains read, within this ratio of the doors' or walls' estimate (A-series
    sizes stand sqrt(2), 41%, apart, so an estimate halfway, 19% off both, chooses none; the
    doors' estimate is 5-15% off on the synthetic scans)."""


@dataclass(frozen=True)
class VectorizeSettings:
    """From detections to walls, hosted openings and rooms (``vectorize.py``)."""

    min_bar_thickness_wt: float = 0.35
    """Bars thinner than this many typical wall thicknesses (and 2 px) are lines, not walls."""
    max_bar_thickness_wt: float = 5.0
    """Load-bearing outer walls are often drawn 3 to 4 times as thick as the partitions (the
    typical width), and the detectors have already dropped solid blobs: a tighter cap lost them
    (cubicasa-dev wall IoU 0.654 -> 0.660 with 5x instead of 2.5x) ..."""
    max_bar_thick_stroke_ratio: float = 1.25
    """... and never under this many times the page's thick-stroke width
    (``thick_stroke_percentile``), for pages whose walls are all thick."""
    thick_stroke_percentile: float = 95.0
    """See ``max_bar_thick_stroke_ratio``."""
    merge_gap_wt: float = 1.0
    """Collinear bars this many wall thicknesses apart (at least 3 px) are one wall: a wall
    crossing between two pieces of another leaves a gap of its own thickness."""
    merge_parallel_deg: float = 5.0
    """Bars merged as one wall are within this angle of each other,"""
    merge_max_thickness_change: float = 0.5
    """... and differ in thickness by at most this fraction of the thicker. Set by hand."""
    parallel_deg: float = 12.0
    """Bars within this angle of each other are parallel (to bridge, and to tell an oblique
    opening): looser than ``merge_parallel_deg`` as short bars' angles are coarse."""
    host_parallel_deg: float = 20.0
    """An opening is hosted by a bar within this angle of its own direction,"""
    host_reach_wt: float = 1.5
    """... reaching this many wall (or opening) depths beyond the bar's ends,"""
    host_max_offset_wt: float = 0.75
    """... and whose axis passes within this many wall (or opening) depths of its centre."""
    no_host_min_confidence: float = 0.85
    """An opening with no wall drawn around it makes a wall of its own only when its detector is
    this sure: unsure ones are mostly stair treads and furniture (cubicasa-dev door F1 0.75 ->
    0.80)."""
    snap_min_angle_deg: float = 30.0
    """Bar ends are snapped onto the axes of bars at least this far from parallel,"""
    snap_reach_px: float = 3.0
    """... within half the two bars' thicknesses plus this many pixels (the slack of a bar end
    cut by the run-length split). Set by hand; pixels, resolution-dependent, not re-tuned."""
    min_wall_length_px: float = 12.0
    """Wall axes shorter than this (after joining) are dropped as noise (and never shorter than
    ``min_bar_thickness_wt``). In pixels, resolution-dependent, as it has always been (it was
    ``Tolerances.min_wall_length_px``): 12 px is 0.7 typical wall thicknesses on cubicasa-dev and
    1.4 on r3d-dev, so a length in wall thicknesses or metres would move one of the two sets;
    not re-tuned."""
    lone_min_elongation: float = 2.0
    """A wall standing alone must be at least this many times as long (axis) as it is thick,"""
    lone_min_length_m: float = 0.6
    """... and at least this long. Measured: cubicasa-dev room F1 0.654 -> 0.668, wall IoU
    0.707 -> 0.709; r3d-dev wall IoU 0.896 -> 0.893 (short pieces of outlines broken by
    windows that were not found); 1.0 m cost r3d-dev twice as much."""
    footprint_reach_wt: float = 0.75
    """A wall's drawn outline takes the mask pixels within this many of its thicknesses (plus
    2 px) of its axis; set by hand."""
    footprint_grow_wt: float = 1.0
    """Mask pixels no axis reached go to the wall of the nearest reached pixel within this many
    typical wall thicknesses (cubicasa-dev wall IoU 0.694 -> 0.704, r3d-dev 0.850 -> 0.868)."""
    max_bridge_m: float = 0.9
    """Gaps up to this wide between a wall end and the wall it faces are closed when rooms are
    found. Openings are already bridged by their host walls; a longer reach closed open-plan
    passages and split rooms (measured on cubicasa-dev and r3d-dev: 0.9 m best of 0 to 1.9 m)."""
    max_collinear_bridge_m: float = 1.8
    """Gaps up to this wide between two pieces of one straight wall are closed when rooms are
    found: such a gap is an opening (a window the detectors missed), not a passage
    (cubicasa-dev room F1 0.621 -> 0.655 over 1.4 to 3.5 m, best at 1.8; r3d-dev unchanged)."""
    min_room_area_m2: float = 0.7
    """Enclosed regions smaller than this are not rooms (shafts, wall gaps)."""
    max_room_fraction: float = 0.6
    """A region covering more than this fraction of the image is the outside, not a room."""
    room_simplify_wt: float = 0.25
    """Room outlines are simplified within this many wall thicknesses (at least 1 px)."""


@dataclass(frozen=True)
class BuildSettings:
    """From the plan graph to the storey in metres (``build.py``)."""

    slab_close_m: float = 0.15
    """The floor slab's outline is the walls' and rooms' union closed by this much (buffered out
    and back in): it fills the notches between wall ends and rooms. Set by hand."""
    slab_simplify_m: float = 0.02
    """... and simplified within this (2 cm: below a slab edge's tolerance on site)."""
