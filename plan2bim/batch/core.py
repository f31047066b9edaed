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

from ..config import Config
from ..errors import InputError, Plan2BimError
from ..export import FORMATS
from ..load import SUFFIXES
from . import report as _report
from .discover import Job, discover, read_list
from .manifest import Manifest, Record, config_key, file_sha256, needs_work
from .runner import PlanFn, run_dask, run_local

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
    from ..detect import DETECTORS

    if config.detector not in DETECTORS:  # else every plan would fail with the same message
        raise InputError(f"unknown detector {config.detector!r} (choose from {', '.join(DETECTORS)})")
    if timeout is not None and timeout <= 0:
        raise InputError("--timeout-per-plan must be a positive number of seconds")
    entries = [*inputs, *(read_list(from_list) if from_list is not None else [])]
    if not entries:
        raise InputError("no input given: name files, folders or globs, or use --from-list")
    outdir = Path(outdir).resolve()
    jobs = discover(entries, outdir)
    if not jobs:
        exts = " ".join(s.lstrip(".") for s in SUFFIXES)
        raise InputError(f"no plan found in the inputs (looked for the extensions {exts})")

    t0 = time.monotonic()
    outdir.mkdir(parents=True, exist_ok=True)
    with _exclusive(outdir), Manifest(outdir) as manifest:
        _remove_stale_temp_files(outdir)
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
            rec = manifest.put(rec)  # committed before the next plan is looked at
            result.converted += rec.status == "done"
            result.failed += rec.status == "failed"
            result.timed_out += rec.status == "timeout"
            progress.finished(rec)

        result.records = manifest.records([j.key for j in jobs])
        if "html" in formats:  # the index of the review pages (plan2bim.export.html)
            from ..export.html import write_batch_index

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
    fd = os.open(outdir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise Plan2BimError(f"{outdir}: another plan2bim batch is writing to this folder") from None
        yield
    finally:
        os.close(fd)


def _remove_stale_temp_files(outdir: Path) -> None:
    """Remove the temporary files of writers killed mid-write by an earlier run.

    They never carry a final name (the writers rename them on success), so they are only
    clutter; this batch holds the OUTDIR lock, so none belongs to a live writer.
    """
    n = 0
    for dirpath, _, filenames in os.walk(outdir):
        for name in filenames:
            if _is_temp_name(name):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(dirpath, name))
                    n += 1
    if n:
        log.info("removed %d temporary file(s) left by an interrupted run", n)


def _is_temp_name(name: str) -> bool:
    """A temporary output: ``.<final name>.<pid>.part`` (the pipeline's writers) or ``....tmp``
    (the reports); hidden, and never a final name."""
    return name.startswith(".") and name.endswith((".part", ".tmp"))
