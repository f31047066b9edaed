"""Worker processes for many plans: one pool, and one warm-up, for ``batch`` and ``bench``.

Why not :class:`concurrent.futures.ProcessPoolExecutor`: it cannot stop one task that runs too
long, and one worker dying breaks the whole pool. :func:`run_pool` keeps its own processes
(``spawn`` by default: no fork of a process whose threads draw a progress bar), one pipe each,
and kills and replaces the one process whose task is over time or that died.

Each worker is warmed up (:func:`warm_up`: a small plan converted with the run's settings and
formats, so that every import, model session and first-call cost is paid) before it says it is
ready, and a task's clock starts only then: a timeout measures the plan, not Python starting
or onnxruntime loading, however busy the machine is.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

from plan2bim.config import Config
from plan2bim.errors import Plan2BimError

log = logging.getLogger(__name__)

__all__ = ["PoolFailure", "default_workers", "run_pool", "warm_up"]

T = TypeVar("T")


@dataclass(frozen=True)
class PoolFailure(Generic[T]):
    """A task that gave no result: its process ran past the timeout, or died."""

    status: str
    """``timeout`` or ``died``."""
    detail: str
    """For ``died``: how (``signal 9``, ``exit code 1``)."""
    seconds: float


def default_workers() -> int:
    """The CPUs this process may use (the container's share, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def warm_up(config: Config | None = None, formats: Sequence[str] | None = None) -> None:
    """Pay every one-off cost of a conversion now: imports, the detector's model session, the
    writers. Converts a small drawn plan with ``config``'s detector into ``formats``, in a
    temporary folder; a failure here is only logged (the plans will fail and say why)."""
    try:
        import numpy as np

        from plan2bim.export import FORMATS
        from plan2bim.pipeline import build_model, write_outputs

        config = replace(config or Config(), pages=None, px_per_m=None, dpi=None,
                         drawing_scale=None, storey_name=None)
        with tempfile.TemporaryDirectory(prefix="plan2bim-warm-") as tmp:
            path = Path(tmp) / "warm.png"
            _draw_plan(path, np)
            result = build_model(path, config)
            write_outputs(result, Path(tmp) / "out", tuple(formats or FORMATS))
    except Exception as e:  # noqa: BLE001 - a warm-up never stops the run
        log.debug("warm-up: %s: %s", type(e).__name__, e)


def _draw_plan(path: Path, np: Any) -> None:
    import cv2

    img = np.full((300, 400, 3), 245, np.uint8)
    ink = (40, 40, 40)
    cv2.rectangle(img, (20, 20), (380, 280), ink, 9)
    cv2.line(img, (200, 20), (200, 120), ink, 9)
    cv2.line(img, (200, 180), (200, 280), ink, 9)
    cv2.imwrite(str(path), img)


# ---------------------------------------------------------------------------------------------
# The pool


_READY = "ready"
"""A worker's first message: it started and warmed up."""


def _worker_main(conn: multiprocessing.connection.Connection, fn: Callable[[Any], Any],
                 warm: Callable[[], None] | None, threads: int, forked: bool) -> None:
    """A worker process: take tasks from the pipe until told to stop or the parent is gone."""
    # Ctrl-C is the parent's to handle. A terminal sends it to every process of the group: the
    # worker was born with SIGINT blocked (see ``start``), so one that came while it started is
    # dropped here, not turned into a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _die_with_parent()
    _limit_threads(threads, opencv=not forked)  # a forked OpenCV pool may hold a lock
    if warm is not None:
        warm()
    conn.send(_READY)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        out = fn(task)
        try:
            conn.send(out)
        except (BrokenPipeError, OSError):
            return


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this process when its parent dies (even by kill -9)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)


def _limit_threads(n: int, opencv: bool = True) -> None:
    """N processes each running N OpenCV/BLAS threads would oversubscribe the CPUs N times."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    if not opencv:
        return
    with contextlib.suppress(Exception):
        import cv2

        cv2.setNumThreads(n)


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """Block SIGINT while a worker is started, so that it is born with SIGINT blocked (a mask is
    inherited across fork and exec); one that arrives meanwhile reaches this process after."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@dataclass
class _Slot:
    process: Any
    conn: multiprocessing.connection.Connection
    task: Any = None
    busy: bool = False
    started: float = 0.0
    ready: bool = False


def run_pool(
    tasks: Sequence[T],
    fn: Callable[[T], Any],
    *,
    workers: int | None = None,
    timeout: float | None = None,
    warm: Callable[[], None] | None = None,
    on_start: Callable[[T], None] | None = None,
    on_ready: Callable[[], None] | None = None,
    context: str = "spawn",
) -> Iterator[tuple[T, Any]]:
    """Run ``fn(task)`` for every task in ``workers`` processes; yield ``(task, result)`` as
    each finishes, or ``(task, PoolFailure)`` for one that ran past ``timeout`` seconds (its
    process is killed and replaced) or whose process died.

    ``fn`` and ``warm`` must be picklable (module-level functions, or partials of them).
    ``on_ready`` is called each time a worker has warmed up. Closing the generator (or an
    exception in the consumer, such as Ctrl-C) stops and reaps every worker. Raises :class:`Plan2BimError` if a worker cannot start at all.
    """
    pending = deque(tasks)
    if not pending:
        return
    n = max(1, min(workers or default_workers(), len(pending)))
    threads = max(1, default_workers() // n)
    ctx = multiprocessing.get_context(context)

    def start() -> _Slot:
        parent, child = ctx.Pipe()
        p = ctx.Process(target=_worker_main, args=(child, fn, warm, threads, context == "fork"),
                        name="plan2bim-worker", daemon=True)
        with _sigint_blocked():
            p.start()
        child.close()
        return _Slot(p, parent)

    def retire(slot: _Slot) -> None:
        with contextlib.suppress(Exception):
            slot.conn.close()
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join(5)

    slots = [start() for _ in range(n)]
    try:
        while True:
            for slot in slots:
                if not slot.busy and pending:
                    slot.task, slot.busy, slot.started = pending.popleft(), True, time.monotonic()
                    if on_start is not None:
                        on_start(slot.task)
                    slot.conn.send(slot.task)
            busy = [s for s in slots if s.busy]
            if not busy:
                return
            # A task's clock starts when its worker is ready: warming up is not the task's time.
            timed = [s.started + timeout for s in busy if s.ready] if timeout else []
            deadline = min(timed) if timed else None
            wait_s = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready = set(multiprocessing.connection.wait(
                [s.conn for s in busy] + [s.process.sentinel for s in busy], wait_s))
            now = time.monotonic()
            for i, slot in enumerate(slots):
                if not slot.busy:
                    continue
                task = slot.task
                dead = False
                if slot.conn in ready:
                    try:
                        msg = slot.conn.recv()
                    except (EOFError, OSError, pickle.UnpicklingError):
                        dead = True  # died while answering: handled as a crash below
                    else:
                        if isinstance(msg, str) and msg == _READY:
                            slot.ready, slot.started = True, time.monotonic()
                            if on_ready is not None:
                                on_ready()
                        else:
                            slot.task, slot.busy = None, False
                            yield task, msg
                            continue
                if dead or slot.process.sentinel in ready or not slot.process.is_alive():
                    slot.process.join(1)
                    if not slot.ready:
                        # Not the task's fault: this Python cannot start workers at all (e.g. a
                        # __main__ that spawn cannot re-import). Failing every task would be a lie.
                        raise Plan2BimError(
                            f"a worker process could not start (exit code "
                            f"{slot.process.exitcode}); see the messages above")
                    code = slot.process.exitcode
                    why = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                    retire(slot)
                    slots[i] = start()
                    yield task, PoolFailure("died", why, now - slot.started)
                elif timeout and slot.ready and now - slot.started >= timeout:
                    retire(slot)
                    slots[i] = start()
                    yield task, PoolFailure("timeout", "", now - slot.started)
    finally:
        for slot in slots:
            if not slot.busy:
                with contextlib.suppress(Exception):
                    slot.conn.send(None)
        for slot in slots:
            if not slot.busy:
                slot.process.join(2)
            retire(slot)
