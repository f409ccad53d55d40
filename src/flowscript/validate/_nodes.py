"""Node rules: parse diagnostics, id syntax, duplicate ids, data-node types."""

from __future__ import annotations

import re
from collections.abc import Iterator

from flowscript.model import DataNodeSpec, Diagnostic, NodeSpec, SourceSpan
from flowscript.runtimes.fields import RUNTIME_TYPES
from flowscript.validate._context import ValidationContext
from flowscript.validate._hints import did_you_mean, one_of

__all__ = ["ID_RE", "check_data_types", "check_duplicate_ids", "check_ids", "parse_diagnostics"]

ID_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
"""Node ids (format.md §3.2)."""

_ID_ATTRIBUTES = ("id", "name", "var", "key")


def parse_diagnostics(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """The non-fatal problems the parser found (unknown elements, stray text, …)."""
    yield from ctx.workflow.parse_diagnostics


def _id_span(ctx: ValidationContext, node: NodeSpec) -> SourceSpan:
    """The value of the attribute that gave ``node`` its id, or the node's ``<``."""
    for name in _ID_ATTRIBUTES:
        if name in node.attributes:
            return ctx.attr_span(node, name)
    return node.span


def check_ids(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """Explicit ids match ``[A-Za-z_][A-Za-z0-9_-]*``."""
    for node in ctx.nodes:
        if not node.explicit_id or ID_RE.fullmatch(node.id):
            continue
        suggestion = re.sub(r"[^A-Za-z0-9_-]+", "-", node.id).strip("-") or "node"
        if not re.match(r"[A-Za-z_]", suggestion):
            suggestion = f"n-{suggestion}"
        yield ctx.diagnostic(
            "VALID_INVALID_ID",
            f"`{node.id}` is not a valid node id",
            _id_span(ctx, node),
            hints=(
                "ids start with a letter or `_` and hold letters, digits, `_` and `-`",
                f"for example `{suggestion}`",
            ),
            node=node.id,
        )


def check_duplicate_ids(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """Ids are unique in the whole workflow; every later node with a taken id is reported."""
    first: dict[str, NodeSpec] = {}
    for node in ctx.nodes:
        earlier = first.setdefault(node.id, node)
        if earlier is node:
            continue
        hints = [f"`{node.id}` is first used at line {earlier.span.line}"]
        if node.tag == "set" and "id" not in node.attributes:
            hints.append("give each <set> its own id=; the variable name may repeat")
        yield ctx.diagnostic(
            "VALID_DUPLICATE_NODE_ID",
            f"duplicate node id `{node.id}`",
            _id_span(ctx, node),
            hints=hints,
            node=node.id,
        )


def check_data_types(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """A data node's ``type`` is one its role has; ``<sink>`` must give one."""
    for node in ctx.nodes:
        if not isinstance(node, DataNodeSpec):
            continue
        valid = RUNTIME_TYPES.get(node.role, ())
        if node.type in valid:
            continue
        if not node.type:
            yield ctx.diagnostic(
                "VALID_MISSING_REQUIRED_FIELD",
                f"<{node.tag}> `{node.id}` has no `type`",
                node.span,
                hints=(one_of(f"{node.role} types", valid),),
                node=node.id,
            )
            continue
        yield ctx.diagnostic(
            "VALID_UNKNOWN_NODE_TYPE",
            f"unknown {node.role} type `{node.type}`",
            ctx.attr_span(node, "type"),
            hints=(*did_you_mean(node.type, valid), one_of(f"{node.role} types", valid)),
            node=node.id,
        )
