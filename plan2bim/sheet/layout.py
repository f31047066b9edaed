"""The parts of a sheet found from its line work: frame, title block, panels, drawing clusters.

Works on a downscaled grey page (``SheetSettings.work_long_side_px``); boxes are returned in that
image's pixels and scaled back by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from plan2bim.sheet.model import BBox
from plan2bim.sheet.settings import SheetSettings


@dataclass
class Layout:
    frame: BBox | None = None
    title_block: BBox | None = None
    panels: list[BBox] = field(default_factory=list)
    """Boxes against the frame or title block (legends, notes, schedules) and text-filled boxes."""
    clusters: list[BBox] = field(default_factory=list)
    small_clusters: list[BBox] = field(default_factory=list)
    """Groups of ink below a drawing's share of the frame: a sheet's only drawing may be one
    (a small house at 1:200 on A3 covers 1% of it)."""
    """Groups of ink left once the furniture is out: the drawings, notes and stamps."""


def components(img: np.ndarray, connectivity: int) -> tuple[int, np.ndarray, np.ndarray]:
    """``cv2.connectedComponentsWithStats`` (count, labels, stats; no centroids), the same to
    the bit for every component (row 0, the background, holds only its area): OpenCV's
    labelling without its statistics pass, the boxes and areas of the few inked pixels taken
    here. Its statistics pass cost four times the labelling (a sheet's crop: 15 ms against
    3 ms), these ~6 ms."""
    n, labels = cv2.connectedComponents(img, connectivity=connectivity)
    width = labels.shape[1]
    flat = labels.ravel()
    at = np.flatnonzero(flat)
    lab = flat[at]
    ys, xs = np.divmod(at, width)
    big = np.iinfo(np.int64).max
    x0, y0 = np.full(n, big), np.full(n, big)
    x1, y1 = np.full(n, -1), np.full(n, -1)
    np.minimum.at(x0, lab, xs)
    np.maximum.at(x1, lab, xs)
    np.minimum.at(y0, lab, ys)
    np.maximum.at(y1, lab, ys)
    stats = np.stack([x0, y0, x1 - x0 + 1, y1 - y0 + 1, np.bincount(lab, minlength=n)], axis=1)
    stats[0] = (0, 0, 0, 0, flat.size - at.size)
    return n, labels, stats.astype(np.int32)


def _run_lengths(ink: np.ndarray) -> np.ndarray:
    """Each ink pixel's horizontal run length (0 off ink)."""
    H, W = ink.shape
    padded = np.zeros((H, W + 2), np.int8)
    padded[:, 1:-1] = ink
    # The rows one after another: the blank column at each end keeps runs from joining across
    # rows, and flat positions are cheaper to find and fill than (row, column) pairs (~40%).
    d = np.diff(padded.ravel())
    starts = np.flatnonzero(d == 1) + 1
    ends = np.flatnonzero(d == -1) + 1
    out = np.zeros(H * W, np.int32)
    if len(starts) == 0:
        return out.reshape(H, W)
    lengths = ends - starts
    first = starts - 2 * (starts // (W + 2)) - 1  # in the unpadded rows
    offs = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    out[np.repeat(first, lengths) + offs] = np.repeat(lengths, lengths)
    return out.reshape(H, W)


class Strokes:
    """The straight horizontal and vertical runs of a page's ink, measured once."""

    def __init__(self, ink: np.ndarray) -> None:
        self.ink = ink
        self.h = _run_lengths(ink)
        self.v = _run_lengths(np.ascontiguousarray(ink.T)).T

    def long(self, min_len_px: float) -> tuple[np.ndarray, np.ndarray]:
        k = max(3, int(min_len_px))
        return self.h >= k, self.v >= k


def long_lines(ink: np.ndarray | Strokes, min_len_px: int) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical straight runs of ink at least ``min_len_px`` long."""
    st = ink if isinstance(ink, Strokes) else Strokes(ink)
    return st.long(min_len_px)


def find_frame(ink: np.ndarray | Strokes, s: SheetSettings) -> BBox | None:
    """The sheet's border: straight lines over most of the page near each of its four edges."""
    H, W = (ink.ink if isinstance(ink, Strokes) else ink).shape
    hl, vl = long_lines(ink, int(min(W, H) * 0.2))
    rows = np.flatnonzero(hl.sum(axis=1) >= s.frame_span_ratio * W)
    cols = np.flatnonzero(vl.sum(axis=0) >= s.frame_span_ratio * H)
    mh, mw = s.frame_margin_ratio * H, s.frame_margin_ratio * W
    top = rows[rows < mh]
    bottom = rows[rows > H - mh]
    left = cols[cols < mw]
    right = cols[cols > W - mw]
    found = [len(top) > 0, len(bottom) > 0, len(left) > 0, len(right) > 0]
    if sum(found) < 3:
        return None
    # The outermost lines: a title block's rule near the bottom edge is not the frame.
    return (float(left.min()) if len(left) else 0.0, float(top.min()) if len(top) else 0.0,
            float(right.max()) if len(right) else float(W - 1),
            float(bottom.max()) if len(bottom) else float(H - 1))


def find_title_block(ink: np.ndarray | Strokes, frame: BBox, s: SheetSettings) -> BBox | None:
    """A strip across the frame's bottom (or down its right side) cut off by a long rule that
    ends on vertical lines running down to the frame's bottom (the block's sides): an
    elevation's ground line is as long, but nothing stands on its ends."""
    ink = ink if isinstance(ink, Strokes) else Strokes(ink)
    x0, y0, x1, y1 = (int(round(v)) for v in frame)
    fw, fh = x1 - x0, y1 - y0
    hl, vl = long_lines(ink, int(min(fw, fh) * 0.2))
    vshort = long_lines(ink, int(0.02 * fh))[1]
    sub_h = hl[y0:y1 + 1, x0:x1 + 1].sum(axis=1)
    rows = np.flatnonzero(sub_h >= s.title_block_span_ratio * fw) + y0
    rows = rows[(rows > y1 - s.title_block_depth_ratio * fh) & (rows < y1 - 0.03 * fh)]
    for r in sorted(rows):
        xs = np.flatnonzero(hl[r, x0:x1 + 1]) + x0
        down = min(y1, r + int(0.5 * (y1 - r)))
        ends = [vshort[r + 2:down, max(0, x - 4):x + 5].any(axis=1).mean() > 0.9
                for x in (xs.min(), xs.max())]
        if any(ends):
            return (float(xs.min()), float(r), float(xs.max()), float(y1))
    sub_v = vl[y0:y1 + 1, x0:x1 + 1].sum(axis=0)
    cols = np.flatnonzero(sub_v >= s.title_block_span_ratio * fh) + x0
    cols = cols[(cols > x1 - s.title_block_depth_ratio * fw) & (cols < x1 - 0.03 * fw)]
    if len(cols):
        return (float(cols.min()), float(y0), float(x1), float(y1))
    return None


def find_corner_title_box(ink: np.ndarray | Strokes, frame: BBox, s: SheetSettings) -> BBox | None:
    """A title block drawn as a box in the frame's bottom-right corner, not a strip across it
    (small offices' A4 and A3 sheets, the synthetic sheets): a rule from the frame's right side,
    a fifth of the frame wide or more, whose left end stands on a line down to the frame's
    bottom."""
    ink = ink if isinstance(ink, Strokes) else Strokes(ink)
    x0, y0, x1, y1 = (int(round(v)) for v in frame)
    fw, fh = x1 - x0, y1 - y0
    hl, vl = long_lines(ink, max(5, int(min(fw, fh) * 0.1)))
    reach = max(4, int(0.005 * fw))
    top = int(y1 - s.title_block_depth_ratio * fh)
    for r in range(max(y0, top), int(y1 - 0.03 * fh)):
        row = hl[r, x0:x1 + 1]
        if not row[-reach:].any():
            continue  # the rule must run into the frame's right side
        off = np.flatnonzero(~row[: fw + 1 - reach])
        start = x0 + (int(off.max()) + 1 if len(off) else 0)
        if not (s.corner_title_min_ratio * fw <= x1 - start < s.title_block_span_ratio * fw):
            continue
        side = vl[r + 2:y1 - 1, max(0, start - reach):start + reach + 1]
        if side.size and side.any(axis=1).mean() > 0.9:
            return (float(start), float(r), float(x1), float(y1))
    return None


def find_boxes(ink: np.ndarray | Strokes, min_side_px: int) -> list[BBox]:
    """Closed rectangles of straight lines, each side at least ``min_side_px`` long."""
    hl, vl = long_lines(ink, min_side_px)
    lines = (hl | vl).astype(np.uint8) * 255
    lines = cv2.dilate(lines, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(lines, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        if w < min_side_px or h < min_side_px:
            continue
        # A rectangle's contour fills its bounding box.
        if cv2.contourArea(c) >= 0.85 * w * h:
            out.append((float(x), float(y), float(x + w), float(y + h)))
    return _drop_nested_duplicates(out)


def _drop_nested_duplicates(boxes: list[BBox]) -> list[BBox]:
    boxes = sorted(boxes, key=lambda b: -(b[2] - b[0]) * (b[3] - b[1]))
    out: list[BBox] = []
    for b in boxes:
        if not any(_inside(b, o, 4) for o in out):
            out.append(b)
    return out


def _inside(a: BBox, b: BBox, tol: float = 0.0) -> bool:
    return a[0] >= b[0] - tol and a[1] >= b[1] - tol and a[2] <= b[2] + tol and a[3] <= b[3] + tol


def _near(a: BBox, b: BBox, gap: float) -> bool:
    """Whether box ``a`` touches an edge of box ``b`` from inside (within ``gap``)."""
    return (abs(a[0] - b[0]) <= gap or abs(a[1] - b[1]) <= gap or abs(a[2] - b[2]) <= gap
            or abs(a[3] - b[3]) <= gap)


def find_clusters(ink: np.ndarray, gap_px: int, min_area_px: float) -> list[BBox]:
    """Bounding boxes of groups of ink closer than ``gap_px`` to each other."""
    u8 = ink.astype(np.uint8)
    k = max(3, int(gap_px) | 1)
    grown = cv2.dilate(u8, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w * h >= min_area_px:
            # Undo the growth so the box hugs the ink.
            g = k // 2
            out.append((float(x + g), float(y + g), float(x + w - g), float(y + h - g)))
    return out


def analyse_layout(gray: np.ndarray, px_per_mm: float, s: SheetSettings,
                   text_boxes: list[BBox] = (), strokes: Strokes | None = None,
                   frame: BBox | None = None, corner_box: bool = False) -> Layout:
    """Frame, title block, panels and drawing clusters of a (downscaled) grey page; ``frame``:
    the frame found already (else it is looked for here); ``corner_box``: a box in the frame's
    corner may be the title block (a scan whose corner box named a drawing)."""
    st = strokes or Strokes(gray < 160)
    ink = st.ink
    H, W = ink.shape
    lay = Layout()
    lay.frame = frame if frame is not None else find_frame(st, s)
    frame = lay.frame or (0.0, 0.0, float(W - 1), float(H - 1))
    lay.title_block = find_title_block(st, frame, s) or (
        find_corner_title_box(st, frame, s) if corner_box and lay.frame is not None else None)
    fw, fh = frame[2] - frame[0], frame[3] - frame[1]
    gap = 0.02 * max(W, H)
    for b in find_boxes(st, int(max(12, 0.05 * min(fw, fh)))):
        bw, bh = b[2] - b[0], b[3] - b[1]
        if bw > 0.9 * fw and bh > 0.9 * fh:
            continue  # the frame itself
        if lay.title_block and _inside(b, lay.title_block, 4):
            continue
        against_frame = lay.frame is not None and _near(b, frame, gap)
        against_tb = lay.title_block is not None and (
            abs(b[3] - lay.title_block[1]) <= gap or abs(b[2] - lay.title_block[0]) <= gap)
        if (against_frame or against_tb) and bw * bh < 0.25 * fw * fh:
            lay.panels.append(b)
        elif bw * bh < 0.15 * fw * fh and _text_share(b, text_boxes) > 0.25:
            lay.panels.append(b)
    # What is left for drawings: the frame's inside minus the title block and the panels.
    keep = np.zeros_like(ink)
    fx0, fy0, fx1, fy1 = (int(round(v)) for v in frame)
    keep[fy0 + 3:fy1 - 2, fx0 + 3:fx1 - 2] = True
    for b in ([lay.title_block] if lay.title_block else []) + lay.panels:
        bx0, by0, bx1, by1 = (int(round(v)) for v in b)
        keep[max(0, by0 - 2):by1 + 3, max(0, bx0 - 2):bx1 + 3] = False
    gap_px = int(round(s.cluster_gap_mm * px_per_mm))
    lay.clusters = find_clusters(ink & keep, gap_px, s.min_viewport_ratio * fw * fh)
    lay.small_clusters = [c for c in find_clusters(ink & keep, gap_px, (s.lone_drawing_min_mm * px_per_mm) ** 2)
                          if c not in lay.clusters]
    return lay


def _text_share(b: BBox, text_boxes) -> float:
    area = max(1.0, (b[2] - b[0]) * (b[3] - b[1]))
    covered = 0.0
    for t in text_boxes:
        ix = min(b[2], t[2]) - max(b[0], t[0])
        iy = min(b[3], t[3]) - max(b[1], t[1])
        if ix > 0 and iy > 0:
            covered += ix * iy
    return covered / area
