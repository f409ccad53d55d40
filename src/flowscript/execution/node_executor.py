"""Where node work runs (execution.md §12).

The scheduler, state and log never call a runtime directly: every call goes through a
:class:`NodeExecutor`, so node work can run in this process (:class:`LocalExecutor`, the
default) or on a cluster of workers without changing anything else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from flowscript.runtimes.base import NodeRequest, Runtime, RuntimeContext

__all__ = ["LocalExecutor", "NodeExecutor"]


@runtime_checkable
class NodeExecutor(Protocol):
    """Runs one attempt of one node's runtime somewhere and returns its output."""

    async def run(self, runtime: Runtime, request: NodeRequest, context: RuntimeContext) -> Any:
        """Run ``runtime`` on ``request``; raise ``NodeError`` on failure; honour cancellation."""
        ...


class LocalExecutor:
    """Runs node work in the current process, on the running event loop."""

    async def run(self, runtime: Runtime, request: NodeRequest, context: RuntimeContext) -> Any:
        """Await ``runtime.run(request, context)``."""
        return await runtime.run(request, context)
