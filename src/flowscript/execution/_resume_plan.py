"""The resume plan: which nodes a resumed run keeps, which run again, and why (§9.3).

Pure functions over the plan and the loaded state (no I/O). The rule for what is kept lives in
:mod:`flowscript.execution._completed`, shared with the executor; this module adds ``--from``
(forcing a node and everything downstream of it to run again), the reasons shown to the user,
and the pruning of the results that will be replaced.
"""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flowscript.errors import ResumeError
from flowscript.execution._completed import REPEATING, completed_results
from flowscript.execution.state import NodeResult, NodeStatus
from flowscript.graph import WORKFLOW_ERROR

if TYPE_CHECKING:
    from flowscript.execution.state import ExecutionState
    from flowscript.model import NodeSpec
    from flowscript.planning import ExecutionPlan, ScopePlan

__all__ = ["ResumePlan", "ResumeStep", "forced_nodes", "plan_resume", "prune_results"]

FORCED_REASON = "forced by --from"


@dataclass(frozen=True, slots=True)
class ResumeStep:
    """A node the resumed run will run (when the run reaches it), and why.

    Attributes:
        node_id: the node.
        reason: ``failed``, ``not started``, ``interrupted``, ``cancelled``,
            ``forced by --from``, ``downstream of X``, ``contains X`` or ``restarts with X``
            (a node of a loop body that ran, inside a loop that did not finish).
    """

    node_id: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ResumePlan:
    """What a resumed run will do (printed before it runs).

    Attributes:
        run_id: the run.
        workflow: the workflow's name.
        previous_status: the run's status on disk (``running`` after a crash).
        kept: the nodes kept from before, in document order (their bodies included).
        steps: the nodes that run again or for the first time, in document order.
        changes: what changed in the workflow file (only when resuming with ``force``).
    """

    run_id: str
    workflow: str
    previous_status: str
    kept: tuple[str, ...]
    steps: tuple[ResumeStep, ...]
    changes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """The plan as text lines, for people."""
        lines = [
            f"Resuming run {self.run_id} of {self.workflow} (was {self.previous_status}): "
            f"{len(self.kept)} node(s) kept, {len(self.steps)} to run"
        ]
        if self.changes:
            lines.append(f"  the workflow file changed (--force): {', '.join(self.changes)}")
        width = max((len(step.node_id) for step in self.steps), default=0)
        lines.extend(f"  run  {step.node_id:<{width}}  ({step.reason})" for step in self.steps)
        return lines

    def to_json(self) -> dict[str, object]:
        """``{kept, run: [{node, reason}], changes}`` for ``--format json``."""
        return {
            "kept": list(self.kept),
            "run": [{"node": step.node_id, "reason": step.reason} for step in self.steps],
            "changes": list(self.changes),
        }


def plan_resume(
    plan: ExecutionPlan,
    state: ExecutionState,
    *,
    forced: Mapping[str, str],
    changes: tuple[str, ...] = (),
) -> ResumePlan:
    """The resume plan of ``state`` over ``plan``, with ``forced`` nodes (id → reason)."""
    kept = completed_results(plan, state.node_results, exclude=forced)
    kept_ids: list[str] = []
    steps: list[ResumeStep] = []
    for node, loop in _walk(plan, kept):
        if node.id in kept:
            kept_ids.append(node.id)
        else:
            steps.append(ResumeStep(node.id, _reason(node, state, forced, loop)))
    return ResumePlan(
        run_id=state.run_id,
        workflow=state.workflow_id,
        previous_status=state.status.value,
        kept=tuple(kept_ids),
        steps=tuple(steps),
        changes=changes,
    )


def _walk(
    plan: ExecutionPlan, kept: Mapping[str, NodeResult]
) -> Iterator[tuple[NodeSpec, str | None]]:
    """Scheduled nodes in document order with the innermost loop enclosing each; the body of a
    kept node is not entered (it is kept with it)."""
    stack: list[tuple[NodeSpec, str | None]] = [(n, None) for n in reversed(plan.root.nodes)]
    while stack:
        node, loop = stack.pop()
        if node.id in plan.handlers:
            continue
        yield node, loop
        if node.id in kept:
            continue
        inner = node.id if isinstance(node, REPEATING) else loop
        for scope in reversed(node.scopes()):
            stack.extend((child, inner) for child in reversed(scope))


def _reason(
    node: NodeSpec, state: ExecutionState, forced: Mapping[str, str], loop: str | None
) -> str:
    if node.id in forced:
        return forced[node.id]
    result = state.node_results.get(node.id)
    if result is None:
        return "not started"
    if loop is not None and result.status.succeeded:
        return f"restarts with {loop}"
    if _cancelled(result):
        return "cancelled"
    return _STATUS_REASONS.get(result.status, "not finished")


_STATUS_REASONS: Mapping[NodeStatus, str] = {
    NodeStatus.FAILED: "failed",
    NodeStatus.PENDING: "interrupted",
    NodeStatus.RUNNING: "interrupted",
    NodeStatus.SKIPPED: "cancelled",
}


def _cancelled(result: NodeResult) -> bool:
    details = result.details or {}
    error = result.error or {}
    return bool(details.get("cancelled")) or error.get("type") == "cancelled"


def forced_nodes(plan: ExecutionPlan, node_id: str) -> dict[str, str]:
    """``--from NODE``: NODE, everything downstream of it, the control nodes enclosing it and
    everything downstream of those, each with all its nested nodes — id → reason.

    Raises:
        ResumeError: ``node_id`` is not a scheduled node of the plan.
    """
    scopes = _scope_of_scheduled(plan)
    if node_id not in scopes:
        raise ResumeError(_unknown_node(plan, node_id))
    forced: dict[str, str] = {}
    current: str | None = node_id
    while current is not None:
        scope = scopes[current]
        if current == node_id:
            _force(forced, scope.nodes, current, FORCED_REASON)
        else:  # an enclosing node runs again, but its other nodes stay kept
            forced.setdefault(current, f"contains {node_id}")
        for dependent in _downstream(scope, current):
            _force(forced, scope.nodes, dependent, f"downstream of {node_id}")
        current = scope.owner
    return forced


def _force(forced: dict[str, str], nodes: tuple[NodeSpec, ...], node_id: str, reason: str) -> None:
    node = next(n for n in nodes if n.id == node_id)
    forced.setdefault(node_id, reason)
    for inner in node.walk():
        forced.setdefault(inner.id, reason if inner is node else f"inside {node_id}")


def _downstream(scope: ScopePlan, node_id: str) -> list[str]:
    seen: set[str] = set()
    queue = deque([node_id])
    while queue:
        for dependent in scope.dependents.get(queue.popleft(), ()):
            if dependent not in seen:
                seen.add(dependent)
                queue.append(dependent)
    return [n for n in scope.ids if n in seen]


def _scope_of_scheduled(plan: ExecutionPlan) -> dict[str, ScopePlan]:
    return {
        node.id: scope
        for key, scope in plan.scopes.items()
        if key != WORKFLOW_ERROR
        for node in scope.nodes
    }


def _unknown_node(plan: ExecutionPlan, node_id: str) -> str:
    if node_id in plan.handlers:
        return (
            f"--from {node_id}: {node_id!r} is a fallback or on-timeout handler, which runs only"
            " for the node it serves; name that node instead"
        )
    if node_id in plan.node_ids:
        return f"--from {node_id}: {node_id!r} is not part of the run's plan"
    close = difflib.get_close_matches(node_id, sorted(plan.node_ids), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"--from {node_id}: the workflow has no node {node_id!r}{hint}"


def prune_results(plan: ExecutionPlan, state: ExecutionState, resume: ResumePlan) -> None:
    """Drop the results of every node that will run again (and of their child flows and
    handlers), so the state holds exactly what the resumed run keeps."""
    keep = _kept_keys(plan, resume)
    for key in [k for k in state.node_results if not _is_kept_key(k, keep)]:
        del state.node_results[key]
    for key in [k for k in state.node_context if not _is_kept_key(k, keep)]:
        del state.node_context[key]


def _kept_keys(plan: ExecutionPlan, resume: ResumePlan) -> set[str]:
    index = plan.workflow.node_index()
    keep: set[str] = set()
    for node_id in resume.kept:
        keep.update(inner.id for inner in index[node_id].walk())
    changed = True
    while changed:  # the handlers that served kept nodes (fallback chains too)
        changed = False
        for handler, uses in plan.graph.handlers.items():
            if handler in keep or not any(use.serves in keep for use in uses):
                continue
            keep.update(inner.id for inner in index[handler].walk())
            changed = True
    return keep


def _is_kept_key(key: str, keep: set[str]) -> bool:
    return key in keep or ("/" in key and key.partition("/")[0] in keep)
