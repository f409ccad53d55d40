"""Can a value be read as a given type? Used for config literals and field defaults.

Config values written in the file are strings (attributes, element text) or YAML values (block
children); runtimes coerce them to their declared types (format.md §3.1). A literal that cannot
be coerced is reported at validation; a value holding ``{{`` is resolved at run time and is
never checked here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["BOOLEAN_WORDS", "config_problem", "default_problem", "describe"]

BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "1", "0"})
"""Strings accepted as booleans (format.md §3.1), compared case-insensitively."""

_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER_RE = re.compile(r"[+-]?\d+")


def describe(value: Any) -> str:
    """A short rendering of a value for messages."""
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return json.dumps(text, ensure_ascii=False)
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except ValueError:
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and _NUMBER_RE.fullmatch(value.strip()) is not None


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, str) and _INTEGER_RE.fullmatch(value.strip()) is not None


def _is_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return value in (0, 1)
    return isinstance(value, str) and value.strip().lower() in BOOLEAN_WORDS


def _is_duration(value: Any) -> bool:
    from flowscript.model.durations import parse_duration

    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value > 0
    if not isinstance(value, str):
        return False
    try:
        parse_duration(value)
    except ValueError:
        return False
    return True


def _is_map(value: Any) -> bool:
    if isinstance(value, Mapping):
        return True
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            return isinstance(json.loads(value), dict)
        except ValueError:
            return False
    return False


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


_CONFIG_CHECKS: Mapping[str, Callable[[Any], bool]] = {
    "string": _is_scalar,
    "expression": _is_scalar,
    "template": lambda value: True,
    "number": _is_number,
    "integer": _is_integer,
    "boolean": _is_boolean,
    "duration": _is_duration,
    "map": _is_map,
    "list": lambda value: not isinstance(value, Mapping),
    "schema": lambda value: isinstance(value, str | Mapping),
    "any": lambda value: True,
}

_EXPECTED: Mapping[str, str] = {
    "string": "a string",
    "expression": "an expression",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean (true/false/yes/no/1/0)",
    "duration": 'a duration such as "500", "1.5s", "1h30m" or "PT10S"',
    "map": "a mapping (YAML `key: value` lines or a JSON object)",
    "list": "a list (JSON array or comma-separated)",
    "schema": "a schema (DSL string, JSON Schema mapping or a schemas: name)",
    "object": "a mapping",
    "array": "a list",
}


def config_problem(type_: str, value: Any, values: Sequence[str] = ()) -> str | None:
    """Why ``value`` cannot be read as a config field of ``type_``, or ``None`` when it can."""
    if type_ == "enum":
        word = str(value).strip().lower() if _is_scalar(value) else None
        if word in {v.lower() for v in values}:
            return None
        return "expected one of " + ", ".join(values)
    check = _CONFIG_CHECKS.get(type_)
    if check is None or check(value):
        return None
    return "expected " + _EXPECTED.get(type_, type_)


_DEFAULT_CHECKS: Mapping[str, Callable[[Any], bool]] = {
    "string": lambda value: isinstance(value, str),
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "integer": lambda value: _is_integer(value) and not isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "object": lambda value: isinstance(value, Mapping),
    "array": lambda value: isinstance(value, list | tuple),
    "any": lambda value: True,
}


def default_problem(type_: str, value: Any, values: Sequence[Any] | None) -> str | None:
    """Why ``value`` is not a valid default of a frontmatter field of ``type_``, or ``None``.

    ``null`` is accepted for every type (it means "no value").
    """
    if value is None:
        return None
    if type_ == "enum":
        allowed = list(values or ())
        if value in allowed:
            return None
        return "expected one of " + ", ".join(str(v) for v in allowed)
    check = _DEFAULT_CHECKS.get(type_)
    if check is None or check(value):
        return None
    return "expected " + _EXPECTED.get(type_, type_)
