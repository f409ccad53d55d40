"""Sub-commands of ``flowscript``; each module defines one click command.

Commands are imported only when invoked (or when ``--help`` lists them), so starting one
command never pays for the imports of the others.
"""

from __future__ import annotations

from importlib import import_module

import click

__all__ = ["COMMANDS", "LazyGroup"]

COMMANDS: dict[str, str] = {
    "run": "run_cmd:run",
    "resume": "resume_cmd:resume",
    "runs": "runs_cmd:runs",
    "submit": "submit_cmd:submit",
    "serve": "serve_cmd:serve",
    "answer": "answer_cmd:answer",
    "validate": "validate_cmd:validate",
    "test": "test_cmd:flow_tests",
    "parse": "parse_cmd:parse",
    "inspect": "inspect_cmd:inspect",
    "eval": "eval_cmd:eval_",
    "functions": "functions_cmd:functions",
}
"""Command name → ``module:attribute`` under ``flowscript.cli.commands``, in help order."""


class LazyGroup(click.Group):
    """A click group that imports each sub-command on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, in help order."""
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return the command, or ``None`` for an unknown name."""
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command = getattr(import_module(f"flowscript.cli.commands.{module}"), attribute)
        assert isinstance(command, click.Command)
        return command
