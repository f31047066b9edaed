"""``plan2bim settings``: the recognition settings, as a TOML file to copy and edit."""

from __future__ import annotations

from pathlib import Path

import typer

from ._app import EXIT_INPUT, app, console, err_console, user_errors
from .options import base_config, settings_option


@app.command("settings")
def settings_command(
    show: bool = typer.Option(False, "--show", help="Print every recognition setting as TOML, with comments."),
    settings: Path | None = settings_option(),
) -> None:
    """Print the recognition settings (the defaults, or with a --settings FILE applied).

    Every tuned value of recognition, stage by stage, with its unit in its name and, as a
    comment, what chose it. Copy the ones to change into a file and pass it to convert, batch,
    eval or bench with --settings FILE; unknown names are an error.
    """
    if not show and settings is None:
        err_console.print("[bold red]error:[/] nothing to do: use --show (and --settings FILE to check a file)")
        raise typer.Exit(EXIT_INPUT)
    from ..config import settings_toml

    with user_errors():
        config = base_config(settings)
    console.print(settings_toml(config), end="", markup=False)
