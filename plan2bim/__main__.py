"""``python -m plan2bim`` and the ``plan2bim`` command."""

import os
import signal


def _interrupted_while_starting(signum: int, frame: object) -> None:
    # Nothing is written before a command starts: stop at once, quietly, like any interrupt.
    os.write(2, b"interrupted\n")
    os._exit(128 + signum)


def main() -> None:
    """Entry point: a Ctrl-C while the modules load ends the run like any other (exit 130)."""
    signal.signal(signal.SIGINT, _interrupted_while_starting)
    signal.signal(signal.SIGTERM, _interrupted_while_starting)
    from plan2bim.cli import app

    app(prog_name="plan2bim")


if __name__ == "__main__":
    main()
