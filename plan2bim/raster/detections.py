"""What a detector hands to the vectorizer: pixel-space masks and primitives with confidences."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from plan2bim.model import OpeningKind


@dataclass(frozen=True)
class OpeningDetection:
    """A door or window symbol found in the image, as an oriented box in pixels."""

    kind: OpeningKind
    center: tuple[float, float]
    width: float
    """Extent along the host wall (the opening's clear width), pixels."""
    depth: float
    """Extent across the wall, pixels."""
    angle: float
    """Direction of the width, degrees counter-clockwise from the image x axis (image y down)."""
    confidence: float = 1.0
    swing_px: tuple[tuple[float, float], tuple[float, float]] | None = None
    """Doors: (hinge, tip of the leaf drawn open) in pixels where the drawing shows which way
    the door swings; None when not known."""


@dataclass(frozen=True)
class Detections:
    wall_mask: np.ndarray
    """bool (H, W): True where a wall is (openings in walls are not wall)."""
    openings: list[OpeningDetection] = field(default_factory=list)
    wall_thickness_px: float = 0.0
    """Typical wall thickness in pixels, as the detector measured it (0 if unknown)."""
