"""Object built-ins (expressions.md §6, **Object**).

Paths (``get``, ``has``, ``set``, ``delete``) are dotted strings with optional brackets
(``"a.b.0"``, ``"a[0]['x.y']"``) or arrays of keys. ``set`` and ``delete`` return a modified
copy; nothing ever mutates its input.
"""

from __future__ import annotations

from typing import Any, Final

from flowscript.errors import ExpressionEvalError
from flowscript.expressions.builtins._registry import Registry
from flowscript.expressions.builtins._support import (
    get_path,
    is_index_key,
    is_nullish,
    parse_path,
    require_array,
    text,
)
from flowscript.expressions.sandbox import Sandbox
from flowscript.expressions.values import UNDEFINED, deep_equal, js_typeof, to_string

__all__ = ["BUILTINS", "deep_copy"]

register = Registry("Object")
BUILTINS: Final = register.builtins


def _pairs(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list | str):
        return [(str(i), item) for i, item in enumerate(value)]
    return []


@register("keys(obj)", "The keys of an object (indexes as strings for an array).")
def _keys(sb: Sandbox, obj: Any) -> list[str]:
    pairs = _pairs(obj)
    sb.tick(len(pairs))
    return [key for key, _ in pairs]


@register("values(obj)", "The values of an object.")
def _values(sb: Sandbox, obj: Any) -> list[Any]:
    pairs = _pairs(obj)
    sb.tick(len(pairs))
    return [value for _, value in pairs]


@register("entries(obj)", "[key, value] pairs of an object.")
def _entries(sb: Sandbox, obj: Any) -> list[list[Any]]:
    pairs = _pairs(obj)
    sb.tick(len(pairs))
    return [[key, value] for key, value in pairs]


def _entry(pair: Any) -> tuple[str, Any]:
    if isinstance(pair, list) and pair:
        return to_string(pair[0]), pair[1] if len(pair) > 1 else UNDEFINED
    if isinstance(pair, dict) and "key" in pair:
        return to_string(pair["key"]), pair.get("value", UNDEFINED)
    raise ExpressionEvalError(
        f"from_entries() expects [key, value] pairs, got an item of type {js_typeof(pair)}"
    )


@register("from_entries(pairs)", "An object from [key, value] pairs (or {key, value} objects).")
def _from_entries(sb: Sandbox, pairs: Any) -> dict[str, Any]:
    items = require_array("from_entries", pairs)
    sb.tick(len(items))
    return dict(_entry(pair) for pair in items)


@register(
    'get(obj, "a.b.0", [default])',
    "The value at a path (default when it leads nowhere).",
)
def _get(sb: Sandbox, obj: Any, path: Any, default: Any = UNDEFINED) -> Any:
    value = get_path(obj, path)
    return default if value is UNDEFINED else value


def _keys_of(path: Any) -> list[str]:
    if isinstance(path, list):
        return [to_string(key) for key in path]
    return list(parse_path(text(path)))


def _has_key(value: Any, key: str) -> bool:
    if isinstance(value, dict):
        return key in value
    if isinstance(value, list):
        return is_index_key(key) and int(key) < len(value)
    return False


@register("has(obj, key)", 'Whether an object has a key (or a path such as "a.b").')
def _has(sb: Sandbox, obj: Any, key: Any) -> bool:
    if isinstance(obj, dict) and isinstance(key, str) and key in obj:
        return True
    *parents, last = _keys_of(key) or [""]
    parent = get_path(obj, parents) if parents else obj
    return _has_key(parent, last)


def _objects(function: str, values: tuple[Any, ...]) -> list[dict[str, Any]]:
    for value in values:
        if not isinstance(value, dict) and not is_nullish(value):
            raise ExpressionEvalError(f"{function}() expects objects, got {js_typeof(value)}")
    return [value for value in values if isinstance(value, dict)]


@register("merge(...objs)", "Shallow merge: later objects' keys win.")
def _merge(sb: Sandbox, *objs: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for obj in _objects("merge", objs):
        sb.tick(len(obj))
        result.update(obj)
    return result


def _deep_merge_into(sb: Sandbox, target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, value in source.items():
        sb.tick()
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merged = dict(current)
            _deep_merge_into(sb, merged, value)
            target[key] = merged
        else:
            target[key] = value


@register(
    "deep_merge(...objs)", "Recursive merge of nested objects; arrays and values are replaced."
)
def _deep_merge(sb: Sandbox, *objs: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for obj in _objects("deep_merge", objs):
        _deep_merge_into(sb, result, obj)
    return result


def _key_list(keys: Any) -> list[str]:
    return [to_string(k) for k in keys] if isinstance(keys, list) else [text(keys)]


@register("pick(obj, keys)", "A copy with only the given keys (an array of names or one name).")
def _pick(sb: Sandbox, obj: Any, keys: Any) -> dict[str, Any]:
    if not isinstance(obj, dict):
        return {}
    wanted = _key_list(keys)
    sb.tick(len(wanted))
    return {key: obj[key] for key in wanted if key in obj}


@register("omit(obj, keys)", "A copy without the given keys.")
def _omit(sb: Sandbox, obj: Any, keys: Any) -> dict[str, Any]:
    if not isinstance(obj, dict):
        return {}
    unwanted = set(_key_list(keys))
    sb.tick(len(obj))
    return {key: value for key, value in obj.items() if key not in unwanted}


@register("size(obj)", "Number of keys of an object (items of an array, characters of a string).")
def _size(sb: Sandbox, obj: Any) -> int:
    return len(obj) if isinstance(obj, dict | list | str) else 0


def _set_child(sb: Sandbox, current: Any, rest: list[str], value: Any) -> Any:
    if not rest:
        return value
    if not isinstance(current, dict | list):
        current = [] if is_index_key(rest[0]) else {}
    return _set_in(sb, current, rest, value)


def _set_index(sb: Sandbox, items: list[Any], index: int, rest: list[str], value: Any) -> Any:
    sb.check_size(index + 1, "set() array")
    copy = items + [UNDEFINED] * (index + 1 - len(items))
    copy[index] = _set_child(sb, copy[index], rest, value)
    return copy


def _set_in(sb: Sandbox, container: Any, keys: list[str], value: Any) -> Any:
    sb.tick()
    key, rest = keys[0], keys[1:]
    if isinstance(container, list) and is_index_key(key):
        return _set_index(sb, container, int(key), rest, value)
    copy = dict(container) if isinstance(container, dict) else {}
    copy[key] = _set_child(sb, copy.get(key, UNDEFINED), rest, value)
    return copy


@register('set(obj, "a.b", v)', "A copy with the value at a path set (missing levels created).")
def _set(sb: Sandbox, obj: Any, path: Any, v: Any) -> Any:
    keys = _keys_of(path)
    if not keys:
        raise ExpressionEvalError("set() needs a non-empty path")
    return _set_in(sb, obj, keys, v)


def _delete_in(sb: Sandbox, container: Any, keys: list[str]) -> Any:
    sb.tick()
    key, rest = keys[0], keys[1:]
    if not _has_key(container, key):
        return container
    if isinstance(container, list):
        index = int(key)
        if rest:
            return [
                *container[:index],
                _delete_in(sb, container[index], rest),
                *container[index + 1 :],
            ]
        return container[:index] + container[index + 1 :]
    copy = dict(container)
    if rest:
        copy[key] = _delete_in(sb, copy[key], rest)
    else:
        del copy[key]
    return copy


@register("delete(obj, key)", 'A copy without a key (or the value at a path such as "a.b").')
def _delete(sb: Sandbox, obj: Any, key: Any) -> Any:
    if isinstance(obj, dict) and isinstance(key, str) and key in obj:
        return _delete_in(sb, obj, [key])
    keys = _keys_of(key)
    return _delete_in(sb, obj, keys) if keys else obj


@register("equals(a, b)", "Deep equality of two values.")
def _equals(sb: Sandbox, a: Any, b: Any) -> bool:
    return deep_equal(a, b)


def deep_copy(sb: Sandbox, value: Any) -> Any:
    """A deep copy of arrays and objects (other values are immutable and shared)."""
    if isinstance(value, list):
        sb.tick(len(value))
        return [deep_copy(sb, item) for item in value]
    if isinstance(value, dict):
        sb.tick(len(value))
        return {key: deep_copy(sb, item) for key, item in value.items()}
    return value


@register("clone(x)", "A deep copy of a value.")
def _clone(sb: Sandbox, x: Any) -> Any:
    return deep_copy(sb, x)
