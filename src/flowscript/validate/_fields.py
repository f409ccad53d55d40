"""Frontmatter ``config``, ``input`` and ``output`` field declarations (format.md §2.1)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flowscript.model import Diagnostic, FieldSpec
from flowscript.validate._coerce import default_problem, describe
from flowscript.validate._context import ValidationContext
from flowscript.validate._frontmatter import invalid_type
from flowscript.validate._hints import did_you_mean, one_of

__all__ = ["DECLARATION_KEYS", "FIELD_TYPES", "check_field_sections"]

FIELD_TYPES = ("string", "number", "integer", "boolean", "object", "array", "enum")
"""Types a config/input/output field may declare."""

DECLARATION_KEYS = ("type", "default", "description", "required", "values", "items")
"""Keys of a field declaration (``items`` describes array elements, kept for ``inspect``)."""

_SYNONYMS = {
    "int": "integer",
    "bool": "boolean",
    "str": "string",
    "text": "string",
    "float": "number",
    "list": "array",
    "dict": "object",
    "map": "object",
}

_SECTIONS = (("config", "config"), ("input", "input_schema"), ("output", "output_schema"))


def check_field_sections(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """Every declared field: known keys, a known type, enum values, a default of that type."""
    for section, attribute in _SECTIONS:
        raw = ctx.workflow.frontmatter.get(section)
        if raw is None:
            continue
        if not isinstance(raw, Mapping):
            yield invalid_type(ctx, section, "a mapping of field names", raw)
            continue
        fields: Mapping[str, FieldSpec] = getattr(ctx.workflow, attribute)
        for name, spec in fields.items():
            yield from _check_field(ctx, f"{section}.{name}", spec)


def _is_declaration(spec: FieldSpec) -> bool:
    """A mapping written as a declaration, not a shorthand object default."""
    if not isinstance(spec.raw, Mapping):
        return False
    return not (spec.has_default and spec.default == spec.raw and "type" not in spec.raw)


def _check_field(ctx: ValidationContext, key: str, spec: FieldSpec) -> Iterator[Diagnostic]:
    if not _is_declaration(spec):
        return
    decl: Mapping[str, Any] = spec.raw
    for extra in decl:
        if extra not in DECLARATION_KEYS:
            yield ctx.diagnostic(
                "VALID_UNKNOWN_FIELD",
                f"unknown key `{extra}` in the declaration of `{key}`",
                ctx.key_span(f"{key}.{extra}", key),
                hints=did_you_mean(str(extra), DECLARATION_KEYS)
                or (one_of("keys", DECLARATION_KEYS),),
            )
    type_problem = _type_problem(ctx, key, decl)
    if type_problem is not None:
        yield type_problem
    yield from _check_enum_values(ctx, key, decl)
    for flag, expected, kind in (
        ("required", "true or false", bool),
        ("description", "a string", str),
    ):
        if decl.get(flag) is not None and not isinstance(decl[flag], kind):
            yield invalid_type(ctx, f"{key}.{flag}", expected, decl[flag])
    if type_problem is None and "default" in decl:
        yield from _check_default(ctx, key, spec, decl)


def _type_problem(ctx: ValidationContext, key: str, decl: Mapping[str, Any]) -> Diagnostic | None:
    """An unknown ``type``, or ``None`` when the type is absent or known."""
    written = decl.get("type")
    if written is None or (isinstance(written, str) and written in FIELD_TYPES):
        return None
    synonym = _SYNONYMS.get(str(written).lower())
    hints = (f"did you mean `{synonym}`?",) if synonym else did_you_mean(str(written), FIELD_TYPES)
    return ctx.diagnostic(
        "VALID_INVALID_TYPE",
        f"`{key}` declares unknown type {describe(written)}",
        ctx.key_span(f"{key}.type", key),
        hints=(*hints, one_of("types", FIELD_TYPES)),
    )


def _check_enum_values(
    ctx: ValidationContext, key: str, decl: Mapping[str, Any]
) -> Iterator[Diagnostic]:
    if decl.get("type") != "enum":
        return
    values = decl.get("values")
    if values is None:
        yield ctx.diagnostic(
            "VALID_MISSING_REQUIRED_FIELD",
            f"enum field `{key}` has no `values`",
            ctx.key_span(f"{key}.type", key),
            hints=("add `values: [a, b]`",),
        )
    elif not isinstance(values, list) or not values:
        yield invalid_type(ctx, f"{key}.values", "a non-empty list", values)


def _check_default(
    ctx: ValidationContext, key: str, spec: FieldSpec, decl: Mapping[str, Any]
) -> Iterator[Diagnostic]:
    type_ = decl.get("type", spec.type)
    values = decl.get("values") if isinstance(decl.get("values"), list) else None
    if type_ == "enum" and values is None:
        return
    problem = default_problem(str(type_), decl["default"], values)
    if problem is not None:
        yield ctx.diagnostic(
            "CONFIG_INVALID",
            f"the default of `{key}` is {describe(decl['default'])}, {problem} (type {type_})",
            ctx.key_span(f"{key}.default", key),
        )
