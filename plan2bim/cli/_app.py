"""The typer app, shared options and the mapping of library errors to messages and exit codes."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from plan2bim.errors import Plan2BimError
from plan2bim.runtime import cancel

EXIT_OK = 0
EXIT_INPUT = 2
"""Bad input or options: a one-line message, nothing written."""
EXIT_PARTIAL = 3
"""A batch finished, but some inputs failed."""
EXIT_INTERRUPTED = 130
"""Stopped by Ctrl-C (SIGINT; 143 for SIGTERM): no temporary file left, finished outputs kept."""

# typer carries its own copy of click: take its exception classes from one it exports.
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
_UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


class _Group(TyperGroup):
    """Every command run through here: one ``error:`` line for bad options (not click's boxed
    usage text), and interrupts that always end the run with exit 130, whatever swallowed them."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        code = _run(lambda: super(_Group, self).main(
            args, prog_name, complete_var, standalone_mode=False, **extra))
        if not standalone_mode:
            return code
        sys.exit(code)


def _run(call) -> int:
    cancel.reset()
    previous = _install_handlers()
    try:
        try:
            rv = call()
            code = rv if isinstance(rv, int) else EXIT_OK
        except typer.Exit as e:
            code = e.exit_code
        except typer.Abort:
            code = EXIT_INTERRUPTED
        except _ClickException as e:  # a usage error: bad or missing option or argument
            if e.format_message().strip():  # (empty after ``plan2bim`` alone printed its help)
                err_console.print(f"[bold red]error:[/] {_one_line(e)}")
            code = EXIT_INPUT
        except KeyboardInterrupt:
            code = EXIT_INTERRUPTED
        if cancel.requested() or code == EXIT_INTERRUPTED:
            code = 128 + (cancel.signal_number() or signal.SIGINT)
            err_console.print("[bold red]interrupted[/]")
        return code
    finally:
        _restore_handlers(previous)
        cancel.reset()


def _one_line(e: Exception) -> str:
    msg = " ".join(e.format_message().split())
    ctx = getattr(e, "ctx", None)
    if isinstance(e, _UsageError) and ctx is not None and ctx.command_path:
        return f"{msg} (see '{ctx.command_path} --help')"
    return msg


def _install_handlers() -> dict[int, Any] | None:
    try:
        previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        cancel.install()
    except ValueError:  # not the main thread: leave signals alone
        return None
    return previous


def _restore_handlers(previous: dict[int, Any] | None) -> None:
    if previous is None:
        return
    for s, h in previous.items():
        try:
            signal.signal(s, h if h is not None else signal.SIG_DFL)
        except (ValueError, TypeError):
            pass


app = typer.Typer(
    name="plan2bim",
    cls=_Group,
    help="Turn floor plan drawings (PNG, JPG, TIFF, BMP, PDF) into BIM models: IFC, glTF and JSON.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More log output (-vv for debug)."),
) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # Libraries' Python warnings go through logging: shown with -v, not before an error line.
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").setLevel(logging.WARNING if verbose else logging.ERROR)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's errors into a one-line message and exit code 2, never a traceback."""
    try:
        yield
        cancel.check()
    except Plan2BimError as e:
        if cancel.requested():  # an error raised while unwinding from an interrupt
            raise typer.Exit(EXIT_INTERRUPTED) from None
        err_console.print(f"[bold red]error:[/] {e}")
        raise typer.Exit(e.exit_code) from None
    except KeyboardInterrupt:
        raise typer.Exit(EXIT_INTERRUPTED) from None
