"""The whitelist of JavaScript methods (expressions.md §4.2) and their JavaScript behaviour.

``text.toUpperCase()``, ``items.map(x => x.id)``, ``(2.5).toFixed(0)``… work on strings,
arrays and numbers exactly as in JavaScript (indexes count code points). Array methods return
new arrays: ``reverse`` and ``sort`` sort a copy, inputs are never mutated. Any other method
name — and always ``constructor``, ``prototype``, ``__proto__`` and names starting with ``__`` —
raises :class:`~flowscript.errors.BlockedAccessError`. ``length`` is a property, read by the
evaluator; calling it as a method is an error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final

from flowscript.errors import BlockedAccessError, ExpressionEvalError, format_list
from flowscript.expressions.builtins._numfmt import to_fixed, to_radix
from flowscript.expressions.builtins._replace import js_replace
from flowscript.expressions.builtins._support import (
    JS_WHITESPACE,
    charge_text,
    require_function,
    same_value_zero,
    slice_bounds,
    substring_bounds,
)
from flowscript.expressions.builtins.arrays import flatten_into
from flowscript.expressions.builtins.strings import pad, repeat_text
from flowscript.expressions.sandbox import Sandbox
from flowscript.expressions.values import (
    UNDEFINED,
    js_typeof,
    strict_equals,
    to_int,
    to_number,
    to_string,
    truthy,
)

__all__ = ["METHOD_NAMES", "call_method"]

Method = Callable[[Sandbox, Any, list[Any]], Any]
_ALWAYS_BLOCKED: Final = frozenset({"constructor", "prototype", "__proto__"})


def _arg(args: list[Any], index: int) -> Any:
    return args[index] if index < len(args) else UNDEFINED


# --- strings ------------------------------------------------------------------------------


def _split(sb: Sandbox, s: str, args: list[Any]) -> list[str]:
    sep, limit = _arg(args, 0), _arg(args, 1)
    count = 2**32 - 1 if limit is UNDEFINED else to_int(limit) % 2**32  # ToUint32
    charge_text(sb, len(s))
    if sep is UNDEFINED:
        parts = [s]
    else:
        separator = to_string(sep)
        parts = list(s) if separator == "" else s.split(separator)
    return parts[:count]


def _index_of_text(sb: Sandbox, s: str, args: list[Any]) -> int:
    start = min(max(to_int(_arg(args, 1)), 0), len(s))
    return s.find(to_string(_arg(args, 0)), start)


def _includes_text(sb: Sandbox, s: str, args: list[Any]) -> bool:
    return _index_of_text(sb, s, args) >= 0


def _starts_with(sb: Sandbox, s: str, args: list[Any]) -> bool:
    start = min(max(to_int(_arg(args, 1)), 0), len(s))
    return s.startswith(to_string(_arg(args, 0)), start)


def _ends_with(sb: Sandbox, s: str, args: list[Any]) -> bool:
    end_arg = _arg(args, 1)
    end = len(s) if end_arg is UNDEFINED else min(max(to_int(end_arg), 0), len(s))
    return s[:end].endswith(to_string(_arg(args, 0)))


def _char_at(sb: Sandbox, s: str, args: list[Any]) -> str:
    index = to_int(_arg(args, 0))
    return s[index] if 0 <= index < len(s) else ""


def _slice_text(sb: Sandbox, s: str, args: list[Any]) -> str:
    low, high = slice_bounds(len(s), _arg(args, 0), _arg(args, 1))
    return s[low:high]


def _substring(sb: Sandbox, s: str, args: list[Any]) -> str:
    low, high = substring_bounds(len(s), _arg(args, 0), _arg(args, 1))
    return s[low:high]


def _repeat(sb: Sandbox, s: str, args: list[Any]) -> str:
    return repeat_text(sb, "repeat", s, _arg(args, 0))


def _text_method(op: Callable[[str], str]) -> Method:
    def method(sb: Sandbox, s: str, args: list[Any]) -> str:
        charge_text(sb, len(s))
        return op(s)

    return method


_STRING_METHODS: Final[dict[str, Method]] = {
    "toUpperCase": _text_method(str.upper),
    "toLowerCase": _text_method(str.lower),
    "trim": _text_method(lambda s: s.strip(JS_WHITESPACE)),
    "trimStart": _text_method(lambda s: s.lstrip(JS_WHITESPACE)),
    "trimEnd": _text_method(lambda s: s.rstrip(JS_WHITESPACE)),
    "split": _split,
    "includes": _includes_text,
    "startsWith": _starts_with,
    "endsWith": _ends_with,
    "indexOf": _index_of_text,
    "slice": _slice_text,
    "substring": _substring,
    "replace": lambda sb, s, a: js_replace(sb, s, _arg(a, 0), _arg(a, 1), every=False),
    "replaceAll": lambda sb, s, a: js_replace(sb, s, _arg(a, 0), _arg(a, 1), every=True),
    "padStart": lambda sb, s, a: pad(sb, s, _arg(a, 0), _arg(a, 1), at_start=True),
    "padEnd": lambda sb, s, a: pad(sb, s, _arg(a, 0), _arg(a, 1), at_start=False),
    "repeat": _repeat,
    "charAt": _char_at,
}

# --- arrays -------------------------------------------------------------------------------


def _each(
    sb: Sandbox, items: list[Any], args: list[Any], name: str
) -> Iterator[tuple[int, Any, Any]]:
    fn = require_function(name, _arg(args, 0))
    for index, item in enumerate(items):
        sb.tick()
        yield index, item, fn.call([item, index])


def _map(sb: Sandbox, items: list[Any], args: list[Any]) -> list[Any]:
    return [result for _, _, result in _each(sb, items, args, "map")]


def _filter(sb: Sandbox, items: list[Any], args: list[Any]) -> list[Any]:
    return [item for _, item, result in _each(sb, items, args, "filter") if truthy(result)]


def _find(sb: Sandbox, items: list[Any], args: list[Any]) -> Any:
    return next((item for _, item, r in _each(sb, items, args, "find") if truthy(r)), UNDEFINED)


def _find_index(sb: Sandbox, items: list[Any], args: list[Any]) -> int:
    return next((i for i, _, r in _each(sb, items, args, "findIndex") if truthy(r)), -1)


def _some(sb: Sandbox, items: list[Any], args: list[Any]) -> bool:
    return any(truthy(r) for _, _, r in _each(sb, items, args, "some"))


def _every(sb: Sandbox, items: list[Any], args: list[Any]) -> bool:
    return all(truthy(r) for _, _, r in _each(sb, items, args, "every"))


def _reduce(sb: Sandbox, items: list[Any], args: list[Any]) -> Any:
    fn = require_function("reduce", _arg(args, 0))
    if len(args) < 2 and not items:
        raise ExpressionEvalError("reduce of empty array with no initial value")
    acc, start = (args[1], 0) if len(args) >= 2 else (items[0], 1)
    for index in range(start, len(items)):
        sb.tick()
        acc = fn.call([acc, items[index], index])
    return acc


def _from_index(args: list[Any], length: int) -> int:
    start = to_int(_arg(args, 1))
    return max(length + start, 0) if start < 0 else start


def _includes(sb: Sandbox, items: list[Any], args: list[Any]) -> bool:
    target = _arg(args, 0)
    sb.tick(len(items))
    return any(same_value_zero(item, target) for item in items[_from_index(args, len(items)) :])


def _index_of(sb: Sandbox, items: list[Any], args: list[Any]) -> int:
    target = _arg(args, 0)
    start = _from_index(args, len(items))
    sb.tick(len(items))
    return next((i for i in range(start, len(items)) if strict_equals(items[i], target)), -1)


def _join(sb: Sandbox, items: list[Any], args: list[Any]) -> str:
    sep = "," if _arg(args, 0) is UNDEFINED else to_string(args[0])
    sb.tick(len(items))
    parts = ["" if item is None or item is UNDEFINED else to_string(item) for item in items]
    sb.check_size(sum(map(len, parts)) + len(sep) * max(len(parts) - 1, 0), "join() result")
    return sep.join(parts)


def _slice(sb: Sandbox, items: list[Any], args: list[Any]) -> list[Any]:
    low, high = slice_bounds(len(items), _arg(args, 0), _arg(args, 1))
    sb.tick(high - low)
    return items[low:high]


def _concat(sb: Sandbox, items: list[Any], args: list[Any]) -> list[Any]:
    parts = [items, *(arg if isinstance(arg, list) else [arg] for arg in args)]
    size = sum(map(len, parts))
    sb.check_size(size, "concat() result")
    sb.tick(size)
    return [item for part in parts for item in part]


def _flat(sb: Sandbox, items: list[Any], args: list[Any]) -> list[Any]:
    depth = 1 if _arg(args, 0) is UNDEFINED else to_int(args[0])
    return flatten_into(sb, [], items, depth)


def _reverse(sb: Sandbox, items: list[Any], args: list[Any]) -> list[Any]:
    sb.tick(len(items))
    return items[::-1]


def _default_compare(left: Any, right: Any) -> int:
    a = to_string(left).encode("utf-16-be", "surrogatepass")
    b = to_string(right).encode("utf-16-be", "surrogatepass")
    return (a > b) - (a < b)


def _sort(sb: Sandbox, items: list[Any], args: list[Any]) -> list[Any]:
    """``toSorted``: ``undefined`` last, then by comparator or by ``String()`` code units."""
    cmp = _arg(args, 0)
    defined = [item for item in items if item is not UNDEFINED]
    sb.tick(len(items) * max(1, len(items).bit_length()))
    if cmp is UNDEFINED:
        compare = _default_compare
    else:
        fn = require_function("sort", cmp)

        def compare(left: Any, right: Any) -> int:
            sb.tick()
            result = to_number(fn.call([left, right]))
            return 0 if result != result or result == 0 else (1 if result > 0 else -1)

    ordered = sorted(defined, key=functools.cmp_to_key(compare))
    return ordered + [UNDEFINED] * (len(items) - len(defined))


def _at(sb: Sandbox, items: list[Any], args: list[Any]) -> Any:
    index = to_int(_arg(args, 0))
    index += len(items) if index < 0 else 0
    return items[index] if 0 <= index < len(items) else UNDEFINED


_ARRAY_METHODS: Final[dict[str, Method]] = {
    "map": _map,
    "filter": _filter,
    "find": _find,
    "findIndex": _find_index,
    "some": _some,
    "every": _every,
    "reduce": _reduce,
    "includes": _includes,
    "indexOf": _index_of,
    "join": _join,
    "slice": _slice,
    "concat": _concat,
    "flat": _flat,
    "reverse": _reverse,
    "sort": _sort,
    "at": _at,
}

# --- numbers ------------------------------------------------------------------------------


def _to_fixed(sb: Sandbox, value: float, args: list[Any]) -> str:
    digits = to_int(_arg(args, 0))
    if not 0 <= digits <= 100:
        raise ExpressionEvalError("toFixed() digits argument must be between 0 and 100")
    return to_fixed(value, digits)


def _to_string_radix(sb: Sandbox, value: float, args: list[Any]) -> str:
    radix = 10 if _arg(args, 0) is UNDEFINED else to_int(args[0])
    if not 2 <= radix <= 36:
        raise ExpressionEvalError("toString() radix must be between 2 and 36")
    return to_radix(value, radix)


_NUMBER_METHODS: Final[dict[str, Method]] = {"toFixed": _to_fixed, "toString": _to_string_radix}

# --- dispatch -----------------------------------------------------------------------------

_TABLES: Final[dict[str, Mapping[str, Method]]] = {
    "string": _STRING_METHODS,
    "array": _ARRAY_METHODS,
    "number": _NUMBER_METHODS,
}

METHOD_NAMES: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {kind: frozenset(table) for kind, table in _TABLES.items()}
)
"""Callable method names by receiver type (``string``, ``array``, ``number``)."""


def _blocked(name: str, kind: str) -> BlockedAccessError:
    allowed = sorted(METHOD_NAMES.get(kind, ()))
    if not allowed:
        return BlockedAccessError(
            f"method {name!r} is not allowed: {kind} values have no methods "
            "(use the built-in functions instead)"
        )
    return BlockedAccessError(
        f"method {name!r} is not allowed on {'an' if kind == 'array' else 'a'} {kind}; "
        f"allowed: {format_list(allowed, limit=len(allowed))}"
    )


def call_method(sandbox: Sandbox, receiver: Any, name: str, args: list[Any]) -> Any:
    """Call the whitelisted JavaScript method ``name`` on ``receiver``.

    Args:
        sandbox: the evaluation's limits; work is charged to it.
        receiver: a string, array or number (other receivers have no methods).
        name: the method name, e.g. ``toUpperCase``.
        args: the evaluated arguments.

    Raises:
        BlockedAccessError: ``name`` is not whitelisted for the receiver's type, or is always
            blocked (``constructor``, ``prototype``, ``__proto__``, ``__*``).
        ExpressionEvalError: the receiver is ``null``/``undefined``, ``length`` was called as
            a method, or JavaScript would throw (``"x".repeat(-1)``, ``[].reduce(f)``…).
        LimitExceededError: the result would exceed the sandbox limits.
    """
    kind = js_typeof(receiver)
    if name.startswith("__") or name in _ALWAYS_BLOCKED:
        raise BlockedAccessError(f"access to {name!r} is blocked")
    if receiver is None or receiver is UNDEFINED:
        raise ExpressionEvalError(f"cannot call method {name!r} of {kind}")
    if name == "length" and kind in ("string", "array"):
        raise ExpressionEvalError(
            "'length' is a property, not a method: write .length, not .length()"
        )
    method = _TABLES.get(kind, {}).get(name)
    if method is None:
        raise _blocked(name, kind)
    sandbox.tick()
    return method(sandbox, receiver, args)
