"""``flowscript runs [FILE]``: list the persisted runs, newest first (cli.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from flowscript.cli.commands._common import FORMAT_OPTION, echo_json
from flowscript.cli.commands._durable import STATE_DIR_OPTION

if TYPE_CHECKING:
    from flowscript.persistence.runs import RunSummary

__all__ = ["runs"]

_HEADERS = ("RUN ID", "WORKFLOW", "STATUS", "STARTED (UTC)", "DURATION", "NODE")


@click.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@STATE_DIR_OPTION
@FORMAT_OPTION
def runs(file: str | None, state_dir: str | None, output_format: str) -> int:
    """List persisted runs, newest first.

    Runs are read from .flowscript/runs (or --state-dir); with FILE, only that
    workflow's runs.
    """
    from flowscript.persistence.paths import default_state_dir
    from flowscript.persistence.runs import list_runs

    workflow = _workflow_name(file) if file is not None else None
    found = list_runs(state_dir, workflow=workflow)
    if output_format == "json":
        echo_json([summary.to_json() for summary in found])
        return 0
    if not found:
        where = state_dir if state_dir is not None else default_state_dir()
        click.echo(f"No runs in {where}" + (f" for {workflow}" if workflow else ""))
        return 0
    _echo_table([_row(summary) for summary in found])
    return 0


def _workflow_name(file: str) -> str:
    from flowscript.parser import parse_file

    return parse_file(file).name


def _row(summary: RunSummary) -> tuple[str, ...]:
    from flowscript.reporting.progress import format_duration

    node = summary.failed_node or summary.pending_checkpoint or ""
    if summary.problem is not None:
        node = summary.problem
    return (
        summary.run_id,
        summary.workflow,
        summary.status,
        _started(summary.started_at),
        format_duration(summary.duration_ms) if summary.duration_ms is not None else "-",
        node or "-",
    )


def _started(epoch_ms: int | None) -> str:
    if epoch_ms is None:
        return "-"
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def _echo_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in [_HEADERS, *rows]) for i in range(len(_HEADERS))]
    for row in [_HEADERS, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        click.echo("  ".join(cells).rstrip())
