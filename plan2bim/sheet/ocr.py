"""Text that is only pixels: find text lines from the ink, read chosen ones with RapidOCR.

RapidOCR (Apache-2.0, the ``rapidocr`` 3.x package) ships PaddleOCR's PP-OCR models inside its
wheel and runs them on onnxruntime, already a dependency; it needs only opencv-python-headless
(the older ``rapidocr-onnxruntime`` pulled in the GUI build of OpenCV, which needs libGL). Its
text detector costs seconds per crop on one core, so lines are found here from connected
components and only its recogniser runs (:class:`Recogniser`, on onnxruntime, ~0.04 s a line).
The recogniser is the model file inside the wheel: nothing is looked up or downloaded.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from plan2bim.sheet.layout import components
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
    n, _, stats = components(u8, 8)
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
    m, lab, st = components(mask, 4)
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


class Recogniser:
    """RapidOCR's text recogniser (PP-OCR rec, CTC) run straight on onnxruntime.

    The ``rapidocr`` package is only where the model file comes from: its own pipeline
    (``RapidOCR(...)``) took ~1.3 s CPU to import and configure (omegaconf, its detector and
    classifier modules) before reading the first line, more than the few lines a page needs.
    What it did to a line crop with ``use_det=False`` is repeated here step for step, so a
    line reads as it did through it (text and score): its input bounds (sides of 30 to 2000
    px, a resized side rounded to 32), its 48-px-high normalised input padded to the model's
    320-px width, and its greedy CTC decoding with scores rounded to 5 decimals."""

    MIN_SIDE_PX, MAX_SIDE_PX = 30, 2000
    HEIGHT_PX, WIDTH_PX = 48, 320

    def __init__(self, model: Path):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.log_severity_level = 4
        opts.enable_cpu_mem_arena = False
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Lines are read one at a time between other work: threads that spin waiting for the
        # next run only take the core from it.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # One thread: a 48 x 320 line is too small to share out; the default pool (one thread a
        # core) cost more CPU than it saved (surau p3's 7 lines on one core: session 0.08 ->
        # 0.05 s, runs 0.21 -> 0.18 s CPU; the same outputs to the bit).
        opts.intra_op_num_threads = 1
        self.session = ort.InferenceSession(str(model), sess_options=opts,
                                            providers=["CPUExecutionProvider"])
        self.model_path = str(model)
        meta = self.session.get_modelmeta().custom_metadata_map
        self.characters = ["blank", *meta["character"].splitlines(), " "]
        self._input = self.session.get_inputs()[0].name

    @classmethod
    def _bounded(cls, img: np.ndarray) -> np.ndarray | None:
        """RapidOCR's ``resize_image_within_bounds``: None where a side would round to 0."""
        for limit, too in ((cls.MAX_SIDE_PX, lambda h, w: max(h, w) > cls.MAX_SIDE_PX),
                           (cls.MIN_SIDE_PX, lambda h, w: min(h, w) < cls.MIN_SIDE_PX)):
            h, w = img.shape[:2]
            if not too(h, w):
                continue
            big = limit == cls.MAX_SIDE_PX
            ratio = float(limit) / (h if (h > w if big else h < w) else w)
            rh, rw = (int(round(int(v * ratio) / 32) * 32) for v in (h, w))
            if rh <= 0 or rw <= 0:
                return None
            img = cv2.resize(img, (rw, rh))
        return img

    def __call__(self, crop: np.ndarray) -> tuple[str, float] | None:
        """The text on ``crop`` (a BGR line image) and its mean character confidence."""
        img = self._bounded(crop)
        if img is None:
            return None
        h, w = img.shape[:2]
        ratio = w / float(h)
        width = int(self.HEIGHT_PX * max(self.WIDTH_PX / self.HEIGHT_PX, ratio))
        resized_w = width if math.ceil(self.HEIGHT_PX * ratio) > width \
            else int(math.ceil(self.HEIGHT_PX * ratio))
        x = cv2.resize(img, (resized_w, self.HEIGHT_PX)).astype("float32")
        x = x.transpose((2, 0, 1)) / 255
        x -= 0.5
        x /= 0.5
        batch = np.zeros((1, 3, self.HEIGHT_PX, width), dtype=np.float32)
        batch[0, :, :, :resized_w] = x
        preds = self.session.run(None, {self._input: batch})[0][0]
        idx, prob = preds.argmax(axis=1), preds.max(axis=1)
        keep = np.ones(len(idx), dtype=bool)
        keep[1:] = idx[1:] != idx[:-1]
        keep &= idx != 0
        conf = [round(c, 5) for c in np.array(prob[keep]).tolist()] or [0]
        text = "".join(self.characters[i] for i in idx[keep])
        return text, float(np.mean(conf).round(5))


@lru_cache(maxsize=1)
def _engine() -> Recogniser | None:
    """The recogniser, loaded on first use (a page with no line to read never loads it)."""
    try:
        import rapidocr
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
        return Recogniser(models[0])
    except Exception as e:  # noqa: BLE001 - OCR missing must not fail the conversion
        log.warning("OCR unavailable (%s: %s); raster text not read", type(e).__name__, e)
        return None


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
            res = eng(crop)
        except Exception as e:  # noqa: BLE001 - OCR failing must not fail the conversion
            log.debug("OCR failed on a line: %s", e)
            continue
        if res is None:
            continue
        text, score = res[0].strip(), res[1]
        if text and score >= 0.5:
            out.append(TextItem(text, (float(x0), float(y0), float(x1), float(y1)), "ocr",
                                confidence=score))
    return out
