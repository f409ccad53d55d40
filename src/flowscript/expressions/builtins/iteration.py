"""Array built-ins that take a callback (expressions.md §6, **Array**).

A callback is an arrow function, called with ``(item, index)`` (arrow functions ignore extra
arguments), or, for compatibility, a key name: ``count(items, "ok")`` counts the items whose
``ok`` is truthy, ``sort(items, "age")`` sorts by ``age``. Key names may be paths (``"a.b"``).
"""

from __future__ import annotations

import functools
import math
from typing import Any, Final

from flowscript.errors import ExpressionEvalError
from flowscript.expressions.builtins._registry import Registry
from flowscript.expressions.builtins._support import (
    as_callback,
    is_nullish,
    require_array,
    require_function,
)
from flowscript.expressions.sandbox import Sandbox
from flowscript.expressions.values import (
    UNDEFINED,
    JSFunction,
    deep_equal,
    is_number,
    to_number,
    to_string,
    truthy,
)

__all__ = ["BUILTINS", "sort_key"]

register = Registry("Array")
BUILTINS: Final = register.builtins


@register("count(a, [pred])", "Number of items (matching pred when given).")
def _count(sb: Sandbox, a: Any, pred: Any = UNDEFINED) -> int:
    items = require_array("count", a)
    if pred is UNDEFINED:
        return len(items)
    if not isinstance(pred, JSFunction | str):
        sb.tick(len(items))
        return sum(1 for item in items if deep_equal(item, pred))
    test = as_callback("count", pred)
    total = 0
    for index, item in enumerate(items):
        sb.tick()
        total += truthy(test(item, index))
    return total


@register("every(a, pred)", "Whether every item matches pred (true for an empty array).")
def _every(sb: Sandbox, a: Any, pred: Any) -> bool:
    test = as_callback("every", pred)
    for index, item in enumerate(require_array("every", a)):
        sb.tick()
        if not truthy(test(item, index)):
            return False
    return True


@register("some(a, pred)", "Whether at least one item matches pred.")
def _some(sb: Sandbox, a: Any, pred: Any) -> bool:
    test = as_callback("some", pred)
    for index, item in enumerate(require_array("some", a)):
        sb.tick()
        if truthy(test(item, index)):
            return True
    return False


@register("find(a, pred)", "The first item matching pred (undefined when none does).")
def _find(sb: Sandbox, a: Any, pred: Any) -> Any:
    test = as_callback("find", pred)
    for index, item in enumerate(require_array("find", a)):
        sb.tick()
        if truthy(test(item, index)):
            return item
    return UNDEFINED


@register("map(a, fn)", "A new array of fn(item, index) for every item (a key name plucks it).")
def _map(sb: Sandbox, a: Any, fn: Any) -> list[Any]:
    transform = as_callback("map", fn)
    result = []
    for index, item in enumerate(require_array("map", a)):
        sb.tick()
        result.append(transform(item, index))
    return result


@register("filter(a, pred)", "The items matching pred.")
def _filter(sb: Sandbox, a: Any, pred: Any) -> list[Any]:
    test = as_callback("filter", pred)
    result = []
    for index, item in enumerate(require_array("filter", a)):
        sb.tick()
        if truthy(test(item, index)):
            result.append(item)
    return result


@register(
    "reduce(a, fn, [init])",
    "Fold the items: fn(acc, item, index); without init the first item starts.",
)
def _reduce(sb: Sandbox, a: Any, fn: Any, init: Any = UNDEFINED) -> Any:
    step = require_function("reduce()", fn)
    items = require_array("reduce", a)
    start = 0
    if init is UNDEFINED:
        if not items:
            raise ExpressionEvalError("reduce() of an empty array with no initial value")
        init, start = items[0], 1
    acc = init
    for index in range(start, len(items)):
        sb.tick()
        acc = step.call([acc, items[index], index])
    return acc


@register(
    "group_by(a, key_or_fn)",
    "An object of arrays: the items grouped by key (or fn(item)), in first-seen order.",
)
def _group_by(sb: Sandbox, a: Any, key_or_fn: Any) -> dict[str, list[Any]]:
    key_of = as_callback("group_by", key_or_fn)
    groups: dict[str, list[Any]] = {}
    for index, item in enumerate(require_array("group_by", a)):
        sb.tick()
        groups.setdefault(to_string(key_of(item, index)), []).append(item)
    return groups


def sort_key(value: Any) -> tuple[Any, ...]:
    """Order for ``sort``: numbers (NaN last), strings by UTF-16 code units, booleans, others."""
    if is_number(value):
        return (1,) if math.isnan(value) else (0, value)
    if isinstance(value, str):
        return (2, value.encode("utf-16-be", "surrogatepass"))
    if isinstance(value, bool):
        return (3, value)
    return (4,)


def _comparator(sb: Sandbox, fn: JSFunction) -> Any:
    def compare(left: Any, right: Any) -> int:
        sb.tick()
        result = to_number(fn.call([left, right]))
        return 0 if result != result or result == 0 else (1 if result > 0 else -1)

    return functools.cmp_to_key(compare)


def _direction(order: Any) -> bool:
    if order is UNDEFINED or order == "asc":
        return False
    if order == "desc":
        return True
    raise ExpressionEvalError(f'sort() order must be "asc" or "desc", got {to_string(order)}')


@register(
    'sort(a, [key_or_fn], ["asc"|"desc"])',
    "A sorted copy (stable, nulls last); by key, key function or two-argument comparator.",
)
def _sort(sb: Sandbox, a: Any, key_or_fn: Any = UNDEFINED, order: Any = UNDEFINED) -> list[Any]:
    items = require_array("sort", a)
    descending = _direction(order)
    sb.tick(len(items) * max(1, len(items).bit_length()))
    if isinstance(key_or_fn, JSFunction) and key_or_fn.arity >= 2:
        present = [item for item in items if not is_nullish(item)]
        absent = [item for item in items if is_nullish(item)]
        return sorted(present, key=_comparator(sb, key_or_fn), reverse=descending) + absent
    key_of = (lambda item, index: item) if is_nullish(key_or_fn) else as_callback("sort", key_or_fn)
    keyed = [(key_of(item, index), item) for index, item in enumerate(items)]
    present_pairs = [pair for pair in keyed if not is_nullish(pair[0])]
    ordered = sorted(present_pairs, key=lambda pair: sort_key(pair[0]), reverse=descending)
    return [item for _, item in ordered] + [item for key, item in keyed if is_nullish(key)]
