"""Frontmatter rules: identity, unknown keys, secrets, runtime settings, trigger, tests."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flowscript.model import Diagnostic
from flowscript.validate._coerce import describe
from flowscript.validate._context import ValidationContext
from flowscript.validate._hints import did_you_mean, one_of

__all__ = [
    "KNOWN_KEYS",
    "KeyCheck",
    "check_evolution",
    "check_identity",
    "check_runtime",
    "check_schemas",
    "check_secrets",
    "check_unknown_keys",
    "invalid_type",
    "item_keys",
]

KNOWN_KEYS = (
    "name",
    "version",
    "description",
    "trigger",
    "config",
    "secrets",
    "input",
    "output",
    "runtime",
    "schemas",
    "evolution",
    "tests",
)
"""The top-level frontmatter keys of format.md §2."""

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_VERSION_RE = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)(\.(0|[1-9]\d*))?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?"
)
_BAD_NAME_RE = re.compile(r"[/\\\x00-\x1f]")
_BUDGET_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([kKmM]?)")


def item_keys(prefix: str, index: int, suffix: str = "") -> tuple[str, ...]:
    """Candidate ``key_spans`` paths of a list item (``a.0.b`` / ``a[0].b``, then parents)."""
    tail = f".{suffix}" if suffix else ""
    return (
        f"{prefix}.{index}{tail}",
        f"{prefix}[{index}]{tail}",
        f"{prefix}.{index}",
        f"{prefix}[{index}]",
        prefix,
    )


def invalid_type(ctx: ValidationContext, key: str, expected: str, value: Any) -> Diagnostic:
    return ctx.diagnostic(
        "VALID_INVALID_TYPE",
        f"`{key}` must be {expected}, not {describe(value)}",
        ctx.key_span(key),
    )


def check_identity(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """``name`` and ``version`` are required; types; the version format."""
    front = ctx.workflow.frontmatter
    for key, example in (("name", "name: my-workflow"), ("version", "version: 1.0.0")):
        if front.get(key) in (None, ""):
            yield ctx.diagnostic(
                "VALID_MISSING_REQUIRED_FIELD",
                f"the frontmatter has no `{key}`",
                ctx.key_span(key),
                hints=(f"add `{example}`",),
            )
    yield from _check_name(ctx, front.get("name"))
    yield from _check_version(ctx, front.get("version"))
    description = front.get("description")
    if description is not None and not isinstance(description, str):
        yield invalid_type(ctx, "description", "a string", description)


def _check_name(ctx: ValidationContext, name: Any) -> Iterator[Diagnostic]:
    if name in (None, ""):
        return
    if not isinstance(name, str):
        yield invalid_type(ctx, "name", "a string", name)
    elif _BAD_NAME_RE.search(name):
        yield ctx.diagnostic(
            "VALID_INVALID_VALUE",
            f"`name` {describe(name)} contains a slash, backslash or control character",
            ctx.key_span("name"),
            hints=("the name is used in state-file paths; use letters, digits, `-` and `_`",),
        )


def _check_version(ctx: ValidationContext, raw: Any) -> Iterator[Diagnostic]:
    if raw in (None, ""):
        return
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        yield invalid_type(ctx, "version", "a string", raw)
        return
    version = ctx.workflow.version or str(raw)
    if not _VERSION_RE.fullmatch(version):
        yield ctx.diagnostic(
            "VALID_INVALID_VERSION",
            f"`version` {describe(version)} is not MAJOR.MINOR[.PATCH][-pre][+build]",
            ctx.key_span("version"),
            hints=('write it like "1.0", "2.3.1" or "1.0.0-beta.1"',),
        )


def check_unknown_keys(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """Top-level keys the format does not define (warning, with "did you mean")."""
    for key in ctx.workflow.frontmatter:
        if key not in KNOWN_KEYS:
            yield ctx.diagnostic(
                "VALID_UNKNOWN_FIELD",
                f"unknown frontmatter key `{key}`",
                ctx.key_span(str(key)),
                hints=did_you_mean(str(key), KNOWN_KEYS) or (one_of("keys", KNOWN_KEYS),),
            )


def _names_list(
    ctx: ValidationContext, key: str, raw: Any, what: str, example: str
) -> Iterator[Diagnostic]:
    """A list of identifier names (``secrets``, ``runtime.env``)."""
    if raw is None:
        return
    if not isinstance(raw, list):
        yield ctx.diagnostic(
            "VALID_INVALID_TYPE",
            f"`{key}` must be a list of {what} names, not {describe(raw)}",
            ctx.key_span(key),
            hints=(f"write `{example}`",),
        )
        return
    for index, item in enumerate(raw):
        if not isinstance(item, str) or not NAME_RE.fullmatch(item):
            yield ctx.diagnostic(
                "VALID_INVALID_VALUE",
                f"{describe(item)} in `{key}` is not a valid {what} name",
                ctx.key_span(*item_keys(key, index)),
                hints=("names match [A-Za-z_][A-Za-z0-9_]*",),
            )


def check_secrets(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """``secrets`` is a list of names."""
    yield from _names_list(
        ctx, "secrets", ctx.workflow.frontmatter.get("secrets"), "secret", "secrets: [API_KEY]"
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


KeyCheck = Callable[[ValidationContext, str, Any], Iterator[Diagnostic]]


def _runtime_int(minimum: int) -> KeyCheck:
    def check(ctx: ValidationContext, key: str, value: Any) -> Iterator[Diagnostic]:
        if not _is_int(value):
            yield invalid_type(ctx, key, "an integer", value)
        elif value < minimum:
            yield ctx.diagnostic(
                "VALID_INVALID_VALUE",
                f"`{key}` must be at least {minimum}, not {value}",
                ctx.key_span(key),
            )

    return check


def _runtime_timeout(ctx: ValidationContext, key: str, value: Any) -> Iterator[Diagnostic]:
    from flowscript.model.durations import ACCEPTED_FORMS, parse_duration

    if isinstance(value, str) and "{{" in value:
        return
    problem: str | None = None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problem = f"{describe(value)} is not a duration"
    elif isinstance(value, int | float):
        problem = None if value > 0 else "a duration must be positive"
    else:
        try:
            parse_duration(value)
        except ValueError as exc:
            problem = str(exc)
    if problem is not None:
        yield ctx.diagnostic(
            "VALID_INVALID_DURATION",
            f"`{key}`: {problem}",
            ctx.key_span(key),
            hints=() if ACCEPTED_FORMS in problem else (ACCEPTED_FORMS,),
        )


def _runtime_schedule(ctx: ValidationContext, key: str, value: Any) -> Iterator[Diagnostic]:
    if value not in ("eager", "waves"):
        yield ctx.diagnostic(
            "VALID_INVALID_VALUE",
            f"`{key}` must be `eager` or `waves`, not {describe(value)}",
            ctx.key_span(key),
            hints=did_you_mean(str(value), ("eager", "waves")),
        )


def _runtime_budget(ctx: ValidationContext, key: str, value: Any) -> Iterator[Diagnostic]:
    if _is_int(value) and value >= 1:
        return
    match = _BUDGET_RE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is not None and float(match.group(1)) > 0:
        return
    yield ctx.diagnostic(
        "VALID_INVALID_VALUE",
        f"`{key}` must be a positive token count such as 200000, `200k` or `1.5m`, "
        f"not {describe(value)}",
        ctx.key_span(key),
    )


def _runtime_env(ctx: ValidationContext, key: str, value: Any) -> Iterator[Diagnostic]:
    yield from _names_list(ctx, key, value, "environment variable", "env: [HOME, API_URL]")


_RUNTIME_CHECKS: Mapping[str, KeyCheck] = {
    "timeout": _runtime_timeout,
    "retry": _runtime_int(0),
    "concurrency": _runtime_int(1),
    "schedule": _runtime_schedule,
    "context_budget": _runtime_budget,
    "env": _runtime_env,
}
_RUNTIME_ALIASES = {"context-budget": "context_budget", "contextBudget": "context_budget"}


def check_runtime(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """``runtime``: a mapping of known keys with values of the right shape."""
    raw = ctx.workflow.frontmatter.get("runtime")
    if raw is None:
        return
    if not isinstance(raw, Mapping):
        yield invalid_type(ctx, "runtime", "a mapping", raw)
        return
    for key, value in raw.items():
        name = _RUNTIME_ALIASES.get(str(key), str(key))
        check = _RUNTIME_CHECKS.get(name)
        if check is None:
            yield ctx.diagnostic(
                "VALID_UNKNOWN_FIELD",
                f"unknown runtime setting `{key}`",
                ctx.key_span(f"runtime.{key}"),
                hints=did_you_mean(str(key), _RUNTIME_CHECKS)
                or (one_of("settings", _RUNTIME_CHECKS),),
            )
        elif value is not None:
            yield from check(ctx, f"runtime.{key}", value)


def check_schemas(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """``schemas``: a mapping of names to schema DSL strings or JSON Schema mappings."""
    raw = ctx.workflow.frontmatter.get("schemas")
    if raw is None:
        return
    if not isinstance(raw, Mapping):
        yield invalid_type(ctx, "schemas", "a mapping of schema names", raw)
        return
    from flowscript.validate._config import schema_dsl_problem

    for name, schema in raw.items():
        if not isinstance(schema, str | Mapping):
            yield invalid_type(ctx, f"schemas.{name}", "a schema string or mapping", schema)
        elif (
            isinstance(schema, str)
            and schema.strip() not in raw  # another entry's name
            and (problem := schema_dsl_problem(schema)) is not None
        ):
            yield ctx.diagnostic(
                "VALID_INVALID_VALUE",
                f"`schemas.{name}` is not a valid schema: {problem}",
                ctx.key_span(f"schemas.{name}"),
            )


EVOLUTION_KEYS = ("generation", "parent", "fitness", "learnings")


def check_evolution(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """``evolution``: a mapping of known keys (kept and shown, never required)."""
    raw = ctx.workflow.frontmatter.get("evolution")
    if raw is None:
        return
    if not isinstance(raw, Mapping):
        yield invalid_type(ctx, "evolution", "a mapping", raw)
        return
    for key in raw:
        if key not in EVOLUTION_KEYS:
            yield ctx.diagnostic(
                "VALID_UNKNOWN_FIELD",
                f"unknown evolution key `{key}`",
                ctx.key_span(f"evolution.{key}"),
                hints=did_you_mean(str(key), EVOLUTION_KEYS) or (one_of("keys", EVOLUTION_KEYS),),
            )
