"""Writers of the building model, one module per format, looked up by name.

Every writer has the signature ``write(building, path, *, images=None)``: it reads only the
building model (``images``, one RGB page per storey, is for the overlay) and writes ``path``.
The pipeline hands writers a temporary path and renames it on success, so writers need not be
atomic themselves.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any, Protocol

from plan2bim.model import Building


class Writer(Protocol):
    def __call__(self, building: Building, path: Path, *, images: Any = None) -> None: ...


# format name -> (module, function, file suffix); modules are imported on first use so that
# e.g. converting to JSON does not pay for importing ifcopenshell.
_REGISTRY: dict[str, tuple[str, str, str]] = {
    "ifc": ("ifc", "write_ifc", ".ifc"),
    "glb": ("glb", "write_glb", ".glb"),
    "json": ("json", "write_json", ".json"),
    "overlay": ("overlay", "write_overlay", ".overlay.png"),
    "html": ("html", "write_html", ".html"),
}

FORMATS: tuple[str, ...] = tuple(_REGISTRY)
DEFAULT_FORMATS: tuple[str, ...] = ("ifc", "glb", "json", "overlay")
"""What the command line writes unless told: the review page (html) is asked for."""


def suffix(fmt: str) -> str:
    return _REGISTRY[fmt][2]


def get_writer(fmt: str) -> Writer:
    module, func, _ = _REGISTRY[fmt]
    return getattr(import_module(f"{__name__}.{module}"), func)
