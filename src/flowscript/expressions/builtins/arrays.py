"""Array built-ins without callbacks (expressions.md §6, **Array**).

``null``/``undefined`` read as an empty array. Functions that make sense on strings too
(``first``, ``last``, ``slice``, ``reverse``, ``at``, ``take``, ``skip``, ``contains``,
``index_of``) accept one. Inputs are never mutated: every result is a new array.
"""

from __future__ import annotations

import math
from typing import Any, Final

from flowscript.errors import ExpressionEvalError
from flowscript.expressions.builtins._registry import Registry
from flowscript.expressions.builtins._support import (
    get_path,
    is_nullish,
    js_number,
    require_array,
    slice_bounds,
)
from flowscript.expressions.sandbox import Sandbox
from flowscript.expressions.values import (
    UNDEFINED,
    deep_equal,
    is_number,
    to_int,
    to_number,
    to_string,
    truthy,
)

__all__ = ["BUILTINS", "flatten_into"]

register = Registry("Array")
BUILTINS: Final = register.builtins


@register("length(x)", "Number of items of an array, characters of a string or keys of an object.")
def _length(sb: Sandbox, x: Any) -> int:
    return len(x) if isinstance(x, list | str | dict) else 0


@register("first(a)", "The first item (undefined when empty).")
def _first(sb: Sandbox, a: Any) -> Any:
    if isinstance(a, list | str) and a:
        return a[0]
    return UNDEFINED


@register("last(a)", "The last item (undefined when empty).")
def _last(sb: Sandbox, a: Any) -> Any:
    if isinstance(a, list | str) and a:
        return a[-1]
    return UNDEFINED


@register(
    "slice(a, start, [end])",
    "Items from start up to (not including) end; negatives count from the end.",
)
def _slice(sb: Sandbox, a: Any, start: Any, end: Any = UNDEFINED) -> Any:
    if isinstance(a, str):
        low, high = slice_bounds(len(a), start, end)
        return a[low:high]
    items = require_array("slice", a)
    low, high = slice_bounds(len(items), start, end)
    sb.tick(high - low)
    return items[low:high]


def flatten_into(sb: Sandbox, out: list[Any], items: list[Any], depth: int) -> list[Any]:
    """Append ``items`` to ``out``, flattening nested arrays ``depth`` levels deep."""
    for item in items:
        sb.tick()
        if isinstance(item, list) and depth > 0:
            flatten_into(sb, out, item, depth - 1)
        else:
            out.append(item)
    return out


@register("flatten(a, [depth=1])", "Flatten nested arrays depth levels deep (Infinity for all).")
def _flatten(sb: Sandbox, a: Any, depth: Any = UNDEFINED) -> list[Any]:
    levels = 1 if depth is UNDEFINED else to_int(depth)
    return flatten_into(sb, [], require_array("flatten", a), levels)


def _hash_key(value: Any) -> Any:
    """A hashable key for primitives (equal under deep equality ⇔ equal keys), else None."""
    if isinstance(value, bool) or value is None or value is UNDEFINED:
        return ("const", repr(value))
    if is_number(value):
        return ("nan",) if value != value else ("num", value)
    if isinstance(value, str):
        return ("str", value)
    return None


@register("unique(a)", "The array without duplicates (deep equality), first occurrences kept.")
def _unique(sb: Sandbox, a: Any) -> list[Any]:
    seen: set[Any] = set()
    composites: list[Any] = []
    result: list[Any] = []
    for item in require_array("unique", a):
        sb.tick()
        key = _hash_key(item)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        else:
            sb.tick(len(composites))
            if any(deep_equal(item, other) for other in composites):
                continue
            composites.append(item)
        result.append(item)
    return result


@register("reverse(a)", "A reversed copy of an array (or string).")
def _reverse(sb: Sandbox, a: Any) -> Any:
    if isinstance(a, str):
        return a[::-1]
    items = require_array("reverse", a)
    sb.tick(len(items))
    return items[::-1]


@register("contains(a, v)", "Whether an array holds v (deep equality), or a string contains v.")
def _contains(sb: Sandbox, a: Any, v: Any) -> bool:
    if isinstance(a, str):
        return not is_nullish(v) and to_string(v) in a
    items = list(a.values()) if isinstance(a, dict) else require_array("contains", a)
    sb.tick(len(items))
    return any(deep_equal(item, v) for item in items)


@register("index_of(a, v)", "Position of the first item equal to v (deep equality), or -1.")
def _index_of(sb: Sandbox, a: Any, v: Any) -> int:
    if isinstance(a, str):
        return -1 if is_nullish(v) else a.find(to_string(v))
    items = require_array("index_of", a)
    for index, item in enumerate(items):
        sb.tick()
        if deep_equal(item, v):
            return index
    return -1


@register("compact(a)", 'The array without falsy items (null, undefined, false, 0, NaN, "").')
def _compact(sb: Sandbox, a: Any) -> list[Any]:
    items = require_array("compact", a)
    sb.tick(len(items))
    return [item for item in items if truthy(item)]


@register("at(a, i)", "The item at index i; negative indexes count from the end.")
def _at(sb: Sandbox, a: Any, i: Any) -> Any:
    if not isinstance(a, list | str):
        return UNDEFINED
    index = to_int(i)
    if index < 0:
        index += len(a)
    return a[index] if 0 <= index < len(a) else UNDEFINED


@register("take(a, n)", "The first n items.")
def _take(sb: Sandbox, a: Any, n: Any) -> Any:
    count = max(to_int(n), 0)
    if isinstance(a, str):
        return a[:count]
    items = require_array("take", a)[:count]
    sb.tick(len(items))
    return items


@register("skip(a, n)", "Everything after the first n items.")
def _skip(sb: Sandbox, a: Any, n: Any) -> Any:
    count = max(to_int(n), 0)
    if isinstance(a, str):
        return a[count:]
    items = require_array("skip", a)[count:]
    sb.tick(len(items))
    return items


def _range_count(start: float, end: float, step: float) -> int:
    if step == 0 or any(math.isnan(x) or math.isinf(x) for x in (start, end, step)):
        raise ExpressionEvalError("range() needs finite numbers and a non-zero step")
    return max(math.ceil((end - start) / step), 0)


@register("range(start, end, [step=1])", "Numbers from start up to (not including) end.")
def _range(sb: Sandbox, start: Any, end: Any, step: Any = UNDEFINED) -> list[Any]:
    low, high = to_number(start), to_number(end)
    stride = 1 if step is UNDEFINED else to_number(step)
    count = _range_count(low, high, stride)
    sb.check_size(count, "range() result")
    sb.tick(count)
    if all(isinstance(x, int) for x in (low, high, stride)):
        return list(range(int(low), int(high), int(stride)))
    return [js_number(low + i * stride) for i in range(count)]


@register("array_concat(...arrays)", "One array of all the items of the arrays, in order.")
def _array_concat(sb: Sandbox, *arrays: Any) -> list[Any]:
    parts = [a if isinstance(a, list) else [a] for a in arrays if not is_nullish(a)]
    size = sum(len(part) for part in parts)
    sb.check_size(size, "array_concat() result")
    sb.tick(size)
    return [item for part in parts for item in part]


@register(
    "zip(...arrays)", 'Pair up items by position: zip([1, 2], ["a", "b"]) → [[1, "a"], [2, "b"]].'
)
def _zip(sb: Sandbox, *arrays: Any) -> list[Any]:
    columns = [require_array("zip", a) for a in arrays]
    rows = max((len(column) for column in columns), default=0)
    sb.check_size(rows * len(columns), "zip() result")
    sb.tick(rows * len(columns))
    return [[c[i] if i < len(c) else UNDEFINED for c in columns] for i in range(rows)]


@register("chunk(a, n)", "Split an array into arrays of n items (the last may be shorter).")
def _chunk(sb: Sandbox, a: Any, n: Any) -> list[Any]:
    size = to_int(n)
    if size <= 0:
        raise ExpressionEvalError(f"chunk() size must be a positive integer, got {to_string(n)}")
    items = require_array("chunk", a)
    sb.tick(len(items))
    return [items[i : i + size] for i in range(0, len(items), size)]


@register("pluck(a, key)", 'The value of key (a path like "a.b") of every item.')
def _pluck(sb: Sandbox, a: Any, key: Any) -> list[Any]:
    items = require_array("pluck", a)
    sb.tick(len(items))
    return [get_path(item, key) for item in items]
