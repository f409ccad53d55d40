"""``flowscript run FILE``: execute a workflow (cli.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

from flowscript.cli._exit import ExitCode
from flowscript.cli.commands._checkpoint import (
    INTERACTIVE_OPTION,
    echo_paused,
    may_prompt,
    run_exit_code,
)
from flowscript.cli.commands._common import FORMAT_OPTION, parse_json_argument, settings
from flowscript.cli.commands._durable import (
    NO_STATE_OPTION,
    STATE_DIR_OPTION,
    echo_interrupted,
    resume_command,
    state_file,
)
from flowscript.cli.commands.submit_cmd import lease_option, parse_seconds, state_option
from flowscript.errors import NodeError

if TYPE_CHECKING:
    from flowscript.execution.options import ExecutionOptions, Observer
    from flowscript.execution.run import PreparedRun

__all__ = ["RunFlags", "execute_and_report", "execution_flags", "run", "run_flags"]


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


def _json_document(
    prepared: PreparedRun, error: NodeError | None, state_path: Path | None = None
) -> dict[str, Any]:
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
        "statePath": None if state_path is None else str(state_path),
        "pendingCheckpoint": state.pending_checkpoint,
        "usage": state.usage,
    }


def _print_summary(
    prepared: PreparedRun,
    error: NodeError | None,
    state_path: Path | None = None,
    resume_hint: str | None = None,
) -> None:
    from flowscript.execution.run import workflow_result
    from flowscript.expressions.values import to_json
    from flowscript.reporting.progress import format_duration

    state = prepared.state
    counts = ", ".join(f"{n} {status}" for status, n in sorted(_node_counts(state).items()))
    mark = "✗" if error is not None else _MARKS.get(state.status.value, "✓")
    click.echo(
        f"{mark} {state.workflow_id} {state.status.value} in {format_duration(state.duration)}"
        f" (run {state.run_id})"
    )
    click.echo(f"  nodes: {counts or 'none'}")
    if state.usage is not None:
        from flowscript.runtimes.ai.usage import describe_usage

        click.echo(f"  ai usage: {describe_usage(state.usage)}")
    if error is not None:
        click.echo(f"  error: node {error.node!r} failed: [{error.type}] {error.message}")
    elif state.status.value == "paused":
        echo_paused(state, resume_hint)
    elif state.status.value == "completed":
        result = to_json(workflow_result(prepared.workflow, state))
        click.echo(f"  result: {result if len(result) <= 500 else result[:497] + '...'}")
    if state_path is not None:
        click.echo(f"  state: {state_path}")


_MARKS: Final = {"paused": "⏸", "cancelled": "⊘"}


@contextlib.contextmanager
def _progress(
    total: int, output_format: str, *, live_display: bool = True
) -> Iterator[list[Observer]]:
    import sys

    options = settings()
    if output_format == "json" or options.quiet:
        yield []
        return
    if live_display and sys.stderr.isatty():
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
    interactive: bool | None = None,
    *,
    state_path: Path | None = None,
    log_path: Path | None = None,
    ai_base_url: str | None = None,
    ai_cache: str | None = None,
) -> ExecutionOptions:
    from flowscript.cli.commands._executor import executor_option_value
    from flowscript.execution.options import ExecutionOptions

    return ExecutionOptions(
        executor=executor_option_value(),  # --executor & co. (kept in the click context)
        max_concurrency=concurrency,
        schedule=schedule,  # type: ignore[arg-type]
        timeout=timeout,
        answers=answers or None,
        observers=tuple(observers),
        root=Path(root) if root else None,
        interactive=interactive,
        persistence_path=state_path,
        log_path=log_path,
        ai_base_url=ai_base_url,
        ai_cache=ai_cache,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFlags:
    """The execution flags ``run`` and ``resume`` share (see :func:`execution_flags`)."""

    concurrency: int | None = None
    schedule: str | None = None
    timeout: str | None = None
    answers: Mapping[str, str] | None = None
    interactive: bool | None = None
    root: str | None = None
    ai_base_url: str | None = None
    ai_cache: str | None = None
    host: Callable[[PreparedRun, ExecutionOptions], Coroutine[Any, Any, Any]] | None = None
    """Executes the run instead of ``prepared.execute`` (``--state``: under a lease)."""


def execution_flags(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the execution flags shared by ``run`` and ``resume`` to a click command."""
    from flowscript.cli.commands._executor import EXECUTOR_OPTIONS

    for option in reversed((*_EXECUTION_OPTIONS, *EXECUTOR_OPTIONS)):
        command = option(command)
    return command


def run_flags(
    concurrency: int | None,
    schedule: str | None,
    timeout: str | None,
    answer_items: tuple[str, ...],
    interactive: bool | None,
    root: str | None,
    *,
    ai_base_url: str | None = None,
    ai_cache: str | None = None,
) -> RunFlags:
    """The :class:`RunFlags` of the parsed execution flags."""
    return RunFlags(
        concurrency=concurrency,
        schedule=schedule,
        timeout=timeout,
        answers=_assignments(answer_items, "--answer"),
        interactive=interactive,
        root=root,
        ai_base_url=ai_base_url,
        ai_cache=ai_cache,
    )


def execute_and_report(
    prepared: PreparedRun,
    flags: RunFlags,
    *,
    output_format: str,
    state_path: Path | None,
    log_path: Path | None,
    resume_hint: str | None,
    extra_json: Mapping[str, Any] | None = None,
) -> int:
    """Execute a prepared run with progress, print its summary or JSON, return the exit code.

    Args:
        prepared: the workflow, plan and state to run.
        flags: the execution flags.
        output_format: ``text`` or ``json``.
        state_path: where the state is persisted (``None``: not persisted).
        log_path: the workflow file receiving the execution log (``None``: no log).
        resume_hint: the command that resumes this run, printed when a signal interrupts it.
        extra_json: more keys for the JSON document (``resume`` adds its plan).
    """
    from flowscript.cli._redact import redacted_output

    with redacted_output(prepared.state.secrets):
        return _execute_and_report(
            prepared,
            flags,
            output_format=output_format,
            state_path=state_path,
            log_path=log_path,
            resume_hint=resume_hint,
            extra_json=extra_json,
        )


def _freeze_prepared_objects() -> None:
    """Take everything alive now (modules, the parsed workflow, the plan) off the garbage
    collector's full passes for the rest of this process.

    ``run`` and ``resume`` own their process, which ends with the run, and those objects live
    until then. A full pass over a 20,000-node plan takes ≈ 0.45 s and fires during large runs;
    freezing took a 20,000-node CLI run from 4.9 s to 3.7 s. (Library callers are left alone:
    freezing is process-wide.)
    """
    import gc

    gc.freeze()


def _execute_and_report(
    prepared: PreparedRun,
    flags: RunFlags,
    *,
    output_format: str,
    state_path: Path | None,
    log_path: Path | None,
    resume_hint: str | None,
    extra_json: Mapping[str, Any] | None,
) -> int:
    from flowscript.cli._signals import RunInterrupted, run_interruptible

    error: NodeError | None = None
    interrupted: RunInterrupted | None = None
    live = not may_prompt(prepared.plan, flags.interactive)  # a live display would redraw prompts
    # A resumed run reports only the nodes it runs, so its bar can reach 100 %.
    with _progress(prepared.nodes_to_run, output_format, live_display=live) as observers:
        options = _options(
            observers,
            flags.concurrency,
            flags.schedule,
            flags.timeout,
            dict(flags.answers or {}),
            flags.root,
            flags.interactive,
            state_path=state_path,
            log_path=log_path,
            ai_base_url=flags.ai_base_url,
            ai_cache=flags.ai_cache,
        )
        try:
            host = flags.host
            main = prepared.execute(options) if host is None else host(prepared, options)
            _freeze_prepared_objects()
            run_interruptible(main)
        except NodeError as failure:
            error = failure
        except RunInterrupted as signal:
            interrupted = signal
    if output_format == "json":
        from flowscript.cli.commands._common import echo_json

        echo_json({**_json_document(prepared, error, state_path), **(extra_json or {})})
    else:
        _print_summary(prepared, error, state_path, resume_hint)
    if interrupted is not None:
        echo_interrupted(interrupted.signal_name, prepared.state, resume_hint)
        return ExitCode.INTERRUPTED
    return run_exit_code(prepared.state, error)


_EXECUTION_OPTIONS: Final = (
    click.option("--concurrency", type=click.IntRange(min=1), help="Max nodes running at once."),
    click.option("--schedule", type=click.Choice(["eager", "waves"]), help="Scheduling mode."),
    click.option("--timeout", metavar="DURATION", help="Run deadline, e.g. 30s or 5m."),
    click.option(
        "--answer",
        "answer_items",
        multiple=True,
        metavar="NODE=ACTION[:TEXT]",
        help="Pre-answer a checkpoint (repeatable).",
    ),
    INTERACTIVE_OPTION,
    click.option("--root", type=click.Path(file_okay=False), help="Base folder for file paths."),
    click.option("--env-file", type=click.Path(dir_okay=False), help="Extra secrets file."),
    click.option(
        "--ai-base-url",
        metavar="URL",
        help="AI endpoint (OpenAI-compatible) for nodes without base-url "
        "[default: $FLOWSCRIPT_AI_BASE_URL, else OpenRouter].",
    ),
    click.option(
        "--ai-cache",
        type=click.Path(file_okay=False),
        help="Record AI responses in DIR and replay them [default: $FLOWSCRIPT_AI_CACHE].",
    ),
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
@execution_flags
@STATE_DIR_OPTION
@NO_STATE_OPTION
@state_option(required=False)
@lease_option(
    "With --state: how long this process holds the run without renewing it (every "
    "third); if it dies, a `serve` coordinator takes the run over once it runs out."
)
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
    interactive: bool | None,
    root: str | None,
    env_file: str | None,
    ai_base_url: str | None,
    ai_cache: str | None,
    state_dir: str | None,
    no_state: bool,
    state_url: str | None,
    lease_text: str,
    no_log: bool,
    output_format: str,
) -> int:
    """Run the workflow FILE.

    The run's state is saved in .flowscript/runs (see --state-dir), so a failed or
    interrupted run can be resumed; its execution log is written into FILE.
    """
    from flowscript.execution.run import prepare_run

    prepared = prepare_run(
        file,
        config=_assignments(config_items, "--config"),
        input=parse_json_argument(input_json, "--input") if input_json else None,
        env_file=env_file,
        ai_base_url=ai_base_url,
    )
    if dry_run:
        _print_plan(prepared)
        return ExitCode.OK
    flags = run_flags(
        concurrency,
        schedule,
        timeout,
        answer_items,
        interactive,
        root,
        ai_base_url=ai_base_url,
        ai_cache=ai_cache,
    )
    state = prepared.state
    if state_url is not None and not no_state:  # the shared store (docs/coordinators.md)
        lease = parse_seconds(lease_text, "--lease")
        return _run_on_shared_state(prepared, flags, state_url, lease, config_items, file,
                                    no_log, output_format)  # fmt: skip
    return execute_and_report(
        prepared,
        flags,
        output_format=output_format,
        state_path=None if no_state else state_file(state, state_dir),
        log_path=None if no_log else Path(file),
        resume_hint=None if no_state else resume_command(state.run_id, state_dir),
    )


def _run_on_shared_state(
    prepared: PreparedRun,
    flags: RunFlags,
    state_url: str,
    lease: float,
    config_items: tuple[str, ...],
    file: str,
    no_log: bool,
    output_format: str,
) -> int:
    """``run --state URL``: the run's state goes to the shared store, under a lease."""
    import dataclasses
    import functools

    from flowscript.cli.commands.submit_cmd import state_resume_command
    from flowscript.coordination.local import host_new_run, submission_of

    submission = submission_of(prepared, _assignments(config_items, "--config"))
    host = functools.partial(host_new_run, state_url, submission, lease=lease)
    return execute_and_report(
        prepared,
        dataclasses.replace(flags, host=host),
        output_format=output_format,
        state_path=None,
        log_path=None if no_log else Path(file),
        resume_hint=state_resume_command(prepared.state.run_id, state_url),
    )
