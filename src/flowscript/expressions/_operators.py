"""JavaScript operators over the value model of :mod:`.values` (expressions.md §3).

Numbers are ``int`` or ``float``. Integer arithmetic stays ``int`` while the exact result is
a safe integer (|n| ≤ 2**53 - 1); otherwise it is done in floating point, as JavaScript
would. Division by zero, overflow and invalid operations give ``Infinity``/``NaN`` instead
of raising.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from flowscript.errors import ExpressionEvalError
from flowscript.expressions.sandbox import Sandbox
from flowscript.expressions.values import (
    MAX_SAFE_INTEGER,
    MatchArray,
    js_typeof,
    loose_equals,
    relational,
    strict_equals,
    to_number,
    to_primitive,
    to_string,
    truthy,
)

__all__ = ["BINARY_OPERATORS", "UNARY_OPERATORS", "js_add", "js_div", "js_mod", "js_pow"]

Number = int | float
_NAN: Final = math.nan


def _as_float(value: Number) -> float:
    try:
        return float(value)
    except OverflowError:  # an int beyond the double range
        return math.inf if value > 0 else -math.inf


def _exact(result: int, fallback: Callable[[], float]) -> Number:
    return result if -MAX_SAFE_INTEGER <= result <= MAX_SAFE_INTEGER else fallback()


def js_add(left: Any, right: Any, sandbox: Sandbox) -> Any:
    """``left + right``: string concatenation if either primitive is a string, else addition."""
    if type(left) is int and type(right) is int:
        return _exact(left + right, lambda: _as_float(left) + _as_float(right))
    if isinstance(left, str) and isinstance(right, str):
        sandbox.check_size(len(left) + len(right), "string")
        return left + right
    left, right = to_primitive(left), to_primitive(right)
    if isinstance(left, str) or isinstance(right, str):
        left_text, right_text = to_string(left), to_string(right)
        sandbox.check_size(len(left_text) + len(right_text), "string")
        return left_text + right_text
    return _numeric_add(to_number(left), to_number(right))


def _numeric_add(left: Number, right: Number) -> Number:
    if type(left) is int and type(right) is int:
        return _exact(left + right, lambda: _as_float(left) + _as_float(right))
    return _as_float(left) + _as_float(right)


def js_sub(left: Any, right: Any, sandbox: Sandbox) -> Number:
    """``left - right``."""
    a, b = to_number(left), to_number(right)
    if type(a) is int and type(b) is int:
        return _exact(a - b, lambda: _as_float(a) - _as_float(b))
    return _as_float(a) - _as_float(b)


def js_mul(left: Any, right: Any, sandbox: Sandbox) -> Number:
    """``left * right``."""
    a, b = to_number(left), to_number(right)
    if type(a) is int and type(b) is int:
        return _exact(a * b, lambda: _as_float(a) * _as_float(b))
    x, y = _as_float(a), _as_float(b)
    if (x == 0 and math.isinf(y)) or (y == 0 and math.isinf(x)):
        return _NAN
    return x * y


def js_div(left: Any, right: Any, sandbox: Sandbox | None = None) -> Number:
    """``left / right``: an ``int`` when both are ints and the quotient is exact."""
    a, b = to_number(left), to_number(right)
    if b == 0:
        if a == 0 or a != a:
            return _NAN
        sign = math.copysign(1.0, b) if isinstance(b, float) else 1.0
        return math.copysign(math.inf, sign * (1.0 if a > 0 else -1.0))
    if type(a) is int and type(b) is int:
        quotient, remainder = divmod(a, b)
        if remainder == 0:
            return _exact(quotient, lambda: _as_float(a) / _as_float(b))
        try:
            return a / b
        except OverflowError:
            return math.inf if (a > 0) == (b > 0) else -math.inf
    return _as_float(a) / _as_float(b)


def js_mod(left: Any, right: Any, sandbox: Sandbox | None = None) -> Number:
    """``left % right``: the remainder takes the sign of the dividend (``-7 % 3`` is -1)."""
    a, b = to_number(left), to_number(right)
    if type(a) is int and type(b) is int:
        if b == 0:
            return _NAN
        remainder = abs(a) % abs(b)
        return -remainder if a < 0 else remainder
    x, y = _as_float(a), _as_float(b)
    if y == 0 or math.isinf(x) or x != x or y != y:
        return _NAN
    if math.isinf(y):
        return a
    return math.fmod(x, y)


def js_pow(left: Any, right: Any, sandbox: Sandbox | None = None) -> Number:
    """``left ** right`` with JavaScript's special cases (``1 ** Infinity`` is NaN)."""
    a, b = to_number(left), to_number(right)
    if b != b:
        return _NAN
    if b == 0:
        return 1
    if a != a or (abs(a) == 1 and math.isinf(b)):
        return _NAN
    if type(a) is int and type(b) is int and b > 0 and _small_power(a, b):
        return _exact(a**b, lambda: _float_pow(_as_float(a), _as_float(b)))
    return _float_pow(_as_float(a), _as_float(b))


def _small_power(base: int, exponent: int) -> bool:
    """True when ``base ** exponent`` is cheap to compute exactly (at most ~64 bits)."""
    return abs(base) <= 1 or (exponent <= 64 and base.bit_length() * exponent <= 64)


def _float_pow(base: float, exponent: float) -> float:
    odd_integer = exponent.is_integer() and not math.isinf(exponent) and exponent % 2 == 1
    if base == 0 and exponent < 0:
        negative = math.copysign(1.0, base) < 0 and odd_integer
        return -math.inf if negative else math.inf
    try:
        return math.pow(base, exponent)
    except OverflowError:
        return -math.inf if base < 0 and odd_integer else math.inf
    except ValueError:  # negative base with a fractional exponent
        return _NAN


def js_in(key: Any, container: Any, sandbox: Sandbox | None = None) -> bool:
    """``key in container``: a key of an object or a valid index of an array."""
    if isinstance(container, dict):
        return to_string(key) in container
    if isinstance(container, list):
        name = to_string(key)
        if name == "length" or (isinstance(container, MatchArray) and container.has_member(name)):
            return True
        return name.isdigit() and str(int(name)) == name and int(name) < len(container)
    raise ExpressionEvalError(
        f"cannot use `in` to look for {to_string(key)!r} in {js_typeof(container)} "
        "(the right side must be an object or an array)"
    )


def _negate(value: Any) -> Number:
    number = to_number(value)
    if number == 0 and type(number) is int:
        return -0.0
    return -number


BINARY_OPERATORS: Final[dict[str, Callable[[Any, Any, Sandbox], Any]]] = {
    "+": js_add,
    "-": js_sub,
    "*": js_mul,
    "/": js_div,
    "%": js_mod,
    "**": js_pow,
    "==": lambda a, b, _: loose_equals(a, b),
    "!=": lambda a, b, _: not loose_equals(a, b),
    "===": lambda a, b, _: strict_equals(a, b),
    "!==": lambda a, b, _: not strict_equals(a, b),
    "<": lambda a, b, _: relational("<", a, b),
    ">": lambda a, b, _: relational(">", a, b),
    "<=": lambda a, b, _: relational("<=", a, b),
    ">=": lambda a, b, _: relational(">=", a, b),
    "in": js_in,
}

UNARY_OPERATORS: Final[dict[str, Callable[[Any], Any]]] = {
    "!": lambda value: not truthy(value),
    "-": _negate,
    "+": to_number,
    "typeof": js_typeof,
}
