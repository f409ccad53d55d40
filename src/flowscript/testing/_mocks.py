"""Mocks: data nodes whose runtime is replaced by a fixed output.

Every runtime call of a run goes through the run's node executor (execution.md §12), so the
mocks are a wrapping :class:`MockingExecutor`: for a mocked node it returns (a copy of) the
mocked output and never calls the runtime; every other call goes to the wrapped executor.

Mocks address nodes of the workflow under test by id. They are matched by node *identity*,
not by id text, so a node of an ``<include>``/``<call>`` child that happens to share an id
with a mocked node of the parent runs for real. A mocked node inside a loop, ``foreach`` or
parallel branch produces the same output at every iteration.

A runtime's optional ``prepare`` step runs in the coordinator before the executor is asked
(``execution/attempt.py``): :func:`mock_aware_registry` wraps every runtime so that ``prepare``
is skipped for mocked nodes too — the mocked node's runtime is never called at all. The
node's config templates are still rendered (an error in them fails the node, as it would in
a real run).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowscript.execution.node_executor import NodeExecutor
    from flowscript.model import DataNodeSpec, Workflow
    from flowscript.runtimes.base import NodeRequest, Runtime, RuntimeContext, RuntimeRegistry

__all__ = ["MockingExecutor", "mock_aware_registry"]


class MockingExecutor:
    """A node executor that answers mocked data nodes itself.

    Args:
        workflow: the workflow under test (its nodes are the ones mocked).
        mocks: node id → output; every id must name a data node of ``workflow``.
        inner: the executor for every other node (default: in-process).

    Attributes:
        calls: node id → how many times its mock answered.

    Raises:
        ValueError: a mock names no data node of ``workflow``.
    """

    def __init__(
        self,
        workflow: Workflow,
        mocks: Mapping[str, Any],
        inner: NodeExecutor | None = None,
    ) -> None:
        from flowscript.execution.node_executor import LocalExecutor
        from flowscript.model import DataNodeSpec

        nodes = workflow.node_index()
        self._mocks: dict[int, tuple[DataNodeSpec, Any]] = {}
        for node_id, output in mocks.items():
            node = nodes.get(node_id)
            if not isinstance(node, DataNodeSpec):
                raise ValueError(f"mock {node_id!r} names no data node of {workflow.name!r}")
            self._mocks[id(node)] = (node, output)
        self.inner: NodeExecutor = inner or LocalExecutor()
        self.calls: dict[str, int] = {}

    def is_mocked(self, request: NodeRequest) -> bool:
        """Whether ``request`` is for a mocked node."""
        entry = self._mocks.get(id(request.node))
        return entry is not None and entry[0] is request.node

    async def run(self, runtime: Runtime, request: NodeRequest, context: RuntimeContext) -> Any:
        """The mocked output for a mocked node; else the inner executor's result."""
        entry = self._mocks.get(id(request.node))
        if entry is None or entry[0] is not request.node:
            return await self.inner.run(runtime, request, context)
        self.calls[request.node_id] = self.calls.get(request.node_id, 0) + 1
        # A copy per call: a body that changes its input must not change later iterations.
        return copy.deepcopy(entry[1])


class _MockAwareRuntime:
    """A runtime whose ``prepare`` is skipped for mocked nodes; otherwise the runtime itself."""

    def __init__(self, inner: Runtime, executor: MockingExecutor) -> None:
        self.kind = inner.kind
        self.raw_fields = frozenset(getattr(inner, "raw_fields", frozenset()))
        self.inner = inner
        self._executor = executor

    async def prepare(self, request: NodeRequest, context: RuntimeContext) -> NodeRequest:
        """The runtime's own ``prepare`` (when it has one), except for mocked nodes."""
        prepare = getattr(self.inner, "prepare", None)
        if prepare is None or self._executor.is_mocked(request):
            return request
        prepared: NodeRequest = await prepare(request, context)
        return prepared

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        """The runtime's own ``run``."""
        return await self.inner.run(request, context)


def mock_aware_registry(
    registry: RuntimeRegistry | None, executor: MockingExecutor
) -> RuntimeRegistry:
    """``registry`` (default: the built-in runtimes) with every runtime wrapped so that
    ``prepare`` is not called for the nodes ``executor`` mocks."""
    from flowscript.runtimes.base import RuntimeRegistry

    source = registry if registry is not None else RuntimeRegistry.default()
    wrapped: dict[str, Runtime] = {}
    for kind in source:
        runtime = source.get(kind)
        if runtime is not None:
            wrapped[kind] = _MockAwareRuntime(runtime, executor)
    return RuntimeRegistry(wrapped)
