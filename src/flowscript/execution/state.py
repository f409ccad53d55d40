"""Run state: the record of one run that persistence saves and resume restores (execution.md §9.1).

Field names follow the spec in Python style (``nodeResults`` → ``node_results``). The executor is
the only writer: runtimes never touch the state (execution.md §4.4). Times are epoch
milliseconds; durations are milliseconds.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flowscript.errors import NodeError

__all__ = [
    "ExecutionState",
    "NodeResult",
    "NodeStatus",
    "RunStatus",
    "create_execution_state",
    "error_to_dict",
]


class RunStatus(StrEnum):
    """Status of a whole run."""

    PENDING = "pending"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class NodeStatus(StrEnum):
    """Status of one node's latest run (execution.md §3.2)."""

    SUCCESS = "success"
    FAILED = "failed"
    SKIPPED = "skipped"
    RECOVERED = "recovered"
    PENDING = "pending"
    RUNNING = "running"

    @property
    def succeeded(self) -> bool:
        """True for ``success`` and ``recovered``: the node has an output others may read."""
        return self in (NodeStatus.SUCCESS, NodeStatus.RECOVERED)


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeResult:
    """The record of one node's latest run.

    Attributes:
        status: final status of the run of the node.
        output: the node's output (``None`` unless it succeeded).
        error: ``{type, message, retryable, status?, node, attempts, details?}`` when failed.
        started_at: epoch ms when the node started (for skipped nodes: when it was skipped).
        completed_at: epoch ms when it finished.
        duration: ``completed_at - started_at`` in milliseconds.
        attempts: runtime attempts made (0 for nodes that never ran, 1 for control nodes).
        fallback: id of the fallback node whose output this is (``recovered``) or, on a
            fallback's own record, the node it stood in for (``fallbackFor``).
        usage: AI token usage, when the runtime reports it.
        details: extra data, such as ``{"cancelled": true, "reason": "parallel"}`` for a node
            cancelled because its parallel branch lost, or ``{"interrupted": true}`` for a
            control node whose body was stopped by a failure elsewhere.
    """

    status: NodeStatus
    output: Any = None
    error: dict[str, Any] | None = None
    started_at: int = 0
    completed_at: int = 0
    duration: int = 0
    attempts: int = 1
    fallback: str | None = None
    usage: dict[str, Any] | None = None
    details: dict[str, Any] | None = None


@dataclass(slots=True, kw_only=True)
class ExecutionState:
    """The mutable state of one run (execution.md §9.1).

    Attributes:
        workflow_id: the workflow's ``name``.
        run_id: UUID4 unless given.
        status: run status.
        current_wave: the highest root wave a node was started in (−1 before any).
        started_at / completed_at: epoch ms (0 until set).
        node_results: node id → latest result, in first-recorded order. Nodes of an
            ``<include>``/``<call>`` child are keyed ``<call-id>/<node-id>``.
        global_context: variables set by ``<context>``/``<set>`` at the top level.
        phase_context: variables set inside top-level ``<phase>`` elements.
        node_context: node id → ``{"output": …}`` for every node that succeeded.
        config: effective config.
        secrets: secret values (in memory only: never persisted).
        input: the workflow input (after schema defaults), kept so a resumed run sees it.
        error: the run's error ``{type, message, node, …}`` when it failed.
        pending_checkpoint: the checkpoint a paused run waits on.
        workflow_path / workflow_hash: the file that ran and the SHA-256 of its text before
            the execution-log section.
        node_hashes: node id → short hash of the node's source text (resume names the nodes
            that changed since the run started).
        usage: AI token usage of this run — every node, attempt and loop iteration — or
            ``None`` when no runtime reported any (``NodeResult.usage`` keeps a node's latest
            run only). Kept in memory: the state file does not carry it.
    """

    workflow_id: str
    run_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status: RunStatus = RunStatus.PENDING
    current_wave: int = -1
    started_at: int = 0
    completed_at: int = 0
    node_results: dict[str, NodeResult] = field(default_factory=dict)
    global_context: dict[str, Any] = field(default_factory=dict)
    phase_context: dict[str, Any] = field(default_factory=dict)
    node_context: dict[str, dict[str, Any]] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    input: Any = None
    error: dict[str, Any] | None = None
    pending_checkpoint: dict[str, Any] | None = None
    workflow_path: str | None = None
    workflow_hash: str | None = None
    node_hashes: dict[str, str] = field(default_factory=dict)
    usage: dict[str, Any] | None = None

    def __repr__(self) -> str:
        """A short summary: never the secrets, and not the whole run (a repr of every result
        would cost milliseconds on large runs, and ``asyncio.run`` formats its result's repr)."""
        error = None if self.error is None else self.error.get("type")
        return (
            f"ExecutionState(workflow_id={self.workflow_id!r}, run_id={self.run_id!r}, "
            f"status={self.status.value!r}, current_wave={self.current_wave}, "
            f"node_results=<{len(self.node_results)} results>, error={error!r})"
        )

    def output_of(self, node_id: str) -> Any:
        """The output of ``node_id`` when it succeeded, else ``None``."""
        result = self.node_results.get(node_id)
        if result is None or not result.status.succeeded:
            return None
        return result.output

    @property
    def duration(self) -> int:
        """Run duration in milliseconds (0 until the run completed)."""
        if not self.completed_at or not self.started_at:
            return 0
        return self.completed_at - self.started_at


def create_execution_state(
    workflow_id: str,
    *,
    run_id: str | None = None,
    config: Mapping[str, Any] | None = None,
    secrets: Mapping[str, str] | None = None,
    global_context: Mapping[str, Any] | None = None,
    input: Any = None,
) -> ExecutionState:
    """A fresh ``pending`` state for a run of ``workflow_id``.

    Args:
        workflow_id: the workflow's name.
        run_id: a run id to reuse; a new UUID4 otherwise.
        config: the effective config.
        secrets: secret values (kept in memory only).
        global_context: initial top-level variables.
        input: the workflow input.
    """
    if not isinstance(workflow_id, str):
        raise TypeError("workflow_id must be a string")
    state = ExecutionState(
        workflow_id=workflow_id,
        config=dict(config or {}),
        secrets=dict(secrets or {}),
        global_context=dict(global_context or {}),
        input=input,
    )
    if run_id is not None:
        state.run_id = run_id
    return state


def error_to_dict(error: NodeError, *, attempts: int = 1) -> dict[str, Any]:
    """The state form of a node error: ``{type, message, retryable, status?, node, attempts,
    details?}`` (execution.md §3.2)."""
    data: dict[str, Any] = {
        "type": error.type,
        "message": error.message,
        "retryable": error.retryable,
        "node": error.node,
        "attempts": attempts,
    }
    if error.status is not None:
        data["status"] = error.status
    if error.details:
        data["details"] = dict(error.details)
    if error.cause is not None:
        data["cause"] = error_to_dict(error.cause, attempts=attempts)
    return data
