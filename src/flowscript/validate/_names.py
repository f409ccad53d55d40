"""Which names an expression may read at a given place (expressions.md §2.1).

Node ids, ``input``, and the variables set by ``<context>``/``<set>`` anywhere in the workflow
are visible everywhere (a variable set in another scope simply reads as ``undefined`` when it is
not in effect, which the validator does not try to prove). Other names depend on the place:
foreach ``item``/``index`` inside the foreach body, item names inside map/filter/reduce
expressions, ``$acc`` in reduce, ``$branch`` in a parallel branch, ``$branches`` in a ``merge``
expression, ``$error`` and friends in fallbacks, ``<on-workflow-error>`` and retry ``when``.
"""

from __future__ import annotations

from collections.abc import Mapping

from flowscript.graph import WORKFLOW_ERROR, top_field
from flowscript.model import ContextSpec, DataNodeSpec, ForeachSpec, NodeSpec, ParallelSpec, SetSpec
from flowscript.validate._context import ValidationContext

__all__ = ["ALWAYS_SPECIALS", "CONTEXT_SPECIALS", "NameTable", "Names"]

ALWAYS_SPECIALS = frozenset(
    {
        "$input",
        "$config",
        "$secrets",
        "$context",
        "$env",
        "$workflowDir",
        "$run",
        "$iteration",
        "$checkpoint",
    }
)
"""``$``-names readable everywhere."""

CONTEXT_SPECIALS: Mapping[str, str] = {
    "$item": "inside a <foreach> body or a map/filter/reduce expression",
    "$index": "inside a <foreach> body or a map/filter/reduce expression",
    "$first": "inside a map/filter/reduce expression",
    "$last": "inside a map/filter/reduce expression",
    "$items": "inside a map/filter/reduce expression",
    "$acc": "inside a reduce expression",
    "$branch": "inside a <parallel> branch",
    "$branches": "in a <parallel> merge expression",
    "$primaryError": "inside a fallback node",
    "$primaryInput": "inside a fallback node",
    "$error": "inside a fallback node, <on-workflow-error> or a retry `when`",
}
"""``$``-names readable only in some places, with where."""

_ITEM_NAMES = frozenset({"item", "index", "$item", "$index", "$first", "$last", "$items"})
_HANDLER_NAMES = frozenset({"$primaryError", "$primaryInput", "$error"})
_PER_ITEM_KINDS = frozenset({"transform:map", "transform:filter", "transform:reduce"})


class Names:
    """The names visible to one text (shared between texts: never modify one).

    Attributes:
        base: names visible everywhere (shared by every text, never copied).
        extra: plain names visible only here (foreach and per-item names).
        specials: ``$``-names visible here.
    """

    __slots__ = ("base", "extra", "specials")

    def __init__(
        self, base: frozenset[str], extra: frozenset[str], specials: frozenset[str]
    ) -> None:
        self.base = base
        self.extra = extra
        self.specials = specials

    def has_plain(self, name: str) -> bool:
        """True for a node id, a variable or a place-specific plain name."""
        return name in self.extra or name in self.base

    def __contains__(self, name: object) -> bool:
        return name in self.extra or name in self.base or name in self.specials

    def candidates(self) -> frozenset[str]:
        """Every plain name (for "did you mean"; built on demand)."""
        return self.base | self.extra


class NameTable:
    """Computes :class:`Names` per node and field, sharing the workflow-wide part."""

    def __init__(self, ctx: ValidationContext) -> None:
        self._ctx = ctx
        variables: set[str] = set()
        for node in ctx.nodes:
            if isinstance(node, ContextSpec):
                variables.update(entry.key for entry in node.entries)
            elif isinstance(node, SetSpec):
                variables.add(node.var)
        self.variables = frozenset(variables)
        self._base = frozenset(ctx.node_ids | variables | {"input"})
        self._per_node: dict[str, Names] = {}
        # Most nodes see exactly the same names: share one Names per distinct combination.
        self._shared: dict[tuple[frozenset[str], frozenset[str]], Names] = {}
        self._extended: dict[tuple[int, tuple[bool, ...]], Names] = {}
        self._fallbacks = frozenset(
            handler
            for handler, uses in ctx.graph.handlers.items()
            if any(use.kind == "fallback" for use in uses)
        )

    def for_text(self, node: NodeSpec, field: str, role: str) -> Names:
        """The names visible to ``field`` of ``node`` (read with ``role``)."""
        names = self._for_node(node)
        kind = node.kind if isinstance(node, DataNodeSpec) else None
        retry_when = field == "retry.when"
        merge = field == "merge" and isinstance(node, ParallelSpec)
        per_item = kind is not None and (kind, top_field(field)) in _PER_ITEM_FIELDS
        if not (retry_when or merge or per_item):
            return names
        place = (retry_when, merge, per_item, kind == "transform:reduce")
        key = (id(names), place)  # ``names`` is kept in ``_shared``: its id stays valid
        found = self._extended.get(key)
        if found is None:
            found = self._extended[key] = self._extend(names, place)
        return found

    def _extend(self, names: Names, place: tuple[bool, bool, bool, bool]) -> Names:
        retry_when, merge, per_item, reduce = place
        extra: set[str] = set()
        if retry_when:
            extra.add("$error")
        if merge:
            extra.add("$branches")
        if per_item:
            extra |= _ITEM_NAMES
            if reduce:
                extra.add("$acc")
        plain = frozenset(name for name in extra if not name.startswith("$"))
        return self._names(names.extra | plain, names.specials | extra)

    def _names(self, plain: frozenset[str], specials: frozenset[str]) -> Names:
        key = (plain, specials)
        found = self._shared.get(key)
        if found is None:
            found = self._shared[key] = Names(self._base, plain, specials)
        return found

    def _for_node(self, node: NodeSpec) -> Names:
        cached = self._per_node.get(node.id)
        if cached is not None:
            return cached
        graph = self._ctx.graph
        ancestors = graph.ancestors(node.id)
        if not ancestors and node.id not in self._fallbacks and not self._in_error_scope(node):
            # A top-level node that is no fallback: the names most nodes see.
            names = self._names(frozenset(), ALWAYS_SPECIALS)
            self._per_node[node.id] = names
            return names
        plain: set[str] = set()
        specials: set[str] = set(ALWAYS_SPECIALS)
        for outer_id in ancestors:
            outer = graph.nodes[outer_id]
            if isinstance(outer, ForeachSpec):
                plain |= {outer.item, outer.index}
                specials |= {"$item", "$index"}
            elif isinstance(outer, ParallelSpec):
                specials.add("$branch")
        if node.id in self._fallbacks or not self._fallbacks.isdisjoint(ancestors):
            specials |= _HANDLER_NAMES
        if self._in_error_scope(node):
            specials.add("$error")
        names = self._names(frozenset(plain), frozenset(specials))
        self._per_node[node.id] = names
        return names

    def _in_error_scope(self, node: NodeSpec) -> bool:
        """True for a node of ``<on-workflow-error>`` (or nested in one)."""
        graph = self._ctx.graph
        return node.id in graph.deps and graph.scope_of(node.id).path[0] == WORKFLOW_ERROR


def _per_item_fields() -> frozenset[tuple[str, str]]:
    """``(kind, field)`` of the expression fields of map/filter/reduce (evaluated per item)."""
    from flowscript.runtimes.fields import fields_for

    return frozenset(
        (kind, decl.name)
        for kind in _PER_ITEM_KINDS
        for decl in fields_for(kind) or ()
        if decl.type == "expression"
    )


_PER_ITEM_FIELDS = _per_item_fields()
