"""Scopes and node dependencies of a workflow, found from expression trees (pure, no I/O).

``analyze(workflow)`` is computed once per call (nothing is cached globally) and gives the
planner and the validator, for every scope (execution.md §2.1):

- its nodes in document order, its parent node and its path;
- each node's dependencies inside its own scope (execution.md §2.2), taken from ``input=`` and
  every expression, template and duration of the node and of its nested nodes; a reference to
  a node nested in another node of the scope is a dependency on that enclosing node;
  references that leave the scope are *external*; ``input=`` to a later node of a loop/while
  body is *feedback* (read from the previous iteration);
- handlers (fallback and ``on-timeout`` targets), which are never scheduled on their own;
- dependency cycles, per scope, as paths (``a -> b -> a``);
- ``waves(scope)`` (execution.md §2.3).

Two additions the text of §2.2 leaves open, decided here: a node that reads a variable set
by an *earlier* ``<context>``/``<set>`` node of its scope (bare ``k`` or ``$context.k``) depends
on that node, so eager scheduling never reads a variable before it is set; and each
``<phase>`` waits for the previous phase of its scope (``NodeDeps.after``), as phases run in
document order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flowscript.graph._deps import HandlerUse, NodeDeps, compute_dependencies, find_handlers
from flowscript.graph._order import find_cycles, layer_waves
from flowscript.graph._refs import (
    NameRef,
    Part,
    Reference,
    TextParser,
    defined_names,
    defined_of,
    names_in,
    setters_of,
    text_names,
)
from flowscript.graph._scopes import (
    ROOT,
    WORKFLOW_ERROR,
    ScopeInfo,
    body_names,
    build_scopes,
    walk_nodes,
)
from flowscript.graph._texts import EvaluableText, node_text_tuple, node_texts, top_field
from flowscript.model import NodeSpec, Workflow

__all__ = [
    "ROOT",
    "WORKFLOW_ERROR",
    "Cycle",
    "EvaluableText",
    "HandlerUse",
    "NameRef",
    "NodeDeps",
    "Part",
    "Reference",
    "ScopeInfo",
    "TextParser",
    "WorkflowGraph",
    "analyze",
    "body_names",
    "defined_names",
    "names_in",
    "node_texts",
    "text_names",
    "top_field",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Cycle:
    """A dependency cycle inside one scope.

    Attributes:
        scope: the scope key.
        path: the nodes along the cycle, first one repeated at the end (``a, b, a``: ``a``
            waits for ``b``, which waits for ``a``).
    """

    scope: str
    path: tuple[str, ...]

    def __str__(self) -> str:
        return " -> ".join(self.path)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowGraph:
    """The scopes and dependencies of one workflow.

    Attributes:
        workflow: the analysed workflow.
        scopes: scope key → scope, root first, then depth-first in document order, then the
            ``on-workflow-error`` scope and its bodies.
        nodes: node id → node (the first node of a duplicated id).
        deps: node id → its dependencies in its scope.
        handlers: handler node id → the nodes it serves (fallback / on-timeout).
        cycles: dependency cycles, per scope in scope order.
        enclosing: node id → id of the node whose body holds it (``None`` at top level).
        defined: names an expression may read as one hyphenated name (ids, variables,
            foreach item/index names).
        texts: the parsed texts of the workflow (reuse it instead of parsing again).
        all_nodes: every node in ``workflow.walk()`` order, duplicated ids included (walk
            this list instead of the tree).
    """

    workflow: Workflow
    scopes: Mapping[str, ScopeInfo]
    nodes: Mapping[str, NodeSpec]
    deps: Mapping[str, NodeDeps]
    handlers: Mapping[str, tuple[HandlerUse, ...]]
    cycles: tuple[Cycle, ...]
    enclosing: Mapping[str, str | None]
    defined: frozenset[str] = field(default_factory=frozenset)
    texts: TextParser = field(default_factory=TextParser)
    all_nodes: tuple[NodeSpec, ...] = field(default=(), repr=False, compare=False)
    _scope_of: Mapping[str, str] = field(default_factory=dict)
    _texts_of: Mapping[int, tuple[EvaluableText, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def texts_of(self, node: NodeSpec) -> tuple[EvaluableText, ...]:
        """The evaluable texts of ``node`` itself (:func:`node_texts`), computed once."""
        found = self._texts_of.get(id(node))
        return found if found is not None else node_text_tuple(node)

    def scope_of(self, node_id: str) -> ScopeInfo:
        """The scope holding ``node_id``; ``KeyError`` for an unknown id."""
        return self.scopes[self._scope_of[node_id]]

    def dependencies(self, node_id: str) -> tuple[str, ...]:
        """In-scope dependencies of ``node_id`` (data dependencies only, no phase order)."""
        return self.deps[node_id].dependencies

    def is_handler(self, node_id: str) -> bool:
        """True when ``node_id`` is some node's fallback or ``on-timeout`` target."""
        return node_id in self.handlers

    def ancestors(self, node_id: str) -> tuple[str, ...]:
        """Ids of the nodes enclosing ``node_id``, innermost first."""
        current = self.enclosing.get(node_id)
        if current is None:
            return ()
        chain: list[str] = []
        while current is not None:
            chain.append(current)
            current = self.enclosing.get(current)
        return tuple(chain)

    def waves(self, scope: str | ScopeInfo = ROOT) -> tuple[tuple[str, ...], ...]:
        """The waves of a scope (execution.md §2.3), handlers excluded.

        Wave 0 holds the nodes with no dependencies in document order; wave k+1 the nodes
        whose dependencies (and previous phase) are all in waves ≤ k. Nodes on a cycle, or
        waiting for one, are left out (the validator reports the cycle).
        """
        info = self.scopes[scope] if isinstance(scope, str) else scope
        order = [node_id for node_id in dict.fromkeys(info.ids) if node_id in self.deps]
        edges = {node_id: self.deps[node_id].edges for node_id in order}
        return layer_waves(order, edges, self.is_handler)


def analyze(workflow: Workflow) -> WorkflowGraph:
    """Scopes, dependencies, handlers and cycles of ``workflow`` (never raises on bad input).

    Texts that do not parse contribute no references; unknown ids are not dependencies;
    duplicate ids resolve to their first node. The validator reports all of those.
    """
    all_nodes = tuple(walk_nodes((*workflow.nodes, *workflow.on_workflow_error)))
    texts_of = {id(node): node_text_tuple(node) for node in all_nodes}
    tree = build_scopes(workflow)
    setters = setters_of(all_nodes)
    defined = defined_of(all_nodes, tree.nodes, setters)
    texts = TextParser(defined)
    deps = compute_dependencies(tree, texts, setters, lambda node: texts_of[id(node)])
    cycles: list[Cycle] = []
    for scope in tree.scopes.values():
        if len(scope.nodes) < 2:
            continue  # a cycle needs two nodes (a node reading itself is not one)
        order = [node_id for node_id in dict.fromkeys(scope.ids) if node_id in deps]
        edges = {node_id: deps[node_id].edges for node_id in order}
        cycles.extend(Cycle(scope=scope.key, path=path) for path in find_cycles(order, edges))
    return WorkflowGraph(
        workflow=workflow,
        scopes=dict(tree.scopes),
        nodes=dict(tree.nodes),
        deps=deps,
        handlers=find_handlers(all_nodes),
        cycles=tuple(cycles),
        enclosing=dict(tree.enclosing),
        defined=defined,
        texts=texts,
        all_nodes=all_nodes,
        _scope_of=dict(tree.scope_of),
        _texts_of=texts_of,
    )
