"""The ``plan2bim`` command: one module per subcommand; each parses options and calls the library."""

from __future__ import annotations

from importlib import import_module

from plan2bim.cli._app import app

# Each subcommand module registers itself on ``app`` when imported.
for _name in ("convert", "batch", "evaluate", "bench", "train", "synth", "settings"):
    import_module(f"{__name__}.{_name}")

__all__ = ["app"]
