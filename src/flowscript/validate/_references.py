"""Reference rules: ``input=``, handlers, gotos, breaks, cycles (execution.md §2, §5, §6.4)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from flowscript.graph import Reference
from flowscript.model import (
    BreakSpec,
    CheckpointSpec,
    Diagnostic,
    ForeachSpec,
    GotoSpec,
    LoopSpec,
    NodeSpec,
    Text,
    TimeoutSpec,
    WhileSpec,
)
from flowscript.validate._context import ValidationContext
from flowscript.validate._hints import did_you_mean

__all__ = [
    "check_breaks",
    "check_cycles",
    "check_fallback_cycles",
    "check_gotos",
    "check_handler_targets",
    "check_handlers_not_scheduled",
    "check_inputs",
]


def _undefined(ctx: ValidationContext, node: NodeSpec, text: Text, what: str) -> Diagnostic:
    return ctx.diagnostic(
        "VALID_UNDEFINED_NODE_REF",
        f"{what} of `{node.id}` names unknown node `{text.value}`",
        text.span,
        hints=did_you_mean(text.value, ctx.node_ids),
        node=node.id,
    )


def check_inputs(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """``input=`` names existing nodes, and never the node itself or a node around/inside it."""
    graph = ctx.graph
    for node in ctx.nodes:
        for text in node.inputs:
            target = text.value
            if target not in ctx.node_ids:
                yield _undefined(ctx, node, text, "`input`")
            elif target == node.id and node.id in graph.deps:
                if not graph.scope_of(node.id).repeats:
                    yield _input_cycle(ctx, node, text, "itself")
            elif target in graph.ancestors(node.id):
                yield _input_cycle(ctx, node, text, f"`{target}`, which encloses it")
            elif node.id in graph.ancestors(target):
                yield _input_cycle(ctx, node, text, f"`{target}`, which is inside it")


def _input_cycle(ctx: ValidationContext, node: NodeSpec, text: Text, what: str) -> Diagnostic:
    return ctx.diagnostic(
        "VALID_CIRCULAR_DEPENDENCY",
        f"`{node.id}` takes its input from {what}: {node.id} -> {text.value}",
        text.span,
        hints=("a node cannot wait for its own output or for the node that contains it",),
        node=node.id,
    )


def check_handler_targets(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """Fallback and ``on-timeout`` targets exist; no node is its own fallback."""
    for node in ctx.nodes:
        fallback = node.on_error.fallback if node.on_error is not None else None
        if fallback is not None and fallback.value:
            if fallback.value not in ctx.node_ids:
                yield _undefined(ctx, node, fallback, "the fallback")
            elif fallback.value == node.id:
                yield ctx.diagnostic(
                    "VALID_CIRCULAR_FALLBACK",
                    f"`{node.id}` is its own fallback",
                    fallback.span,
                    hints=("name another node, one that does not fail the same way",),
                    node=node.id,
                )
        if isinstance(node, TimeoutSpec):
            yield from _on_timeout(ctx, node)


def _on_timeout(ctx: ValidationContext, node: TimeoutSpec) -> Iterator[Diagnostic]:
    target = node.on_timeout
    if target is None or not target.value:
        return
    if target.value not in ctx.node_ids:
        yield _undefined(ctx, node, target, "`on-timeout`")
    elif target.value == node.id or node.id in ctx.graph.ancestors(target.value):
        yield ctx.diagnostic(
            "VALID_INVALID_VALUE",
            f"the on-timeout handler `{target.value}` of `{node.id}` is inside the body it "
            "guards, which is cancelled when the deadline passes",
            target.span,
            hints=("move the handler out of the <timeout> body",),
            node=node.id,
        )


def check_fallback_cycles(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """Fallback chains end (``a`` falls back to ``b`` falls back to ``a`` is an error)."""
    chain: dict[str, Text] = {}
    for node in ctx.nodes:
        fallback = node.on_error.fallback if node.on_error is not None else None
        if fallback is not None and fallback.value != node.id:
            chain.setdefault(node.id, fallback)
    reported: set[str] = set()
    for start in chain:
        path = [start]
        while path[-1] in chain and chain[path[-1]].value not in path:
            path.append(chain[path[-1]].value)
        last = chain.get(path[-1])
        if last is None or last.value != start or start in reported:
            continue
        reported.update(path)
        yield ctx.diagnostic(
            "VALID_CIRCULAR_FALLBACK",
            "fallbacks form a cycle: " + " -> ".join((*path, start)),
            chain[start].span,
            hints=("end the chain with a node that has no fallback",),
            node=start,
        )


def _goto_targets(node: NodeSpec) -> Iterator[tuple[str, Text]]:
    if isinstance(node, GotoSpec):
        yield "goto `node`", node.target
    if isinstance(node, CheckpointSpec):
        for action in node.actions:
            if action.goto is not None:
                yield f"action `{action.id}` goto", action.goto
        if node.timeout_goto is not None:
            yield "timeout goto", node.timeout_goto


def check_gotos(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """Goto targets exist and sit in the goto's scope or an enclosing one (execution.md §5)."""
    for node in ctx.nodes:
        for what, target in _goto_targets(node):
            if not target.value:
                continue
            if target.value not in ctx.node_ids:
                yield _undefined(ctx, node, target, f"the {what}")
            elif node.id in ctx.graph.deps:
                yield from _goto_scope(ctx, node, target)


def _goto_scope(ctx: ValidationContext, node: NodeSpec, target: Text) -> Iterator[Diagnostic]:
    graph = ctx.graph
    allowed = graph.scope_of(node.id).path
    if graph.scope_of(target.value).key in allowed:
        return
    enclosing = [
        outer for outer in graph.ancestors(target.value) if graph.scope_of(outer).key in allowed
    ]
    hints = (f"jump to `{enclosing[0]}`, which contains `{target.value}`",) if enclosing else ()
    yield ctx.diagnostic(
        "VALID_INVALID_GOTO_TARGET",
        f"`{node.id}` cannot jump to `{target.value}`: a goto target must be in the same "
        "scope or an enclosing one",
        target.span,
        hints=hints,
        node=node.id,
    )


_LOOPS = (LoopSpec, WhileSpec, ForeachSpec)


def check_breaks(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """``<break>`` sits in a loop/while/foreach; ``loop=`` names one of the enclosing loops."""
    graph = ctx.graph
    for node in ctx.nodes:
        if not isinstance(node, BreakSpec) or node.id not in graph.deps:
            continue
        loops = [a for a in graph.ancestors(node.id) if isinstance(graph.nodes[a], _LOOPS)]
        named = node.loop
        if not loops:
            yield ctx.diagnostic(
                "VALID_BREAK_OUTSIDE_LOOP",
                "<break> is not inside a <loop>, <while> or <foreach>",
                node.span,
                hints=("use <goto> to jump elsewhere, or move the <break> into a loop body",),
                node=node.id,
            )
        elif named is not None and named.value and named.value not in loops:
            yield ctx.diagnostic(
                "VALID_BREAK_OUTSIDE_LOOP",
                f"`loop` names `{named.value}`, which is not a loop around this <break>",
                named.span,
                hints=did_you_mean(named.value, loops) or (f"enclosing loops: {', '.join(loops)}",),
                node=node.id,
            )


def _handler_of(ctx: ValidationContext, node_id: str) -> str | None:
    """The handler ``node_id`` is, or is nested in; ``None`` for scheduled nodes."""
    for candidate in (node_id, *ctx.graph.ancestors(node_id)):
        if ctx.graph.is_handler(candidate):
            return candidate
    return None


def check_handlers_not_scheduled(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """A scheduled node must not depend on a handler (execution.md §2.2)."""
    if not ctx.graph.handlers:
        return
    for deps in ctx.graph.deps.values():
        if _handler_of(ctx, deps.id) is not None:
            continue
        for ref in deps.references:
            if ref.source != deps.id or ref.via == "variable":
                continue
            handler = _handler_of(ctx, ref.target)
            if handler is not None:
                yield _handler_dependency(ctx, ref, handler)


def _handler_dependency(ctx: ValidationContext, ref: Reference, handler: str) -> Diagnostic:
    use = ctx.graph.handlers[handler][0]
    role = "fallback" if use.kind == "fallback" else "on-timeout handler"
    return ctx.diagnostic(
        "VALID_HANDLER_ALSO_SCHEDULED",
        f"`{ref.source}` depends on `{ref.target}`, but `{handler}` is the {role} of "
        f"`{use.serves}` and runs only when invoked",
        ctx.text_span(ref.text, ref.offset),
        hints=(f"depend on `{use.serves}` instead: it carries the handler's output",),
        node=ref.source,
    )


def check_cycles(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """Dependency cycles, per scope, with their path."""
    for cycle in ctx.graph.cycles:
        first = ctx.graph.nodes[cycle.path[0]]
        yield ctx.diagnostic(
            "VALID_CIRCULAR_DEPENDENCY",
            f"nodes wait for each other: {cycle}",
            first.span,
            hints=tuple(_edge_hints(ctx, cycle.path)),
            node=first.id,
        )


def _edge_hints(ctx: ValidationContext, path: tuple[str, ...]) -> Iterator[str]:
    graph = ctx.graph
    for waiter, waited in pairwise(path):
        deps = graph.deps[waiter]
        if waited in deps.after and waited not in deps.dependencies:
            yield f"phase `{waiter}` runs after phase `{waited}`"
            continue
        for ref in deps.references:
            if ref.target == waited or waited in graph.ancestors(ref.target):
                where = ctx.text_span(ref.text, ref.offset)
                yield f"`{ref.source}` reads `{ref.name}` at line {where.line}"
                break
