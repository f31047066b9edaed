"""Finding the plans of a batch: files, folders (recursive) and glob patterns, and where each one's outputs go.

Rules, so that a batch over an archive does what a person expects:

* A file named on the command line (or in ``--from-list``) is always taken, whatever its name:
  the person chose it, and a misnamed plan is reported as a bad input, not silently dropped.
* Files found by walking a folder or matching a glob are taken when their extension is a plan
  format (:data:`plan2bim.load.SUFFIXES`, case-insensitive). Hidden files and folders (``.x``)
  are skipped, and so is the output folder, so that a batch writing into its own input folder
  does not find its overlay PNGs on the next run.
* The outputs of each plan keep the input's folder layout under OUTDIR, relative to the common
  root of all inputs (a folder given counts as a root itself; a file counts by its folder).
  ``batch archive/ -o out`` writes ``archive/a/b/plan.png`` as ``out/a/b/plan.ifc``.
* Two plans that would share an output name (``plan.png`` and ``plan.pdf`` side by side) both
  get their extension in the stem (``plan_png.ifc``, ``plan_pdf.ifc``).
"""

from __future__ import annotations

import glob
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import InputError
from ..load import SUFFIXES

log = logging.getLogger(__name__)

__all__ = ["Job", "discover", "read_list"]

_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Job:
    """One plan of a batch: where it is and where its outputs go."""

    source: Path
    """Absolute path of the input file."""
    key: str
    """The input's path relative to the batch root (POSIX form): its identity in the manifest."""
    outdir: Path
    """Absolute folder its outputs are written to."""
    stem: str
    """File name stem of its outputs (``<stem>.ifc`` ...)."""


def read_list(path: Path | str) -> list[str]:
    """Entries of a ``--from-list`` file: one path (or folder, or glob) a line; ``-`` reads stdin.

    Blank lines and lines starting with ``#`` are skipped. Relative entries are taken relative to
    the current folder, like paths on the command line (``find . -name '*.pdf' > list.txt``).
    """
    if str(path) == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as e:
            raise InputError(f"{path}: cannot read the list ({e.strerror or e})") from None
        except UnicodeDecodeError:
            raise InputError(f"{path}: the list is not a UTF-8 text file") from None
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def discover(inputs: Sequence[str | Path], outdir: Path) -> list[Job]:
    """Expand ``inputs`` into jobs, in a stable order (sorted by key), without duplicates.

    Raises :class:`InputError` for a named path that does not exist; a glob that matches nothing
    is only logged, since archives often lack one of several patterns.
    """
    outdir = Path(outdir).resolve()
    roots: list[Path] = []
    files: dict[Path, None] = {}  # an ordered set: the same file via two inputs is one job
    for entry in inputs:
        text = str(entry)
        if any(c in _GLOB_CHARS for c in text) and not Path(text).exists():
            matches = sorted(glob.glob(os.path.expanduser(text), recursive=True))
            if not matches:
                log.warning("%s: no file matches", text)
            for m in matches:
                p = Path(m).resolve()
                if p.is_dir():
                    roots.append(p)
                    files.update(dict.fromkeys(_walk(p, outdir)))
                elif _is_plan_name(p) and not _inside(p, outdir):
                    roots.append(p.parent)
                    files[p] = None
            continue
        p = Path(text).expanduser()
        if not p.exists():
            raise InputError(f"{text}: no such file or folder")
        p = p.resolve()
        if p.is_dir():
            roots.append(p)
            files.update(dict.fromkeys(_walk(p, outdir)))
        else:
            roots.append(p.parent)
            files[p] = None
    if not files:
        return []
    root = Path(os.path.commonpath([str(r) for r in roots]))
    return _jobs(list(files), root, outdir)


def _walk(folder: Path, outdir: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        # Prune in place: hidden folders and the output folder are not walked into.
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and not _same(here / d, outdir)
        )
        for name in sorted(filenames):
            p = here / name
            if not name.startswith(".") and _is_plan_name(p) and p.is_file():
                yield p


def _jobs(files: list[Path], root: Path, outdir: Path) -> list[Job]:
    rel = {f: PurePosixPath(f.relative_to(root).as_posix()) for f in files}
    # Plans that would write the same outputs get their extension in the stem.
    by_target: dict[tuple[PurePosixPath, str], int] = {}
    for r in rel.values():
        t = (r.parent, r.stem.lower())
        by_target[t] = by_target.get(t, 0) + 1
    jobs = []
    for f, r in rel.items():
        stem = r.stem
        if by_target[(r.parent, r.stem.lower())] > 1:
            stem = f"{r.stem}_{r.suffix.lstrip('.').lower()}"
        jobs.append(Job(source=f, key=str(r), outdir=outdir.joinpath(*r.parent.parts), stem=stem))
    return sorted(jobs, key=lambda j: j.key)


def _is_plan_name(p: Path) -> bool:
    return p.suffix.lower() in SUFFIXES


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b
    except OSError:
        return False


def _inside(p: Path, folder: Path) -> bool:
    return p == folder or folder in p.parents
