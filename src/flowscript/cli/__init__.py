"""The ``flowscript`` command line."""

from __future__ import annotations


def main() -> None:
    """Entry point of the ``flowscript`` console script."""
    from flowscript.cli.app import run

    run()
