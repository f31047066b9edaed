"""From a page image to what detectors work on: grey, dark-on-light, deskewed, with an ink mask."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from plan2bim.config import Config
from plan2bim.settings import PreprocessSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prepared:
    """A page in the working frame: deskewed (about its centre, canvas grown to fit)."""

    rgb: np.ndarray
    gray: np.ndarray
    """uint8, dark ink on light paper (light-on-dark blueprints inverted)."""
    ink: np.ndarray
    """bool: pixels darker than the paper."""
    angle: float
    """Degrees the page was rotated (counter-clockwise) to deskew it."""
    inverted: bool
    to_input: np.ndarray
    """2x3 affine mapping working-frame pixels to the input image's pixels."""
    input_size: tuple[int, int]
    """(width, height) of the input image."""

    def map_to_input(self, pts: np.ndarray) -> np.ndarray:
        pts = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
        return pts @ self.to_input[:, :2].T + self.to_input[:, 2]


def preprocess(image: np.ndarray, config: Config = Config()) -> Prepared:
    st = config.preprocess
    h, w = image.shape[:2]
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    inverted = is_blueprint(image, gray, st)
    rgb = image
    if inverted:
        gray = 255 - gray
        rgb = 255 - image
    angle = estimate_skew(gray, st) if config.deskew else 0.0
    to_input = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    if abs(angle) >= st.min_skew_deg:
        rgb, gray, to_input = _rotate(rgb, gray, angle)
    else:
        angle = 0.0
    ink = ink_mask(rgb, gray, st)
    return Prepared(rgb=rgb, gray=gray, ink=ink, angle=angle, inverted=inverted,
                    to_input=to_input, input_size=(w, h))


def is_blueprint(rgb: np.ndarray, gray: np.ndarray, st: PreprocessSettings = PreprocessSettings()) -> bool:
    """Light lines on a dark sheet: a dark, and either near-black or strongly coloured, paper.

    A plan printed on a mid-grey background (estate agents do this) is dark too, but neutral:
    its lines are still the darkest ink, so it must not be inverted.
    """
    paper = float(np.median(gray))
    if paper >= st.blueprint_light_paper_grey:
        return False
    if paper < st.blueprint_dark_paper_grey:
        return True
    sat = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)[:, :, 1]
    return float(np.median(sat)) > st.blueprint_min_saturation


def ink_mask(rgb: np.ndarray, gray: np.ndarray, st: PreprocessSettings = PreprocessSettings()) -> np.ndarray:
    """Pixels darker than the paper by Otsu's cut.

    Colour is kept: many plans draw walls in red or blue; thin coloured handwriting is removed
    later by the detectors' thickness filters, not here.
    """
    t, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Otsu on a mostly white sheet can land high; keep the cut where ink really is dark.
    t = min(float(t), st.ink_max_grey)
    ink = gray <= t
    if ink.mean() > st.ink_max_dark_fraction:
        # Most of the sheet is "dark": Otsu split a grey background from white rooms. The
        # drawing's ink is the darkest class of three: split the dark class again.
        t2, _ = cv2.threshold(gray[ink].reshape(1, -1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        ink = gray <= min(float(t2), t)
    return ink


def estimate_skew(gray: np.ndarray, st: PreprocessSettings = PreprocessSettings()) -> float:
    """The small rotation (degrees) that makes the drawing's long straight lines axis-parallel."""
    h, w = gray.shape
    f = min(1.0, float(st.skew_working_side_px) / max(h, w))
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else gray
    edges = cv2.Canny(small, st.skew_canny_low_grey, st.skew_canny_high_grey)
    min_len = max(st.skew_min_line_px, int(st.skew_min_line_fraction * max(small.shape)))
    lines = cv2.HoughLinesP(edges, 1, np.pi / 720, threshold=st.skew_hough_votes, minLineLength=min_len,
                            maxLineGap=3)
    if lines is None:
        return 0.0
    x1, y1, x2, y2 = np.asarray(lines).reshape(-1, 4).T.astype(np.float64)
    ang = np.degrees(np.arctan2(y2 - y1, x2 - x1))
    ang = (ang + 45.0) % 90.0 - 45.0  # fold onto the nearest axis
    length = np.hypot(x2 - x1, y2 - y1)
    keep = np.abs(ang) <= st.max_skew_deg
    if keep.sum() < 3:
        return 0.0
    ang, length = ang[keep], length[keep]
    order = np.argsort(ang)
    cum = np.cumsum(length[order])
    med = -float(ang[order][np.searchsorted(cum, cum[-1] / 2)])
    # Hough angles are coarse; refine by the angle whose row and column ink profiles are
    # sharpest (walls then fall into few rows and columns). Rotating the ink points, not the
    # image, keeps this cheap.
    ys, xs = np.nonzero(small < st.skew_refine_ink_grey)
    if len(xs) < st.skew_refine_min_points:
        return -med
    rng = np.random.default_rng(0)
    if len(xs) > st.skew_refine_max_points:
        pick = rng.choice(len(xs), st.skew_refine_max_points, replace=False)
        xs, ys = xs[pick], ys[pick]
    pts = np.stack([xs - xs.mean(), ys - ys.mean()], axis=1).astype(np.float64)
    best, best_score = med, -1.0
    span, step = st.skew_refine_range_deg, st.skew_refine_step_deg
    for a in np.arange(med - span, med + span + 1e-4, step):
        r = np.radians(a)
        c, s_ = np.cos(r), np.sin(r)
        x = pts[:, 0] * c - pts[:, 1] * s_
        y = pts[:, 0] * s_ + pts[:, 1] * c
        score = float((np.bincount(np.round(x - x.min()).astype(np.int64)) ** 2).sum()
                      + (np.bincount(np.round(y - y.min()).astype(np.int64)) ** 2).sum())
        if score > best_score:
            best, best_score = float(a), score
    # The angle returned is the rotation (cv2 convention, counter-clockwise positive) that
    # straightens the page.
    return -best


def _rotate(rgb: np.ndarray, gray: np.ndarray, angle: float):
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(np.ceil(h * sin + w * cos)), int(np.ceil(h * cos + w * sin))
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    rgb2 = cv2.warpAffine(rgb, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    gray2 = cv2.warpAffine(gray, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=255)
    inv = cv2.invertAffineTransform(m)
    return rgb2, gray2, inv
