"""Frontmatter ``trigger``: ``manual``, a ``schedule`` (cron or ``every``), or a ``webhook``."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from flowscript.model import Diagnostic
from flowscript.validate._coerce import describe
from flowscript.validate._context import ValidationContext
from flowscript.validate._frontmatter import KeyCheck, invalid_type
from flowscript.validate._hints import did_you_mean, one_of

__all__ = ["check_trigger", "cron_problem"]

_TRIGGER_FORMS = (
    "`trigger: manual`",
    '`trigger: {schedule: "0 9 * * 1-5"}` or `{schedule: "every 4h"}`',
    "`trigger: {webhook: {path: /hooks/x, auth: ...}}`",
)


def check_trigger(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """``trigger``: ``manual``, a ``schedule`` (cron or ``every``), or a ``webhook``."""
    raw = ctx.workflow.frontmatter.get("trigger")
    if raw is None or raw == "manual":
        return
    if not isinstance(raw, Mapping) or not raw:
        yield ctx.diagnostic(
            "VALID_INVALID_VALUE",
            f"`trigger` {describe(raw)} is not a trigger",
            ctx.key_span("trigger"),
            hints=("write " + ", ".join(_TRIGGER_FORMS),),
        )
        return
    for key, value in raw.items():
        check = _TRIGGER_CHECKS.get(str(key))
        if check is None:
            yield ctx.diagnostic(
                "VALID_UNKNOWN_FIELD",
                f"unknown trigger `{key}`",
                ctx.key_span(f"trigger.{key}"),
                hints=did_you_mean(str(key), _TRIGGER_CHECKS)
                or (one_of("triggers", _TRIGGER_CHECKS),),
            )
        else:
            yield from check(ctx, f"trigger.{key}", value)


def _trigger_manual(ctx: ValidationContext, key: str, value: Any) -> Iterator[Diagnostic]:
    if not isinstance(value, bool) and value is not None:
        yield invalid_type(ctx, key, "true or false", value)


def _trigger_schedule(ctx: ValidationContext, key: str, value: Any) -> Iterator[Diagnostic]:
    problem = cron_problem(value) if isinstance(value, str) else "it must be a string"
    if problem is not None:
        yield ctx.diagnostic(
            "VALID_INVALID_VALUE",
            f"`{key}` {describe(value)} is not a schedule: {problem}",
            ctx.key_span(key),
            hints=('use 5 cron fields ("0 9 * * 1-5") or "every <duration>" ("every 4h")',),
        )


def _trigger_webhook(ctx: ValidationContext, key: str, value: Any) -> Iterator[Diagnostic]:
    if not isinstance(value, Mapping):
        yield invalid_type(ctx, key, "a mapping with `path` and optional `auth`", value)
        return
    path = value.get("path")
    if path in (None, ""):
        yield ctx.diagnostic(
            "VALID_MISSING_REQUIRED_FIELD",
            f"`{key}` has no `path`",
            ctx.key_span(key),
            hints=("add `path: /hooks/my-workflow`",),
        )
    elif not isinstance(path, str):
        yield invalid_type(ctx, f"{key}.path", "a string", path)
    auth = value.get("auth")
    if auth is not None and not isinstance(auth, str | Mapping):
        yield invalid_type(ctx, f"{key}.auth", "a string or a mapping", auth)
    for extra in value:
        if extra not in ("path", "auth"):
            yield ctx.diagnostic(
                "VALID_UNKNOWN_FIELD",
                f"unknown webhook key `{extra}`",
                ctx.key_span(f"{key}.{extra}", key),
                hints=did_you_mean(str(extra), ("path", "auth")),
            )


_TRIGGER_CHECKS: Mapping[str, KeyCheck] = {
    "manual": _trigger_manual,
    "schedule": _trigger_schedule,
    "webhook": _trigger_webhook,
}


_CRON_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    (
        "month",
        1,
        12,
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
    ),
    ("day of week", 0, 7, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),
)
_CRON_MACROS = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)
_CRON_ITEM_RE = re.compile(r"(\*|\?|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:/(\d+))?")


def cron_problem(schedule: str) -> str | None:
    """Why ``schedule`` is neither ``every <duration>``, a cron macro, nor 5 cron fields."""
    from flowscript.model.durations import parse_duration

    text = schedule.strip()
    if text.lower().startswith("every "):
        try:
            parse_duration(text[6:].strip())
        except ValueError as exc:
            return str(exc)
        return None
    if text.lower() in _CRON_MACROS:
        return None
    fields = text.split()
    if len(fields) != len(_CRON_FIELDS):
        return f"a cron expression has 5 fields, this one has {len(fields)}"
    for value, spec in zip(fields, _CRON_FIELDS, strict=True):
        problem = _cron_field_problem(value, *spec)
        if problem is not None:
            return problem
    return None


def _cron_field_problem(
    value: str, label: str, low: int, high: int, names: tuple[str, ...]
) -> str | None:
    for item in value.split(","):
        match = _CRON_ITEM_RE.fullmatch(item)
        if match is None or match.group(2) == "0":
            return f"{label} field {value!r} is not valid"
        if match.group(1) in ("*", "?"):
            continue
        for bound in match.group(1).split("-"):
            number = _cron_number(bound, names)
            if number is None or not low <= number <= high:
                return f"{label} {bound!r} is outside {low}-{high}"
    return None


def _cron_number(text: str, names: tuple[str, ...]) -> int | None:
    if text.isdigit():
        return int(text)
    upper = text.upper()
    if upper in names:
        return names.index(upper) + (1 if len(names) == 12 else 0)
    return None
