"""Which files are plans: one rule for every command that searches folders (batch, bench).

* A file is a plan when its extension is a plan format (:data:`plan2bim.load.SUFFIXES`, any
  case), unless it is plan2bim's own output (``<stem>.overlay.png``) or a ground-truth mask
  that sits beside its plan (R3D's ``<id>_wall.png``, ``<id>_close.png``, ``<id>_rooms.png``
  next to ``<id>.jpg``; a ``kitchen_wall.png`` with no ``kitchen.*`` beside it is a plan).
* Hidden files and folders (``.x``) are not searched.
* Folder symlinks are followed once: a loop of links (``a/tob -> b``, ``b/toa -> a``) is walked
  into no deeper than the first time round, and a link that points to itself is skipped.
* Glob patterns (``scans/**/*.pdf``) are matched by the same walk, so they obey the same rules.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

from plan2bim.load import SUFFIXES

log = logging.getLogger(__name__)

__all__ = ["GLOB_CHARS", "expand_glob", "is_plan_name", "walk_plans"]

GLOB_CHARS = frozenset("*?[")
OUTPUT_SUFFIXES: tuple[str, ...] = (".overlay",)
"""Stems of plan2bim's own image outputs (``<stem>.overlay.png``)."""
MASK_SUFFIXES: tuple[str, ...] = ("_wall", "_close", "_rooms")
"""Ground-truth masks of R3D, beside their plan ``<id>.jpg`` as ``<id>_wall.png`` etc."""


def is_plan_name(path: Path) -> bool:
    """Whether the name says plan format (the extension; contents are checked when read)."""
    return path.suffix.lower() in SUFFIXES


def _is_output_or_mask(path: Path, siblings: set[str]) -> bool:
    stem = path.stem
    if stem.lower().endswith(OUTPUT_SUFFIXES):
        return True
    for m in MASK_SUFFIXES:
        if stem.endswith(m) and stem[: -len(m)]:
            base = stem[: -len(m)]
            if any(s != path.name and Path(s).stem == base and is_plan_name(Path(s))
                   for s in siblings):
                return True
    return False


def walk_plans(folder: Path, *, exclude: Path | None = None) -> Iterator[Path]:
    """Plan files under ``folder``, recursively, in sorted order (see the module's rules).

    ``exclude`` (a resolved folder, e.g. a batch's OUTDIR) is not walked into."""
    yield from (p for p, _ in _walk(Path(folder), exclude))


def _walk(folder: Path, exclude: Path | None) -> Iterator[tuple[Path, str]]:
    """(path, path relative to ``folder`` in POSIX form) of every plan under ``folder``."""
    seen: set[tuple[int, int]] = set()

    def visit(here: Path, rel: str) -> Iterator[tuple[Path, str]]:
        try:
            st = here.stat()
        except (OSError, RuntimeError):
            return
        if (st.st_dev, st.st_ino) in seen:  # a symlink loop, or a folder reached twice
            return
        seen.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError as e:
            log.warning("%s: cannot be listed (%s)", here, e.strerror or e)
            return
        names = {e.name for e in entries}
        for e in entries:
            if e.name.startswith("."):
                continue
            p = here / e.name
            try:
                is_dir, is_file = e.is_dir(), e.is_file()
            except OSError:  # a link to itself or to nowhere
                continue
            if is_dir:
                if exclude is not None and _same(p, exclude):
                    continue
                yield from visit(p, f"{rel}{e.name}/")
            elif is_file and is_plan_name(p) and not _is_output_or_mask(p, names):
                yield p, f"{rel}{e.name}"

    yield from visit(folder, "")


def expand_glob(pattern: str, *, exclude: Path | None = None) -> tuple[Path, list[Path]]:
    """(the pattern's fixed base folder, the plan files matching it), in sorted order.

    Matching is done on the walk of :func:`walk_plans`, so ``**`` cannot loop; a folder that
    matches the pattern contributes the plans inside it.
    """
    pattern = os.path.expanduser(pattern)
    parts = Path(pattern).parts
    k = next((i for i, part in enumerate(parts) if any(c in GLOB_CHARS for c in part)), len(parts))
    base = Path(*parts[:k]) if k else Path(".")
    rest = "/".join(parts[k:])
    if not base.is_dir():
        return base, []
    rx = _glob_regex(rest)
    dir_rx = _glob_regex(rest + "/**/*") if not rest.endswith("**") else None
    out = []
    for p, rel in _walk(base, exclude):
        if rx.fullmatch(rel) or (dir_rx is not None and dir_rx.fullmatch(rel)):
            out.append(p)
    return base, out


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A regex for a glob over POSIX relative paths: ``**`` spans folders, ``*`` does not."""
    out = []
    parts = pattern.split("/")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            out.append(".*" if last else "(?:[^/]+/)*")
        else:
            out.append(_component(part) + ("" if last else "/"))
    return re.compile("".join(out), re.IGNORECASE if os.name == "nt" else 0)


def _component(part: str) -> str:
    """One path component of a glob as a regex that never crosses a ``/``."""
    res, i, n = [], 0, len(part)
    while i < n:
        c = part[i]
        i += 1
        if c == "*":
            res.append("[^/]*")
        elif c == "?":
            res.append("[^/]")
        elif c == "[":
            j = i
            if j < n and part[j] in "!^":
                j += 1
            if j < n and part[j] == "]":
                j += 1
            while j < n and part[j] != "]":
                j += 1
            if j >= n:
                res.append("\\[")
            else:
                stuff = part[i:j].replace("\\", "\\\\")
                i = j + 1
                if stuff[:1] in ("!", "^"):
                    stuff = "^" + stuff[1:]
                res.append(f"[{stuff}]")
        else:
            res.append(re.escape(c))
    return "".join(res)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b
    except (OSError, RuntimeError):
        return False
