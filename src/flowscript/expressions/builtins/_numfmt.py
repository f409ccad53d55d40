"""``Number.prototype.toFixed`` and ``toString(radix)``, digit for digit like JavaScript."""

from __future__ import annotations

import math
import struct
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Final

from flowscript.expressions.values import number_to_string

__all__ = ["to_fixed", "to_radix"]

_DIGITS: Final = "0123456789abcdefghijklmnopqrstuvwxyz"
_CONTEXT: Final = Context(prec=1200)  # room for 1e21 with 100 decimals, exactly
_TWO_53: Final = 2.0**53


def to_fixed(value: float, digits: int) -> str:
    """``value.toFixed(digits)``: rounds the exact binary value half up (``(1.005).toFixed(2)``
    is ``"1.00"``, ``(2.5).toFixed(0)`` is ``"3"``); ``digits`` must be within 0-100."""
    if value != value:
        return "NaN"
    if abs(value) >= 1e21 or math.isinf(value):
        return number_to_string(value)
    if value == 0:
        value = 0  # (-0).toFixed(2) is "0.00"
    quantum = Decimal(1).scaleb(-digits)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP, context=_CONTEXT)
    return format(rounded, "f")


def _next_double(value: float) -> float:
    bits = struct.unpack("<q", struct.pack("<d", value))[0]
    return float(struct.unpack("<d", struct.pack("<q", bits + 1))[0])


def _fraction_digits(fraction: float, delta: float, radix: int) -> tuple[list[int], bool]:
    """V8's DoubleToRadixCString fractional loop: digits, and whether to carry into the integer."""
    digits: list[int] = []
    while True:
        fraction *= radix
        delta *= radix
        digit = int(fraction)
        digits.append(digit)
        fraction -= digit
        if (fraction > 0.5 or (fraction == 0.5 and digit & 1)) and fraction + delta > 1:
            while digits:  # round up, propagating the carry
                if digits[-1] + 1 < radix:
                    digits[-1] += 1
                    return digits, False
                digits.pop()
            return digits, True
        if fraction < delta:
            return digits, False


def _integer_digits(integer: float, radix: int) -> str:
    zeros = 0
    while integer / radix >= _TWO_53:  # digits past double precision print as 0, like V8
        integer /= radix
        zeros += 1
    out: list[str] = []
    while True:
        remainder = math.fmod(integer, radix)
        out.append(_DIGITS[int(remainder)])
        integer = (integer - remainder) / radix
        if integer <= 0:
            break
    return "".join(reversed(out)) + "0" * zeros


def to_radix(value: float, radix: int) -> str:
    """``value.toString(radix)`` for a radix of 2-36 (V8's algorithm for fractions)."""
    if radix == 10 or value != value or math.isinf(value):
        return number_to_string(value)
    negative = value < 0
    value = abs(float(value))
    integer = math.floor(value)
    fraction = value - integer
    delta = max(0.5 * (_next_double(value) - value), _next_double(0.0))
    digits: list[int] = []
    if fraction >= delta:
        digits, carry = _fraction_digits(fraction, delta, radix)
        integer += carry
    text = _integer_digits(float(integer), radix)
    if digits:
        text += "." + "".join(_DIGITS[d] for d in digits)
    return ("-" if negative else "") + text
