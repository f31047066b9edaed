"""The learned detector: a small U-Net (shipped as ONNX) labels each pixel wall, door or window.

Inference runs with onnxruntime on the CPU, on the whole page in one pass (the network is fully
convolutional), resized so that its longer side is 1200 px: big scans cost a bounded time and
come out near the scale the network was trained at, small pages (scaled up at most 2x) give
their small symbols enough of the network's pixels. Walls
are the wall-class pixels; each door or window is a blob of its class, whose rotated bounding
rectangle gives centre, width (along the wall), depth and angle. See ``plan2bim/tools/train`` for how
the weights are made and ``plan2bim/weights/MODEL_CARD.md`` for what they score.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import cv2
import numpy as np

from plan2bim.config import Config
from plan2bim.errors import Plan2BimError
from plan2bim.raster.detections import Detections, OpeningDetection
from plan2bim.raster.preprocess import Prepared
from plan2bim.raster.segments import typical_stroke_width
from plan2bim.settings import LearnedSettings

log = logging.getLogger(__name__)

WEIGHTS = Path(str(resources.files("plan2bim") / "weights" / "plan_unet.onnx"))
CLASSES = ("background", "wall", "door", "window")
STRIDE = 32
"""The network's total downsampling: inputs are padded to a multiple of it."""


def session_threads(threads: int = 0) -> int:
    """The onnxruntime threads for ``LearnedSettings.threads`` (0: this process's share)."""
    if threads > 0:
        return threads
    share = os.environ.get("OMP_NUM_THREADS", "")
    if share.isdigit() and int(share) > 0:
        return int(share)
    return max(1, min(os.cpu_count() or 1, 4))


@lru_cache(maxsize=4)
def load_session(path: Path = WEIGHTS, threads: int = LearnedSettings.threads):
    """The onnxruntime session for a weights file (cached: loading takes ~50 ms)."""
    import onnxruntime as ort

    if not Path(path).is_file():
        raise Plan2BimError(f"learned detector weights not found: {path} (train with `plan2bim train`)")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = session_threads(threads)
    # Threads that spin waiting for the next run take a core from the rest of the conversion
    # (vectorizing, writing) for nothing: one page is one run.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    # Pages differ in size, so a memory arena sized for the largest one would be held for the
    # whole batch; without it peak memory follows the page being converted.
    opts.enable_cpu_mem_arena = False
    opts.enable_mem_pattern = False
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


def class_probabilities(gray: np.ndarray, session=None,
                        st: LearnedSettings = LearnedSettings()) -> np.ndarray:
    """(4, H, W) float32 class probabilities of a grey page (dark ink on light paper)."""
    session = session or load_session(WEIGHTS, st.threads)
    h, w = gray.shape
    f = network_factor((h, w), st)
    small = gray if f == 1 else cv2.resize(
        gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR)
    sh, sw = small.shape
    x = cv2.copyMakeBorder(small, 0, -sh % STRIDE, 0, -sw % STRIDE, cv2.BORDER_CONSTANT, value=255)
    probs = session.run(None, {"image": (x.astype(np.float32) / 255.0)[None, None]})[0][0, :, :sh, :sw]
    if f != 1:
        probs = np.stack([cv2.resize(p, (w, h), interpolation=cv2.INTER_LINEAR) for p in probs])
    return probs


def network_factor(shape: tuple[int, int], st: LearnedSettings = LearnedSettings()) -> float:
    """The resize factor of a page of ``shape`` (h, w) for the network (1 = as it is)."""
    side = max(shape)
    if side < st.min_side_px:
        return min(st.min_side_px / side, st.max_upscale)
    return min(1.0, st.max_side_px / side)


def detect(prepared: Prepared, config: Config = Config()) -> Detections:
    st = config.learned
    probs = class_probabilities(prepared.gray, st=st)
    labels = probs.argmax(0)
    wall = labels == 1
    thickness = typical_stroke_width(wall, st.wall_thickness_percentile) if wall.any() else 0.0
    blobs = _blobs(labels >= 2, probs, min_side=max(2.0, st.min_opening_side_wt * thickness),
                   min_area=st.min_opening_area_px)
    openings = [o for o in blobs if o.confidence >= st.min_opening_confidence]
    log.debug("learned: %d wall px, %d openings, wall %.1f px", int(wall.sum()), len(openings), thickness)
    return Detections(wall_mask=wall, openings=openings, wall_thickness_px=thickness)


def _blobs(mask: np.ndarray, probs: np.ndarray, min_side: float = 0.0,
           min_area: float = LearnedSettings.min_opening_area_px) -> list[OpeningDetection]:
    """One oriented box per connected blob of door or window pixels; its long side runs along the wall.

    Door and window pixels are grouped together and the blob takes the kind with more probability
    mass: a doorway whose pixels are split between the two classes is one opening, not two.
    Blobs shorter than ``min_side`` (about a wall thickness) are specks, not openings.
    """
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    out = []
    for i in range(1, n):
        x, y, bw, bh = stats[i, :4]
        if stats[i, cv2.CC_STAT_AREA] < min_area or max(bw, bh) < min_side:
            continue
        sub = lab[y:y + bh, x:x + bw] == i
        door = float(probs[2, y:y + bh, x:x + bw][sub].sum())
        window = float(probs[3, y:y + bh, x:x + bw][sub].sum())
        pts = (np.column_stack(np.nonzero(sub)[::-1]) + (x, y)).astype(np.float32)
        (cx, cy), (a, b), ang = cv2.minAreaRect(pts)
        # minAreaRect's angle is that of side ``a``, measured with image y down; ours is
        # counter-clockwise with y up, along the long side.
        width, depth = (a, b) if a >= b else (b, a)
        ang = -ang if a >= b else -(ang + 90.0)
        ang = (ang + 90.0) % 180.0 - 90.0
        out.append(OpeningDetection(
            kind="door" if door >= window else "window", center=(float(cx), float(cy)),
            width=float(width + 1), depth=float(depth + 1), angle=float(ang),
            confidence=max(door, window) / float(sub.sum()),
        ))
    return out
