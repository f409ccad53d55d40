"""Fallback nodes (execution.md §6.4): what runs when a node still fails after its retries.

``<fallback node="F"/>`` names a *handler*: F is never scheduled on its own (the planner keeps
handlers out of every DAG); it runs here, once per failure of the node it serves:

- in the failed node's scope instance, with its own ``input=`` if it has one, else the failed
  node's input, and with ``$primaryError`` (the message), ``$primaryInput`` and ``$error``
  (the structured error) bound for it and for the nodes nested in it;
- in its own failure domain, so its failure does not halt the run by itself: the failed
  node's failure (with F's error as ``cause``) does;
- with its own retries, timeout and fallback (chains), but never twice for one failure: a
  handler already serving the failure being handled is not run again (a fallback cycle is a
  validation error, ``VALID_CIRCULAR_FALLBACK``; this guard keeps unvalidated plans finite).

F is recorded under its own id (``fallback``/``fallbackFor`` naming the node it served); on
success the failed node is recorded ``recovered`` with F's output.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import NodeError
from flowscript.execution._activation import plain
from flowscript.execution._instance import FailureDomain, Frame, ScopeInstance

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation
    from flowscript.model import NodeSpec

__all__ = ["Rescue", "fallback_target", "run_fallback"]

_SERVING: Final[ContextVar[frozenset[str]]] = ContextVar(
    "flowscript_fallback_chain", default=frozenset()
)
"""Keys of the failed nodes and handlers of the failure being handled in this task (a
context variable, so the nodes nested in a control-node fallback inherit it)."""


@dataclass(frozen=True, slots=True)
class Rescue:
    """How a fallback ended.

    Attributes:
        handler: the key of the fallback node that ran.
        output: its output, when it succeeded.
        error: the failed node's error when the fallback did not rescue it (``None``: it did).
    """

    handler: str
    output: Any = None
    error: NodeError | None = None


def fallback_target(node: NodeSpec) -> str | None:
    """The id of ``node``'s fallback, if it has one."""
    target = node.on_error.fallback if node.on_error is not None else None
    if target is None or not target.value.strip():
        return None
    return target.value.strip()


async def run_fallback(act: Activation, error: NodeError) -> Rescue | None:
    """Run the fallback of the failed node of ``act``.

    Returns:
        ``None`` when the node has no fallback to run (the node simply fails); else how the
        fallback ended.
    """
    target = fallback_target(act.node)
    if target is None:
        return None
    flow = act.flow
    key = flow.prefix + act.node.id
    if error.node is None:
        error.node = key
    handler = flow.plan.handlers.get(target) or flow.plan.graph.nodes.get(target)
    handler_key = flow.prefix + target
    serving = _SERVING.get() | {key}
    if handler is None or handler_key in serving:
        why = "does not exist" if handler is None else "is already handling this failure"
        flow.run.warn(f"fallback {target!r} of {act.node.id!r} {why}; not run", key)
        return None
    instance = _handler_instance(act, error)
    act.slot.give_up()  # the failed node does no more work; its fallback needs a slot
    token = _SERVING.set(serving | {handler_key})
    try:
        from flowscript.execution._lifecycle import run_node

        outcome = await run_node(flow, instance, handler, input_value=act.input, fallback_for=key)
    finally:
        _SERVING.reset(token)
    if outcome.status.succeeded:
        entry = instance.outputs.get(target)
        return Rescue(handler_key, output=plain(entry[1]) if entry is not None else None)
    if outcome.error is not None:
        return Rescue(handler_key, error=_failed_with_cause(error, outcome.error, handler_key))
    return Rescue(handler_key, error=error)  # the fallback was interrupted: the failure stands


def _handler_instance(act: Activation, error: NodeError) -> ScopeInstance:
    """A child of the failed node's instance binding the handler names (its records still
    reach the failed node's instance and everything above it)."""
    bindings = {
        "$primaryError": act.flow.redactor.redact(error.message),
        "$primaryInput": act.input,
        "$error": _error_value(act, error),
    }
    domain = FailureDomain(parent=act.instance.domain)
    return ScopeInstance(
        flow=act.flow,
        plan=act.instance.plan,
        frame=Frame(parent=act.frame, bindings=bindings),
        domain=domain,
        flags=(*act.instance.flags, domain.flag),
        default_input=act.input,
        parent=act.instance,
        owner=act.instance.owner,
    )


def _error_value(act: Activation, error: NodeError) -> dict[str, Any]:
    from flowscript.execution.state import error_to_dict

    data = error_to_dict(error, attempts=act.attempts)
    redactor = act.flow.redactor
    if not redactor.active:
        return data
    masked: dict[str, Any] = redactor.redact_value(data)
    return masked


def _failed_with_cause(error: NodeError, cause: NodeError, handler: str) -> NodeError:
    """The failed node's own error, with the fallback's failure as its ``cause``."""
    return NodeError(
        error.type,
        error.message,
        retryable=error.retryable,
        node=error.node,
        status=error.status,
        retry_after=error.retry_after,
        details={**error.details, "fallback": handler},
        cause=cause,
    )
