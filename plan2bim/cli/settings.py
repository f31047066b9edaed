"""``plan2bim settings``: the recognition settings, as a TOML file to copy and edit."""

from __future__ import annotations

from pathlib import Path

import typer

from plan2bim.cli._app import app, console, user_errors
from plan2bim.cli.options import base_config, settings_option


@app.command("settings")
def settings_command(
    show: bool = typer.Option(True, "--show/--check", help="Print every setting as TOML with comments "
                              "(the default), or only check the --settings FILE."),
    settings: Path | None = settings_option(),
) -> None:
    """Print the recognition settings (the defaults, or with a --settings FILE applied).

    Every tuned value of recognition, stage by stage, with its unit in its name and, as a
    comment, what chose it. Copy the ones to change into a file and pass it to convert, batch,
    eval or bench with --settings FILE; unknown names are an error (`--check --settings FILE`
    checks a file and prints nothing else).
    """
    from plan2bim.config import settings_toml

    with user_errors():
        config = base_config(settings)
    if show:
        console.print(settings_toml(config), end="", markup=False)
    else:
        console.print(f"{settings}: settings OK" if settings else "no --settings FILE given: defaults")
