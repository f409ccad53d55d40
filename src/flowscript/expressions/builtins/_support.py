"""Helpers shared by the built-in functions and the JavaScript methods.

Coercions come from :mod:`flowscript.expressions.values`; this module adds what several
categories need: JavaScript index rules, callbacks (arrow function or key name), paths such
as ``"a.b.0"``, and number normalisation (integral floats become ints, as JavaScript prints them).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any, Final

from flowscript.errors import ExpressionEvalError
from flowscript.expressions.sandbox import Sandbox
from flowscript.expressions.values import (
    MAX_SAFE_INTEGER,
    UNDEFINED,
    JSFunction,
    MatchArray,
    is_number,
    js_typeof,
    strict_equals,
    to_int,
    to_string,
)

__all__ = [
    "JS_WHITESPACE",
    "as_callback",
    "charge_text",
    "get_path",
    "is_index_key",
    "is_nullish",
    "js_number",
    "parse_path",
    "relative_index",
    "require_array",
    "require_function",
    "same_value_zero",
    "slice_bounds",
    "substring_bounds",
    "text",
    "to_display",
]

JS_WHITESPACE: Final = (
    " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
"""What ``String.prototype.trim`` removes (ECMAScript WhiteSpace and LineTerminator)."""

_TEXT_CHARS_PER_STEP: Final = 1000
"""String work runs at C speed, so it is charged one step per thousand characters."""

_PATH_PART_RE: Final = re.compile(r"""\[\s*(?:(\d+)|"([^"]*)"|'([^']*)')\s*\]|([^.\[\]]+)""")

Callback = Callable[[Any, int], Any]


def is_index_key(key: str) -> bool:
    """True for a key that names an array index (``"0"``, ``"12"``)."""
    return key.isascii() and key.isdigit() and len(key) < 16


def is_nullish(value: Any) -> bool:
    """True for ``null`` and ``undefined``."""
    return value is None or value is UNDEFINED


def js_number(value: float) -> float:
    """Return integral floats as ``int`` (within the safe range), other numbers unchanged."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_SAFE_INTEGER:
        return int(value)
    return value


def text(value: Any) -> str:
    """``String(value)``, except that ``null``/``undefined`` become ``""``."""
    return "" if is_nullish(value) else to_string(value)


def charge_text(sandbox: Sandbox, size: int) -> None:
    """Charge the steps for C-speed work over ``size`` characters or elements."""
    sandbox.tick(1 + size // _TEXT_CHARS_PER_STEP)


def relative_index(value: Any, length: int, default: int) -> int:
    """A JavaScript relative index (``slice``/``at``): negative counts from the end, clamped."""
    if value is UNDEFINED:
        return default
    index = to_int(value)
    if index < 0:
        return max(length + index, 0)
    return min(index, length)


def slice_bounds(length: int, start: Any, end: Any) -> tuple[int, int]:
    """``[from, to)`` of ``Array.prototype.slice`` / ``String.prototype.slice``."""
    low = relative_index(start, length, 0)
    high = relative_index(end, length, length)
    return low, max(low, high)


def substring_bounds(length: int, start: Any, end: Any) -> tuple[int, int]:
    """``[from, to)`` of ``String.prototype.substring``: negatives are 0, the ends may swap."""
    low = min(max(to_int(start), 0), length)
    high = length if end is UNDEFINED else min(max(to_int(end), 0), length)
    return (low, high) if low <= high else (high, low)


def same_value_zero(left: Any, right: Any) -> bool:
    """ECMAScript SameValueZero (``includes``): like ``===`` but ``NaN`` equals ``NaN``."""
    if is_number(left) and is_number(right) and left != left and right != right:
        return True
    return strict_equals(left, right)


def require_array(function: str, value: Any) -> list[Any]:
    """The array argument of ``function``; ``null``/``undefined`` read as ``[]``."""
    if isinstance(value, list):
        return value
    if is_nullish(value):
        return []
    raise ExpressionEvalError(f"{function}() expects an array, got {js_typeof(value)}")


def require_function(function: str, value: Any) -> JSFunction:
    """A callback argument that must be a function (JavaScript methods)."""
    if isinstance(value, JSFunction):
        return value
    raise ExpressionEvalError(f"{function}: {to_display(value)} is not a function")


def to_display(value: Any) -> str:
    """A short rendering of a value for error messages."""
    shown = repr(value) if isinstance(value, str) else to_string(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


@functools.lru_cache(maxsize=512)
def parse_path(path: str) -> tuple[str, ...]:
    """Split ``"a.b[0]['c.d']"`` into its keys: ``("a", "b", "0", "c.d")``."""
    return tuple(
        next(group for group in match.groups() if group is not None)
        for match in _PATH_PART_RE.finditer(path)
    )


def _child(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return value.get(key, UNDEFINED)
    if isinstance(value, list | str):
        if key == "length":
            return len(value)
        if is_index_key(key) and int(key) < len(value):
            return value[int(key)]
        if isinstance(value, MatchArray):
            return value.member(key)
    return UNDEFINED


def get_path(value: Any, path: Any) -> Any:
    """Follow a path (``"a.b.0"`` or an array of keys); ``undefined`` when it leads nowhere.

    A string that is itself a key of ``value`` is read as that key, so ``"a.b"`` also finds
    a key literally named ``a.b``.
    """
    if isinstance(value, dict) and isinstance(path, str) and path in value:
        return value[path]
    keys: Sequence[Any] = path if isinstance(path, list) else parse_path(text(path))
    for key in keys:
        value = _child(value, to_string(key))
        if value is UNDEFINED:
            break
    return value


def as_callback(function: str, fn_or_key: Any) -> Callback:
    """``(item, index) -> value`` from an arrow function or, for compatibility, a key name."""
    if isinstance(fn_or_key, JSFunction):
        return lambda item, index: fn_or_key.call([item, index])
    if isinstance(fn_or_key, str):
        return lambda item, index: get_path(item, fn_or_key)
    raise ExpressionEvalError(
        f"{function}() expects a function or a key name, got {js_typeof(fn_or_key)}"
    )
