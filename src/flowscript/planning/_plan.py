"""The execution plan: one scheduled DAG per scope, built on :func:`flowscript.graph.analyze`.

Dependencies are computed in exactly one place (the graph); the plan only adds the ordering
that scheduling needs on top of them:

- handlers (fallback and ``on-timeout`` targets) are kept out of every DAG;
- ``<phase>`` elements of one scope wait for the previous phase (``NodeDeps.after``);
- a ``<goto>`` (and a ``<checkpoint>`` whose actions can route with ``goto``) is a *barrier*
  in its scope: it starts after every earlier node of the scope has finished and every later
  node starts after it. Without this, "continue at the target" would be ill-defined in an
  eager DAG (later nodes might already have run). Edges that would close a cycle (an earlier
  node that reads a later one) are left out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flowscript.errors import WorkflowValidationError
from flowscript.graph import ROOT, WORKFLOW_ERROR, WorkflowGraph, analyze
from flowscript.model import CheckpointSpec, Diagnostic, GotoSpec, NodeSpec, Workflow
from flowscript.model._gc import without_gc

__all__ = ["ExecutionPlan", "ScopePlan", "build_execution_plan"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScopePlan:
    """The DAG of one scope (a body, or the root).

    Attributes:
        key: the graph's scope key (``root``, ``<owner id>/<body>``).
        owner: id of the node whose body this is (``None`` for top-level scopes).
        body: the body name (``then``, ``case[0]``, ``branch[1]``, ``body`` …).
        nodes: the scheduled nodes in document order (handlers excluded).
        deps: node id → the nodes of this scope it waits for (data, phase order, barriers).
        dependents: node id → the nodes of this scope waiting for it.
        feedback: node id → ``input=`` nodes read from the previous loop iteration.
        position: node id → document position in the scope.
        wave_of: node id → wave index.
        waves: the waves of this scope (execution.md §2.3).
        repeats: True for a loop/while body.
        members: ids of every node written in this scope, handlers included.
    """

    key: str
    owner: str | None
    body: str
    nodes: tuple[NodeSpec, ...]
    deps: Mapping[str, tuple[str, ...]]
    dependents: Mapping[str, tuple[str, ...]]
    feedback: Mapping[str, frozenset[str]]
    position: Mapping[str, int]
    wave_of: Mapping[str, int]
    waves: tuple[tuple[str, ...], ...]
    repeats: bool = False
    members: frozenset[str] = frozenset()

    @property
    def ids(self) -> tuple[str, ...]:
        """Scheduled node ids in document order."""
        return tuple(node.id for node in self.nodes)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionPlan:
    """Everything the executor needs to run a workflow.

    Attributes:
        workflow: the workflow.
        graph: its dependency graph.
        scopes: scope key → plan of that scope.
        bodies: ``(owner id, body name)`` → scope key.
        handlers: handler id → node (never scheduled; run when invoked).
        node_ids: every node id of the workflow.
        children: resolved path of an ``<include>``/``<call>`` child → its plan (filled by
            ``run_file``, which loads and validates children before the run starts).
    """

    workflow: Workflow
    graph: WorkflowGraph
    scopes: Mapping[str, ScopePlan]
    bodies: Mapping[tuple[str, str], str]
    handlers: Mapping[str, NodeSpec]
    node_ids: frozenset[str]
    children: Mapping[str, ExecutionPlan] = field(default_factory=dict)

    @property
    def root(self) -> ScopePlan:
        """The plan of the top-level nodes."""
        return self.scopes[ROOT]

    @property
    def on_workflow_error(self) -> ScopePlan:
        """The plan of the ``<on-workflow-error>`` nodes."""
        return self.scopes[WORKFLOW_ERROR]

    @property
    def waves(self) -> list[list[str]]:
        """The root scope's waves as lists of node ids (for display)."""
        return [list(wave) for wave in self.root.waves]

    def body(self, owner: str, name: str) -> ScopePlan:
        """The plan of body ``name`` (``then``, ``case[0]``, ``body`` …) of node ``owner``."""
        return self.scopes[self.bodies[(owner, name)]]

    def describe(self) -> dict[str, Any]:
        """Plain data for ``--dry-run`` and ``inspect``: waves, nodes, kinds, dependencies."""
        from flowscript.planning._describe import describe_plan

        return describe_plan(self)


@without_gc
def build_execution_plan(
    workflow: Workflow, *, graph: WorkflowGraph | None = None
) -> ExecutionPlan:
    """Plan ``workflow``: per-scope DAGs, phases, barriers and waves. Pure, no I/O.

    Args:
        workflow: a parsed (and normally validated) workflow.
        graph: its graph when the caller already has it (``analyze(workflow)`` otherwise).

    Raises:
        WorkflowValidationError: the workflow has a dependency cycle
            (``VALID_CIRCULAR_DEPENDENCY``); ``validate`` reports it first in normal use.
    """
    if not isinstance(workflow, Workflow):
        raise TypeError("build_execution_plan expects a Workflow")
    graph = graph if graph is not None else analyze(workflow)
    if graph.cycles:
        raise WorkflowValidationError([_cycle_diagnostic(workflow, graph, c) for c in graph.cycles])
    scopes = {key: _plan_scope(graph, info.key) for key, info in graph.scopes.items()}
    bodies = {
        (info.parent, info.body): key
        for key, info in graph.scopes.items()
        if info.parent is not None
    }
    return ExecutionPlan(
        workflow=workflow,
        graph=graph,
        scopes=scopes,
        bodies=bodies,
        handlers={h: graph.nodes[h] for h in graph.handlers if h in graph.nodes},
        node_ids=frozenset(graph.nodes),
    )


def _cycle_diagnostic(workflow: Workflow, graph: WorkflowGraph, cycle: Any) -> Diagnostic:
    node = graph.nodes.get(cycle.path[0])
    return Diagnostic(
        code="VALID_CIRCULAR_DEPENDENCY",
        message=f"circular dependency: {cycle}",
        span=node.span if node is not None else workflow.workflow_span,
        node=cycle.path[0],
    )


def _plan_scope(graph: WorkflowGraph, key: str) -> ScopePlan:
    info = graph.scopes[key]
    members = [n for n in info.nodes if graph.nodes.get(n.id) is n]
    scheduled = [n for n in members if not graph.is_handler(n.id)]
    ids = [n.id for n in scheduled]
    allowed = set(ids)
    position = {node_id: index for index, node_id in enumerate(ids)}
    deps = {
        n.id: [d for d in graph.deps[n.id].edges if d in allowed and d != n.id] for n in scheduled
    }
    for barrier in (n for n in scheduled if _is_barrier(n)):
        _add_barrier(barrier.id, ids, deps)
    wave_of = _waves(ids, deps)
    return ScopePlan(
        key=key,
        owner=info.parent,
        body=info.body,
        nodes=tuple(scheduled),
        deps={k: tuple(v) for k, v in deps.items()},
        dependents=_dependents(ids, deps),
        feedback={n.id: frozenset(graph.deps[n.id].feedback) for n in scheduled},
        position=position,
        wave_of=wave_of,
        waves=_group(ids, wave_of),
        repeats=info.repeats,
        members=frozenset(n.id for n in members),
    )


def _is_barrier(node: NodeSpec) -> bool:
    if isinstance(node, GotoSpec):
        return True
    if isinstance(node, CheckpointSpec):
        return node.timeout_goto is not None or any(a.goto is not None for a in node.actions)
    return False


def _add_barrier(barrier: str, ids: Sequence[str], deps: dict[str, list[str]]) -> None:
    """Order every other node of the scope before or after ``barrier`` without a cycle."""
    index = ids.index(barrier)
    waiting_on_barrier = _reachable(barrier, _dependents_lists(ids, deps))
    for earlier in ids[:index]:
        if earlier not in waiting_on_barrier and earlier not in deps[barrier]:
            deps[barrier].append(earlier)
    barrier_waits_for = _reachable(barrier, deps)
    for later in ids[index + 1 :]:
        if later not in barrier_waits_for and barrier not in deps[later]:
            deps[later].append(barrier)


def _reachable(start: str, edges: Mapping[str, Iterable[str]]) -> set[str]:
    seen: set[str] = set()
    queue = deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _dependents_lists(
    ids: Sequence[str], deps: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    dependents: dict[str, list[str]] = {node_id: [] for node_id in ids}
    for node_id in ids:
        for dep in deps[node_id]:
            dependents[dep].append(node_id)
    return dependents


def _dependents(
    ids: Sequence[str], deps: Mapping[str, Sequence[str]]
) -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in _dependents_lists(ids, deps).items()}


def _waves(ids: Sequence[str], deps: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Wave of every node (Kahn's algorithm; the graph is acyclic here)."""
    waiting = {node_id: len(deps[node_id]) for node_id in ids}
    dependents = _dependents_lists(ids, deps)
    wave_of: dict[str, int] = {}
    ready = deque(node_id for node_id in ids if waiting[node_id] == 0)
    while ready:
        node_id = ready.popleft()
        wave_of[node_id] = 1 + max((wave_of[d] for d in deps[node_id]), default=-1)
        for dependent in dependents[node_id]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                ready.append(dependent)
    return wave_of


def _group(ids: Sequence[str], wave_of: Mapping[str, int]) -> tuple[tuple[str, ...], ...]:
    waves: list[list[str]] = [[] for _ in range(1 + max(wave_of.values(), default=-1))]
    for node_id in ids:
        waves[wave_of[node_id]].append(node_id)
    return tuple(tuple(wave) for wave in waves)
