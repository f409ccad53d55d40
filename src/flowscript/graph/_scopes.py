"""Scopes of a workflow (execution.md §2.1): the root, every body, and on-workflow-error."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from flowscript.model import (
    BranchSpec,
    IfSpec,
    LoopSpec,
    NodeSpec,
    ParallelSpec,
    Scope,
    WhileSpec,
    Workflow,
)

__all__ = ["ROOT", "WORKFLOW_ERROR", "ScopeInfo", "ScopeTree", "build_scopes", "walk_nodes"]

ROOT = "root"
"""Key of the root scope (the top-level nodes of ``<workflow>``)."""

WORKFLOW_ERROR = "on-workflow-error"
"""Key of the ``<on-workflow-error>`` scope."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScopeInfo:
    """One scope: a body planned as its own DAG.

    Attributes:
        key: unique key: ``root``, ``on-workflow-error``, or ``<parent id>/<body>``.
        body: which body of the parent: ``then``, ``else``, ``case[i]``, ``default``,
            ``branch[i]``, ``body`` (loop/while/foreach/phase/timeout), or the key itself for
            the two top-level scopes.
        parent: id of the node owning the body; ``None`` for the two top-level scopes.
        path: keys of the enclosing scopes from the top-level one down to this one.
        nodes: the nodes of the scope in document order (handlers included).
        repeats: the body of a ``<loop>``/``<while>``: ``input=`` to a later node is feedback.
    """

    key: str
    body: str
    parent: str | None
    path: tuple[str, ...]
    nodes: Scope
    repeats: bool = False

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids of the scope's nodes in document order."""
        return tuple(node.id for node in self.nodes)


class ScopeTree:
    """Scopes found in a workflow, plus node → scope and node → parent indexes."""

    __slots__ = ("enclosing", "nodes", "position", "scope_of", "scopes")

    def __init__(self) -> None:
        self.scopes: dict[str, ScopeInfo] = {}
        self.scope_of: dict[str, str] = {}
        self.enclosing: dict[str, str | None] = {}
        self.position: dict[str, int] = {}
        self.nodes: dict[str, NodeSpec] = {}


def _if_bodies(node: NodeSpec) -> tuple[str, ...]:
    assert isinstance(node, IfSpec)
    return ("then",) if node.else_ is None else ("then", "else")


def _branch_bodies(node: NodeSpec) -> tuple[str, ...]:
    assert isinstance(node, BranchSpec)
    cases = tuple(f"case[{i}]" for i in range(len(node.cases)))
    return cases if node.default is None else (*cases, "default")


def _parallel_bodies(node: NodeSpec) -> tuple[str, ...]:
    assert isinstance(node, ParallelSpec)
    return tuple(f"branch[{i}]" for i in range(len(node.branches)))


_BODY_NAMES: Mapping[type[NodeSpec], Callable[[NodeSpec], tuple[str, ...]]] = {
    IfSpec: _if_bodies,
    BranchSpec: _branch_bodies,
    ParallelSpec: _parallel_bodies,
}


def body_names(node: NodeSpec) -> tuple[str, ...]:
    """Names of the bodies of ``node``, aligned with ``node.scopes()``."""
    namer = _BODY_NAMES.get(type(node))
    if namer is not None:
        return namer(node)
    count = len(node.scopes())
    return ("body",) if count == 1 else tuple(f"body[{i}]" for i in range(count))


def walk_nodes(roots: Sequence[NodeSpec]) -> list[NodeSpec]:
    """``roots`` and every node nested in them, in :meth:`Workflow.walk` order, as a list.

    Iterative (any depth) and without nested generators: the analysis and every validation
    rule share the one list instead of walking the tree again.
    """
    found: list[NodeSpec] = []
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        found.append(node)
        for scope in reversed(node.scopes()):
            stack.extend(reversed(scope))
    return found


def build_scopes(workflow: Workflow) -> ScopeTree:
    """Every scope of ``workflow`` (root first, then depth-first in document order)."""
    tree = ScopeTree()
    _add_scope(tree, ROOT, ROOT, None, (), workflow.nodes, repeats=False)
    _add_scope(
        tree, WORKFLOW_ERROR, WORKFLOW_ERROR, None, (), workflow.on_workflow_error, repeats=False
    )
    return tree


def _add_scope(
    tree: ScopeTree,
    key: str,
    body: str,
    parent: str | None,
    outer: tuple[str, ...],
    nodes: Scope,
    *,
    repeats: bool,
) -> None:
    path = (*outer, key)
    tree.scopes[key] = ScopeInfo(
        key=key, body=body, parent=parent, path=path, nodes=nodes, repeats=repeats
    )
    for index, node in enumerate(nodes):
        if node.id in tree.nodes:
            continue  # a duplicate id (reported by the validator); the first one wins
        tree.nodes[node.id] = node
        tree.scope_of[node.id] = key
        tree.enclosing[node.id] = parent
        tree.position[node.id] = index
    for node in nodes:
        scopes = node.scopes()
        if not scopes:
            continue  # a leaf node (most nodes)
        loops = isinstance(node, LoopSpec | WhileSpec)
        for name, scope in zip(body_names(node), scopes, strict=True):
            child_key = f"{node.id}/{name}"
            if child_key in tree.scopes:  # a duplicate id (reported by the validator)
                child_key = f"{node.id}@{node.span.line}:{node.span.column}/{name}"
            _add_scope(tree, child_key, name, node.id, path, scope, repeats=loops)
