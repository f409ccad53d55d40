"""Finding persisted runs in a state folder (``flowscript runs``, ``flowscript resume RUN``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowscript.errors import StateError, format_list
from flowscript.persistence.paths import STATE_SUFFIX, default_state_dir, safe_file_name
from flowscript.persistence.store import read_state

if TYPE_CHECKING:  # imported late at run time: see flowscript.persistence.codec
    from flowscript.execution.state import ExecutionState

__all__ = ["INVALID_STATUS", "RunSummary", "find_run", "list_runs"]

INVALID_STATUS = "invalid"
""":attr:`RunSummary.status` of a state file that cannot be read."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunSummary:
    """One persisted run, as ``flowscript runs`` lists it.

    Attributes:
        run_id: the run id (the file name for an unreadable file).
        workflow: the workflow name (the folder name for an unreadable file).
        status: the run status, or ``invalid`` when the file cannot be read.
        started_at: epoch ms when the run started (``None`` when unknown).
        duration_ms: run duration in ms (``None`` until the run finished).
        failed_node: the node whose failure failed the run.
        pending_checkpoint: the checkpoint a paused run waits on.
        state_path: the state file.
        problem: why the file cannot be read (only for ``invalid``).
    """

    run_id: str
    workflow: str
    status: str
    started_at: int | None
    duration_ms: int | None
    failed_node: str | None
    pending_checkpoint: str | None
    state_path: Path
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``runs --format json`` object (cli.md), plus ``problem`` when set."""
        data: dict[str, Any] = {
            "runId": self.run_id,
            "workflow": self.workflow,
            "status": self.status,
            "startedAt": self.started_at,
            "durationMs": self.duration_ms,
            "failedNode": self.failed_node,
            "pendingCheckpoint": self.pending_checkpoint,
            "statePath": str(self.state_path),
        }
        if self.problem is not None:
            data["problem"] = self.problem
        return data


def list_runs(
    state_dir: str | os.PathLike[str] | None = None, *, workflow: str | None = None
) -> list[RunSummary]:
    """Every run persisted in ``state_dir``, newest first.

    Args:
        state_dir: the state folder; the default ``.flowscript/runs`` when ``None``.
        workflow: only the runs of this workflow name.

    Returns:
        One summary per state file; unreadable files are listed with status ``invalid``.
    """
    summaries = [_summarize(path) for path in _state_files(_base(state_dir), workflow)]
    return sorted(summaries, key=_newest_first)


def find_run(
    run_id_or_path: str | os.PathLike[str], state_dir: str | os.PathLike[str] | None = None
) -> Path:
    """The state file of a run given by path, run id, or unique run-id prefix.

    Raises:
        StateError: no run matches, or a prefix matches several runs.
    """
    candidate = Path(run_id_or_path)
    if candidate.is_file():
        return candidate
    base = _base(state_dir)
    name = safe_file_name(os.fspath(run_id_or_path))
    files = list(_state_files(base, None))
    matches = [path for path in files if path.stem == name]
    if not matches:
        matches = [path for path in files if path.stem.startswith(name)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise StateError(f"no run {os.fspath(run_id_or_path)!r} in {base}")
    shown = format_list([f"{path.parent.name}/{path.stem}" for path in sorted(matches)])
    raise StateError(f"run id {os.fspath(run_id_or_path)!r} is ambiguous in {base}: {shown}")


def _base(state_dir: str | os.PathLike[str] | None) -> Path:
    return Path(state_dir) if state_dir is not None else default_state_dir()


def _state_files(base: Path, workflow: str | None) -> list[Path]:
    if workflow is not None:
        folders = [base / safe_file_name(workflow)]
    elif base.is_dir():
        folders = [path for path in base.iterdir() if path.is_dir()]
    else:
        folders = []
    return [
        path
        for folder in folders
        if folder.is_dir()
        for path in folder.glob("*" + STATE_SUFFIX)
        if not path.name.startswith(".") and path.is_file()
    ]


def _summarize(path: Path) -> RunSummary:
    try:
        state = read_state(path)
    except StateError as exc:
        return RunSummary(
            run_id=path.stem,
            workflow=path.parent.name,
            status=INVALID_STATUS,
            started_at=None,
            duration_ms=None,
            failed_node=None,
            pending_checkpoint=None,
            state_path=path,
            problem=str(exc),
        )
    return RunSummary(
        run_id=state.run_id,
        workflow=state.workflow_id,
        status=state.status.value,
        started_at=state.started_at or None,
        duration_ms=state.duration if state.completed_at else None,
        failed_node=_failed_node(state),
        pending_checkpoint=_pending_node(state),
        state_path=path,
    )


def _failed_node(state: ExecutionState) -> str | None:
    if state.error is not None and isinstance(state.error.get("node"), str):
        node: str = state.error["node"]
        return node
    for node_id, result in state.node_results.items():
        if result.status.value == "failed":
            return node_id
    return None


def _pending_node(state: ExecutionState) -> str | None:
    pending = state.pending_checkpoint
    if pending is None:
        return None
    node = pending.get("node")
    return node if isinstance(node, str) else None


def _newest_first(summary: RunSummary) -> tuple[int, str]:
    started = summary.started_at
    if started is None:
        try:
            started = int(summary.state_path.stat().st_mtime * 1000)
        except OSError:
            started = 0
    return (-started, summary.run_id)
