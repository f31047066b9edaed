"""Temporary output files that plan2bim names, owns, and cleans up after a killed run.

An output is written under a hidden temporary name and renamed when complete. The name carries
a marker, the host and the process id (``.plan.ifc.plan2bim-4242-host.part``), so that cleaning
up removes only files that plan2bim itself named and whose writer is gone: never a user's own
``.backup.tmp``, never the file a live ``convert`` is writing at that moment.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import socket
from pathlib import Path

log = logging.getLogger(__name__)

__all__ = ["is_stale", "remove_stale", "temp_path"]

_MARK = "plan2bim"
_NAME = re.compile(rf"^\.(?P<final>.+)\.{_MARK}-(?P<pid>\d+)-(?P<host>[A-Za-z0-9_.-]*)\.(?:part|tmp)$")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", socket.gethostname())[:64]


def temp_path(final: Path, kind: str = "part") -> Path:
    """The temporary name ``final`` is written under before it is renamed."""
    final = Path(final)
    return final.with_name(f".{final.name}.{_MARK}-{os.getpid()}-{_host()}.{kind}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or cannot tell: keep its file
    return True


def is_stale(name: str) -> bool:
    """Whether ``name`` is a plan2bim temporary file whose writer, on this host, is gone."""
    m = _NAME.match(name)
    if m is None or m["host"] != _host():
        return False  # not ours, or written from another machine (a shared disk): cannot tell
    return not _alive(int(m["pid"]))


def remove_stale(folder: Path, *, finals: set[str] | None = None, recursive: bool = False) -> int:
    """Remove the stale temporary files in ``folder`` (of the outputs named ``finals`` only, if
    given); return how many were removed."""
    folder = Path(folder)
    n = 0
    walk = os.walk(folder) if recursive else [(str(folder), [], _names(folder))]
    for dirpath, _, names in walk:
        for name in names:
            m = _NAME.match(name)
            if m is None or (finals is not None and m["final"] not in finals):
                continue
            if is_stale(name):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(dirpath, name))
                    n += 1
    if n:
        log.info("%s: removed %d temporary file(s) left by an interrupted run", folder, n)
    return n


def _names(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []
