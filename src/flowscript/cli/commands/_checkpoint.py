"""Checkpoint flags and output shared by ``run`` and ``resume`` (cli.md, execution.md §7).

- ``--interactive`` / ``--non-interactive``: force or forbid prompting at checkpoints (default:
  prompt when stdin and stdout are terminals);
- a paused run exits with code 3 and prints the command that answers the checkpoint;
- while a checkpoint may prompt, progress is printed line by line instead of the live display,
  whose redraws would overwrite the prompt.
"""

from __future__ import annotations

import shlex
import sys
from typing import TYPE_CHECKING

import click

from flowscript.cli._exit import ExitCode

if TYPE_CHECKING:
    from flowscript.errors import NodeError
    from flowscript.execution.state import ExecutionState
    from flowscript.planning import ExecutionPlan

__all__ = ["INTERACTIVE_OPTION", "echo_paused", "may_prompt", "run_exit_code"]

INTERACTIVE_OPTION = click.option(
    "--interactive/--non-interactive",
    "interactive",
    default=None,
    help="Force or forbid prompting at checkpoints (default: prompt on a terminal).",
)


def may_prompt(plan: ExecutionPlan, interactive: bool | None) -> bool:
    """True when a checkpoint of the run (or of a child flow) may prompt on the terminal."""
    from flowscript.execution.checkpoints.session import is_terminal

    if interactive is False:
        return False
    if interactive is None and not (is_terminal(sys.stdin) and is_terminal(sys.stdout)):
        return False
    return _has_checkpoint(plan, set())


def run_exit_code(state: ExecutionState, error: NodeError | None) -> ExitCode:
    """0 completed, 1 failed, 3 paused at a checkpoint."""
    if error is not None:
        return ExitCode.RUN_FAILED
    if state.status.value == "paused":
        return ExitCode.PAUSED
    return ExitCode.OK


def echo_paused(state: ExecutionState, resume_hint: str | None) -> None:
    """Say which checkpoint the run waits on and print the command that answers it.

    Args:
        state: the paused run.
        resume_hint: the command that resumes the run (``None``: its state was not saved).
    """
    pending = state.pending_checkpoint or {}
    node = str(pending.get("node", "?"))
    prompt = pending.get("prompt")
    click.echo(f"  waiting at checkpoint {node!r}" + (f": {prompt}" if prompt else ""))
    choices = [str(a.get("id")) for a in pending.get("actions", []) if isinstance(a, dict)]
    if choices:
        click.echo(f"  choices: {', '.join(choices)}" + (", input:TEXT" if _input(pending) else ""))
    answer = "--answer " + shlex.quote(f"{node}=approve")
    if resume_hint is None:
        click.echo(f"  its state was not saved (--no-state): run it again with {answer}")
    else:
        click.echo(f"  answer it with: {resume_hint} {answer}")


def _input(pending: dict[str, object]) -> bool:
    return bool(pending.get("allowInput"))


def _has_checkpoint(plan: ExecutionPlan, seen: set[int]) -> bool:
    from flowscript.model import CheckpointSpec

    if id(plan) in seen:
        return False
    seen.add(id(plan))
    if any(isinstance(node, CheckpointSpec) for node in plan.workflow.walk()):
        return True
    return any(_has_checkpoint(child, seen) for child in plan.children.values())
