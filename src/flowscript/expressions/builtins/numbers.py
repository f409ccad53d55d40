"""Math built-ins (expressions.md §6, **Math**; ``Math.x`` names are aliases of these).

Arguments are converted with JavaScript ``Number()`` (``null`` → 0, ``"12"`` → 12,
``undefined``/``"x"`` → NaN) and results follow JavaScript: division by zero gives
``Infinity``/``NaN``, ``mod`` is the ``%`` remainder. Integral results are ints.
"""

from __future__ import annotations

import math
import random
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any, Final

from flowscript.errors import ExpressionEvalError
from flowscript.expressions.builtins._registry import Registry
from flowscript.expressions.builtins._support import is_nullish, js_number
from flowscript.expressions.sandbox import Sandbox
from flowscript.expressions.values import UNDEFINED, to_int, to_number

__all__ = ["BUILTINS", "js_divide", "js_pow", "js_remainder", "round_half_away"]

register = Registry("Math")
BUILTINS: Final = register.builtins

_DECIMAL_CONTEXT: Final = Context(prec=400)


@register("add(a, b)", "a + b as numbers.")
def _add(sb: Sandbox, a: Any, b: Any) -> float:
    return js_number(to_number(a) + to_number(b))


@register("subtract(a, b)", "a - b.")
def _subtract(sb: Sandbox, a: Any, b: Any) -> float:
    return js_number(to_number(a) - to_number(b))


@register("multiply(a, b)", "a * b.")
def _multiply(sb: Sandbox, a: Any, b: Any) -> float:
    return js_number(to_number(a) * to_number(b))


def js_divide(left: float, right: float) -> float:
    """JavaScript ``/``: division by zero gives ``±Infinity`` or ``NaN``."""
    if right == 0:
        if left == 0 or left != left:
            return math.nan
        negative = (left < 0) != (math.copysign(1, right) < 0)
        return -math.inf if negative else math.inf
    return js_number(left / right)


@register("divide(a, b)", "a / b (division by zero gives Infinity or NaN).")
def _divide(sb: Sandbox, a: Any, b: Any) -> float:
    return js_divide(to_number(a), to_number(b))


def _numbers(sb: Sandbox, values: tuple[Any, ...]) -> list[float]:
    items = values[0] if len(values) == 1 and isinstance(values[0], list) else values
    sb.tick(len(items))
    return [to_number(v) for v in items]


def _extreme(sb: Sandbox, values: tuple[Any, ...], pick: Any, empty: float) -> float:
    numbers = _numbers(sb, values)
    if any(n != n for n in numbers):
        return math.nan
    return js_number(pick(numbers)) if numbers else empty


@register("min(...values)", "The smallest number (of the arguments or of one array).")
def _min(sb: Sandbox, *values: Any) -> float:
    return _extreme(sb, values, min, math.inf)


@register("max(...values)", "The largest number (of the arguments or of one array).")
def _max(sb: Sandbox, *values: Any) -> float:
    return _extreme(sb, values, max, -math.inf)


def _present(sb: Sandbox, a: Any) -> list[float]:
    items = a if isinstance(a, list) else ([] if is_nullish(a) else [a])
    sb.tick(len(items))
    return [to_number(v) for v in items if not is_nullish(v)]


@register("sum(a)", "Sum of the numbers of an array (null/undefined items are skipped).")
def _sum(sb: Sandbox, a: Any) -> float:
    return js_number(math.fsum(_present(sb, a)) if a else 0)


@register("avg(a)", "Average of the numbers of an array (NaN when empty).")
def _avg(sb: Sandbox, a: Any) -> float:
    numbers = _present(sb, a)
    return js_number(math.fsum(numbers) / len(numbers)) if numbers else math.nan


def round_half_away(value: float, decimals: int) -> float:
    """Round to ``decimals`` places, halves away from zero, on the shortest decimal form.

    ``round_half_away(2.5, 0)`` is 3, ``(-2.5, 0)`` is -3 and ``(1.005, 2)`` is 1.01: the
    number is rounded as it is written (``repr``), not as its binary approximation.
    """
    if math.isnan(value) or math.isinf(value):
        return value
    if decimals >= 0 and (isinstance(value, int) or value.is_integer()):
        return js_number(value)
    exact = Decimal(repr(float(value)) if isinstance(value, float) else value)
    quantum = Decimal(1).scaleb(-decimals)
    rounded = exact.quantize(quantum, rounding=ROUND_HALF_UP, context=_DECIMAL_CONTEXT)
    return js_number(float(rounded)) if decimals > 0 else int(rounded)


@register("round(n, [decimals=0])", "Round half away from zero to a number of decimals.")
def _round(sb: Sandbox, n: Any, decimals: Any = UNDEFINED) -> float:
    places = max(min(to_int(decimals), 100), -308)
    return round_half_away(to_number(n), places)


def _integral(value: float, op: Any) -> float:
    if math.isnan(value) or math.isinf(value):
        return value
    return js_number(float(op(value)))


@register("floor(n)", "Largest integer ≤ n.")
def _floor(sb: Sandbox, n: Any) -> float:
    return _integral(to_number(n), math.floor)


@register("ceil(n)", "Smallest integer ≥ n.")
def _ceil(sb: Sandbox, n: Any) -> float:
    return _integral(to_number(n), math.ceil)


@register("abs(n)", "Absolute value.")
def _abs(sb: Sandbox, n: Any) -> float:
    return js_number(abs(to_number(n)))


def js_pow(base: float, exponent: float) -> float:
    """JavaScript ``**`` / ``Math.pow`` (``NaN`` and ``Infinity`` instead of exceptions)."""
    if exponent != exponent or (abs(base) == 1 and math.isinf(exponent)):
        return math.nan
    if isinstance(base, int) and isinstance(exponent, int) and 0 <= exponent <= 64:
        result: int = base**exponent
        if abs(result) <= 2**53:
            return result
    try:
        return js_number(math.pow(base, exponent))
    except OverflowError:
        return math.inf if base > 0 or exponent % 2 == 0 else -math.inf
    except (ValueError, ZeroDivisionError):
        if base == 0:  # 0 ** negative
            odd = float(exponent).is_integer() and exponent % 2 == 1
            return -math.inf if odd and math.copysign(1, base) < 0 else math.inf
        return math.nan  # negative base, fractional exponent


@register("pow(b, e)", "b to the power e.")
def _pow(sb: Sandbox, b: Any, e: Any) -> float:
    return js_pow(to_number(b), to_number(e))


@register("sqrt(n)", "Square root (NaN for negative numbers).")
def _sqrt(sb: Sandbox, n: Any) -> float:
    value = to_number(n)
    if value != value or value < 0:
        return math.nan
    return js_number(math.sqrt(value))


@register("random()", "A random number in [0, 1).")
def _random(sb: Sandbox) -> float:
    return random.random()


@register("random_int(min, max)", "A random integer between min and max, both included.")
def _random_int(sb: Sandbox, low: Any, high: Any) -> int:
    lo, hi = to_number(low), to_number(high)
    if any(math.isnan(x) or math.isinf(x) for x in (lo, hi)):
        raise ExpressionEvalError("random_int() needs two finite numbers")
    first, last = math.ceil(min(lo, hi)), math.floor(max(lo, hi))
    if first > last:
        raise ExpressionEvalError("random_int(): no integer between min and max")
    return random.randint(first, last)


@register("clamp(n, lo, hi)", "n limited to the range [lo, hi].")
def _clamp(sb: Sandbox, n: Any, lo: Any, hi: Any) -> float:
    value, low, high = to_number(n), to_number(lo), to_number(hi)
    if any(x != x for x in (value, low, high)):
        return math.nan
    return js_number(min(max(value, low), high))


def js_remainder(left: float, right: float) -> float:
    """JavaScript ``%``: the sign follows the dividend; ``x % 0`` is ``NaN``."""
    if right == 0 or left != left or right != right or math.isinf(left):
        return math.nan
    if math.isinf(right):
        return left
    if isinstance(left, int) and isinstance(right, int):
        result = abs(left) % abs(right)
        return -result if left < 0 else result
    return js_number(math.fmod(left, right))


@register("mod(n, d)", "Remainder of n / d, like the % operator (sign of n).")
def _mod(sb: Sandbox, n: Any, d: Any) -> float:
    return js_remainder(to_number(n), to_number(d))


@register("sign(n)", "1, -1 or 0 according to the sign of n.")
def _sign(sb: Sandbox, n: Any) -> float:
    value = to_number(n)
    if value != value:
        return math.nan
    return (value > 0) - (value < 0)


@register("trunc(n)", "The integer part of n (towards zero).")
def _trunc(sb: Sandbox, n: Any) -> float:
    return _integral(to_number(n), math.trunc)


@register(
    "percent(value, total, [decimals=2])",
    "value / total * 100 rounded to decimals (0 when total is 0).",
)
def _percent(sb: Sandbox, value: Any, total: Any, decimals: Any = UNDEFINED) -> float:
    whole = to_number(total)
    if whole == 0:
        return 0
    places = 2 if decimals is UNDEFINED else max(min(to_int(decimals), 100), -308)
    return round_half_away(to_number(value) / whole * 100, places)
