"""Text that is only pixels: find text lines from the ink, read chosen ones with RapidOCR.

RapidOCR (Apache-2.0, the ``rapidocr`` 3.x package) ships PaddleOCR's PP-OCR models inside its
wheel and runs them on onnxruntime, already a dependency; it needs only opencv-python-headless
(the older ``rapidocr-onnxruntime`` pulled in the GUI build of OpenCV, which needs libGL). Its
text detector costs seconds per crop on one core, so lines are found here from connected
components and only its recogniser runs, ~0.1 s a line. The recogniser is pointed at the model
file inside the wheel: RapidOCR would otherwise look a model up by name and may download it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from plan2bim.sheet.model import BBox, TextItem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextLine:
    bbox: BBox
    char_height: float
    chars: int


def find_text_lines(ink: np.ndarray, height_px: tuple[float, float]) -> list[TextLine]:
    """Horizontal runs of character-sized blobs: candidate text lines (not read yet)."""
    lo, hi = height_px
    u8 = ink.astype(np.uint8)
    # Underlines and rules touch the letters of a caption: take long straight runs out first.
    k = max(5, int(3 * hi))
    u8 = u8 & ~cv2.morphologyEx(u8, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(u8, connectivity=8)
    if n <= 1:
        return []
    x, y, w, h, a = (stats[1:, i] for i in range(5))
    # Up to three times as wide as high: letters that touch at low resolution ("LA") count.
    ok = (h >= lo) & (h <= hi) & (w <= 3 * h) & (a >= 0.08 * w * h) & (w >= 1)
    # A line of text: characters side by side, spaced less than ~0.8 of their height.
    mask = np.zeros(ink.shape, np.uint8)
    for xi, yi, wi, hi_ in zip(x[ok], y[ok], w[ok], h[ok], strict=True):
        g = int(0.8 * hi_) + 1
        mask[yi + hi_ // 4: yi + hi_ - hi_ // 4 + 1, max(0, xi - g): xi + wi + g] = 1
    m, lab, st, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    counts = np.zeros(m, int)
    heights: dict[int, list[int]] = {}
    for xi, yi, wi, hi_ in zip(x[ok], y[ok], w[ok], h[ok], strict=True):
        k = lab[yi + hi_ // 2, xi + wi // 2] if mask[yi + hi_ // 2, xi + wi // 2] else 0
        if k:
            counts[k] += 1
            heights.setdefault(k, []).append(int(hi_))
    out = []
    for k in range(1, m):
        if counts[k] < 2:
            continue
        hh = float(np.median(heights[k]))
        bx, by, bw, bh = st[k, 0], st[k, 1], st[k, 2], st[k, 3]
        # Back from the core band to the characters' full height.
        out.append(TextLine((float(bx), float(by - hh / 4), float(bx + bw), float(by + bh + hh / 4)),
                            hh, int(counts[k])))
    return out


@lru_cache(maxsize=1)
def _engine():
    try:
        import rapidocr
        from rapidocr import RapidOCR
    except ImportError:  # pragma: no cover - dependency of the package
        log.warning("OCR unavailable (rapidocr is not installed); raster text not read")
        return None
    # The wheel ships one recogniser (PP-OCRv6 small in 3.10; its character list is inside the
    # .onnx file). Named explicitly, nothing is looked up, checksummed or fetched at run time.
    models = sorted((Path(rapidocr.__file__).parent / "models").glob("*rec*.onnx"))
    if not models:
        log.warning("OCR unavailable (no recognition model inside the rapidocr package); "
                    "raster text not read")
        return None
    try:
        eng = RapidOCR(params={
            # Only the recogniser runs (on our own line crops): detector and classifier never load.
            "Global.use_det": False, "Global.use_cls": False, "Global.use_rec": True,
            "Global.log_level": "warning",
            "Rec.model_path": str(models[0]),
        })
        # The model loads on first use: load it now, so that a broken install is said once here
        # rather than failing quietly on every line.
        eng(np.full((48, 96, 3), 255, np.uint8), use_det=False, use_cls=False, use_rec=True)
    except Exception as e:  # noqa: BLE001 - OCR missing must not fail the conversion
        log.warning("OCR unavailable (%s: %s); raster text not read", type(e).__name__, e)
        return None
    return eng


def read_lines(gray: np.ndarray, lines: list[BBox], pad_ratio: float = 0.25) -> list[TextItem]:
    """Read each box of ``gray`` (a text line) with the OCR recogniser."""
    eng = _engine()
    if eng is None:
        return []
    H, W = gray.shape[:2]
    out = []
    for b in lines:
        h = b[3] - b[1]
        p = pad_ratio * h
        x0, y0 = int(max(0, b[0] - p)), int(max(0, b[1] - p))
        x1, y1 = int(min(W, b[2] + p)), int(min(H, b[3] + p))
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        crop = gray[y0:y1, x0:x1]
        if crop.ndim == 2:
            crop = cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)
        try:
            res = eng(crop, use_det=False, use_cls=False, use_rec=True)
        except Exception as e:  # noqa: BLE001 - OCR failing must not fail the conversion
            log.debug("OCR failed on a line: %s", e)
            continue
        txts, scores = getattr(res, "txts", None), getattr(res, "scores", None)
        if not txts or not scores:
            continue
        text, score = str(txts[0]).strip(), float(scores[0])
        if text and score >= 0.5:
            out.append(TextItem(text, (float(x0), float(y0), float(x1), float(y1)), "ocr",
                                confidence=score))
    return out
