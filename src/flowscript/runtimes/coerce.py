"""Coerce rendered config values to the types a runtime declares (format.md §3.1, §3.3).

Attribute values are strings in the model and single-expression templates yield native
values, so by the time a runtime runs, a field may hold ``"5"``, ``5`` or ``"yes"``. The
executor renders the templates and then calls :func:`coerce_config`, which applies the declared
defaults and turns every value into its declared type. Raw fields (expressions a runtime
evaluates itself) are passed through untouched.

:func:`coerce_value` is the per-type conversion, shared with the workflow config and input
resolution of :mod:`flowscript.execution.inputs`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection, Mapping
from functools import cache
from typing import Any, Final

from flowscript.errors import NodeError
from flowscript.expressions.values import (
    UNDEFINED,
    is_number,
    number_to_string,
    to_json,
)
from flowscript.runtimes.fields import FieldDecl, fields_for

__all__ = ["coerce_config", "coerce_value"]

_NUMBER_RE: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER_RE: Final = re.compile(r"[+-]?\d+")
_TRUE_WORDS: Final = frozenset({"true", "yes", "1"})
_FALSE_WORDS: Final = frozenset({"false", "no", "0"})
# Types whose values are expressions, schemas or anything at all: never converted.
_UNTOUCHED_TYPES: Final = frozenset({"expression", "any", "schema"})


def _fail(expected: str, value: Any) -> ValueError:
    shown = value if isinstance(value, str) else to_json(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return ValueError(f"expected {expected}, got {shown!r}")


def _to_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return number_to_string(value)
    raise _fail("a string", value)


def _to_text(value: Any) -> str:
    """Template fields: scalars as text, arrays/objects as compact JSON (expressions.md §5)."""
    if isinstance(value, list | dict):
        return to_json(value)
    return _to_string(value)


def _to_number(value: Any) -> int | float:
    if is_number(value):
        if isinstance(value, float) and not math.isfinite(value):
            raise _fail("a finite number", value)
        return value  # type: ignore[no-any-return]
    if isinstance(value, str) and _NUMBER_RE.fullmatch(text := value.strip()):
        if _INTEGER_RE.fullmatch(text):
            return int(text)
        return float(text)
    raise _fail("a number", value)


def _to_integer(value: Any) -> int:
    try:
        number = _to_number(value)
    except ValueError:
        number = None
    if isinstance(number, int):
        return number
    if isinstance(number, float) and number.is_integer():
        return int(number)
    raise _fail("an integer", value)


def _to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = _to_string(value).strip().lower() if isinstance(value, str | int) else None
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise _fail("a boolean (true/false/yes/no/1/0)", value)


def _to_duration(value: Any) -> float:
    from flowscript.model.durations import parse_duration

    if is_number(value) and not isinstance(value, bool):
        if value > 0:
            return float(value)
        raise _fail("a positive duration", value)
    if isinstance(value, str):
        try:
            return float(parse_duration(value.strip()))
        except ValueError:
            pass
    raise _fail("a duration such as 500, 1.5s, 2m or PT1H", value)


def _parse_json_text(value: str, opener: str) -> Any:
    text = value.strip()
    if not text.startswith(opener):
        return UNDEFINED
    try:
        return json.loads(text)
    except ValueError:
        return UNDEFINED


def _to_map(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return {str(key): item for key, item in value.items()}
    if not isinstance(value, str):
        raise _fail("a map", value)
    parsed = _parse_json_text(value, "{")
    if isinstance(parsed, dict):
        return parsed
    result: dict[str, Any] = {}
    for line in value.splitlines():
        if not line.strip():
            continue
        key, colon, item = line.partition(":")
        if not colon or not key.strip():
            raise _fail("a map (Key: value lines or a JSON object)", value)
        result[key.strip()] = item.strip()
    return result


def _to_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        parsed = _parse_json_text(value, "[")
        if isinstance(parsed, list):
            return parsed
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, Mapping):
        raise _fail("a list", value)
    return [value]


def _to_object(value: Any) -> dict[str, Any]:
    """Frontmatter ``object``: a mapping or JSON object text (no ``Key: value`` lines)."""
    if isinstance(value, Mapping):
        return dict(value)
    parsed = _parse_json_text(value, "{") if isinstance(value, str) else UNDEFINED
    if isinstance(parsed, dict):
        return parsed
    raise _fail("an object", value)


_CONVERTERS: Final[Mapping[str, Callable[[Any], Any]]] = {
    "string": _to_string,
    "template": _to_text,
    "number": _to_number,
    "integer": _to_integer,
    "boolean": _to_boolean,
    "duration": _to_duration,
    "map": _to_map,
    "list": _to_list,
    "array": _to_list,
    "object": _to_object,
}


def _to_enum(value: Any, allowed: Collection[Any]) -> Any:
    for candidate in allowed:
        if candidate == value and type(candidate) is type(value):
            return candidate
    if isinstance(value, str):
        for candidate in allowed:
            if isinstance(candidate, str) and candidate.lower() == value.strip().lower():
                return candidate
    choices = ", ".join(to_json(v) if not isinstance(v, str) else v for v in allowed)
    raise _fail(f"one of {choices}", value)


def coerce_value(type_name: str, value: Any, *, values: Collection[Any] = ()) -> Any:
    """Convert one value to a declared type.

    Args:
        type_name: a runtime field type (``runtimes.fields.FIELD_TYPES``) or a frontmatter
            field type (``string number integer boolean object array enum any``).
        value: the value to convert.
        values: the allowed values of an ``enum`` (strings compare case-insensitively and the
            declared spelling is returned).

    Returns:
        The converted value (``expression``, ``any``, ``schema`` and unknown types unchanged).

    Raises:
        ValueError: the value cannot be converted; the message says what was expected.
    """
    if type_name == "enum":
        return _to_enum(value, values)
    converter = _CONVERTERS.get(type_name)
    if converter is None:
        return value
    return converter(value)


@cache
def _builtin_raw_fields() -> Mapping[str, frozenset[str]]:
    from flowscript.runtimes.builtin import builtin_runtimes

    return {runtime.kind: runtime.raw_fields for runtime in builtin_runtimes()}


def _coerce_field(kind: str, decl: FieldDecl, value: Any) -> Any:
    try:
        return coerce_value(decl.type, value, values=decl.values)
    except ValueError as exc:
        raise NodeError(
            "config.invalid",
            f"field '{decl.name}' of {kind}: {exc}",
            retryable=False,
            details={"field": decl.name, "expected": decl.type},
        ) from exc


def coerce_config(
    kind: str, config: Mapping[str, Any], *, raw_fields: Collection[str] | None = None
) -> dict[str, Any]:
    """Apply declared defaults and coerce every declared field to its type.

    A value that is ``undefined`` or ``null`` (an empty template, YAML ``null``) counts as not
    set: the default applies, or the key is left out. Fields not declared for ``kind`` (and
    every field of a kind without declarations) are passed through unchanged, as are raw
    fields.

    Args:
        kind: the runtime kind (``http:source`` …).
        config: the rendered config, canonical kebab-case keys.
        raw_fields: fields never to convert; default: the built-in runtime's ``raw_fields``.

    Returns:
        A new dict with defaults applied and values converted.

    Raises:
        NodeError: ``config.invalid`` naming the field when a value cannot be converted.
    """
    decls = fields_for(kind)
    if decls is None:
        return dict(config)
    raw = _builtin_raw_fields().get(kind, frozenset()) if raw_fields is None else raw_fields
    result = dict(config)
    for decl in decls:
        value = result.get(decl.name, UNDEFINED)
        if decl.name in raw or decl.type in _UNTOUCHED_TYPES:
            if value is UNDEFINED and decl.default is not None:
                result[decl.name] = decl.default
            continue
        if value is UNDEFINED or value is None:
            result.pop(decl.name, None)
            if decl.default is None:
                continue
            value = decl.default
        result[decl.name] = _coerce_field(kind, decl, value)
    return result
