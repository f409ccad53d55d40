"""Starting from a state that already holds results: which nodes completed before (§9.3).

A run started on a state with results (a resumed run) does not run again the nodes that
*completed before*: ``success``, ``recovered`` and ``skipped`` results are kept, everything
else runs. The scheduler still walks the whole plan; :func:`restore_completed`, called where a
node would start, puts a kept node's output (and its nested nodes' outputs, which later
expressions may read) back into the scope instance and reports its status, so dependents
start exactly as if the node had just finished.

Which results are kept, walking the node tree from the top:

- a kept node's whole subtree is kept with it (its body never runs again);
- nothing inside a ``<loop>``/``<while>``/``<foreach>`` body is kept unless the loop itself
  is: a body node's result is only its last iteration's, so an interrupted loop restarts;
- a ``skipped`` result recorded because the node was *cancelled* (a ``<timeout>`` body, the
  losing branch of a race) is not kept: the node did not get to run;
- handlers (fallback and ``on-timeout`` targets) never are: they run when invoked;
- nodes of ``<include>``/``<call>`` children (``call-id/node``) are not: an interrupted child
  flow runs again from its start.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

from flowscript.execution.state import ExecutionState, NodeResult, NodeStatus, RunStatus
from flowscript.expressions.values import UNDEFINED
from flowscript.model import CheckpointSpec, ForeachSpec, LoopSpec, NodeSpec, WhileSpec

if TYPE_CHECKING:
    from flowscript.execution._context import FlowContext
    from flowscript.execution._instance import ScopeInstance
    from flowscript.planning import ExecutionPlan

__all__ = [
    "KEPT_STATUSES",
    "REPEATING",
    "completed_results",
    "is_kept",
    "restore_completed",
    "resumes",
]

KEPT_STATUSES: Final = frozenset({NodeStatus.SUCCESS, NodeStatus.RECOVERED, NodeStatus.SKIPPED})
"""execution.md §9.3: results with these statuses are kept and never run again."""

_RESUMABLE: Final = frozenset(
    {RunStatus.RUNNING, RunStatus.PAUSED, RunStatus.FAILED, RunStatus.CANCELLED}
)

REPEATING: Final = (LoopSpec, WhileSpec, ForeachSpec)
"""Control nodes whose body runs several times (their body results are the last run's)."""


def resumes(state: ExecutionState) -> bool:
    """True for the state of a run that started before and is being resumed: it keeps its
    ``startedAt`` (the run is one run, and its duration covers the interruption)."""
    return bool(state.started_at) and state.status in _RESUMABLE


def is_kept(result: NodeResult) -> bool:
    """True when ``result`` means the node completed (see the module docstring)."""
    if result.status not in KEPT_STATUSES:
        return False
    return not (result.status is NodeStatus.SKIPPED and (result.details or {}).get("cancelled"))


def completed_results(
    plan: ExecutionPlan,
    results: Mapping[str, NodeResult],
    *,
    exclude: Iterable[str] = (),
) -> dict[str, NodeResult]:
    """The results a run starting from ``results`` keeps, keyed by node id.

    Args:
        plan: the plan about to run.
        results: the state's node results.
        exclude: nodes that must run again even if they completed (``--from``); their
            bodies are still searched for kept nodes.
    """
    if not results:
        return {}
    excluded = frozenset(exclude)
    kept: dict[str, NodeResult] = {}
    stack = list(reversed(plan.root.nodes))
    while stack:
        node = stack.pop()
        if node.id in plan.handlers:
            continue
        result = results.get(node.id)
        if result is not None and node.id not in excluded and is_kept(result):
            kept[node.id] = result
            continue
        if isinstance(node, REPEATING):
            continue
        for scope in reversed(node.scopes()):
            stack.extend(reversed(scope))
    return kept


def restore_completed(
    flow: FlowContext, instance: ScopeInstance, node: NodeSpec
) -> NodeStatus | None:
    """If ``node`` completed before, restore its outputs into ``instance`` and return its status.

    Each kept node is restored once: a ``goto`` that jumps back over it later runs it again.

    Returns:
        The kept status, or ``None`` when the node must run.
    """
    completed = flow.run.completed_before
    if not completed:
        return None
    result = completed.pop(flow.prefix + node.id, None)
    if result is None:
        return None
    results = flow.run.state.node_results
    for inner in node.walk():
        inner_result = result if inner is node else results.get(inner.id)
        if inner_result is not None:
            value = inner_result.output if inner_result.status.succeeded else UNDEFINED
            instance.store(inner.id, flow.run.next_seq(), value)
    if isinstance(node, CheckpointSpec) and result.status.succeeded:
        instance.frame.bind("$checkpoint", result.output)  # as the checkpoint itself does
    return result.status
