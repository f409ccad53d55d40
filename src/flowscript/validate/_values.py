"""Durations, and the numbers and words control nodes accept (format.md §3.4–§3.6)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping

from flowscript.graph import EvaluableText
from flowscript.model import (
    BranchSpec,
    CheckpointSpec,
    DataNodeSpec,
    Diagnostic,
    ForeachSpec,
    LoopSpec,
    NodeSpec,
    ParallelSpec,
    RetrySpec,
    Text,
    WhileSpec,
)
from flowscript.validate._coerce import BOOLEAN_WORDS, describe
from flowscript.validate._context import ValidationContext
from flowscript.validate._hints import did_you_mean

__all__ = ["check_control_values", "check_durations", "check_retry_values"]

_NUMERIC_RE = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*")
_INT_RE = re.compile(r"\s*\d+\s*")
_WAIT_N_RE = re.compile(r"n\((\d+)\)")
_VARIABLE_RE = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def _written(node: NodeSpec, text: Text) -> bool:
    """False for an empty value the parser made up for a missing attribute (already reported)."""
    return bool(text.value) or any(a.value_span == text.span for a in node.attributes.values())


def check_durations(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """Every duration that is not a template parses (format.md §3.5)."""
    for node in ctx.nodes:
        for field, text in _durations(node, ctx.texts_of(node)):
            if "{{" in text.value or not _written(node, text):
                continue
            # Imported on the first duration: most small workflows have none.
            from flowscript.model.durations import ACCEPTED_FORMS, parse_duration

            try:
                parse_duration(text.value)
            except ValueError as exc:
                yield ctx.diagnostic(
                    "VALID_INVALID_DURATION",
                    f"`{field}` of `{node.id}`: {exc}",
                    text.span,
                    hints=() if ACCEPTED_FORMS in str(exc) else (ACCEPTED_FORMS,),
                    node=node.id,
                )


def _durations(node: NodeSpec, texts: Iterable[EvaluableText]) -> Iterator[tuple[str, Text]]:
    config = node.config if isinstance(node, DataNodeSpec) else {}
    for field, text, role in texts:
        if role == "duration" and (field not in config or text is node.timeout):
            yield field, text


def _invalid(
    ctx: ValidationContext, node: NodeSpec, text: Text, message: str, *hints: str
) -> Diagnostic:
    return ctx.diagnostic("VALID_INVALID_VALUE", message, text.span, hints=hints, node=node.id)


def _int_at_least(
    ctx: ValidationContext, node: NodeSpec, name: str, text: Text | None, minimum: int
) -> Iterator[Diagnostic]:
    """A literal integer ≥ ``minimum`` (templates and expressions are checked elsewhere)."""
    if text is None or "{{" in text.value or not _written(node, text):
        return
    value = text.value.strip()
    if _INT_RE.fullmatch(value) and int(value) >= minimum:
        return
    yield _invalid(
        ctx,
        node,
        text,
        f"`{name}` of `{node.id}` must be an integer ≥ {minimum}, not {describe(text.value)}",
    )


def _loop_max(ctx: ValidationContext, node: NodeSpec, text: Text | None) -> Iterator[Diagnostic]:
    """``max`` is an integer ≥ 0 or an expression; a number literal must be an integer."""
    if text is not None and _NUMERIC_RE.fullmatch(text.value):
        yield from _int_at_least(ctx, node, "max", text, 0)


def _check_loop(ctx: ValidationContext, node: NodeSpec) -> Iterator[Diagnostic]:
    assert isinstance(node, LoopSpec | WhileSpec)
    yield from _loop_max(ctx, node, node.max)


def _check_foreach(ctx: ValidationContext, node: NodeSpec) -> Iterator[Diagnostic]:
    assert isinstance(node, ForeachSpec)
    yield from _int_at_least(ctx, node, "concurrency", node.concurrency, 1)
    for attribute, name in (("item", node.item), ("index", node.index)):
        if not _VARIABLE_RE.fullmatch(name):
            yield ctx.diagnostic(
                "VALID_INVALID_VALUE",
                f"`{attribute}` of `{node.id}` must be a variable name, not {describe(name)}",
                ctx.attr_span(node, attribute),
                hints=("names match [A-Za-z_$][A-Za-z0-9_$]*",),
                node=node.id,
            )
    if node.item == node.index:
        yield ctx.diagnostic(
            "VALID_INVALID_VALUE",
            f"`item` and `index` of `{node.id}` are both `{node.item}`",
            ctx.attr_span(node, "index"),
            node=node.id,
        )


def _check_parallel(ctx: ValidationContext, node: NodeSpec) -> Iterator[Diagnostic]:
    assert isinstance(node, ParallelSpec)
    yield from _int_at_least(ctx, node, "concurrency", node.concurrency, 1)
    if not node.branches:
        yield ctx.diagnostic(
            "VALID_INVALID_VALUE",
            f"<parallel> `{node.id}` has no <branch>",
            node.span,
            hints=("put each concurrent path in its own <branch> element",),
            node=node.id,
        )
    yield from _parallel_wait(ctx, node)


def _parallel_wait(ctx: ValidationContext, node: ParallelSpec) -> Iterator[Diagnostic]:
    """``wait`` is ``all``, ``any`` or ``n(N)`` with 1 ≤ N ≤ the number of branches."""
    wait = node.wait
    if wait is None or "{{" in wait.value:
        return
    word = wait.value.strip()
    match = _WAIT_N_RE.fullmatch(word)
    if word in ("all", "any"):
        return
    if match is None:
        yield _invalid(
            ctx,
            node,
            wait,
            f"`wait` of `{node.id}` must be all, any or n(N), not {describe(wait.value)}",
            *did_you_mean(word, ("all", "any")),
        )
    elif not 1 <= int(match.group(1)) <= max(1, len(node.branches)):
        yield _invalid(
            ctx,
            node,
            wait,
            f"`wait` of `{node.id}` asks for {match.group(1)} branches; "
            f"N must be between 1 and {len(node.branches)} (the number of branches)",
        )


def _check_branch(ctx: ValidationContext, node: NodeSpec) -> Iterator[Diagnostic]:
    assert isinstance(node, BranchSpec)
    if not node.cases:
        yield ctx.diagnostic(
            "VALID_INVALID_VALUE",
            f"<branch> `{node.id}` has no <case>",
            node.span,
            hints=('add <case when="…"> elements (use <if> for a single condition)',),
            node=node.id,
        )


def _check_checkpoint(ctx: ValidationContext, node: NodeSpec) -> Iterator[Diagnostic]:
    assert isinstance(node, CheckpointSpec)
    seen: dict[str, int] = {}
    for action in node.actions:
        if action.id in seen:
            yield ctx.diagnostic(
                "VALID_INVALID_VALUE",
                f"checkpoint `{node.id}` has two actions `{action.id}`",
                action.span,
                hints=(f"the first one is at line {seen[action.id]}",),
                node=node.id,
            )
        seen.setdefault(action.id, action.span.line)
    choices = ("approve", "reject", *seen)
    default = node.default
    if default is not None and "{{" not in default.value and default.value.strip() not in choices:
        yield _invalid(
            ctx,
            node,
            default,
            f"`default` of `{node.id}` is {describe(default.value)}; "
            "expected approve, reject or an action id",
            *did_you_mean(default.value, choices),
        )
    allow = node.allow_input
    if allow is not None and allow.value.strip().lower() not in BOOLEAN_WORDS:
        yield _invalid(
            ctx,
            node,
            allow,
            f"`allow-input` of `{node.id}` must be true or false, not {describe(allow.value)}",
        )


_CONTROL_CHECKS: Mapping[
    type[NodeSpec], Callable[[ValidationContext, NodeSpec], Iterator[Diagnostic]]
] = {
    LoopSpec: _check_loop,
    WhileSpec: _check_loop,
    ForeachSpec: _check_foreach,
    ParallelSpec: _check_parallel,
    BranchSpec: _check_branch,
    CheckpointSpec: _check_checkpoint,
}


def check_control_values(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """Numbers and words of loop/while/foreach/parallel/branch/checkpoint attributes."""
    for node in ctx.nodes:
        check = _CONTROL_CHECKS.get(type(node))
        if check is not None:
            yield from check(ctx, node)


_BACKOFFS = ("exponential", "linear", "fixed")


def check_retry_values(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """``<retry>``: ``max`` an integer ≥ 0, ``backoff`` exponential/linear/fixed."""
    for node in ctx.nodes:
        retry = node.on_error.retry if node.on_error is not None else None
        if retry is not None:
            yield from _retry(ctx, node, retry)


def _retry(ctx: ValidationContext, node: NodeSpec, retry: RetrySpec) -> Iterator[Diagnostic]:
    yield from _int_at_least(ctx, node, "retry max", retry.max, 0)
    backoff = retry.backoff
    if backoff is not None and backoff.value.strip() not in _BACKOFFS:
        yield _invalid(
            ctx,
            node,
            backoff,
            f"`backoff` of `{node.id}` must be exponential, linear or "
            f"fixed, not {describe(backoff.value)}",
            *did_you_mean(backoff.value, _BACKOFFS),
        )
