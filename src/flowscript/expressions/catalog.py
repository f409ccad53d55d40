"""The names an expression may call, without the code behind them (expressions.md §4.1, §6).

The validator checks that every call names a built-in function (or its ``Math.*``/``JSON.*``
alias) and every method call a whitelisted method. It needs the names only, so it reads them
here instead of importing :mod:`flowscript.expressions.builtins` (nine category modules, 137
registrations, date and regex support) and :mod:`flowscript.expressions.methods` — which
``flowscript validate`` would otherwise pay for at every start.

The tables are written out by hand; ``tests/expressions/test_expr_catalog.py`` checks that they
match the registered implementations exactly (names, arities, aliases, methods).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = ["ALIASES", "CALLABLE_NAMES", "FUNCTION_ARITIES", "METHOD_NAMES", "method_names"]

_VARIADIC: Final = None

FUNCTION_ARITIES: Final[Mapping[str, tuple[int, int | None]]] = MappingProxyType(
    {
        # String
        "upper": (1, 1), "lower": (1, 1), "trim": (1, 1), "replace": (3, 3), "split": (2, 2),
        "join": (1, 2), "truncate": (2, 3), "concat": (0, _VARIADIC), "includes": (2, 2),
        "starts_with": (2, 2), "ends_with": (2, 2), "substring": (2, 3), "pad_start": (2, 3),
        "pad_end": (2, 3), "repeat": (2, 2), "char_at": (2, 2), "len": (1, 1),
        "slugify": (1, 1), "capitalize": (1, 1), "title": (1, 1),
        # Array
        "length": (1, 1), "first": (1, 1), "last": (1, 1), "slice": (2, 3), "flatten": (1, 2),
        "unique": (1, 1), "reverse": (1, 1), "contains": (2, 2), "index_of": (2, 2),
        "compact": (1, 1), "at": (2, 2), "take": (2, 2), "skip": (2, 2), "range": (2, 3),
        "array_concat": (0, _VARIADIC), "zip": (0, _VARIADIC), "chunk": (2, 2),
        "pluck": (2, 2), "count": (1, 2), "every": (2, 2), "some": (2, 2), "find": (2, 2),
        "map": (2, 2), "filter": (2, 2), "reduce": (2, 3), "group_by": (2, 2), "sort": (1, 3),
        # Math
        "add": (2, 2), "subtract": (2, 2), "multiply": (2, 2), "divide": (2, 2),
        "min": (0, _VARIADIC), "max": (0, _VARIADIC), "sum": (1, 1), "avg": (1, 1),
        "round": (1, 2), "floor": (1, 1), "ceil": (1, 1), "abs": (1, 1), "pow": (2, 2),
        "sqrt": (1, 1), "random": (0, 0), "random_int": (2, 2), "clamp": (3, 3),
        "mod": (2, 2), "sign": (1, 1), "trunc": (1, 1), "percent": (2, 3),
        # Time
        "now": (0, 0), "date": (0, 1), "time": (0, 1), "parse_date": (1, 2),
        "format_date": (2, 2), "add_time": (2, 2), "subtract_time": (2, 2), "diff": (2, 3),
        "timestamp": (0, 0), "from_timestamp": (1, 1), "start_of": (2, 2), "end_of": (2, 2),
        "get_part": (2, 2), "is_before": (2, 2), "is_after": (2, 2), "relative": (1, 2),
        "duration": (1, 1),
        # Object
        "keys": (1, 1), "values": (1, 1), "entries": (1, 1), "from_entries": (1, 1),
        "get": (2, 3), "has": (2, 2), "merge": (0, _VARIADIC), "deep_merge": (0, _VARIADIC),
        "pick": (2, 2), "omit": (2, 2), "size": (1, 1), "set": (3, 3), "delete": (2, 2),
        "equals": (2, 2), "clone": (1, 1),
        # Type and logic
        "typeof": (1, 1), "is_null": (1, 1), "is_array": (1, 1), "is_object": (1, 1),
        "is_string": (1, 1), "is_number": (1, 1), "is_boolean": (1, 1), "is_empty": (1, 1),
        "to_string": (1, 1), "to_number": (1, 1), "to_boolean": (1, 1), "to_array": (1, 1),
        "coalesce": (0, _VARIADIC), "default": (2, 2), "if_else": (3, 3), "not": (1, 1),
        "and": (0, _VARIADIC), "or": (0, _VARIADIC), "is_finite": (1, 1),
        "is_integer": (1, 1), "is_nan": (1, 1), "is_truthy": (1, 1), "is_falsy": (1, 1),
        "switch": (2, 3),
        # Utility
        "json_encode": (1, 2), "json_decode": (1, 1), "base64_encode": (1, 1),
        "base64_decode": (1, 1), "url_encode": (1, 1), "url_decode": (1, 1), "uuid": (0, 0),
        "hash": (1, 2), "pretty": (1, 2), "jmespath": (2, 2), "match": (2, 3),
        "test": (2, 3), "match_all": (2, 3),
    }
)  # fmt: skip
"""Built-in function name → ``(min_args, max_args)``; ``max_args`` is ``None`` when variadic."""

_MATH_ALIASES: Final = (
    "floor", "max", "min", "abs", "round", "ceil", "pow", "sqrt", "random", "sign", "trunc",
)  # fmt: skip
ALIASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        **{f"Math.{name}": name for name in _MATH_ALIASES},
        "JSON.parse": "json_decode",
        "JSON.stringify": "json_encode",
    }
)
"""JavaScript spelling → built-in name (``Math.floor`` → ``floor``)."""

CALLABLE_NAMES: Final[frozenset[str]] = frozenset(FUNCTION_ARITIES) | frozenset(ALIASES)
"""Every name a plain call ``f(…)`` or ``Math.f(…)`` may use."""

METHOD_NAMES: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "string": frozenset(
            {
                "charAt", "endsWith", "includes", "indexOf", "padEnd", "padStart", "repeat",
                "replace", "replaceAll", "slice", "split", "startsWith", "substring",
                "toLowerCase", "toUpperCase", "trim", "trimEnd", "trimStart",
            }
        ),
        "array": frozenset(
            {
                "at", "concat", "every", "filter", "find", "findIndex", "flat", "includes",
                "indexOf", "join", "map", "reduce", "reverse", "slice", "some", "sort",
            }
        ),
        "number": frozenset({"toFixed", "toString"}),
    }
)  # fmt: skip
"""Whitelisted method names by receiver type (``string``, ``array``, ``number``)."""


def method_names() -> frozenset[str]:
    """Every whitelisted method name, whatever the receiver."""
    return frozenset().union(*METHOD_NAMES.values())
