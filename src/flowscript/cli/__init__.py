"""The ``flowscript`` command line: argument parsing over the public API only."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``flowscript`` console script and ``python -m flowscript``."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        # Fast path: answering --version must not pay for importing click and the engine.
        from flowscript import __version__

        sys.stdout.write(f"flowscript {__version__}\n")
        raise SystemExit(0)
    from flowscript.cli.app import run

    run(args)
