"""One attempt of one node's runtime: the single place runtime calls go through.

The retry wrapper of execution.md §6.2 wraps :func:`run_attempt`; per-attempt timeouts go around
it too. Keeping every runtime call behind this one function is what lets retries, timeouts
and the distributed executor be added without touching the scheduler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowscript.errors import NodeError

if TYPE_CHECKING:
    from flowscript.execution.node_executor import NodeExecutor
    from flowscript.runtimes.base import NodeRequest, Runtime, RuntimeContext

__all__ = ["run_attempt"]


async def run_attempt(
    executor: NodeExecutor, runtime: Runtime, request: NodeRequest, context: RuntimeContext
) -> Any:
    """Run one attempt and return the node's output.

    Raises:
        NodeError: the runtime's own error, unchanged; or ``runtime.crash`` (not retryable)
            when the runtime raised anything else.
    """
    try:
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
