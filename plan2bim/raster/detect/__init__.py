"""Detectors: from a prepared page to wall masks and door/window symbols, looked up by name."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

from plan2bim.config import Config
from plan2bim.errors import Plan2BimError

if TYPE_CHECKING:  # the registry itself stays light: the CLI lists detectors without numpy or cv2
    from plan2bim.raster.detections import Detections
    from plan2bim.raster.preprocess import Prepared

Detector = Callable[["Prepared", Config], "Detections"]

# name -> (module, function); imported on first use so the classical path never loads onnxruntime.
_REGISTRY: dict[str, tuple[str, str]] = {
    "classical": ("classical", "detect"),
    "learned": ("learned", "detect"),
    "hybrid": ("hybrid", "detect"),
}

DETECTORS: tuple[str, ...] = tuple(_REGISTRY)


def get_detector(name: str) -> Detector:
    try:
        module, func = _REGISTRY[name]
    except KeyError:
        raise Plan2BimError(f"unknown detector {name!r} (choose from {', '.join(_REGISTRY)})") from None
    return getattr(import_module(f"{__name__}.{module}"), func)


def detect(prepared: Prepared, config: Config = Config()) -> Detections:
    return get_detector(config.detector)(prepared, config)


def default_detector() -> str:
    """The detector used when none is named (``Config.detector``): see DESIGN.md for why."""
    return Config().detector
