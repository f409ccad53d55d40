"""Validate a JSON value against a JSON Schema (the subset AI output schemas use).

Written here rather than depending on ``jsonschema``: the DSL produces a small subset, and the
messages are meant to be sent back to a model, so they must be short and name the path
(``$.items[2].score: expected integer, got "8"``).

Supported keywords: ``type`` (a name or a list), ``enum``, ``const``, ``properties``,
``required``, ``additionalProperties`` (boolean or schema), ``items``, ``minItems``,
``maxItems``, ``uniqueItems``, ``minimum``, ``maximum``, ``exclusiveMinimum``,
``exclusiveMaximum``, ``multipleOf``, ``minLength``, ``maxLength``, ``pattern``, ``anyOf``,
``oneOf``, ``allOf``, ``not``, ``nullable`` (OpenAPI style) and local ``$ref``
(``#/$defs/…``, ``#/definitions/…``). Other keywords (``description``, ``format``, ``title``…)
are annotations and are ignored.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any, Final

__all__ = ["MAX_ERRORS", "validate_json"]

MAX_ERRORS: Final = 20
"""At most this many problems are reported (a re-ask prompt stays short)."""

_Check = Callable[["_Validator", Any, Mapping[str, Any], str], Iterator[str]]


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, Mapping) else type(value).__name__


def _is_type(value: Any, name: str) -> bool:
    actual = _type_name(value)
    if name == "number":
        return actual in ("integer", "number")
    if name == "integer":
        return actual == "integer" or (actual == "number" and float(value).is_integer())
    return actual == name


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(schema: Mapping[str, Any], keyword: str) -> float | None:
    value = schema.get(keyword)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@lru_cache(maxsize=128)
def _pattern(source: str) -> re.Pattern[str] | None:
    try:
        return re.compile(source)
    except re.error:
        return None


class _Validator:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root

    def errors(self, value: Any, schema: Any, path: str) -> Iterator[str]:
        if schema is True or not isinstance(schema, Mapping):
            return
        if schema.get("nullable") is True and value is None:
            return
        for keywords, check in _CHECKS:
            if not keywords.isdisjoint(schema):
                yield from check(self, value, schema, path)

    def valid(self, value: Any, schema: Any, path: str) -> bool:
        return next(iter(self.errors(value, schema, path)), None) is None

    def resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            return None
        node: Any = self.root
        for part in ref.lstrip("#").split("/"):
            if not part:
                continue
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        return node


def _check_ref(v: _Validator, value: Any, schema: Mapping[str, Any], path: str) -> Iterator[str]:
    target = v.resolve(str(schema["$ref"]))
    if target is None:
        yield f"{path}: the schema reference {schema['$ref']!r} cannot be resolved"
        return
    yield from v.errors(value, target, path)


def _check_type(v: _Validator, value: Any, schema: Mapping[str, Any], path: str) -> Iterator[str]:
    wanted = schema["type"]
    names = wanted if isinstance(wanted, list) else [wanted]
    if schema.get("nullable") is True:
        names = [*names, "null"]
    if not any(_is_type(value, str(name)) for name in names):
        expected = " or ".join(str(name) for name in names)
        yield f"{path}: expected {expected}, got {_type_name(value)} {_shown(value)}"


def _check_enum(v: _Validator, value: Any, schema: Mapping[str, Any], path: str) -> Iterator[str]:
    allowed = schema["enum"]
    if isinstance(allowed, list) and not any(_same(value, item) for item in allowed):
        yield f"{path}: {_shown(value)} is not one of {', '.join(_shown(a) for a in allowed)}"


def _check_const(v: _Validator, value: Any, schema: Mapping[str, Any], path: str) -> Iterator[str]:
    if not _same(value, schema["const"]):
        yield f"{path}: expected {_shown(schema['const'])}, got {_shown(value)}"


def _same(a: Any, b: Any) -> bool:
    return bool(_type_name(a) == _type_name(b) and a == b) or (
        _is_number(a) and _is_number(b) and a == b
    )


def _check_object(v: _Validator, value: Any, schema: Mapping[str, Any], path: str) -> Iterator[str]:
    if not isinstance(value, Mapping):
        return
    properties = schema.get("properties")
    properties = properties if isinstance(properties, Mapping) else {}
    required = schema.get("required")
    for name in required if isinstance(required, list) else ():
        if name not in value:
            yield f"{path}: missing required field {name!r}"
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        where = f"{path}.{name}"
        if name in properties:
            yield from v.errors(item, properties[name], where)
        elif extra is False:
            yield f"{path}: unexpected field {name!r}"
        elif isinstance(extra, Mapping):
            yield from v.errors(item, extra, where)


def _check_array(v: _Validator, value: Any, schema: Mapping[str, Any], path: str) -> Iterator[str]:
    if not isinstance(value, list):
        return
    items = schema.get("items")
    if isinstance(items, Mapping):
        for index, item in enumerate(value):
            yield from v.errors(item, items, f"{path}[{index}]")
    low, high = _number(schema, "minItems"), _number(schema, "maxItems")
    if low is not None and len(value) < low:
        yield f"{path}: expected at least {low:g} items, got {len(value)}"
    if high is not None and len(value) > high:
        yield f"{path}: expected at most {high:g} items, got {len(value)}"
    if schema.get("uniqueItems") is True:
        seen = [json.dumps(item, sort_keys=True, default=str) for item in value]
        if len(set(seen)) != len(seen):
            yield f"{path}: items must be unique"


_BOUNDS: Final[tuple[tuple[str, Callable[[Any, Any], bool], str], ...]] = (
    ("minimum", operator.ge, "≥"),
    ("maximum", operator.le, "≤"),
    ("exclusiveMinimum", operator.gt, ">"),
    ("exclusiveMaximum", operator.lt, "<"),
)


def _check_number(v: _Validator, value: Any, schema: Mapping[str, Any], path: str) -> Iterator[str]:
    if not _is_number(value):
        return
    for keyword, holds, sign in _BOUNDS:
        bound = _number(schema, keyword)
        if bound is not None and not holds(value, bound):
            yield f"{path}: expected a number {sign} {bound:g}, got {_shown(value)}"
    step = _number(schema, "multipleOf")
    if step is not None and step > 0 and not float(value / step).is_integer():
        yield f"{path}: expected a multiple of {step}, got {_shown(value)}"


def _check_string(v: _Validator, value: Any, schema: Mapping[str, Any], path: str) -> Iterator[str]:
    if not isinstance(value, str):
        return
    low, high = _number(schema, "minLength"), _number(schema, "maxLength")
    if low is not None and len(value) < low:
        yield f"{path}: expected at least {low:g} characters, got {len(value)}"
    if high is not None and len(value) > high:
        yield f"{path}: expected at most {high:g} characters, got {len(value)}"
    source = schema.get("pattern")
    compiled = _pattern(source) if isinstance(source, str) else None
    if compiled is not None and compiled.search(value) is None:
        yield f"{path}: {_shown(value)} does not match the pattern {source!r}"


def _check_any_of(v: _Validator, value: Any, schema: Mapping[str, Any], path: str) -> Iterator[str]:
    options = schema["anyOf"]
    if isinstance(options, list) and not any(v.valid(value, o, path) for o in options):
        yield f"{path}: {_shown(value)} matches none of the allowed shapes"


def _check_one_of(v: _Validator, value: Any, schema: Mapping[str, Any], path: str) -> Iterator[str]:
    options = schema["oneOf"]
    if not isinstance(options, list):
        return
    matches = sum(1 for option in options if v.valid(value, option, path))
    if matches != 1:
        yield f"{path}: {_shown(value)} must match exactly one allowed shape, matches {matches}"


def _check_all_of(v: _Validator, value: Any, schema: Mapping[str, Any], path: str) -> Iterator[str]:
    for option in schema["allOf"] if isinstance(schema["allOf"], list) else ():
        yield from v.errors(value, option, path)


def _check_not(v: _Validator, value: Any, schema: Mapping[str, Any], path: str) -> Iterator[str]:
    if v.valid(value, schema["not"], path):
        yield f"{path}: {_shown(value)} matches a shape that is not allowed"


_CHECKS: Final[tuple[tuple[frozenset[str], _Check], ...]] = (
    (frozenset({"$ref"}), _check_ref),
    (frozenset({"type"}), _check_type),
    (frozenset({"enum"}), _check_enum),
    (frozenset({"const"}), _check_const),
    (frozenset({"properties", "required", "additionalProperties"}), _check_object),
    (frozenset({"items", "minItems", "maxItems", "uniqueItems"}), _check_array),
    (
        frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}),
        _check_number,
    ),
    (frozenset({"minLength", "maxLength", "pattern"}), _check_string),
    (frozenset({"anyOf"}), _check_any_of),
    (frozenset({"oneOf"}), _check_one_of),
    (frozenset({"allOf"}), _check_all_of),
    (frozenset({"not"}), _check_not),
)
"""Keyword group → its check (each check runs once when any of its keywords is present)."""


def validate_json(value: Any, schema: Mapping[str, Any]) -> list[str]:
    """The problems of ``value`` against ``schema`` (an empty list when it is valid).

    Each problem names its path from ``$`` (the value itself); at most :data:`MAX_ERRORS`.
    """
    problems: list[str] = []
    for problem in _Validator(schema).errors(value, schema, "$"):
        if problem not in problems:
            problems.append(problem)
        if len(problems) >= MAX_ERRORS:
            break
    return problems
