"""Data-node config against the runtime field declarations (runtimes.md preamble)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from flowscript.model import ConfigEntry, DataNodeSpec, Diagnostic
from flowscript.runtimes.fields import REQUIRED_ONE_OF, FieldDecl, fields_by_name, fields_for
from flowscript.validate._coerce import config_problem, describe
from flowscript.validate._context import ValidationContext
from flowscript.validate._hints import did_you_mean, one_of

__all__ = ["NODE_LEVEL_KEYS", "check_config_fields", "check_schema_refs"]

NODE_LEVEL_KEYS = frozenset(
    {"id", "type", "input", "timeout", "dispatch", "on-error", "retry", "request"}
)
"""Keys that configure the node itself, not its runtime; never reported as unknown."""

_SCHEMA_TYPES = frozenset({"string", "number", "integer", "boolean"})
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _data_nodes(ctx: ValidationContext) -> Iterator[tuple[DataNodeSpec, tuple[FieldDecl, ...]]]:
    for node in ctx.nodes:
        if isinstance(node, DataNodeSpec):
            fields = fields_for(node.kind)
            if fields is not None:
                yield node, fields


def check_config_fields(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """Unknown keys (warning), missing required fields, literals of the wrong type."""
    for node, fields in _data_nodes(ctx):
        by_name = fields_by_name(node.kind) or {}
        for entry in node.config.values():
            decl = by_name.get(entry.key)
            if decl is None:
                yield from _unknown(ctx, node, entry, by_name)
            elif not (entry.key == "timeout" and node.timeout is not None):
                yield from _wrong_type(ctx, node, entry, decl)
        yield from _missing(ctx, node, fields)


def _unknown(
    ctx: ValidationContext, node: DataNodeSpec, entry: ConfigEntry, fields: Mapping[str, FieldDecl]
) -> Iterator[Diagnostic]:
    if entry.key in NODE_LEVEL_KEYS:
        return
    yield ctx.diagnostic(
        "VALID_UNKNOWN_FIELD",
        f"unknown config field `{entry.written_key}` for {node.kind} `{node.id}`",
        entry.span,
        hints=did_you_mean(entry.key, fields) or (one_of("fields", fields),),
        node=node.id,
    )


def _wrong_type(
    ctx: ValidationContext, node: DataNodeSpec, entry: ConfigEntry, decl: FieldDecl
) -> Iterator[Diagnostic]:
    value = entry.value
    if isinstance(value, str) and "{{" in value:
        return  # resolved at run time
    problem = config_problem(decl.type, value, decl.values)
    if problem is None:
        return
    hints = did_you_mean(str(value), decl.values) if decl.type == "enum" else ()
    yield ctx.diagnostic(
        "CONFIG_INVALID",
        f"`{entry.written_key}` of `{node.id}` is {describe(value)}: {problem} (type {decl.type})",
        entry.value_span,
        hints=hints,
        node=node.id,
    )


def _is_set(node: DataNodeSpec, name: str) -> bool:
    entry = node.config.get(name)
    return entry is not None and entry.value not in ("", None)


def _missing(
    ctx: ValidationContext, node: DataNodeSpec, fields: tuple[FieldDecl, ...]
) -> Iterator[Diagnostic]:
    for decl in fields:
        if decl.required and not _is_set(node, decl.name):
            yield ctx.diagnostic(
                "VALID_MISSING_REQUIRED_FIELD",
                f"{node.kind} `{node.id}` needs `{decl.name}`",
                node.span,
                hints=(f"{decl.name}: {decl.description}",),
                node=node.id,
            )
    for group in REQUIRED_ONE_OF.get(node.kind, ()):
        if not any(_is_set(node, name) for name in group):
            names = " or ".join(f"`{name}`" for name in group)
            yield ctx.diagnostic(
                "VALID_MISSING_REQUIRED_FIELD",
                f"{node.kind} `{node.id}` needs {names}",
                node.span,
                node=node.id,
            )


def check_schema_refs(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """An AI ``output-schema`` that is a bare name must name a ``schemas:`` entry."""
    schemas = ctx.workflow.schemas
    for node, _ in _data_nodes(ctx):
        entry = node.config.get("output-schema")
        if entry is None or not isinstance(entry.value, str):
            continue
        name = entry.value.strip()
        if not _NAME_RE.fullmatch(name) or name in _SCHEMA_TYPES:
            yield from _schema_syntax(ctx, node, entry)
            continue
        if name in schemas:
            continue
        yield ctx.diagnostic(
            "VALID_UNDEFINED_SCHEMA_REF",
            f"`output-schema` of `{node.id}` names unknown schema `{name}`",
            entry.value_span,
            hints=did_you_mean(name, schemas)
            or ("declare it under `schemas:` or write the schema inline",),
            node=node.id,
        )


def schema_dsl_problem(text: str) -> str | None:
    """Why ``text`` is not an output schema (DSL or JSON object text), or ``None``."""
    import json

    from flowscript.runtimes.ai.schema_dsl import SchemaSyntaxError, parse_schema_dsl

    stripped = text.strip()
    if "{{" in stripped:
        return None  # rendered at run time
    if stripped.startswith("{"):
        try:
            if isinstance(json.loads(stripped), dict):
                return None
        except ValueError:
            pass
    try:
        parse_schema_dsl(stripped)
    except SchemaSyntaxError as exc:
        return str(exc)
    return None


def _schema_syntax(
    ctx: ValidationContext, node: DataNodeSpec, entry: ConfigEntry
) -> Iterator[Diagnostic]:
    """An inline schema DSL that does not parse (runtimes.md §6), with its position."""
    problem = schema_dsl_problem(str(entry.value))
    if problem is not None:
        yield ctx.diagnostic(
            "CONFIG_INVALID",
            f"`{entry.written_key}` of `{node.id}` is not a valid schema: {problem}",
            entry.value_span,
            node=node.id,
        )
