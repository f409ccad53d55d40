"""Run state in the CLI, shared by ``run``, ``resume`` and ``runs`` (cli.md, execution.md §9).

The CLI persists every run by default to ``.flowscript/runs/<workflow>/<runId>.json`` under
the current directory (``--state-dir`` moves the folder, ``--no-state`` turns it off) and logs
into the workflow file unless ``--no-log``. When a signal interrupts a run, it says how to
resume it.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from flowscript.execution.state import ExecutionState

__all__ = [
    "NO_STATE_OPTION",
    "STATE_DIR_OPTION",
    "echo_interrupted",
    "resume_command",
    "state_file",
]

STATE_DIR_OPTION = click.option(
    "--state-dir",
    type=click.Path(file_okay=False),
    help="Folder of the run state files (default: .flowscript/runs).",
)
NO_STATE_OPTION = click.option("--no-state", is_flag=True, help="Do not persist the run state.")


def state_file(state: ExecutionState, state_dir: str | None) -> Path:
    """Where the CLI keeps ``state``: ``<state_dir>/<workflow>/<runId>.json`` (absolute)."""
    from flowscript.persistence.paths import get_state_path

    return get_state_path(state.workflow_id, state.run_id, state_dir).absolute()


def resume_command(run: str, state_dir: str | None) -> str:
    """The shell command that resumes ``run`` (a run id or a state file path)."""
    words = ["flowscript", "resume", run]
    if state_dir is not None:
        words += ["--state-dir", state_dir]
    return shlex.join(words)


def echo_interrupted(signal_name: str, state: ExecutionState, command: str | None) -> None:
    """Tell (on stderr) that a signal cancelled the run, and how to resume it."""
    click.echo(f"interrupted by {signal_name}: run {state.run_id} was cancelled", err=True)
    if command is None:
        click.echo("  its state was not saved (--no-state), so it cannot be resumed", err=True)
    else:
        click.echo(f"  resume it with: {command}", err=True)
