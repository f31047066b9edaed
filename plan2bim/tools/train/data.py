"""Training pairs from ``plan2bim synth`` output: page images and their per-pixel class masks.

A synthetic set is ``DIR/images/<id>.png`` with ``DIR/masks/<id>.png`` (0 background, 1 wall,
2 door, 3 window). Pages are read once into memory (grey), then every draw is a random crop
with the augmentations that bridge synthetic drawings and real scans: scale (plans come at
30 to 150 px per metre), right-angle turns and flips, stroke weight, blur, noise, contrast, JPEG.
"""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np

from plan2bim.errors import InputError

log = logging.getLogger(__name__)

SCALE_RANGE = (0.35, 1.4)
"""Random zoom of a synthetic page, log-uniform: covers small estate-agent plans to big scans."""


def list_pairs(root: Path) -> list[tuple[Path, Path]]:
    """(image, mask) paths of a synthetic set, sorted by id."""
    root = Path(root)
    masks = {p.stem: p for p in (root / "masks").glob("*.png")}
    pairs = [(p, masks[p.stem]) for p in sorted((root / "images").glob("*.png")) if p.stem in masks]
    if not pairs:
        raise InputError(f"{root}: no images/<id>.png with masks/<id>.png (run `plan2bim synth`)")
    return pairs


def load_pairs(pairs: list[tuple[Path, Path]]) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    for img_p, mask_p in pairs:
        img = cv2.imread(str(img_p), cv2.IMREAD_GRAYSCALE)
        mask = cv2.imread(str(mask_p), cv2.IMREAD_UNCHANGED)
        if img is None or mask is None or img.shape != mask.shape[:2]:
            log.warning("skipping %s: unreadable or mask of another size", img_p.name)
            continue
        out.append((img, mask if mask.ndim == 2 else mask[..., 0]))
    return out


def random_sample(img: np.ndarray, mask: np.ndarray, size: int, rng: np.random.Generator,
                  augment: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """One (grey float32 (size, size) in [0, 1], int64 mask) training crop."""
    if augment:
        s = float(np.exp(rng.uniform(*np.log(SCALE_RANGE))))
        img = cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
        mask = cv2.resize(mask, (img.shape[1], img.shape[0]), interpolation=cv2.INTER_NEAREST)
    img, mask = _crop(img, mask, size, rng)
    if augment:
        k = int(rng.integers(4))
        img, mask = np.rot90(img, k), np.rot90(mask, k)
        if rng.random() < 0.5:
            img, mask = img[:, ::-1], mask[:, ::-1]
        img = _photometric(np.ascontiguousarray(img), rng)
    return (np.ascontiguousarray(img, dtype=np.float32) / 255.0,
            np.ascontiguousarray(mask, dtype=np.int64))


def _crop(img: np.ndarray, mask: np.ndarray, size: int, rng: np.random.Generator):
    h, w = img.shape
    if h < size or w < size:  # pad with paper and background
        ph, pw = max(0, size - h), max(0, size - w)
        img = cv2.copyMakeBorder(img, 0, ph, 0, pw, cv2.BORDER_CONSTANT, value=255)
        mask = cv2.copyMakeBorder(mask, 0, ph, 0, pw, cv2.BORDER_CONSTANT, value=0)
        h, w = img.shape
    # Mostly crops that hold some wall: blank paper teaches little.
    for _ in range(5):
        y, x = int(rng.integers(h - size + 1)), int(rng.integers(w - size + 1))
        if mask[y:y + size, x:x + size].any():
            break
    return img[y:y + size, x:x + size], mask[y:y + size, x:x + size]


def _photometric(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if rng.random() < 0.3:  # stroke weight: printers and scanners thicken or thin lines
        k = np.ones((2, 2), np.uint8)
        img = cv2.erode(img, k) if rng.random() < 0.5 else cv2.dilate(img, k)
    f = img.astype(np.float32)
    if rng.random() < 0.5:  # grey paper, faded ink
        paper, ink = rng.uniform(190, 255), rng.uniform(0, 110)
        f = ink + (paper - ink) * f / 255.0
    if rng.random() < 0.4:
        f = cv2.GaussianBlur(f, (0, 0), rng.uniform(0.4, 1.4))
    if rng.random() < 0.4:
        f = f + rng.normal(0, rng.uniform(2, 14), f.shape).astype(np.float32)
    out = np.clip(f, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 90))])
        out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return out
