"""The execution log written into the workflow file's footer after every run (format.md §4).

:func:`format_execution_log` builds the section; :func:`append_execution_log` puts it into the
file in place of the previous one, carrying over the previous Recent Runs rows. Layout::

    ---

    ## Execution Log

    **Run ID:** `<runId>`
    **Workflow:** <name>
    **Timestamp:** <run start, UTC ISO-8601 with milliseconds and Z>
    **Duration:** <seconds, 2 decimals>s
    **Status:** <status>
    **Waves:** <waves started>
    **Error:** <message>                      (failed runs only)
    **AI Usage:** <tokens, cost, requests>    (runs whose nodes reported AI usage only)

    ### Node Results

    | Node | Status | Duration | Output |
    |------|--------|----------|--------|
    | <id> | <status> | <seconds>s | <cell> |

    ### Recent Runs

    | Run ID | Timestamp | Status | Duration |
    |--------|-----------|--------|----------|
    | <runId> | <timestamp> | <status> | <seconds>s |

Numbers are formatted as JavaScript's ``toFixed(2)`` does (so logs match the ones the first
FlowScript wrote); secret values are replaced by ``***``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Final

from flowscript.errors import ExecutionLogError
from flowscript.execution.redaction import Redactor
from flowscript.execution.state import ExecutionState, NodeResult, NodeStatus, RunStatus
from flowscript.expressions.values import UNDEFINED, to_json
from flowscript.persistence.atomic import write_atomic
from flowscript.reporting._footer import (
    RecentRun,
    find_log_section,
    parse_recent_runs,
    replace_log_section,
)

__all__ = [
    "MAX_OUTPUT_CELL",
    "MAX_RECENT_RUNS",
    "RecentRun",
    "append_execution_log",
    "format_execution_log",
    "recent_run",
]

MAX_RECENT_RUNS: Final = 10
MAX_OUTPUT_CELL: Final = 50
_CENTS: Final = Decimal("0.01")


def _seconds(milliseconds: float) -> str:
    """``(ms / 1000).toFixed(2)``: the exact binary value rounded half up, like JavaScript."""
    return str(Decimal(milliseconds / 1000).quantize(_CENTS, rounding=ROUND_HALF_UP))


def _iso_utc(epoch_ms: int) -> str:
    """``new Date(ms).toISOString()``: ``2024-05-01T10:00:00.000Z``."""
    seconds, millis = divmod(int(epoch_ms), 1000)
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        moment = datetime.fromtimestamp(0, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}Z"


def _one_line(text: str) -> str:
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def _output_cell(result: NodeResult) -> str:
    if result.status is NodeStatus.FAILED and result.error is not None:
        text = f"Error: {result.error.get('message', '')}"
    elif result.output is None or result.output is UNDEFINED:
        text = "-"
    else:
        text = to_json(result.output)
    cell = _one_line(text).replace("|", "\\|")
    if len(cell) > MAX_OUTPUT_CELL:
        cell = cell[: MAX_OUTPUT_CELL - 3] + "..."
    return cell


def _node_order(state: ExecutionState) -> list[str]:
    """Node ids by start time, each rescued node followed by its fallback (and its chain)."""
    results = state.node_results
    by_start = sorted(results, key=lambda node_id: results[node_id].started_at)
    follower = {
        node_id: result.fallback
        for node_id, result in results.items()
        if result.status is NodeStatus.RECOVERED
        and result.fallback in results
        and result.fallback != node_id
    }
    followers = set(follower.values())
    order: list[str] = []
    seen: set[str] = set()

    def emit(node_id: str | None) -> None:
        while node_id is not None and node_id not in seen:
            seen.add(node_id)
            order.append(node_id)
            node_id = follower.get(node_id)

    for node_id in by_start:
        if node_id not in followers:
            emit(node_id)
    for node_id in by_start:  # only fallbacks in a cycle of rescues are left
        emit(node_id)
    return order


def _run_error(state: ExecutionState) -> str:
    if state.error is not None and state.error.get("message"):
        return str(state.error["message"])
    for result in state.node_results.values():
        if result.status is NodeStatus.FAILED and result.error is not None:
            return str(result.error.get("message", ""))
    return "the run failed"


def _current_run(state: ExecutionState) -> RecentRun:
    return recent_run(state.run_id, state.started_at, state.status.value, state.duration)


def recent_run(run_id: str, started_at: int, status: str, duration: int) -> RecentRun:
    """A Recent Runs row, its time and duration formatted as the log writes them.

    Args:
        run_id: the run.
        started_at: epoch milliseconds.
        status: the run's status value.
        duration: milliseconds.
    """
    return RecentRun(
        run_id=run_id,
        timestamp=_iso_utc(started_at),
        status=status,
        duration=_seconds(duration) + "s",
    )


def _summary(state: ExecutionState, workflow_name: str | None, waves: int | None) -> list[str]:
    """The lines from ``---`` to ``**Waves:**`` (and ``**Error:**`` for a failed run)."""
    name = state.workflow_id if workflow_name is None else workflow_name
    started = max(state.current_wave + 1, 0) if waves is None else waves
    lines = [
        "---",
        "",
        "## Execution Log",
        "",
        f"**Run ID:** `{state.run_id}`",
        f"**Workflow:** {_one_line(name)}",
        f"**Timestamp:** {_iso_utc(state.started_at)}",
        f"**Duration:** {_seconds(state.duration)}s",
        f"**Status:** {state.status.value}",
        f"**Waves:** {started}",
    ]
    if state.status is RunStatus.FAILED:
        lines.append(f"**Error:** {_one_line(_run_error(state))}")
    if state.usage is not None:  # runs with AI nodes only: other logs keep their layout
        from flowscript.runtimes.ai.usage import describe_usage

        lines.append(f"**AI Usage:** {describe_usage(state.usage)}")
    return lines


def _node_rows(state: ExecutionState) -> list[str]:
    rows = []
    for node_id in _node_order(state):
        result = state.node_results[node_id]
        node = node_id.replace("|", "\\|")
        duration = _seconds(result.duration)
        rows.append(f"| {node} | {result.status.value} | {duration}s | {_output_cell(result)} |")
    return rows


def _head(state: ExecutionState, workflow_name: str | None, waves: int | None) -> list[str]:
    """The lines of the section up to the Recent Runs rows."""
    return [
        *_summary(state, workflow_name, waves),
        "",
        "### Node Results",
        "",
        "| Node | Status | Duration | Output |",
        "|------|--------|----------|--------|",
        *_node_rows(state),
        "",
        "### Recent Runs",
        "",
        "| Run ID | Timestamp | Status | Duration |",
        "|--------|-----------|--------|----------|",
    ]


def _assemble(head: list[str], current: RecentRun, previous: Sequence[RecentRun]) -> str:
    runs = [current, *(run for run in previous if run.run_id != current.run_id)]
    rows = [run.row() for run in runs[:MAX_RECENT_RUNS]]
    return "\n".join([*head, *rows]) + "\n"


def format_execution_log(
    state: ExecutionState,
    *,
    workflow_name: str | None = None,
    waves: int | None = None,
    recent_runs: Sequence[RecentRun] = (),
) -> str:
    """The execution-log section for ``state`` (LF line endings, ending with a newline).

    Args:
        state: the run's final state.
        workflow_name: the workflow's name (default: ``state.workflow_id``).
        waves: the number of plan waves that were started (default: ``current_wave + 1``).
        recent_runs: earlier runs, newest first; this run is put first (replacing an earlier
            row with the same run id, as a resumed run keeps its id) and the list is cut to
            :data:`MAX_RECENT_RUNS`.
    """
    text = _assemble(_head(state, workflow_name, waves), _current_run(state), recent_runs)
    return Redactor(state.secrets.values()).redact(text)


async def append_execution_log(
    path: str | os.PathLike[str],
    state: ExecutionState,
    *,
    workflow_name: str | None = None,
    waves: int | None = None,
) -> None:
    """Write the execution log of ``state`` into the workflow file at ``path``.

    The previous log section (or an HTML-comment placeholder) is replaced and its Recent Runs
    rows carried over; the text before it is kept byte for byte. The file is rewritten
    atomically (temporary file + rename, keeping its permission bits) while holding an
    exclusive ``flock`` on ``.<name>.lock`` beside it, so concurrent runs of one file never
    lose each other's rows.

    Raises:
        ExecutionLogError: the file could not be read or written, or has no ``</workflow>``.
    """
    head = _head(state, workflow_name, waves)
    current = _current_run(state)
    redactor = Redactor(state.secrets.values())
    target = Path(path)
    try:
        await asyncio.to_thread(_rewrite, target, head, current, redactor)
    except FileNotFoundError as exc:
        raise ExecutionLogError(f"could not write the execution log: no file {target}") from exc
    except (OSError, UnicodeError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ExecutionLogError(f"could not write the execution log to {target}: {reason}") from exc


def _rewrite(path: Path, head: list[str], current: RecentRun, redactor: Redactor) -> None:
    real = Path(os.path.realpath(path))  # a symlinked workflow keeps its link
    with _exclusive_lock(real.with_name(f".{real.name}.lock")):
        text = real.read_bytes().decode("utf-8", "surrogateescape")
        start = find_log_section(text)
        old = "" if start is None else text[start:]
        section = redactor.redact(_assemble(head, current, parse_recent_runs(old)))
        new_text = replace_log_section(text, section)
        mode = real.stat().st_mode & 0o7777
        write_atomic(real, new_text.encode("utf-8", "surrogateescape"), mode=mode)


@contextlib.contextmanager
def _exclusive_lock(lock_path: Path) -> Iterator[None]:
    """Hold ``flock(LOCK_EX)`` on ``lock_path`` (created if needed) for the block."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks; rename is still atomic
        yield
        return
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
