"""Training the learned detector (needs the ``train`` extra): data, network, loop, ONNX export.

Importing this package imports torch; the detector itself (``plan2bim.raster.detect.learned``) needs
only onnxruntime.
"""

from __future__ import annotations

from pathlib import Path

from plan2bim.tools.train.loop import ONNX_NAME, TrainResult, TrainSettings, export_onnx, validate
from plan2bim.tools.train.loop import train as train_model

__all__ = ["ONNX_NAME", "TrainResult", "TrainSettings", "export_onnx", "make_dataset", "train_model",
           "validate"]


def make_dataset(out: Path, n: int, seed: int = 0, workers: int = 1) -> Path:
    """Draw ``n`` synthetic plans with ``plan2bim synth`` (its one renderer) into ``out``: the
    training pairs are ``out/images`` and ``out/masks``."""
    from plan2bim.tools.synth import generate

    generate(n, Path(out), seed=seed, workers=workers)
    return Path(out)
