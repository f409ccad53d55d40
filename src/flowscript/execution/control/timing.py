"""``<delay>`` and ``<timeout>`` (execution.md §5), and the clock-driven deadline they share
with the run deadline (execution.md §6.3).

Deadlines use ``asyncio.timeout`` for the cancellation mechanics, but the moment it fires
comes from the injected clock: a watcher sleeps on the clock, marks why the body is being
cancelled (so cancelled nodes are recorded for the right reason), then expires the timeout.
With the system clock this is an ordinary timer; with a manual clock tests decide when it
fires, and nothing sleeps for real.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from flowscript.errors import NodeError
from flowscript.execution._activation import derived_error
from flowscript.execution._instance import NodeInterrupted, StopFlag
from flowscript.model import DelaySpec, TimeoutSpec

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation
    from flowscript.execution.clock import Clock

__all__ = ["Deadline", "deadline", "run_delay", "run_timeout"]


class Deadline:
    """Whether a :func:`deadline` fired."""

    __slots__ = ("expired",)

    def __init__(self) -> None:
        self.expired = False


@asynccontextmanager
async def deadline(
    clock: Clock, seconds: float, flag: StopFlag, reason: str
) -> AsyncIterator[Deadline]:
    """Cancel the body after ``seconds`` of ``clock`` time; raise ``TimeoutError`` then.

    Before cancelling, ``flag`` is set to ``reason`` so the body's nodes know why they are
    being cancelled and nothing new starts in it.
    """
    loop = asyncio.get_running_loop()
    state = Deadline()
    async with asyncio.timeout(None) as timeout:

        async def expire() -> None:
            await clock.sleep(seconds)
            state.expired = True
            flag.set(reason)
            timeout.reschedule(loop.time())

        watcher = asyncio.create_task(expire())
        try:
            yield state
        finally:
            watcher.cancel()
            # Wait for the watcher to end (asyncio.wait never raises the task's exception);
            # a cancellation of this task while waiting still propagates.
            await asyncio.wait([watcher])


async def run_delay(act: Activation) -> Any:
    """Sleep ``duration`` (cancellable) and pass the input through."""
    node = act.node
    assert isinstance(node, DelaySpec)
    await act.flow.run.clock.sleep(act.seconds("duration", node.duration))
    return act.input


async def run_timeout(act: Activation) -> Any:
    """Run the body with a deadline; on expiry cancel it and run the ``on-timeout`` handler."""
    node = act.node
    assert isinstance(node, TimeoutSpec)
    seconds = act.seconds("duration", node.duration)
    flag = StopFlag()
    try:
        async with deadline(act.flow.run.clock, seconds, flag, "timeout") as state:
            result = await act.run_body(act.body_plan("body"), flags=(flag,))
    except TimeoutError:
        if not state.expired:
            raise
        return await _on_timeout(act, node, seconds)
    return act.body_output(result)


async def _on_timeout(act: Activation, node: TimeoutSpec, seconds: float) -> Any:
    handler_id = node.on_timeout.value.strip() if node.on_timeout is not None else ""
    if not handler_id:
        raise NodeError(
            "TIMEOUT",
            f"{node.id}: the body did not finish within {seconds:g}s",
            details={"seconds": seconds},
        )
    from flowscript.execution._lifecycle import run_node

    handler = act.flow.plan.handlers.get(handler_id) or act.flow.plan.graph.nodes.get(handler_id)
    if handler is None:
        raise NodeError("TIMEOUT", f"{node.id}: on-timeout node {handler_id!r} does not exist")
    outcome = await run_node(act.flow, act.instance, handler, input_value=act.input)
    if outcome.error is not None:
        raise derived_error(act.flow.prefix + node.id, outcome.error)
    if not outcome.started or not outcome.status.succeeded:
        raise NodeInterrupted(node.id)
    entry = act.instance.outputs.get(handler_id)
    return entry[1] if entry is not None else None
