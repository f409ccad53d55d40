"""One attempt of one node's runtime: the single place runtime calls go through.

:func:`retry_node` runs a node's attempts through the public retry wrapper
(:func:`~flowscript.execution.retry.execute_with_retry`, execution.md §6.2): per-attempt
timeouts, backoff on the run's clock with the node's concurrency slot lent back while it
waits, ``NodeRetrying`` events and warnings. Keeping every runtime call behind
:func:`run_attempt` is what lets retries, timeouts and the distributed executor be added
without touching the scheduler.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from flowscript.errors import NodeError

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation
    from flowscript.execution.events import NodeRetrying
    from flowscript.execution.node_executor import NodeExecutor
    from flowscript.execution.retry import RetryConfig
    from flowscript.runtimes.base import NodeRequest, Runtime, RuntimeContext

__all__ = ["retry_node", "run_attempt"]


async def run_attempt(
    executor: NodeExecutor, runtime: Runtime, request: NodeRequest, context: RuntimeContext
) -> Any:
    """Run one attempt and return the node's output.

    A runtime with a ``prepare(request, context)`` coroutine method gets it called first, in
    this process: it turns everything that needs the run's scope or shared state (bind
    parameters evaluated from ``{{ }}``, named schemas …) into plain data in the request it
    returns, so ``run`` can execute anywhere (execution.md §12).

    Raises:
        NodeError: the runtime's own error, unchanged; or ``runtime.crash`` (not retryable)
            when the runtime raised anything else.
    """
    try:
        prepare = getattr(runtime, "prepare", None)
        if prepare is not None:
            # Runs here, in the coordinator, even when the executor sends the work elsewhere.
            request = await prepare(request, context)
        return await executor.run(runtime, request, context)
    except NodeError:
        raise
    except Exception as exc:
        # The one place where foreign exceptions from runtime code are caught (STYLE.md):
        # a bug in one runtime must fail its node with a clear error, not crash the run.
        # CancelledError is a BaseException, so cancellation always propagates.
        raise NodeError(
            "runtime.crash",
            f"runtime {request.kind!r} crashed: {type(exc).__name__}: {exc}",
            retryable=False,
            details={"exception": type(exc).__name__},
        ) from exc


async def retry_node(
    act: Activation, attempt: Callable[[int], Awaitable[Any]], policy: RetryConfig
) -> Any:
    """Run ``attempt(n)`` under ``policy`` for the node of ``act``.

    Backoff sleeps go through the run's clock (so the run deadline cuts them) with the node's
    concurrency slot lent back; retries are reported as ``NodeRetrying`` events and a ``when``
    expression that fails as a warning, both with secret values masked.
    """
    from flowscript.execution.retry import execute_with_retry

    run = act.flow.run
    key = act.flow.prefix + act.node.id

    async def backoff(seconds: float) -> None:
        async with act.slot.released():
            await run.clock.sleep(seconds)

    def on_retry(event: NodeRetrying) -> None:
        run.emit(dataclasses.replace(event, error=_redacted(act, event.error)))

    return await execute_with_retry(
        attempt,
        policy,
        clock=run.clock,
        on_retry=on_retry,
        scope=act.scope,
        on_warning=lambda message: run.warn(act.flow.redactor.redact(message), key),
        sleep=backoff,
        node_id=key,
        run_id=run.state.run_id,
    )


def _redacted(act: Activation, error: dict[str, Any]) -> dict[str, Any]:
    redactor = act.flow.redactor
    if not redactor.active:
        return error
    return dict(error, message=redactor.redact(str(error.get("message", ""))))
