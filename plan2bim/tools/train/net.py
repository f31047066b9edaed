"""The network: a small U-Net that labels every pixel background, wall, door or window.

Why one semantic segmentation model for all three classes rather than ultralytics' detectors:
walls are long thin regions with no natural "instance" (a box or polygon per wall fits them
badly), and the scoring of walls is pixel IoU; doors and windows, in the ground truth of every
data set we score on, are the rectangle of the wall they cut, so a pixel class for each gives
their centre, width, depth and angle directly (a rotated rectangle around each blob). One
fully convolutional model also runs on a page of any size in one pass, exports to a single small
ONNX file and needs no non-maximum suppression. The first layer works at half resolution: the
thinnest walls we must keep are a few pixels wide, and a full-resolution stage would cost half
the compute of the whole network on a CPU.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

CLASSES: tuple[str, ...] = ("background", "wall", "door", "window")
WIDTHS: tuple[int, ...] = (12, 24, 48, 96, 128)
"""Channels at 1/2, 1/4, 1/8, 1/16 and 1/32 of the input."""
STRIDE = 32
"""Inputs are padded to a multiple of this (the deepest level's downsampling)."""


def _block(cin: int, cout: int, n: int = 2) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(n):
        layers += [nn.Conv2d(cin if i == 0 else cout, cout, 3, padding=1, bias=False),
                   nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


class PlanUNet(nn.Module):
    """Grey page (N, 1, H, W) in [0, 1], ink dark -> class logits (N, 4, H, W)."""

    def __init__(self, widths: tuple[int, ...] = WIDTHS, n_classes: int = len(CLASSES)) -> None:
        super().__init__()
        w = widths
        self.stem = nn.Sequential(nn.Conv2d(1, w[0], 3, stride=2, padding=1, bias=False),
                                  nn.BatchNorm2d(w[0]), nn.ReLU(inplace=True), *_block(w[0], w[0], 1))
        self.down = nn.ModuleList(_block(w[i], w[i + 1]) for i in range(len(w) - 1))
        self.up = nn.ModuleList(_block(w[i + 1] + w[i], w[i]) for i in range(len(w) - 1))
        self.head = nn.Conv2d(w[0], n_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        feats = [self.stem(1.0 - x)]  # ink as signal, paper as zero
        for down in self.down:
            feats.append(down(F.max_pool2d(feats[-1], 2)))
        y = feats[-1]
        for i in range(len(self.up) - 1, -1, -1):
            y = F.interpolate(y, size=feats[i].shape[-2:], mode="bilinear", align_corners=False)
            y = self.up[i](torch.cat([y, feats[i]], dim=1))
        return F.interpolate(self.head(y), size=(h, w), mode="bilinear", align_corners=False)
