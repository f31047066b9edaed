"""A whole batch: find the plans, skip what the manifest says is done, convert the rest, record each.

This is the one call the CLI makes. The layers below it: :mod:`.discover` (which plans),
:mod:`.manifest` (what is done), :mod:`.runner` (converting, each plan's failure caught into a
record) and :mod:`.report` (CSV/JSON and the summary).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from plan2bim.batch import report as _report
from plan2bim.batch.discover import Job, find_inputs, jobs_for, read_list
from plan2bim.batch.manifest import Manifest, Record, config_key, file_sha256, needs_work
from plan2bim.batch.runner import PlanFn, run_dask, run_local
from plan2bim.config import Config
from plan2bim.errors import ExportError, InputError, Plan2BimError
from plan2bim.export import FORMATS
from plan2bim.load import SUFFIXES
from plan2bim.runtime.tempfiles import remove_stale

log = logging.getLogger(__name__)

__all__ = ["BatchResult", "Progress", "run_batch"]

LOCK_NAME = ".plan2bim-batch.lock"


class Progress:
    """Hooks a batch calls as it goes. The library does not print; the CLI draws these."""

    def planned(self, todo: int, skipped: int) -> None:
        """The plans are found and hashed: ``todo`` will be converted, ``skipped`` are done."""

    def started(self, job: Job) -> None:
        """A plan was handed to a worker."""

    def finished(self, record: Record) -> None:
        """A plan finished (done, failed or timeout); its record is in the manifest."""


@dataclass
class BatchResult:
    """What a batch did, and the manifest rows of all its plans."""

    records: list[Record]
    """Every plan of this batch (converted now or earlier), sorted by key."""
    converted: int = 0
    failed: int = 0
    timed_out: int = 0
    skipped: int = 0
    """Done earlier, unchanged: not converted again."""
    skipped_failed: int = 0
    """Failed earlier on the same content and settings: not retried (``retry_failed``)."""
    seconds: float = 0.0
    reports: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every plan of the batch is converted (now or earlier)."""
        return all(r.status == "done" for r in self.records)


def run_batch(
    inputs: Sequence[str | Path],
    outdir: Path,
    config: Config | None = None,
    formats: Sequence[str] = FORMATS,
    *,
    from_list: Path | str | None = None,
    workers: int | None = None,
    timeout: float | None = None,
    retry_failed: bool = False,
    force: bool = False,
    scheduler: str | None = None,
    dask: bool = False,
    report: bool = False,
    convert: PlanFn | None = None,
    progress: Progress | None = None,
) -> BatchResult:
    """Convert every plan of ``inputs`` (and of the ``from_list`` file) into ``outdir``.

    Raises :class:`InputError` when no plan is found or an input does not exist, and
    :class:`Plan2BimError` when OUTDIR is in use by another batch; a plan's own failure never
    raises, it is recorded. ``scheduler`` (an address) or ``dask`` runs the plans on a Dask
    cluster instead of local processes.
    """
    config = config or Config()
    progress = progress or Progress()
    formats = tuple(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise InputError(f"unknown output format {unknown[0] if unknown else '(none)'}; "
                         f"choose from {', '.join(FORMATS)}")
    from plan2bim.raster.detect import DETECTORS

    if config.detector not in DETECTORS:  # else every plan would fail with the same message
        raise InputError(f"unknown detector {config.detector!r} (choose from {', '.join(DETECTORS)})")
    if timeout is not None and timeout <= 0:
        raise InputError("--timeout-per-plan must be a positive number of seconds")
    entries = [*inputs, *(read_list(from_list) if from_list is not None else [])]
    if not entries:
        raise InputError("no input given: name files, folders or globs, or use --from-list")
    outdir = Path(outdir).resolve()
    files, common_root = find_inputs(entries, outdir)
    if not files:
        exts = " ".join(s.lstrip(".") for s in SUFFIXES)
        raise InputError(f"no plan found in the inputs (looked for the extensions {exts})")

    t0 = time.monotonic()
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExportError(f"{outdir}: cannot create the output folder ({e.strerror or e})") from None
    with _exclusive(outdir), Manifest(outdir) as manifest:
        root = _layout_root(manifest, common_root, outdir)
        jobs = jobs_for(files, root, outdir)
        try:
            return _run_batch(jobs, outdir, manifest, config, formats, workers=workers,
                              timeout=timeout, retry_failed=retry_failed, force=force,
                              scheduler=scheduler, dask=dask, report=report, convert=convert,
                              progress=progress, t0=t0)
        finally:
            # Workers killed by a timeout, a crash or Ctrl-C may have left temporary files.
            remove_stale(outdir, recursive=True)


def _layout_root(manifest: Manifest, common_root: Path, outdir: Path) -> Path:
    """The folder the outputs' layout is relative to, kept from run to run.

    A later run on a sub-folder writes where the first run did. A run whose inputs reach
    beyond the recorded root (a plan added from elsewhere) moves the root up to take them in:
    the outputs converted so far move with it, into the same places a batch over the new root
    would give them, and are not converted again.
    """
    stored = manifest.get_meta("root")
    if stored is None:
        manifest.set_meta("root", str(common_root))
        return common_root
    old = Path(stored)
    new = Path(os.path.commonpath([str(old), str(common_root)]))
    if new != old:
        prefix = old.relative_to(new).as_posix()
        log.info("layout root %s -> %s: moving the outputs so far under %s/", old, new, prefix)
        manifest.move_under(prefix, outdir)
        manifest.set_meta("root", str(new))
    return new


def _run_batch(jobs: list[Job], outdir: Path, manifest: Manifest, config: Config,
               formats: tuple[str, ...], *, workers: int | None, timeout: float | None,
               retry_failed: bool, force: bool, scheduler: str | None, dask: bool, report: bool,
               convert: PlanFn | None, progress: Progress, t0: float) -> BatchResult:
    remove_stale(outdir, recursive=True)  # of runs killed earlier (kill -9, power cut)
    ckey = config_key(config)
    result = BatchResult(records=[])
    todo: list[Job] = []
    facts: dict[str, tuple[str, int, int]] = {}  # key -> (sha256, size, mtime_ns)
    for job in jobs:
        rec = manifest.get(job.key)
        try:
            facts[job.key] = file_sha256(job.source, known=rec)
        except OSError as e:  # vanished or unreadable since discovery: a failed plan
            facts[job.key] = ("", 0, 0)
            manifest.put(Record(key=job.key, source=str(job.source), sha256="",
                                config_key=ckey, status="failed",
                                error=f"{job.source}: cannot be read ({e.strerror or e})"))
            result.failed += 1
            continue
        why = needs_work(rec, facts[job.key][0], ckey, formats, outdir,
                         retry_failed=retry_failed, force=force)
        if why is None:
            if rec is not None and rec.status == "done":
                result.skipped += 1
            else:
                result.skipped_failed += 1
            continue
        log.debug("%s: convert (%s)", job.key, why)
        todo.append(job)
    progress.planned(len(todo), result.skipped + result.skipped_failed)

    for rec in _run(todo, config, formats, workers=workers, timeout=timeout,
                    scheduler=scheduler, dask=dask, convert=convert, progress=progress):
        sha, size, mtime = facts[rec.key]
        rec = dataclasses.replace(
            rec, sha256=sha, size=size, mtime_ns=mtime, config_key=ckey,
            outputs={f: _relative(p, outdir) for f, p in rec.outputs.items()})
        if rec.status != "done":
            _remove_old_outputs(manifest.get(rec.key), outdir)
        rec = manifest.put(rec)  # committed before the next plan is looked at
        result.converted += rec.status == "done"
        result.failed += rec.status == "failed"
        result.timed_out += rec.status == "timeout"
        progress.finished(rec)

    result.records = manifest.records([j.key for j in jobs])
    if "html" in formats:  # the index of the review pages (plan2bim.export.html)
        from plan2bim.export.html import write_batch_index

        write_batch_index(result.records, outdir)
    result.seconds = time.monotonic() - t0
    if report:
        result.reports = _report.write_reports(result.records, outdir)
    return result


def _run(jobs: list[Job], config: Config, formats: tuple[str, ...], *, workers: int | None,
         timeout: float | None, scheduler: str | None, dask: bool, convert: PlanFn | None,
         progress: Progress) -> Iterator[Record]:
    if scheduler or dask:
        return run_dask(jobs, config, formats, scheduler=scheduler, workers=workers,
                        timeout=timeout, convert=convert, on_start=progress.started)
    return run_local(jobs, config, formats, workers=workers, timeout=timeout, convert=convert,
                     on_start=progress.started)


def _relative(path: str, outdir: Path) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(outdir).as_posix()
    except ValueError:  # written outside OUTDIR (a custom convert function): keep it absolute
        return str(p)


@contextlib.contextmanager
def _exclusive(outdir: Path) -> Iterator[None]:
    """Hold OUTDIR for this batch: two batches writing one manifest would redo each other's work.

    An OS file lock (released by the kernel even after ``kill -9``), so a stale lock never
    needs cleaning up by hand.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one batch per OUTDIR is on the user
        yield
        return
    try:
        fd = os.open(outdir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise ExportError(f"{outdir}: cannot write to the output folder ({e.strerror or e})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise Plan2BimError(f"{outdir}: another plan2bim batch is writing to this folder") from None
        yield
    finally:
        os.close(fd)


def _remove_old_outputs(previous: Record | None, outdir: Path) -> None:
    """A plan that now fails (its file changed, or the settings) keeps no outputs of its old
    content beside its ``failed`` record: they would pass for its result."""
    if previous is None:
        return
    for rel in previous.outputs.values():
        p = (outdir / rel).resolve()
        if _inside(p, outdir) and p.is_file():
            with contextlib.suppress(OSError):
                p.unlink()
                log.info("%s: removed (its plan now fails)", p)


def _inside(p: Path, folder: Path) -> bool:
    return p == folder or folder in p.parents
