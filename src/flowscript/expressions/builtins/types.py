"""Type and logic built-ins (expressions.md §6, **Type and logic**).

``typeof`` says ``"null"`` and ``"array"`` where JavaScript says ``"object"``. The number tests
(``is_finite``, ``is_integer``, ``is_nan``) are JavaScript's ``Number.isX``: they never convert
their argument, so ``is_nan("x")`` is false. ``to_string`` renders like a template does.
"""

from __future__ import annotations

import math
from typing import Any, Final

from flowscript.errors import ExpressionEvalError
from flowscript.expressions.builtins._registry import Registry
from flowscript.expressions.builtins._support import is_nullish, js_number, text
from flowscript.expressions.sandbox import Sandbox
from flowscript.expressions.values import (
    UNDEFINED,
    is_number,
    js_typeof,
    to_json,
    to_number,
    to_string,
    truthy,
)

__all__ = ["BUILTINS", "render_text"]

register = Registry("Type and logic")
BUILTINS: Final = register.builtins

_FALSE_WORDS: Final = frozenset({"false", "0"})


@register("typeof(v)", 'The type name: "string", "number", "boolean", "array", "object", "null", …')
def _typeof(sb: Sandbox, v: Any) -> str:
    return js_typeof(v)


@register("is_null(v)", "Whether v is null or undefined.")
def _is_null(sb: Sandbox, v: Any) -> bool:
    return is_nullish(v)


@register("is_array(v)", "Whether v is an array.")
def _is_array(sb: Sandbox, v: Any) -> bool:
    return isinstance(v, list)


@register("is_object(v)", "Whether v is a plain object (not an array, not null).")
def _is_object(sb: Sandbox, v: Any) -> bool:
    return isinstance(v, dict)


@register("is_string(v)", "Whether v is a string.")
def _is_string(sb: Sandbox, v: Any) -> bool:
    return isinstance(v, str)


@register("is_number(v)", "Whether v is a number (NaN included).")
def _is_number(sb: Sandbox, v: Any) -> bool:
    return is_number(v)


@register("is_boolean(v)", "Whether v is true or false.")
def _is_boolean(sb: Sandbox, v: Any) -> bool:
    return isinstance(v, bool)


@register("is_empty(v)", 'Whether v is null, undefined, "", [] or {}.')
def _is_empty(sb: Sandbox, v: Any) -> bool:
    return is_nullish(v) or (isinstance(v, str | list | dict) and len(v) == 0)


def render_text(value: Any) -> str:
    """A value as a template renders it: null/undefined → ``""``, arrays/objects → JSON."""
    if isinstance(value, list | dict):
        return to_json(value)
    return text(value)


@register("to_string(v)", 'Text of a value as templates render it (null → "", objects → JSON).')
def _to_string(sb: Sandbox, v: Any) -> str:
    result = render_text(v)
    sb.tick(1 + len(result) // 1000)
    return result


@register("to_number(v)", 'A number from a value ("12" → 12); anything invalid gives 0.')
def _to_number(sb: Sandbox, v: Any) -> float:
    number = to_number(v)
    return 0 if number != number else js_number(number)


@register("to_boolean(v)", 'Truthiness of v, except that the strings "false" and "0" are false.')
def _to_boolean(sb: Sandbox, v: Any) -> bool:
    if isinstance(v, str) and v.strip().lower() in _FALSE_WORDS:
        return False
    return truthy(v)


@register("to_array(v)", "v if it is an array, [] for null/undefined, else [v].")
def _to_array(sb: Sandbox, v: Any) -> list[Any]:
    if isinstance(v, list):
        return v
    return [] if is_nullish(v) else [v]


@register("coalesce(...values)", "The first value that is not null or undefined (else null).")
def _coalesce(sb: Sandbox, *values: Any) -> Any:
    return next((v for v in values if not is_nullish(v)), None)


@register("default(v, d)", "v, or d when v is null or undefined.")
def _default(sb: Sandbox, v: Any, d: Any) -> Any:
    return d if is_nullish(v) else v


@register("if_else(c, a, b)", "a when c is truthy, else b.")
def _if_else(sb: Sandbox, c: Any, a: Any, b: Any) -> Any:
    return a if truthy(c) else b


@register("not(v)", "The boolean negation of v's truthiness.")
def _not(sb: Sandbox, v: Any) -> bool:
    return not truthy(v)


@register("and(...values)", "Whether every value is truthy (true when there are none).")
def _and(sb: Sandbox, *values: Any) -> bool:
    return all(truthy(v) for v in values)


@register("or(...values)", "Whether any value is truthy.")
def _or(sb: Sandbox, *values: Any) -> bool:
    return any(truthy(v) for v in values)


@register("is_finite(v)", "Whether v is a finite number (no conversion: strings are false).")
def _is_finite(sb: Sandbox, v: Any) -> bool:
    return is_number(v) and math.isfinite(v)


@register("is_integer(v)", "Whether v is a number with no fractional part.")
def _is_integer(sb: Sandbox, v: Any) -> bool:
    return is_number(v) and (isinstance(v, int) or (math.isfinite(v) and v.is_integer()))


@register("is_nan(v)", "Whether v is the number NaN.")
def _is_nan(sb: Sandbox, v: Any) -> bool:
    return is_number(v) and v != v


@register("is_truthy(v)", "Whether v is truthy (JavaScript rules: [] and {} are truthy).")
def _is_truthy(sb: Sandbox, v: Any) -> bool:
    return truthy(v)


@register("is_falsy(v)", 'Whether v is falsy (false, 0, NaN, "", null, undefined).')
def _is_falsy(sb: Sandbox, v: Any) -> bool:
    return not truthy(v)


@register(
    "switch(value, cases_object, [default])",
    "The entry of cases_object whose key is value (as a string), else default.",
)
def _switch(sb: Sandbox, value: Any, cases: Any, default: Any = UNDEFINED) -> Any:
    if not isinstance(cases, dict):
        raise ExpressionEvalError(f"switch() expects an object of cases, got {js_typeof(cases)}")
    return cases.get(to_string(value), default)
