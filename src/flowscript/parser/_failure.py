"""``<on-error>``, ``<retry>`` and ``<fallback>`` → :class:`OnErrorSpec` (format.md §3.6)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from flowscript.model.nodes import OnErrorSpec, RetrySpec, Text
from flowscript.parser._blocks import block_value, clean_block
from flowscript.parser._context import BuildContext, did_you_mean, partition
from flowscript.parser._xml import XmlElement

__all__ = ["RETRY_ATTRIBUTES", "build_on_error", "canonical_key", "data_on_error"]

RETRY_ATTRIBUTES = ("when", "max", "backoff", "delay", "max-delay", "timeout")
"""Attributes of ``<retry>`` (``timeout`` is the per-attempt deadline, execution.md §6.3)."""

# Keys of the compact YAML form (canonical kebab-case) → RetrySpec field, or "fallback".
_COMPACT_KEYS = {
    "max-retries": "max",
    "max": "max",
    "backoff-base": "delay",
    "delay": "delay",
    "backoff": "backoff",
    "max-delay": "max_delay",
    "timeout": "timeout",
    "when": "when",
    "fallback-node-id": "fallback",
    "fallback": "fallback",
}
_COMPACT_NAMES = ("maxRetries", "backoffBase", "timeout", "fallbackNodeId", "maxDelay", "when")
_COMPACT_HINT = (
    "compact <retry> accepts maxRetries, backoffBase, timeout, fallbackNodeId "
    "(and max, backoff, delay, max-delay, when)"
)
_ATTRIBUTE_FIELDS = {name: name.replace("-", "_") for name in RETRY_ATTRIBUTES}

_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")


@cache
def canonical_key(name: str) -> str:
    """Kebab-case form of a config key: ``conflictColumns``/``conflict_columns`` →
    ``conflict-columns``, ``baseURL`` → ``base-url``."""
    spaced = _CAMEL.sub(r"\1-\2", _ACRONYM.sub(r"\1-\2", name))
    return spaced.replace("_", "-").lower()


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _compact_fields(
    ctx: BuildContext, element: XmlElement, fields: dict[str, Text], node: str
) -> None:
    """Read the YAML lines of a compact ``<retry>`` into ``fields``."""
    origin = ctx.first_visible(element)
    block = clean_block("".join(text.value for text in element.texts))
    parsed = block_value("retry", block.text)
    if parsed.problem is not None:
        ctx.report_yaml(parsed.problem, origin, block.margin, node)
        return
    if not isinstance(parsed.value, dict):
        ctx.unexpected_text(element.texts, "<retry> (expected `key: value` lines)", node)
        return
    for name, key_node, value_node in parsed.keys:
        key = key_node.start_mark
        where = ctx.block_span(origin, block.margin, key.line, key.column)
        field = _COMPACT_KEYS.get(canonical_key(name))
        if field is None:
            ctx.report_at(
                "VALID_UNKNOWN_FIELD",
                f"<retry> has no field `{name}`",
                where,
                hints=(*did_you_mean(name, _COMPACT_NAMES), _COMPACT_HINT),
                node=node,
            )
        elif field in fields:
            ctx.report_at(
                "VALID_DUPLICATE_FIELD",
                f"retry field `{name}` is given twice",
                where,
                hints=("keep one; the first one is used",),
                node=node,
            )
        else:
            mark = value_node.start_mark
            value_span = ctx.block_span(origin, block.margin, mark.line, mark.column)
            fields[field] = Text(_scalar(parsed.value.get(name)), value_span)


def retry_spec(ctx: BuildContext, element: XmlElement, node: str) -> tuple[RetrySpec, Text | None]:
    """A ``<retry>`` from its attributes and/or compact YAML lines; also the compact fallback."""
    ctx.check_attributes(element, RETRY_ATTRIBUTES, node)
    for child in element.elements:
        ctx.misplaced(child, "<retry>", node)
    fields: dict[str, Text] = {}
    for name, field in _ATTRIBUTE_FIELDS.items():
        value = ctx.optional(element, name)
        if value is not None:
            fields[field] = value
    if "".join(text.value for text in element.texts).strip():
        _compact_fields(ctx, element, fields, node)
    fallback = fields.pop("fallback", None)
    return RetrySpec(span=ctx.span(element.offset), **fields), fallback


def _fallback(ctx: BuildContext, element: XmlElement, node: str) -> Text:
    ctx.check_attributes(element, ("node", "ref"), node)
    ctx.unexpected_text(element.children, "<fallback>", node)
    return ctx.required(element, "node", node, "ref")


def build_on_error(
    ctx: BuildContext, elements: Sequence[XmlElement], node: str
) -> OnErrorSpec | None:
    """The ``<on-error>`` children of a node (first one used; extra ones reported)."""
    first = ctx.first(elements, node)
    if first is None:
        return None
    ctx.check_attributes(first, (), node)
    special, rest = partition(first, ("retry", "fallback"))
    for child in rest:
        if isinstance(child, XmlElement):
            ctx.misplaced(child, "<on-error> (expected <retry> and <fallback>)", node)
    ctx.unexpected_text(rest, "<on-error>", node)
    retry_element = ctx.first(special["retry"], node)
    fallback_element = ctx.first(special["fallback"], node)
    retry, compact_fallback = (
        retry_spec(ctx, retry_element, node) if retry_element else (None, None)
    )
    fallback = _fallback(ctx, fallback_element, node) if fallback_element else compact_fallback
    return OnErrorSpec(span=ctx.span(first.offset), retry=retry, fallback=fallback)


def _pick(
    ctx: BuildContext, what: str, candidates: Sequence[tuple[Any, int, str]], node: str
) -> Any:
    """The first non-``None`` candidate ``(value, offset, where)``; later ones are reported."""
    given = [candidate for candidate in candidates if candidate[0] is not None]
    for _, offset, where in given[1:]:
        ctx.report(
            "VALID_DUPLICATE_FIELD",
            f"{what} is configured more than once (again in {where})",
            offset,
            hints=(f"keep one; the one in {given[0][2]} is used",),
            node=node,
        )
    return given[0][0] if given else None


def data_on_error(
    ctx: BuildContext,
    on_error: Sequence[XmlElement],
    compact: Sequence[XmlElement],
    fallbacks: Sequence[XmlElement],
    node: str,
) -> OnErrorSpec | None:
    """Failure handling of a data node.

    ``<on-error>`` is merged with a direct ``<retry>`` (attribute or compact YAML form, which
    may name a fallback) and a direct ``<fallback node/>``.
    """
    base = build_on_error(ctx, on_error, node)
    retry_element = ctx.first(compact, node)
    fallback_element = ctx.first(fallbacks, node)
    if retry_element is None and fallback_element is None:
        return base
    retry, compact_fallback = (
        retry_spec(ctx, retry_element, node) if retry_element else (None, None)
    )
    direct = _fallback(ctx, fallback_element, node) if fallback_element else None
    base_offset = on_error[0].offset if on_error else 0
    retry_offset = retry_element.offset if retry_element else 0
    fallback_offset = fallback_element.offset if fallback_element else 0
    direct_elements = [e.offset for e in (retry_element, fallback_element) if e is not None]
    return OnErrorSpec(
        span=base.span if base is not None else ctx.span(min(direct_elements)),
        retry=_pick(
            ctx,
            "retry",
            [
                (base.retry if base else None, base_offset, "<on-error>"),
                (retry, retry_offset, "a direct <retry>"),
            ],
            node,
        ),
        fallback=_pick(
            ctx,
            "a fallback",
            [
                (base.fallback if base else None, base_offset, "<on-error>"),
                (compact_fallback, retry_offset, "<retry>"),
                (direct, fallback_offset, "a direct <fallback>"),
            ],
            node,
        ),
    )
