"""Mocks: data nodes whose runtime is replaced by a fixed output or a fixed failure.

Every runtime call of a run goes through the run's node executor (execution.md §12), so the
mocks are a wrapping :class:`MockingExecutor`: for a mocked node it returns (a copy of) the
mocked output, or raises the mocked error, and never calls the runtime; every other call goes
to the wrapped executor. A mocked error is raised where the runtime's would be, so retries,
``<fallback>`` and ``<on-workflow-error>`` handle it as in a real run and the node's attempt
count is the real one. What a mock value means is in :mod:`._mockspec`.

Mocks address nodes of the workflow under test by id, and nodes of its ``<include>``/
``<call>`` children by qualified id, ``call-id/node-id`` (:mod:`._tree`), as the run state
names them. A request is matched by that name, worked out from ``NodeRequest.node_path``, and
by node identity: a child node that happens to share its id with a mocked node of the parent
runs for real, and each call of a shared child workflow is mocked on its own. A mocked node
inside a loop, ``foreach`` or parallel branch produces the same output at every iteration
(attempt *n* of each iteration answers with the mock's answer *n*).

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

from flowscript.testing._mockspec import MockError, MockSpec, parse_mock
from flowscript.testing._tree import SEPARATOR, WorkflowTree

if TYPE_CHECKING:
    from flowscript.execution.node_executor import NodeExecutor
    from flowscript.model import NodeSpec, Workflow
    from flowscript.planning import ExecutionPlan
    from flowscript.runtimes.base import NodeRequest, Runtime, RuntimeContext, RuntimeRegistry

__all__ = ["MockingExecutor", "mock_aware_registry"]


class MockingExecutor:
    """A node executor that answers mocked data nodes itself.

    Args:
        subject: the workflow under test, or its plan with the ``<include>``/``<call>``
            children loaded (``load_child_plans``) — needed for qualified ids.
        mocks: (qualified) node id → mock value (an output, ``{$error: …}``,
            ``{$attempts: […]}`` or ``{$output: …}``); every id must name a data node.
        inner: the executor for every other node (default: in-process).

    Attributes:
        calls: (qualified) node id → how many attempts its mock answered.

    Raises:
        ValueError: a mock names no data node, or a mock value is malformed.
    """

    def __init__(
        self,
        subject: Workflow | ExecutionPlan,
        mocks: Mapping[str, Any],
        inner: NodeExecutor | None = None,
    ) -> None:
        from flowscript.execution.node_executor import LocalExecutor

        self._tree = WorkflowTree(_as_plan(subject))
        self._mocks: dict[str, tuple[NodeSpec, MockSpec]] = {
            node_id: (self._target(node_id), parse_mock(value)) for node_id, value in mocks.items()
        }
        self.inner: NodeExecutor = inner or LocalExecutor()
        self.calls: dict[str, int] = {}

    def _target(self, node_id: str) -> NodeSpec:
        from flowscript.model import DataNodeSpec
        from flowscript.testing._tree import UnknownNode

        try:
            node = self._tree.find(node_id)
        except UnknownNode as exc:
            raise ValueError(f"mock {node_id!r}: {exc}") from exc
        if not isinstance(node, DataNodeSpec):
            raise ValueError(f"mock {node_id!r} names a <{node.tag}>, not a data node")
        return node

    def _entry(self, request: NodeRequest) -> tuple[str, MockSpec] | None:
        """The qualified id and mock of ``request``'s node, when it is mocked."""
        if request.node_path:
            key = self._tree.state_key(request.node_path)
        else:  # a request built outside the engine: only the workflow's own nodes
            key = request.node_id if SEPARATOR not in request.node_id else None
        entry = self._mocks.get(key) if key is not None else None
        if key is None or entry is None or entry[0] is not request.node:
            return None
        return key, entry[1]

    def is_mocked(self, request: NodeRequest) -> bool:
        """Whether ``request`` is for a mocked node."""
        return self._entry(request) is not None

    async def run(self, runtime: Runtime, request: NodeRequest, context: RuntimeContext) -> Any:
        """The mocked output (or error) for a mocked node; else the inner executor's result.

        Raises:
            NodeError: the mocked error of this attempt.
        """
        entry = self._entry(request)
        if entry is None:
            return await self.inner.run(runtime, request, context)
        key, mock = entry
        self.calls[key] = self.calls.get(key, 0) + 1
        answer = mock.answer(request.attempt)
        if isinstance(answer, MockError):
            raise answer.exception()
        # A copy per call: a body that changes its input must not change later iterations.
        return copy.deepcopy(answer)


def _as_plan(subject: Workflow | ExecutionPlan) -> ExecutionPlan:
    from flowscript.model import Workflow
    from flowscript.planning import build_execution_plan

    return build_execution_plan(subject) if isinstance(subject, Workflow) else subject


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
