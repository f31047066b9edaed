"""The typer app, shared options and the mapping of library errors to messages and exit codes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from ..errors import Plan2BimError

app = typer.Typer(
    name="plan2bim",
    help="Turn floor plan drawings (PNG, JPG, TIFF, BMP, PDF) into BIM models: IFC, glTF and JSON.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_OK = 0
EXIT_INPUT = 2
"""Bad input or options: a one-line message, nothing written."""
EXIT_PARTIAL = 3
"""A batch finished, but some inputs failed."""


@app.callback()
def main(
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More log output (-vv for debug)."),
) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's errors into a one-line message and exit code 2, never a traceback."""
    try:
        yield
    except Plan2BimError as e:
        err_console.print(f"[bold red]error:[/] {e}")
        raise typer.Exit(e.exit_code) from None
    except KeyboardInterrupt:
        err_console.print("[bold red]interrupted[/]")
        raise typer.Exit(130) from None
