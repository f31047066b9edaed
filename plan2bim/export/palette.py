"""The colours of the model's materials, shared by every writer (glTF, IFC surface styles, the
review page), so that a wall is the same grey in a web viewer and in a BIM tool.

Linear RGBA, 0..1; glass and spaces are translucent so the rooms behind them stay visible.
"""

from __future__ import annotations

from typing import Any

MATERIALS: dict[str, dict[str, Any]] = {
    "wall": {"baseColorFactor": [0.85, 0.85, 0.83, 1.0], "roughnessFactor": 0.9},
    "slab": {"baseColorFactor": [0.5, 0.5, 0.5, 1.0], "roughnessFactor": 0.95},
    "door": {"baseColorFactor": [0.55, 0.35, 0.17, 1.0], "roughnessFactor": 0.7},
    "frame": {"baseColorFactor": [0.95, 0.95, 0.95, 1.0], "roughnessFactor": 0.6},
    "glass": {"baseColorFactor": [0.45, 0.7, 0.95, 0.35], "roughnessFactor": 0.1,
              "alphaMode": "BLEND", "doubleSided": True},
    "column": {"baseColorFactor": [0.62, 0.62, 0.6, 1.0], "roughnessFactor": 0.9},
    "space": {"baseColorFactor": [0.3, 0.75, 0.45, 0.3], "roughnessFactor": 1.0,
              "alphaMode": "BLEND", "doubleSided": True},
}
"""Material name -> glTF PBR factors."""

PART_MATERIAL = {"frame": "frame", "leaf": "door", "glass": "glass"}
"""Which material each part of a door or window body is made of."""
