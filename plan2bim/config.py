"""Settings: one frozen :class:`Config`, passed as ``config=``, varied with ``dataclasses.replace``.

The top-level fields are what the command-line options set; the tuned values of each recognition
stage are nested dataclasses (``Config.classical``, ``Config.vectorize``, ...; see
:mod:`plan2bim.settings`), which a TOML file overrides (:func:`load_settings`, ``--settings``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields, is_dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from plan2bim.errors import Plan2BimError
from plan2bim.settings import (
    BuildSettings,
    ClassicalSettings,
    HybridSettings,
    LearnedSettings,
    PreprocessSettings,
    ScaleSettings,
    SegmentSettings,
    VectorizeSettings,
)
from plan2bim.sheet.settings import SheetSettings
from plan2bim.vector.settings import VectorSettings

__all__ = ["STAGE_SETTINGS", "Config", "load_settings", "settings_toml", "with_settings"]


@dataclass(frozen=True)
class Config:
    """Everything that changes what a conversion produces. Also the key of the batch cache."""

    px_per_m: float | None = None
    """Scale of the input in pixels per metre; None means estimate it."""
    dpi: float | None = None
    drawing_scale: float | None = None
    """The denominator of a drawing scale such as 1:100 (with ``dpi``)."""
    wall_height: float = 2.7
    """Storey wall height, metres: the one default every writer and command uses."""
    door_height: float = 2.1
    window_height: float = 1.2
    window_sill: float = 0.9
    slab_thickness: float = 0.2
    storey_name: str | None = None
    pages: tuple[int, ...] | None = None
    """1-based page numbers of a PDF to use; None means all pages."""
    keep_pages: tuple[int, ...] = ()
    """Pages to convert even where the sheet stage finds no floor plan on them."""
    all_pages: bool = False
    """Convert every page (its floor plans, else its largest drawing), as before the sheet stage."""
    detector: str = "hybrid"
    pdf_dpi: float = 150
    """Resolution PDF pages are read at (``--dpi`` on a PDF sets it)."""
    max_pixels: int = 150_000_000
    """Raster pages larger than this many pixels are refused before decoding (decompression
    bombs). An A0 sheet scanned at 300 dpi is 108 MP; decoding 150 MP RGB takes 450 MB."""
    detect_max_pixels: int = 16_000_000
    """Pages larger than this are recognised at this size (downsampled, results mapped back to
    the input's pixels). Measured: a 16 MP page converts at 1.0 GB peak memory, so a 108 MP
    scan stays under 2 GB; no page of cubicasa-dev or r3d-dev comes near it."""
    max_pages: int = 100
    """Files with more pages than this are refused (``--max-pages`` raises it)."""
    deskew: bool = True
    preprocess: PreprocessSettings = field(default_factory=PreprocessSettings)
    segments: SegmentSettings = field(default_factory=SegmentSettings)
    classical: ClassicalSettings = field(default_factory=ClassicalSettings)
    learned: LearnedSettings = field(default_factory=LearnedSettings)
    hybrid: HybridSettings = field(default_factory=HybridSettings)
    scale: ScaleSettings = field(default_factory=ScaleSettings)
    vectorize: VectorizeSettings = field(default_factory=VectorizeSettings)
    build: BuildSettings = field(default_factory=BuildSettings)
    sheet: SheetSettings = field(default_factory=SheetSettings)
    vector: VectorSettings = field(default_factory=VectorSettings)

    def resolved_scale(self) -> float | None:
        """The scale the user asked for, in px per metre, or None to estimate it."""
        if self.px_per_m is not None:
            return float(self.px_per_m)
        if self.dpi is not None and self.drawing_scale is not None:
            # dpi px per inch on paper; 1 m in reality is 1/drawing_scale m on paper.
            return self.dpi / 0.0254 / self.drawing_scale
        return None


STAGE_SETTINGS: tuple[str, ...] = tuple(
    f.name for f in fields(Config) if isinstance(f.default_factory, type) and is_dataclass(f.default_factory)
)
"""The nested settings tables of :class:`Config`, in pipeline order."""


def with_settings(config: Config, overrides: dict[str, Any], source: str = "settings") -> Config:
    """``config`` with the tables of ``overrides`` (``{"hybrid": {"agree_px": 9}}``) applied.

    Only the stage tables can be set this way (the top-level fields have command-line options);
    an unknown table or key, or a value of the wrong type, is a :class:`Plan2BimError`.
    """
    changes = {}
    for table, values in overrides.items():
        if table not in STAGE_SETTINGS:
            hint = (" (set it with its command-line option)" if table in {f.name for f in fields(Config)}
                    else f" (tables: {', '.join(STAGE_SETTINGS)})")
            raise Plan2BimError(f"{source}: unknown settings table [{table}]{hint}")
        if not isinstance(values, dict):
            raise Plan2BimError(f"{source}: [{table}] must be a table of settings")
        current = getattr(config, table)
        known = {f.name: f for f in fields(current)}
        typed = {}
        for key, value in values.items():
            if key not in known:
                raise Plan2BimError(f"{source}: unknown setting {table}.{key} "
                                    f"(see `plan2bim settings --show`)")
            typed[key] = _coerce(getattr(current, key), value, f"{source}: {table}.{key}")
        changes[table] = replace(current, **typed)
    return replace(config, **changes)


def _coerce(default: Any, value: Any, where: str) -> Any:
    """``value`` converted to the type of ``default`` (TOML ints for floats, arrays for tuples)."""
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, tuple):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        value = tuple(value) if ok else value
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise Plan2BimError(f"{where}: expected {type(default).__name__}, got {value!r}")
    return value


def load_settings(path: Path, config: Config = Config()) -> Config:
    """``config`` with the overrides of a TOML settings file applied."""
    import tomllib

    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise Plan2BimError(f"{path}: cannot read the settings file ({e.strerror or e})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise Plan2BimError(f"{path}: not a valid TOML file ({e})") from None
    return with_settings(config, data, str(path))


def settings_toml(config: Config = Config()) -> str:
    """The stage settings of ``config`` as TOML, each value under its docstring as a comment."""
    import inspect

    lines = ["# plan2bim recognition settings. Copy what you change into a file and pass it",
             "# with --settings FILE; whatever is left out keeps its default."]
    for table in STAGE_SETTINGS:
        value = getattr(config, table)
        docs = _field_docs(type(value))
        lines += ["", *_comment(inspect.getdoc(type(value)) or ""), f"[{table}]"]
        for f in fields(value):
            lines += _comment(docs.get(f.name, "")) + [f"{f.name} = {_toml_value(getattr(value, f.name))}"]
    return "\n".join(lines) + "\n"


def _comment(text: str) -> list[str]:
    import inspect

    return [f"# {line}".rstrip() for line in inspect.cleandoc(text).splitlines()] if text else []


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, tuple | list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"no TOML form for {v!r}")


@cache
def _field_docs(cls: type) -> dict[str, str]:
    """The docstring written under each field of a dataclass (read from its source)."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body  # type: ignore[attr-defined]
    out = {}
    for node, nxt in zip(body, body[1:], strict=False):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant)
                and isinstance(nxt.value.value, str)):
            out[node.target.id] = nxt.value.value
    return out


def settings_dict(config: Config = Config()) -> dict[str, dict[str, Any]]:
    """The stage settings as plain tables (what a settings file holds)."""
    return {t: dataclasses.asdict(getattr(config, t)) for t in STAGE_SETTINGS}
