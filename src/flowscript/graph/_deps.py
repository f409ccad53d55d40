"""Per-scope dependencies (execution.md §2.2), feedback edges, phase order and handlers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from flowscript.graph._refs import Reference, TextParser, collect_names
from flowscript.graph._scopes import ScopeInfo, ScopeTree, walk_nodes
from flowscript.graph._texts import EvaluableText
from flowscript.model import NodeSpec, PhaseSpec, SourceSpan, TimeoutSpec
from flowscript.model._build import slot_builder

__all__ = ["HandlerUse", "NodeDeps", "compute_dependencies", "find_handlers"]


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeDeps:
    """What one node waits for inside its own scope.

    Attributes:
        id: the node.
        scope: key of the node's scope.
        dependencies: nodes of the same scope this node (or a node nested in it) reads, or
            that set a variable it reads earlier in the scope; document order.
        external: ids referenced by the node's subtree that live outside its scope (their
            values come from an enclosing scope); as referenced, first-reference order.
        feedback: nodes later in the same loop/while body read through ``input=``: read from
            the previous iteration, not waited for.
        after: ordering constraints that are not data: the previous ``<phase>`` of the scope.
        references: every reference found in the node's subtree (for diagnostics).
    """

    id: str
    scope: str
    dependencies: tuple[str, ...] = ()
    external: tuple[str, ...] = ()
    feedback: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()

    @property
    def edges(self) -> tuple[str, ...]:
        """Dependencies plus ordering constraints: everything that must finish first."""
        return self.dependencies + tuple(a for a in self.after if a not in self.dependencies)


@dataclass(frozen=True, slots=True, kw_only=True)
class HandlerUse:
    """A node serving as a handler: ``handler`` runs for ``serves`` when invoked."""

    handler: str
    serves: str
    kind: Literal["fallback", "on-timeout"]
    span: SourceSpan


# Positional builder (see flowscript.model._build): one NodeDeps per node.
_make_deps = slot_builder(
    NodeDeps, "id", "scope", "dependencies", "external", "feedback", "after", "references"
)


def find_handlers(nodes: Iterable[NodeSpec]) -> dict[str, tuple[HandlerUse, ...]]:
    """Handler id → the uses of it, in document order of the nodes served.

    ``nodes`` are every node of the workflow in walk order (``workflow.walk()``).
    """
    found: dict[str, list[HandlerUse]] = {}
    for node in nodes:
        for use in _handler_uses(node):
            found.setdefault(use.handler, []).append(use)
    return {handler: tuple(uses) for handler, uses in found.items()}


def _handler_uses(node: NodeSpec) -> Iterable[HandlerUse]:
    fallback = node.on_error.fallback if node.on_error is not None else None
    if fallback is not None and fallback.value:
        yield HandlerUse(
            handler=fallback.value, serves=node.id, kind="fallback", span=fallback.span
        )
    if isinstance(node, TimeoutSpec) and node.on_timeout is not None and node.on_timeout.value:
        yield HandlerUse(
            handler=node.on_timeout.value,
            serves=node.id,
            kind="on-timeout",
            span=node.on_timeout.span,
        )


class _Resolver:
    """Collects references once per node and resolves them against scopes."""

    def __init__(
        self,
        tree: ScopeTree,
        parser: TextParser,
        setters: Mapping[str, tuple[str, ...]],
        texts_of: Callable[[NodeSpec], tuple[EvaluableText, ...]],
    ) -> None:
        self.tree = tree
        self.parser = parser
        self.node_ids = frozenset(tree.nodes)
        self.setters = setters
        self.texts_of = texts_of
        self._own: dict[int, tuple[Reference, ...]] = {}

    def own(self, node: NodeSpec) -> tuple[Reference, ...]:
        key = id(node)
        found = self._own.get(key)
        if found is None:
            found = tuple(
                collect_names(node, self.texts_of(node), self.node_ids, self.setters, self.parser)
            )
            self._own[key] = found
        return found

    def in_scope(self, target: str, scope: str) -> str | None:
        current: str | None = target
        while current is not None:
            if self.tree.scope_of.get(current) == scope:
                return current
            current = self.tree.enclosing.get(current)
        return None


def compute_dependencies(
    tree: ScopeTree,
    parser: TextParser,
    setters: Mapping[str, tuple[str, ...]],
    texts_of: Callable[[NodeSpec], tuple[EvaluableText, ...]],
) -> dict[str, NodeDeps]:
    """``NodeDeps`` of every node (first occurrence of each id), scope by scope.

    Args:
        tree: the scopes of the workflow.
        parser: parses (once) and names the texts.
        setters: variable name → the nodes that set it (:func:`setters_of`).
        texts_of: a node's own evaluable texts (:func:`node_texts`, computed once).
    """
    resolver = _Resolver(tree, parser, setters, texts_of)
    result: dict[str, NodeDeps] = {}
    for scope in tree.scopes.values():
        previous_phase: str | None = None
        for node in scope.nodes:
            if tree.nodes.get(node.id) is not node:
                continue  # duplicate id
            phase = isinstance(node, PhaseSpec)
            after = (previous_phase,) if phase and previous_phase is not None else ()
            result[node.id] = _node_deps(resolver, scope, node, after)
            if phase:
                previous_phase = node.id
    return result


def _subtree_references(
    resolver: _Resolver, node: NodeSpec
) -> tuple[set[str], tuple[Reference, ...]]:
    """The ids of ``node`` and its nested nodes, and every reference they make."""
    if not node.scopes():  # a leaf: most nodes
        return {node.id}, resolver.own(node)
    subtree = walk_nodes((node,))
    return {inner.id for inner in subtree}, tuple(
        ref for inner in subtree for ref in resolver.own(inner)
    )


def _node_deps(
    resolver: _Resolver, scope: ScopeInfo, node: NodeSpec, after: tuple[str, ...]
) -> NodeDeps:
    own_ids, references = _subtree_references(resolver, node)
    if not references:
        return NodeDeps(id=node.id, scope=scope.key, after=after)
    position = resolver.tree.position
    deps: set[str] = set()
    feedback: set[str] = set()
    external: dict[str, None] = {}
    for ref in references:
        if ref.target in own_ids:
            continue
        target = resolver.in_scope(ref.target, scope.key)
        if target is None:
            if ref.via != "variable":
                external[ref.target] = None
        elif ref.via == "variable":
            if position[target] < position[node.id]:
                deps.add(target)
        elif ref.via == "input" and scope.repeats and position[target] > position[node.id]:
            feedback.add(target)
        else:
            deps.add(target)
    return _make_deps(
        node.id,
        scope.key,
        tuple(sorted(deps, key=position.__getitem__)) if len(deps) > 1 else tuple(deps),
        tuple(external),
        tuple(sorted(feedback - deps, key=position.__getitem__)) if feedback else (),
        after,
        references,
    )
