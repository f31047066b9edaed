"""Interrupts that cannot be lost: a Ctrl-C is remembered, so that code which swallows it (trimesh
wraps its optional imports in ``except BaseException``) cannot make the run carry on as if
nothing happened.

The CLI installs :func:`install` for SIGINT and SIGTERM; the pipeline calls :func:`check` between
stages and before its outputs take their final names. The library alone never installs a signal
handler: without one, :func:`check` never raises.
"""

from __future__ import annotations

import signal
import threading

__all__ = ["check", "install", "request", "requested", "reset", "signal_number"]

_requested = threading.Event()
_signal: list[int] = []


def request(signum: int | None = None) -> None:
    """Remember that the run must stop (because of signal ``signum``)."""
    if signum is not None and not _signal:
        _signal.append(int(signum))
    _requested.set()


def signal_number() -> int | None:
    """The first signal that asked the run to stop, if one did."""
    return _signal[0] if _signal else None


def requested() -> bool:
    return _requested.is_set()


def reset() -> None:
    _requested.clear()
    _signal.clear()


def check() -> None:
    """Raise :class:`KeyboardInterrupt` if an interrupt arrived, even one that was swallowed."""
    if _requested.is_set():
        raise KeyboardInterrupt


def _on_signal(signum: int, frame: object) -> None:
    request(signum)
    raise KeyboardInterrupt


def install() -> None:
    """Remember every SIGINT and SIGTERM and raise :class:`KeyboardInterrupt` where it lands.

    Only from the main thread (a signal handler can be set there only)."""
    if threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
