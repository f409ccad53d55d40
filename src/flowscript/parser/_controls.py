"""Control-flow elements → node specs: if, branch, loop, while, foreach, parallel, break,
goto, phase, timeout (format.md §3.4)."""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from flowscript.model.nodes import (
    BranchSpec,
    BreakSpec,
    CaseSpec,
    ForeachSpec,
    GotoSpec,
    IfSpec,
    LoopSpec,
    OnErrorSpec,
    ParallelBranchSpec,
    ParallelSpec,
    PhaseSpec,
    Scope,
    TimeoutSpec,
    WhileSpec,
)
from flowscript.parser._context import (
    BuildContext,
    Children,
    node_fields,
    node_identity,
    partition,
)
from flowscript.parser._xml import XmlElement

__all__ = [
    "COMMON_ATTRIBUTES",
    "CONTROL_BUILDERS",
    "begin",
    "body_of",
    "leaf_on_error",
]

COMMON_ATTRIBUTES = frozenset({"id", "input", "timeout"})
"""Attributes every node accepts (format.md §3.4 and §3.6)."""


def begin(
    ctx: BuildContext,
    element: XmlElement,
    allowed: Collection[str],
    *ids: str,
    optional_id: bool = False,
) -> tuple[str, bool]:
    """The node id, after warning about attributes outside ``allowed`` + the common ones."""
    node, explicit = node_identity(ctx, element, *ids, optional=optional_id)
    ctx.check_attributes(element, _accepted(tuple(allowed), ids), node)
    return node, explicit


@lru_cache(maxsize=256)  # <call> accepts any attribute: bounded
def _accepted(allowed: tuple[str, ...], ids: tuple[str, ...]) -> frozenset[str]:
    """The attributes an element accepts (made once per element kind, not per node)."""
    return COMMON_ATTRIBUTES | set(allowed) | set(ids)


def body_of(
    ctx: BuildContext, element: XmlElement, node: str, tags: Collection[str] = ()
) -> tuple[Scope, OnErrorSpec | None, dict[str, list[XmlElement]]]:
    """Nodes of ``element`` as a scope, its ``<on-error>``, and the children named in ``tags``."""
    special, rest = partition(element, ("on-error", *tags))
    on_error = ctx.build_on_error(ctx, special["on-error"], node)
    return ctx.build_scope(ctx, rest, f"<{element.tag}>"), on_error, special


def _wrapper(ctx: BuildContext, element: XmlElement | None, node: str) -> Scope:
    """The nodes inside a structural wrapper such as ``<then>`` (no attributes allowed)."""
    if element is None:
        return ()
    ctx.check_attributes(element, (), node)
    return ctx.build_scope(ctx, element.children, f"<{element.tag}>")


def _wrapped_body(
    ctx: BuildContext, rest: Children, wrapper: XmlElement | None, where: str, node: str
) -> Scope:
    """A body given by a wrapper element, or by the direct nodes when there is no wrapper."""
    if wrapper is None:
        return ctx.build_scope(ctx, rest, where)
    for child in rest:
        if isinstance(child, XmlElement):
            ctx.misplaced(child, f"{where} next to <{wrapper.tag}>", node)
    ctx.unexpected_text(rest, where, node)
    return _wrapper(ctx, wrapper, node)


def build_if(ctx: BuildContext, element: XmlElement) -> IfSpec:
    """``<if condition>`` with ``<then>`` (direct nodes are the then-body) and ``<else>``."""
    node, explicit = begin(ctx, element, ("condition",))
    condition = ctx.required(element, "condition", node)
    special, rest = partition(element, ("on-error", "then", "else"))
    on_error = ctx.build_on_error(ctx, special["on-error"], node)
    then_element = ctx.first(special["then"], node)
    else_element = ctx.first(special["else"], node)
    then = _wrapped_body(ctx, rest, then_element, "<if>", node)
    else_ = _wrapper(ctx, else_element, node) if else_element is not None else None
    return IfSpec(
        **node_fields(ctx, element, node, explicit, on_error),
        condition=condition,
        then=then,
        else_=else_,
    )


def _case(ctx: BuildContext, element: XmlElement, node: str) -> CaseSpec:
    attribute = "when" if element.tag == "case" else "pattern"
    ctx.check_attributes(element, (attribute,), node)
    value = ctx.required(element, attribute, node)
    body = ctx.build_scope(ctx, element.children, f"<{element.tag}>")
    span = ctx.span(element.offset)
    if attribute == "when":
        return CaseSpec(span=span, when=value, body=body)
    return CaseSpec(span=span, pattern=value, body=body)


def build_branch(ctx: BuildContext, element: XmlElement) -> BranchSpec:
    """``<branch [on]>`` with ``<case when>``/``<match pattern>`` and ``<default>``."""
    node, explicit = begin(ctx, element, ("on",))
    special, rest = partition(element, ("on-error", "case", "match", "default", "otherwise"))
    on_error = ctx.build_on_error(ctx, special["on-error"], node)
    cases = [
        _case(ctx, child, node) for child in element.elements if child.tag in ("case", "match")
    ]
    defaults = [child for child in element.elements if child.tag in ("default", "otherwise")]
    default_element = ctx.first(defaults, node)
    for child in rest:
        if isinstance(child, XmlElement):
            ctx.misplaced(child, "<branch> (put nodes inside <case> or <default>)", node)
    ctx.unexpected_text(rest, "<branch>", node)
    default = _wrapper(ctx, default_element, node) if default_element is not None else None
    return BranchSpec(
        **node_fields(ctx, element, node, explicit, on_error),
        on=ctx.optional(element, "on"),
        cases=tuple(cases),
        default=default,
    )


def build_loop(ctx: BuildContext, element: XmlElement) -> LoopSpec:
    """``<loop max break>``."""
    node, explicit = begin(ctx, element, ("max", "break"))
    body, on_error, _ = body_of(ctx, element, node)
    return LoopSpec(
        **node_fields(ctx, element, node, explicit, on_error),
        max=ctx.optional(element, "max"),
        break_=ctx.optional(element, "break"),
        body=body,
    )


def build_while(ctx: BuildContext, element: XmlElement) -> WhileSpec:
    """``<while condition max>``; the body may be wrapped in ``<do>``."""
    node, explicit = begin(ctx, element, ("condition", "max"))
    condition = ctx.required(element, "condition", node)
    special, rest = partition(element, ("on-error", "do"))
    on_error = ctx.build_on_error(ctx, special["on-error"], node)
    body = _wrapped_body(ctx, rest, ctx.first(special["do"], node), "<while>", node)
    return WhileSpec(
        **node_fields(ctx, element, node, explicit, on_error),
        condition=condition,
        max=ctx.optional(element, "max"),
        body=body,
    )


def build_foreach(ctx: BuildContext, element: XmlElement) -> ForeachSpec:
    """``<foreach collection item index concurrency>``."""
    node, explicit = begin(ctx, element, ("collection", "item", "index", "concurrency"))
    collection = ctx.required(element, "collection", node)
    body, on_error, _ = body_of(ctx, element, node)
    item = element.attributes.get("item")
    index = element.attributes.get("index")
    return ForeachSpec(
        **node_fields(ctx, element, node, explicit, on_error),
        collection=collection,
        item=item.value if item is not None else "item",
        index=index.value if index is not None else "index",
        concurrency=ctx.optional(element, "concurrency"),
        body=body,
    )


def _parallel_branch(ctx: BuildContext, element: XmlElement, node: str) -> ParallelBranchSpec:
    ctx.check_attributes(element, ("id",), node)
    branch_id = element.attributes.get("id")
    return ParallelBranchSpec(
        span=ctx.span(element.offset),
        id=branch_id.value if branch_id is not None else None,
        body=ctx.build_scope(ctx, element.children, "<branch>"),
    )


def build_parallel(ctx: BuildContext, element: XmlElement) -> ParallelSpec:
    """``<parallel wait merge concurrency>``; a node directly inside is a branch of its own."""
    node, explicit = begin(ctx, element, ("wait", "merge", "concurrency"))
    special, rest = partition(element, ("on-error",))
    on_error = ctx.build_on_error(ctx, special["on-error"], node)
    branches: list[ParallelBranchSpec] = []
    for child in rest:
        if not isinstance(child, XmlElement):
            continue
        if child.tag == "branch":
            branches.append(_parallel_branch(ctx, child, node))
            continue
        body = ctx.build_scope(ctx, [child], "<parallel>")
        if body:
            branches.append(ParallelBranchSpec(span=ctx.span(child.offset), body=body))
    ctx.unexpected_text(rest, "<parallel>", node)
    return ParallelSpec(
        **node_fields(ctx, element, node, explicit, on_error),
        wait=ctx.optional(element, "wait"),
        merge=ctx.optional(element, "merge"),
        concurrency=ctx.optional(element, "concurrency"),
        branches=tuple(branches),
    )


def leaf_on_error(ctx: BuildContext, element: XmlElement, node: str) -> OnErrorSpec | None:
    """``<on-error>`` of an element that holds no nodes; anything else inside is reported."""
    special, rest = partition(element, ("on-error",))
    for child in rest:
        if isinstance(child, XmlElement):
            ctx.misplaced(child, f"<{element.tag}>", node)
    ctx.unexpected_text(rest, f"<{element.tag}>", node)
    return ctx.build_on_error(ctx, special["on-error"], node)


def build_break(ctx: BuildContext, element: XmlElement) -> BreakSpec:
    """``<break [loop] [when]>`` (id optional)."""
    node, explicit = begin(ctx, element, ("loop", "when"), optional_id=True)
    return BreakSpec(
        **node_fields(ctx, element, node, explicit, leaf_on_error(ctx, element, node)),
        loop=ctx.optional(element, "loop"),
        when=ctx.optional(element, "when"),
    )


def build_goto(ctx: BuildContext, element: XmlElement) -> GotoSpec:
    """``<goto node [when]>`` (id optional)."""
    node, explicit = begin(ctx, element, ("node", "when"), optional_id=True)
    return GotoSpec(
        **node_fields(ctx, element, node, explicit, leaf_on_error(ctx, element, node)),
        target=ctx.required(element, "node", node),
        when=ctx.optional(element, "when"),
    )


def build_phase(ctx: BuildContext, element: XmlElement) -> PhaseSpec:
    """``<phase name|id>``: its id is ``id``, else ``name``."""
    node, explicit = begin(ctx, element, (), "id", "name")
    body, on_error, _ = body_of(ctx, element, node)
    return PhaseSpec(**node_fields(ctx, element, node, explicit, on_error), body=body)


def build_timeout(ctx: BuildContext, element: XmlElement) -> TimeoutSpec:
    """``<timeout duration on-timeout>`` around a body."""
    node, explicit = begin(ctx, element, ("duration", "on-timeout"))
    duration = ctx.required(element, "duration", node)
    body, on_error, _ = body_of(ctx, element, node)
    return TimeoutSpec(
        **node_fields(ctx, element, node, explicit, on_error),
        duration=duration,
        on_timeout=ctx.optional(element, "on-timeout"),
        body=body,
    )


CONTROL_BUILDERS = {
    "if": build_if,
    "branch": build_branch,
    "loop": build_loop,
    "while": build_while,
    "foreach": build_foreach,
    "parallel": build_parallel,
    "break": build_break,
    "goto": build_goto,
    "phase": build_phase,
    "timeout": build_timeout,
}
"""Tag → builder for the control-flow elements of this module."""
