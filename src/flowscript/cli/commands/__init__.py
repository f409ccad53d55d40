"""Sub-commands of ``flowscript``; each module defines one click command."""

from __future__ import annotations

import click

__all__ = ["all_commands"]


def all_commands() -> list[click.Command]:
    """Every sub-command, in help order."""
    from flowscript.cli.commands import (
        eval_cmd,
        functions_cmd,
        inspect_cmd,
        parse_cmd,
        run_cmd,
        validate_cmd,
    )

    return [
        run_cmd.run,
        validate_cmd.validate,
        parse_cmd.parse,
        inspect_cmd.inspect,
        eval_cmd.eval_,
        functions_cmd.functions,
    ]
