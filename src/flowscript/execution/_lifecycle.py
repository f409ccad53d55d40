"""The life of one node: slot, start, input, handler, and exactly one recorded result.

Outcomes come back as values (:class:`NodeOutcome`), so only bugs and cancellation travel as
exceptions through task groups. Failure handling of the next issue (retry, fallback) sits
between the handler and :func:`_failed`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import NodeError
from flowscript.execution._activation import Activation, plain
from flowscript.execution._instance import SILENT, SKIP_CANCEL_REASONS, NodeInterrupted
from flowscript.execution.control import handler_for
from flowscript.execution.events import NodeStarted
from flowscript.execution.state import NodeResult, NodeStatus, error_to_dict
from flowscript.expressions.values import UNDEFINED

if TYPE_CHECKING:
    from flowscript.execution._context import FlowContext
    from flowscript.execution._instance import ScopeInstance
    from flowscript.model import NodeSpec

__all__ = ["NOT_STARTED", "NodeOutcome", "node_input", "run_node"]


@dataclass(frozen=True, slots=True)
class NodeOutcome:
    """How a node's run ended, for its scheduler.

    Attributes:
        status: the recorded status (``pending`` for an interrupted control node).
        error: the failure, when ``failed``.
        started: False when the node never started (its scope stopped while it waited).
    """

    status: NodeStatus
    error: NodeError | None = None
    started: bool = True


NOT_STARTED: Final = NodeOutcome(NodeStatus.PENDING, started=False)
_SUCCESS: Final = NodeOutcome(NodeStatus.SUCCESS)
_INTERRUPTED: Final = NodeOutcome(NodeStatus.PENDING)

_NO_INPUT: Final = object()


async def run_node(
    flow: FlowContext, instance: ScopeInstance, node: NodeSpec, *, input_value: Any = _NO_INPUT
) -> NodeOutcome:
    """Run ``node`` in ``instance`` and record its result.

    Args:
        flow: the workflow being run.
        instance: the scope instance the node belongs to.
        node: the node.
        input_value: the input to use instead of the node's own (handlers without
            ``input=`` get the input of the node they serve).
    """
    async with flow.run.slot_for(node):
        if instance.stopped():
            return NOT_STARTED
        if input_value is _NO_INPUT or node.inputs:
            input_value = node_input(instance, node)
        act = Activation(flow, instance, node, input_value)
        flow.run.emit(
            flow.run.event(
                NodeStarted,
                node_id=flow.prefix + node.id,
                kind=node.kind,
                wave=instance.plan.wave_of.get(node.id),
            )
        )
        return await _run_started(act)


async def _run_started(act: Activation) -> NodeOutcome:
    try:
        output = await handler_for(act.node)(act)
    except NodeError as error:
        return _failed(act, error)
    except NodeInterrupted:
        _finish(act, NodeStatus.PENDING, details={"interrupted": True})
        return _INTERRUPTED
    except asyncio.CancelledError:
        _cancelled(act)
        raise
    if output is SILENT:
        act.instance.silent.add(act.node.id)
        output = None
    else:
        act.instance.silent.discard(act.node.id)
    _finish(act, NodeStatus.SUCCESS, output=plain(output))
    return _SUCCESS


def node_input(instance: ScopeInstance, node: NodeSpec) -> Any:
    """The node's ``input`` (execution.md §3.1): its ``input=`` node(s), else the input of the
    scope (the workflow input at top level; a control node's input inside its bodies).

    ``input=`` naming a later node of a loop body reads the previous iteration's output.
    """
    if not node.inputs:
        return instance.default_input
    snapshot = instance.flow.run.seq
    feedback = instance.plan.feedback.get(node.id, frozenset())
    values = {}
    for text in node.inputs:
        source = text.value
        if source in feedback:
            previous = instance.previous
            value = previous.read(source, snapshot) if previous is not None else UNDEFINED
        else:
            value = instance.read(source, snapshot)
        values[source] = value
    if len(values) == 1:
        return next(iter(values.values()))
    return values


def _failed(act: Activation, error: NodeError) -> NodeOutcome:
    if error.node is None:
        error.node = act.flow.prefix + act.node.id
    _finish(act, NodeStatus.FAILED, error=error)
    act.instance.domain.fail(error)
    return NodeOutcome(NodeStatus.FAILED, error)


def _cancelled(act: Activation) -> None:
    """Record a node whose task is being cancelled, according to why it was cancelled."""
    reason = act.instance.cancel_reason()
    details = {"cancelled": True, "reason": reason or "cancelled"}
    if reason in SKIP_CANCEL_REASONS:
        _finish(act, NodeStatus.SKIPPED, details=details)
        return
    kind, message = (
        ("WORKFLOW_TIMEOUT", "cancelled: the run deadline passed")
        if reason == "deadline"
        else ("cancelled", "cancelled: the run was cancelled")
    )
    error = NodeError(kind, message, node=act.flow.prefix + act.node.id, details=details)
    _finish(act, NodeStatus.FAILED, error=error)


def _finish(
    act: Activation,
    status: NodeStatus,
    *,
    output: Any = None,
    error: NodeError | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    clock = act.flow.run.clock
    completed = clock.now()
    result = NodeResult(
        status=status,
        output=output if status.succeeded else None,
        error=error_to_dict(error) if error is not None else None,
        started_at=act.started_at,
        completed_at=completed,
        duration=max(0, completed - act.started_at),
        attempts=1,
        details=details,
    )
    act.flow.record(act.instance, act.node.id, result)
