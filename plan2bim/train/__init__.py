"""Training the learned detector (needs the ``train`` extra): data, network, loop, ONNX export.

Importing this package imports torch; the detector itself (``plan2bim.detect.learned``) needs
only onnxruntime.
"""

from __future__ import annotations

from pathlib import Path

from .loop import ONNX_NAME, TrainResult, TrainSettings, export_onnx, validate
from .loop import train as train_model

__all__ = ["ONNX_NAME", "TrainResult", "TrainSettings", "export_onnx", "make_dataset", "train_model",
           "validate"]


def make_dataset(out: Path, n: int, seed: int = 0) -> Path:
    """Draw ``n`` synthetic plans (``plan2bim synth``'s layouts) into ``out/images`` and ``out/masks``."""
    from .render import write_dataset

    return write_dataset(Path(out), n, seed=seed)
