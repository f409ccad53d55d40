"""Where a checkpoint's answer comes from: the resolution order of execution.md §7.

1. (the ``condition`` is checked by the node handler before a request is built);
2. an answer given in advance (``answers=`` / ``--answer``);
3. the caller's ``checkpoint_handler``, else the terminal prompt when the run is interactive —
   both bounded by the checkpoint's ``timeout`` (→ the ``<timeout goto>`` route, else the
   default action with ``timedOut: true``, else ``reject``);
4. the ``default`` action, immediately;
5. otherwise the run pauses (:func:`~flowscript.execution.checkpoints.pause.pause_run`).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from flowscript.errors import NodeError
from flowscript.execution._instance import StopFlag
from flowscript.execution.checkpoints.answers import (
    Answer,
    answer_from_handler,
    default_answer,
    parse_answer,
)
from flowscript.execution.checkpoints.pause import pause_run
from flowscript.execution.checkpoints.prompt import ask

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation
    from flowscript.execution.checkpoints.request import CheckpointRequest
    from flowscript.execution.checkpoints.session import CheckpointSession
    from flowscript.execution.options import CheckpointHandler

__all__ = ["leads_back", "resolve_answer", "timeout_answer"]


async def resolve_answer(act: Activation, request: CheckpointRequest) -> Answer:
    """The answer to ``request`` (steps 2–5 above).

    Raises:
        CheckpointPaused: nobody can answer now; the run pauses.
        NodeError: an invalid answer (``checkpoint.invalid_answer``) or a failing handler.
    """
    run = act.flow.run
    session = run.checkpoints
    supplied = session.supplied((request.node_id, act.node.id))
    if supplied is not None:
        key, text = supplied
        answer = parse_answer(request, text, by="answer")
        if answer.goto is not None and leads_back(act, answer.goto):
            session.spend(key)  # asked again after the goto: do not loop on the same answer
        return answer
    if session.handler is not None:
        return await _from_handler(act, request, session.handler)
    if session.interactive():
        return await _from_terminal(act, request, session)
    default = default_answer(request)
    if default is not None:
        return default
    raise pause_run(run, request)


def timeout_answer(request: CheckpointRequest) -> Answer:
    """The answer of a checkpoint whose wait ran out: its ``<timeout goto>`` route, else its
    default action, else ``reject`` — all with ``timedOut: true``."""
    if request.timeout_goto is not None:
        return Answer(action="timeout", goto=request.timeout_goto, timed_out=True, by="timeout")
    answer = default_answer(request, timed_out=True)
    return answer or Answer(action="reject", timed_out=True, by="timeout")


def leads_back(act: Activation, target: str) -> bool:
    """True when a goto from ``act``'s node to ``target`` is backward (execution.md §5): the
    target is at or before the node holding the goto in the target's scope."""
    instance, via = act.instance, act.node.id
    while target not in instance.plan.position:
        owner = instance.owner
        if owner is None or owner.flow is not act.flow:
            return False
        via, instance = owner.node.id, owner.instance
    position = instance.plan.position
    return position[target] <= position[via]


async def _from_handler(
    act: Activation, request: CheckpointRequest, handler: CheckpointHandler
) -> Answer:
    async def call() -> Answer:
        try:
            value = handler(request)
            if inspect.isawaitable(value):
                value = await value
        except NodeError:
            raise
        except Exception as exc:
            # The handler is the caller's code, like a runtime: its failure fails this node
            # (recorded, handled by fallbacks and workflow error handlers), not the engine.
            raise NodeError(
                "checkpoint.handler_failed",
                f"{request.node_id}: the checkpoint handler raised {type(exc).__name__}: {exc}",
            ) from exc
        return answer_from_handler(request, value)

    answer = await _timed(act, request, call)
    return answer if answer is not None else timeout_answer(request)


async def _from_terminal(
    act: Activation, request: CheckpointRequest, session: CheckpointSession
) -> Answer:
    async with session.lock:  # one prompt at a time on the terminal
        reader = session.reader()
        answer = await _timed(act, request, lambda: ask(request, reader))
        if answer is None:
            answer = timeout_answer(request)
            reader.show(f"\nNo answer within {request.timeout:g}s: {answer.action}.")
        return answer


async def _timed(
    act: Activation, request: CheckpointRequest, work: Callable[[], Awaitable[Answer]]
) -> Answer | None:
    """``await work()`` within the checkpoint's timeout (run clock); ``None`` when it ran out."""
    if request.timeout is None:
        return await work()
    from flowscript.execution.control.timing import deadline

    try:
        async with deadline(act.flow.run.clock, request.timeout, StopFlag(), "checkpoint") as wait:
            return await work()
    except TimeoutError:
        if not wait.expired:
            raise
        return None
