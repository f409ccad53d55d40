"""``flowscript run FILE``: execute a workflow (cli.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from flowscript.cli._exit import ExitCode
from flowscript.cli.commands._common import FORMAT_OPTION, parse_json_argument, settings
from flowscript.errors import NodeError

if TYPE_CHECKING:
    from flowscript.execution.options import ExecutionOptions, Observer
    from flowscript.execution.run import PreparedRun

__all__ = ["run"]


def _assignments(items: tuple[str, ...], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint=option)
        pairs[key.strip()] = value
    return pairs


def _print_plan(prepared: PreparedRun) -> None:
    description = prepared.plan.describe()
    click.echo(f"Plan for {prepared.workflow.name} ({len(description['nodes'])} nodes)")
    for index, wave in enumerate(description["waves"]):
        click.echo(f"  wave {index}:")
        for node_id in wave:
            node = description["nodes"][node_id]
            deps = ", ".join(node["dependencies"]) or "-"
            click.echo(f"    {node_id}  [{node['kind']}]  depends on: {deps}")
    click.echo("Dry run: nothing was executed or written.")


def _node_counts(state: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in state.node_results.values():
        counts[result.status.value] = counts.get(result.status.value, 0) + 1
    return counts


def _json_document(prepared: PreparedRun, error: NodeError | None) -> dict[str, Any]:
    from flowscript.execution.run import workflow_result

    state = prepared.state
    nodes = {
        node_id: {
            "status": result.status.value,
            "durationMs": result.duration,
            "attempts": result.attempts,
            "error": result.error,
            "usage": result.usage,
        }
        for node_id, result in state.node_results.items()
    }
    outputs = {
        node_id: result.output
        for node_id, result in state.node_results.items()
        if result.status.succeeded
    }
    return {
        "runId": state.run_id,
        "workflow": state.workflow_id,
        "status": state.status.value,
        "durationMs": state.duration,
        "result": workflow_result(prepared.workflow, state),
        "outputs": outputs,
        "nodes": nodes,
        "error": None
        if error is None
        else {"node": error.node, "type": error.type, "message": error.message},
        "statePath": None,
        "pendingCheckpoint": state.pending_checkpoint,
    }


def _print_summary(prepared: PreparedRun, error: NodeError | None) -> None:
    from flowscript.execution.run import workflow_result
    from flowscript.expressions.values import to_json
    from flowscript.reporting.progress import format_duration

    state = prepared.state
    counts = ", ".join(f"{n} {status}" for status, n in sorted(_node_counts(state).items()))
    mark = "✓" if error is None else "✗"
    click.echo(
        f"{mark} {state.workflow_id} {state.status.value} in {format_duration(state.duration)}"
        f" (run {state.run_id})"
    )
    click.echo(f"  nodes: {counts or 'none'}")
    if error is not None:
        click.echo(f"  error: node {error.node!r} failed: [{error.type}] {error.message}")
    else:
        result = to_json(workflow_result(prepared.workflow, state))
        click.echo(f"  result: {result if len(result) <= 500 else result[:497] + '...'}")


@contextlib.contextmanager
def _progress(total: int, output_format: str) -> Iterator[list[Observer]]:
    import sys

    options = settings()
    if output_format == "json" or options.quiet:
        yield []
        return
    if sys.stderr.isatty():
        from flowscript.reporting.progress import LiveProgress

        with LiveProgress(total, color=options.color) as live:
            yield [live]
        return
    from flowscript.reporting.progress import PlainProgress

    yield [PlainProgress(verbose=options.verbose)]


def _options(
    observers: list[Observer],
    concurrency: int | None,
    schedule: str | None,
    timeout: str | None,
    answers: dict[str, str],
    root: str | None,
) -> ExecutionOptions:
    from flowscript.execution.options import ExecutionOptions

    return ExecutionOptions(
        max_concurrency=concurrency,
        schedule=schedule,  # type: ignore[arg-type]
        timeout=timeout,
        answers=answers or None,
        observers=tuple(observers),
        root=Path(root) if root else None,
    )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "-c",
    "--config",
    "config_items",
    multiple=True,
    metavar="KEY=VALUE",
    help="Config override (repeatable); the value is read as JSON when it parses.",
)
@click.option("--input", "input_json", metavar="JSON|@FILE", help="The workflow input.")
@click.option("--dry-run", is_flag=True, help="Validate and print the plan; run nothing.")
@click.option("--concurrency", type=click.IntRange(min=1), help="Max nodes running at once.")
@click.option("--schedule", type=click.Choice(["eager", "waves"]), help="Scheduling mode.")
@click.option("--timeout", metavar="DURATION", help="Run deadline, e.g. 30s or 5m.")
@click.option(
    "--answer",
    "answer_items",
    multiple=True,
    metavar="NODE=ACTION[:TEXT]",
    help="Pre-answer a checkpoint (repeatable).",
)
@click.option("--root", type=click.Path(file_okay=False), help="Base folder for file paths.")
@click.option("--env-file", type=click.Path(dir_okay=False), help="Extra secrets file.")
@click.option("--no-log", is_flag=True, help="Do not write the execution log into the file.")
@FORMAT_OPTION
def run(
    file: str,
    config_items: tuple[str, ...],
    input_json: str | None,
    dry_run: bool,
    concurrency: int | None,
    schedule: str | None,
    timeout: str | None,
    answer_items: tuple[str, ...],
    root: str | None,
    env_file: str | None,
    no_log: bool,
    output_format: str,
) -> int:
    """Run the workflow FILE."""
    from flowscript.execution.run import prepare_run

    prepared = prepare_run(
        file,
        config=_assignments(config_items, "--config"),
        input=parse_json_argument(input_json, "--input") if input_json else None,
        env_file=env_file,
    )
    if dry_run:
        _print_plan(prepared)
        return ExitCode.OK
    import asyncio

    error: NodeError | None = None
    with _progress(len(prepared.plan.node_ids), output_format) as observers:
        options = _options(
            observers, concurrency, schedule, timeout, _assignments(answer_items, "--answer"), root
        )
        try:
            asyncio.run(prepared.execute(options))
        except NodeError as failure:
            error = failure
    if output_format == "json":
        from flowscript.cli.commands._common import echo_json

        echo_json(_json_document(prepared, error))
    else:
        _print_summary(prepared, error)
    return ExitCode.OK if error is None else ExitCode.RUN_FAILED
