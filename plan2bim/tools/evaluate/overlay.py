"""Pictures for people: a prediction beside its ground truth, so that failures can be seen."""

from __future__ import annotations

import numpy as np

from plan2bim.tools.evaluate.datasets import Annotation
from plan2bim.tools.evaluate.metrics import PlanScore

__all__ = ["side_by_side"]

MAX_PANEL_SIDE = 1600
"""Panels are shrunk to this many pixels on their longer side to keep the PNGs small."""

# BGR, as cv2 draws
_WALL = (40, 40, 220)
_OPENING_AREA = (220, 120, 0)
_ROOM = (0, 150, 0)
_IGNORED = (150, 150, 150)
_DOT = {"door": (0, 170, 255), "window": (255, 60, 0), "opening": (200, 0, 200)}


def _tint(img: np.ndarray, mask: np.ndarray | None, colour: tuple[int, int, int], alpha: float) -> None:
    if mask is None or not mask.any():
        return
    img[mask] = (img[mask] * (1 - alpha) + np.array(colour) * alpha).astype(np.uint8)


def _outline(img: np.ndarray, geoms: list, colour: tuple[int, int, int], width: int) -> None:
    import cv2

    rings = []
    for g in geoms:
        for poly in getattr(g, "geoms", [g]):
            rings.append(np.round(np.asarray(poly.exterior.coords)[:, :2]).astype(np.int32))
    if rings:
        cv2.polylines(img, rings, True, colour, width, cv2.LINE_AA)


def _panel(background: np.ndarray, ann: Annotation, title: str) -> np.ndarray:
    import cv2

    img = (background.astype(np.float32) * 0.45 + 140).astype(np.uint8)  # faded, so marks stand out
    _tint(img, ann.wall_mask, _WALL, 0.75)
    _tint(img, ann.opening_mask, _OPENING_AREA, 0.6)
    size = max(img.shape[:2])
    width = max(1, round(size / 600))
    _outline(img, ann.ignore, _IGNORED, width)
    _outline(img, ann.rooms, _ROOM, width)
    r = max(3, round(size / 250))
    for kind, (x, y) in ann.openings:
        cv2.circle(img, (round(x), round(y)), r, _DOT.get(kind, _DOT["opening"]), -1, cv2.LINE_AA)
    scale = min(1.0, MAX_PANEL_SIDE / size)
    if scale < 1.0:
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return _caption(img, title)


def _caption(img: np.ndarray, text: str) -> np.ndarray:
    import cv2

    font, scale = cv2.FONT_HERSHEY_SIMPLEX, 0.55
    (tw, _), _ = cv2.getTextSize(text, font, scale, 1)
    scale *= min(1.0, (img.shape[1] - 12) / max(tw, 1))  # shrink to fit a narrow picture
    bar = np.full((28, img.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, text, (6, 20), font, scale, (0, 0, 0), 1, cv2.LINE_AA)
    return np.vstack([bar, img])


def side_by_side(image_bgr: np.ndarray | None, pred: Annotation, gt: Annotation, score: PlanScore) -> np.ndarray:
    """The prediction (left) and the ground truth (right) over the plan, with the plan's figures on top."""
    w, h = gt.image_size
    if image_bgr is None or image_bgr.shape[:2] != (h, w):
        image_bgr = np.full((h, w, 3), 255, np.uint8)
    left = _panel(image_bgr, pred, "prediction" + (f" (FAILED: {score.error})" if score.failed else ""))
    right = _panel(image_bgr, gt, "ground truth")
    r = score.row()
    parts = [f"{score.plan}", f"wall IoU {score.wall_iou:.3f}"]
    if score.typed_openings:
        parts += [f"door F1 {r['door_f1']:.2f}", f"window F1 {r['window_f1']:.2f}"]
    else:
        parts += [f"opening F1 {r['opening_f1']:.2f}"]
    parts += [f"room F1 {r['room_f1']:.2f} / {r['room_50_f1']:.2f} (IoU .7/.5)", f"{score.seconds:.2f} s"]
    gap = np.full((left.shape[0], 8, 3), 255, np.uint8)
    legend = "red: walls, blue: openings, dots: doors orange, windows blue, any kind purple; green: rooms"
    return _caption(_caption(np.hstack([left, gap, right]), legend), "   ".join(parts))
