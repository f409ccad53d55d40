"""The life of one node: slot, start, input, handler, and exactly one recorded result.

Outcomes come back as values (:class:`NodeOutcome`), so only bugs and cancellation travel as
exceptions through task groups. Failure handling (execution.md §6) sits between the handler
and :func:`_failed`: data nodes retry inside their handler (``_data``/``attempt``); a control
node's ``timeout`` attribute bounds its one attempt here; then a node that still fails runs
its fallback (:mod:`~flowscript.execution.fallback`) and is ``recovered`` when it succeeds.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import NodeError
from flowscript.execution._activation import Activation, plain
from flowscript.execution._completed import restore_completed
from flowscript.execution._instance import SILENT, SKIP_CANCEL_REASONS, NodeInterrupted
from flowscript.execution.control import handler_for
from flowscript.execution.control.timing import deadline
from flowscript.execution.events import NodeStarted
from flowscript.execution.fallback import fallback_target, run_fallback
from flowscript.execution.state import NodeResult, NodeStatus, error_to_dict
from flowscript.expressions.values import UNDEFINED
from flowscript.model import DataNodeSpec

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
_RECOVERED: Final = NodeOutcome(NodeStatus.RECOVERED)
_INTERRUPTED: Final = NodeOutcome(NodeStatus.PENDING)

_NO_INPUT: Final = object()


async def run_node(
    flow: FlowContext,
    instance: ScopeInstance,
    node: NodeSpec,
    *,
    input_value: Any = _NO_INPUT,
    fallback_for: str | None = None,
) -> NodeOutcome:
    """Run ``node`` in ``instance`` and record its result.

    Args:
        flow: the workflow being run.
        instance: the scope instance the node belongs to.
        node: the node.
        input_value: the input to use instead of the node's own (handlers without
            ``input=`` get the input of the node they serve).
        fallback_for: the key of the failed node this one stands in for (execution.md §6.4):
            a fallback is part of that node's failure handling, so it starts even when a
            failure elsewhere stopped the scope, and its record names the node it served.
    """
    kept = restore_completed(flow, instance, node)
    if kept is not None:
        return NodeOutcome(kept)  # it completed before this run started (resume, §9.3)
    async with flow.run.slot_for(node) as slot:
        if fallback_for is None and instance.stopped():
            return NOT_STARTED
        if input_value is _NO_INPUT or node.inputs:
            input_value = node_input(instance, node)
        act = Activation(flow, instance, node, input_value, slot=slot, fallback_for=fallback_for)
        if fallback_target(node) is not None:
            act.isolate_failures()  # its fallback decides before a body failure halts the scope
        flow.run.emit(
            flow.run.event(
                NodeStarted,
                node_id=flow.prefix + node.id,
                kind=node.kind,
                wave=instance.plan.wave_of.get(node.id),
            )
        )
        outcome = await _run_started(act)
    if flow.run.durability.behind:
        await flow.run.durability.flush()  # durable before its dependents start (§9.2)
    return outcome


async def _run_started(act: Activation) -> NodeOutcome:
    try:
        try:
            output = await _attempt(act)
        except NodeError as error:
            return await _failure(act, error)
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


async def _attempt(act: Activation) -> Any:
    """The node's handler; a control node's ``timeout`` attribute bounds its one attempt
    (data nodes bound each runtime attempt themselves, inside their retries)."""
    node = act.node
    if node.timeout is None or isinstance(node, DataNodeSpec):
        return await handler_for(node)(act)
    seconds = act.seconds("timeout", node.timeout)
    # The body's running nodes are cancelled and recorded as skipped (reason "timeout"),
    # as with the <timeout> node; the node itself fails with timeout.attempt (§6.3).
    try:
        async with deadline(act.flow.run.clock, seconds, act.flag, "timeout") as state:
            return await handler_for(node)(act)
    except TimeoutError:
        if not state.expired:
            raise
    raise NodeError(
        "timeout.attempt",
        f"{node.id}: did not finish within its timeout of {seconds:g}s",
        retryable=True,
        details={"seconds": seconds, "attempt": 1},
    )


async def _failure(act: Activation, error: NodeError) -> NodeOutcome:
    """A node that failed after its retries: run its fallback, if any (execution.md §6.4)."""
    node = act.node
    if not isinstance(node, DataNodeSpec) and node.on_error and node.on_error.retry:
        # Re-running a body would expose the failed attempt's partial effects (§6.2).
        act.flow.run.warn(
            f"<{node.tag}> {node.id!r} is not retried: <retry> applies to data nodes only",
            act.flow.prefix + node.id,
        )
    rescue = await run_fallback(act, error)
    if rescue is None:
        return _failed(act, error)
    if rescue.error is not None:
        return _failed(act, rescue.error)
    _finish(act, NodeStatus.RECOVERED, output=rescue.output, fallback=rescue.handler)
    return _RECOVERED


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
    fallback: str | None = None,
) -> None:
    clock = act.flow.run.clock
    completed = clock.now()
    if act.fallback_for is not None:
        # A fallback's own record names the node it stood in for (§6.4): in ``fallback``
        # (persisted as ``fallbackFor``) unless it was itself rescued, and in the details.
        details = {**(details or {}), "fallbackFor": act.fallback_for}
        fallback = fallback or act.fallback_for
    result = NodeResult(
        status=status,
        output=output if status.succeeded else None,
        error=error_to_dict(error, attempts=act.attempts) if error is not None else None,
        started_at=act.started_at,
        completed_at=completed,
        duration=max(0, completed - act.started_at),
        attempts=act.attempts,
        fallback=fallback,
        usage=act.usage,
        details=details,
    )
    act.flow.record(act.instance, act.node.id, result)
