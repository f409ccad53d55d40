"""``flowscript runs [FILE]``: list the persisted runs, newest first (cli.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from flowscript.cli.commands._common import FORMAT_OPTION, echo_json
from flowscript.cli.commands._durable import STATE_DIR_OPTION
from flowscript.cli.commands.submit_cmd import state_option

if TYPE_CHECKING:
    from collections.abc import Sequence

    from flowscript.persistence.postgres import StoredRunSummary
    from flowscript.persistence.runs import RunSummary

__all__ = ["runs"]

_HEADERS = ("RUN ID", "WORKFLOW", "STATUS", "STARTED (UTC)", "DURATION", "NODE")


@click.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@STATE_DIR_OPTION
@state_option(required=False)
@click.option(
    "--log", "show_log", is_flag=True, help="With --state URL RUN: print RUN's execution log."
)
@FORMAT_OPTION
def runs(
    file: str | None,
    state_dir: str | None,
    state_url: str | None,
    show_log: bool,
    output_format: str,
) -> int:
    """List persisted runs, newest first.

    Runs are read from .flowscript/runs (or --state-dir), or from the shared store
    (--state URL); with FILE, only that workflow's runs. With --state URL RUN --log:
    the execution log of RUN, rendered from the store.
    """
    from flowscript.persistence.paths import default_state_dir
    from flowscript.persistence.runs import list_runs

    if show_log:
        if state_url is None or file is None:
            raise click.UsageError("--log needs --state URL and a RUN id")
        return _echo_stored_log(state_url, file, output_format)
    workflow = _workflow_name(file) if file is not None else None
    found: Sequence[RunSummary | StoredRunSummary]
    if state_url is not None:
        found = _stored_runs(state_url, workflow)
    else:
        found = list_runs(state_dir, workflow=workflow)
    if output_format == "json":
        echo_json([summary.to_json() for summary in found])
        return 0
    if not found:
        where = state_dir if state_dir is not None else default_state_dir()
        if state_url is not None:
            from flowscript.persistence.postgres import mask_url

            where = mask_url(state_url)
        click.echo(f"No runs in {where}" + (f" for {workflow}" if workflow else ""))
        return 0
    _echo_table([_row(summary) for summary in found])
    return 0


def _workflow_name(file: str) -> str:
    from flowscript.parser import parse_file

    return parse_file(file).name


def _echo_stored_log(url: str, run_ref: str, output_format: str) -> int:
    from flowscript.cli.commands.submit_cmd import run_db
    from flowscript.coordination.footer import stored_log
    from flowscript.persistence.postgres import Database

    async def render() -> dict[str, Any]:
        async with Database(url, max_size=1) as database:
            return await stored_log(database, run_ref)

    found = run_db(render())
    if output_format == "json":
        echo_json(found)
    else:
        click.echo(found["log"], nl=False)
    return 0


def _stored_runs(url: str, workflow: str | None) -> list[StoredRunSummary]:
    from flowscript.cli.commands.submit_cmd import run_db
    from flowscript.persistence.postgres import Database, list_stored_runs

    async def listing() -> list[StoredRunSummary]:
        async with Database(url, max_size=1) as database:
            return await list_stored_runs(database, workflow=workflow)

    return run_db(listing())


def _row(summary: RunSummary | StoredRunSummary) -> tuple[str, ...]:
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
