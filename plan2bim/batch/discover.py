"""Finding the plans of a batch: files, folders (recursive) and glob patterns, and where each one's outputs go.

Rules, so that a batch over an archive does what a person expects:

* A file named on the command line (or in ``--from-list``) is always taken, whatever its name:
  the person chose it, and a misnamed plan is reported as a bad input, not silently dropped.
* Files found by walking a folder or matching a glob follow :mod:`plan2bim.runtime.files` (the one rule
  shared with ``bench``): plan extensions, not plan2bim's own overlays, not ground-truth masks
  beside their plan, no hidden files, symlink loops walked once. The output folder is not
  walked into, so a batch writing into its own input folder does not convert its outputs.
* The outputs of each plan keep the input's folder layout under OUTDIR, relative to the batch's
  root: the common root of all inputs (a folder given counts as a root itself; a file counts
  by its folder) on the first run into OUTDIR, the root recorded in the manifest after that
  (so running again on a sub-folder or adding a plan inside it keeps the layout; an input
  outside it is refused rather than converted again into a second tree).
  ``batch archive/ -o out`` writes ``archive/a/b/plan.png`` as ``out/a/b/plan.ifc``.
* Every plan gets outputs of its own: two plans that would share an output name (``plan.png``
  and ``plan.pdf`` side by side) get their extension in the stem (``plan_png.ifc``,
  ``plan_pdf.ifc``), with a number added if that name is taken too (``plan_png.png`` beside
  them keeps ``plan_png``; ``plan.png`` becomes ``plan_png_2``). ``report`` at the root is the
  batch's own (``report.csv``, ``report.json``): a plan named so becomes ``report_png``.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from plan2bim.errors import InputError
from plan2bim.runtime.files import GLOB_CHARS, expand_glob, walk_plans

log = logging.getLogger(__name__)

__all__ = ["Job", "discover", "find_inputs", "jobs_for", "read_list"]


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


def discover(inputs: Sequence[str | Path], outdir: Path, *, root: Path | None = None) -> list[Job]:
    """Expand ``inputs`` into jobs, in a stable order (sorted by key), without duplicates.

    ``root`` (the one recorded by an earlier run into ``outdir``) fixes the layout; by default
    it is the inputs' common root. Raises :class:`InputError` for a named path that does not
    exist, or a plan outside ``root``; a glob that matches nothing is only logged, since
    archives often lack one of several patterns.
    """
    files, common = find_inputs(inputs, outdir)
    if not files:
        return []
    return jobs_for(files, root or common, outdir)


def find_inputs(inputs: Sequence[str | Path], outdir: Path) -> tuple[list[Path], Path]:
    """The plan files of ``inputs`` (absolute, in order, without duplicates) and their common root."""
    outdir = Path(outdir).resolve()
    roots: list[Path] = []
    files: dict[Path, None] = {}  # an ordered set: the same file via two inputs is one job
    for entry in inputs:
        text = str(entry)
        if any(c in GLOB_CHARS for c in text) and not Path(text).exists():
            _, matches = expand_glob(text, exclude=outdir)
            if not matches:
                log.warning("%s: no file matches", text)
            for m in matches:
                p = _absolute(m)
                if not _inside(p, outdir):
                    roots.append(p.parent)
                    files[p] = None
            continue
        p = Path(text).expanduser()
        if not p.exists():
            raise InputError(f"{text}: no such file or folder")
        p = _absolute(p)
        if p.is_dir():
            roots.append(p)
            files.update(dict.fromkeys(walk_plans(p, exclude=outdir)))
        else:
            roots.append(p.parent)
            files[p] = None
    root = Path(os.path.commonpath([str(r) for r in roots])) if roots else Path.cwd()
    return list(files), root


def _absolute(p: Path) -> Path:
    """Absolute and normalised, but through the links as named (a plan reached through a
    folder link keeps its place in the layout)."""
    return Path(os.path.abspath(os.path.expanduser(str(p))))


RESERVED_STEMS = frozenset({"report"})
"""Output stems at OUTDIR's root that the batch writes itself (``--report``)."""


def jobs_for(files: list[Path], root: Path, outdir: Path) -> list[Job]:
    """One job per file, laid out under ``outdir`` relative to ``root``, every output name unique."""
    outdir = Path(outdir).resolve()
    outside = [f for f in files if not _inside(f, root)]
    if outside:
        raise InputError(
            f"{outside[0]} is outside {root}, the folder whose layout {outdir} keeps (set by the "
            "first batch into it): convert it into another output folder")
    rel = {f: PurePosixPath(f.relative_to(root).as_posix()) for f in files}
    stems = _unique_stems(list(rel.values()))
    jobs = [Job(source=f, key=str(r), outdir=outdir.joinpath(*r.parent.parts), stem=stems[r])
            for f, r in rel.items()]
    return sorted(jobs, key=lambda j: j.key)


def _unique_stems(rels: list[PurePosixPath]) -> dict[PurePosixPath, str]:
    """Output stems, unique per folder (case-insensitively: outputs may land on such disks)."""
    natural: dict[tuple[PurePosixPath, str], list[PurePosixPath]] = {}
    for r in rels:
        natural.setdefault((r.parent, r.stem.lower()), []).append(r)

    def reserved(folder: PurePosixPath, stem: str) -> bool:
        return folder == PurePosixPath(".") and stem.lower() in RESERVED_STEMS

    stems: dict[PurePosixPath, str] = {}
    taken: set[tuple[PurePosixPath, str]] = set()
    clashing: list[PurePosixPath] = []
    for (folder, low), group in natural.items():
        if len(group) == 1 and not reserved(folder, low):
            stems[group[0]] = group[0].stem
            taken.add((folder, low))
        else:
            clashing += group
    for r in sorted(clashing, key=str):
        stem = f"{r.stem}_{r.suffix.lstrip('.').lower()}"
        n = 1
        while (r.parent, stem.lower()) in taken or reserved(r.parent, stem):
            n += 1
            stem = f"{r.stem}_{r.suffix.lstrip('.').lower()}_{n}"
        stems[r] = stem
        taken.add((r.parent, stem.lower()))
    return stems


def _inside(p: Path, folder: Path) -> bool:
    return p == folder or folder in p.parents
