"""The batch manifest: what has been converted, from which content, with which settings, and how it went.

It is an SQLite file, ``OUTDIR/.plan2bim-manifest.sqlite``, one row per input (keyed by the
input's path relative to the batch root), written in WAL mode with ``synchronous=FULL`` and
committed after every plan. So a batch killed at any moment (even ``kill -9``, even a power cut)
keeps every plan that had finished, and the next run carries on from there. Only the process
that runs the batch writes it (the Dask client, not the workers).

A plan is skipped on a re-run when its row says ``done``, its content (sha256) and its config
key are unchanged, it had every output format asked for now, and those files are still there.
Otherwise it is converted again, except that a plan which *failed* on unchanged content with
unchanged settings is only retried with ``retry_failed`` (a broken scan fails the same way every
time; re-reading thousands of them on each run would be waste). ``force`` redoes everything.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plan2bim import __version__
from plan2bim.config import Config

log = logging.getLogger(__name__)

__all__ = ["MANIFEST_NAME", "Manifest", "Record", "config_key", "file_sha256", "needs_work"]

MANIFEST_NAME = ".plan2bim-manifest.sqlite"
SCHEMA_VERSION = 1

STATUSES = ("done", "failed", "timeout")


@dataclass
class Record:
    """One input's row: the last attempt's result, plus counters over all attempts."""

    key: str
    source: str
    sha256: str
    config_key: str
    status: str
    """``done``, ``failed`` or ``timeout``."""
    size: int = 0
    mtime_ns: int = 0
    outputs: dict[str, str] = field(default_factory=dict)
    """Format -> output path relative to OUTDIR (POSIX form)."""
    timings: dict[str, float] = field(default_factory=dict)
    """Pipeline stage -> seconds."""
    seconds: float = 0.0
    """Wall time of the whole plan, as seen by the worker."""
    cpu_seconds: float = 0.0
    """CPU time of the worker on the plan: what it costs, whatever else the machine was doing."""
    px_per_m: float | None = None
    scale_method: str | None = None
    storeys: int = 0
    walls: int = 0
    doors: int = 0
    windows: int = 0
    spaces: int = 0
    floor_area_m2: float = 0.0
    error: str = ""
    peak_mb: float | None = None
    """Peak resident memory of the process that converted it."""
    worker: str = ""
    attempts: int = 0
    conversions: int = 0
    """How many times this input was converted successfully (1 after any number of resumes)."""
    finished_at: str = ""


_COLUMNS = [f.name for f in dataclasses.fields(Record)]
_JSON_COLUMNS = {"outputs", "timings"}
_SQL_TYPES = {"int": "INTEGER", "float": "REAL", "float | None": "REAL"}


def _column(f: dataclasses.Field) -> str:
    return f"{f.name} {_SQL_TYPES.get(str(f.type), 'TEXT')}"


def _create(db: sqlite3.Connection) -> None:
    """Create the table, or add the columns a manifest of an older plan2bim lacks."""
    fields = dataclasses.fields(Record)
    cols = [_column(f) + (" PRIMARY KEY" if f.name == "key" else "") for f in fields]
    db.execute(f"CREATE TABLE IF NOT EXISTS plans ({', '.join(cols)})")
    have = {row[1] for row in db.execute("PRAGMA table_info(plans)")}
    for f in fields:
        if f.name not in have:
            plain = isinstance(f.default, int | float | str) and not isinstance(f.default, bool)
            default = f" DEFAULT {f.default!r}" if plain else ""
            db.execute(f"ALTER TABLE plans ADD COLUMN {_column(f)}{default}")


class Manifest:
    """The manifest of one OUTDIR. Use as a context manager; one writer at a time."""

    def __init__(self, outdir: Path) -> None:
        self.path = Path(outdir) / MANIFEST_NAME
        self._db: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30)
            self._db.row_factory = sqlite3.Row
            # WAL: a commit is one append to the log, and readers (a second terminal watching
            # the batch) never block the writer. FULL: the append is fsync'ed, so a commit
            # survives a power cut as well as a kill -9.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            _create(self._db)
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            self._db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            self._db.commit()
        except (sqlite3.DatabaseError, OSError) as e:
            self.close()
            raise _manifest_error(self.path, e) from None

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def get_meta(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: str) -> None:
        self._db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET "
                         "value = excluded.value", (name, value))
        self._db.commit()

    def move_under(self, prefix: str, outdir: Path) -> None:
        """Move every plan, its key and its output files, under the folder ``prefix`` of OUTDIR
        (the batch's root moved up). Outputs that cannot be moved are converted again later."""
        for rec in self.records():
            outputs = {}
            for fmt, rel in rec.outputs.items():
                src, dst = Path(outdir) / rel, Path(outdir) / prefix / rel
                try:
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(src, dst)
                except OSError as e:
                    log.warning("%s: cannot move to %s (%s)", src, dst, e.strerror or e)
                outputs[fmt] = f"{prefix}/{rel}"
            self._db.execute("UPDATE plans SET key = ?, outputs = ? WHERE key = ?",
                             (f"{prefix}/{rec.key}", _to_sql("outputs", outputs), rec.key))
        self._db.commit()

    def get(self, key: str) -> Record | None:
        row = self._db.execute("SELECT * FROM plans WHERE key = ?", (key,)).fetchone()
        return _from_row(row) if row is not None else None

    def records(self, keys: Sequence[str] | None = None) -> list[Record]:
        """All rows (sorted by key), or the rows of ``keys`` in that order (missing ones left out)."""
        if keys is None:
            rows = self._db.execute("SELECT * FROM plans ORDER BY key").fetchall()
            return [_from_row(r) for r in rows]
        out = [self.get(k) for k in keys]
        return [r for r in out if r is not None]

    def put(self, rec: Record) -> Record:
        """Store the result of one attempt and commit; the counters are kept by the database."""
        rec = dataclasses.replace(
            rec, finished_at=rec.finished_at or datetime.datetime.now(datetime.UTC).isoformat()
        )
        values = {c: _to_sql(c, getattr(rec, c)) for c in _COLUMNS}
        values["attempts"], values["conversions"] = 1, int(rec.status == "done")
        updates = [f"{c} = excluded.{c}" for c in _COLUMNS if c not in ("key", "attempts", "conversions")]
        updates += ["attempts = plans.attempts + 1", "conversions = plans.conversions + excluded.conversions"]
        self._db.execute(
            f"INSERT INTO plans ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
            f"ON CONFLICT(key) DO UPDATE SET {', '.join(updates)}",
            [values[c] for c in _COLUMNS],
        )
        self._db.commit()
        return self.get(rec.key)  # type: ignore[return-value]


def _manifest_error(path: Path, e: BaseException) -> Exception:
    from plan2bim.errors import Plan2BimError

    text = str(e) or type(e).__name__
    if isinstance(e, sqlite3.OperationalError) and ("readonly" in text or "unable to open" in text) \
            or isinstance(e, OSError):
        return Plan2BimError(f"{path}: cannot be written ({text}); check that the output folder "
                             "is writable")
    return Plan2BimError(
        f"{path}: not a plan2bim manifest, or damaged ({text}); move it aside (mv {path.name} "
        f"{path.name}.bad) and run again: outputs already written are kept, plans are converted again")


def _to_sql(column: str, value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if column in _JSON_COLUMNS else value


def _from_row(row: sqlite3.Row) -> Record:
    d = {k: row[k] for k in row.keys() if k in _COLUMNS}
    for c in _JSON_COLUMNS:
        d[c] = json.loads(d[c]) if d.get(c) else {}
    return Record(**d)


def config_key(config: Config) -> str:
    """A short hash of everything that changes what a conversion produces.

    The :class:`Config` (all fields, the nested per-stage settings included) and the plan2bim version: a new
    release may recognise plans differently, so its results are not taken as done.
    """
    blob = json.dumps(
        {"config": dataclasses.asdict(config), "version": __version__}, sort_keys=True, default=str
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def file_sha256(path: Path, *, known: Record | None = None) -> tuple[str, int, int]:
    """(sha256, size, mtime_ns) of ``path``; reuses ``known``'s hash when size and mtime match.

    Like black's cache: re-hashing a whole archive on every run costs more than it saves, and a
    file rewritten in place changes its mtime.
    """
    st = os.stat(path)
    if known is not None and known.size == st.st_size and known.mtime_ns == st.st_mtime_ns:
        return known.sha256, st.st_size, st.st_mtime_ns
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest(), st.st_size, st.st_mtime_ns


def needs_work(
    rec: Record | None,
    sha256: str,
    key: str,
    formats: Sequence[str],
    outdir: Path,
    *,
    retry_failed: bool = False,
    force: bool = False,
) -> str | None:
    """Why this input must be converted (a short reason), or None to skip it.

    ``key`` is the current :func:`config_key`; ``outdir`` the batch's OUTDIR.
    """
    if force:
        return "forced"
    if rec is None:
        return "new"
    if rec.sha256 != sha256:
        return "changed"
    if rec.config_key != key:
        return "settings changed"
    if rec.status != "done":
        return "retry" if retry_failed else None
    missing = [f for f in formats if f not in rec.outputs]
    if missing:
        return f"new format {missing[0]}"
    if not all((outdir / p).is_file() for p in rec.outputs.values()):
        return "outputs missing"
    return None


def iter_statuses(records: Sequence[Record]) -> Iterator[tuple[str, int]]:
    """(status, count) over ``records``, in the order of :data:`STATUSES`."""
    for s in STATUSES:
        yield s, sum(r.status == s for r in records)
