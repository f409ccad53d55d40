"""Duration strings (format.md §3.5).

A duration is one of:

* an integer alone, meaning milliseconds: ``500``;
* an ISO-8601 duration: ``PT1H30M``, ``P1D``, ``PT0.5S``, ``P1Y2M3W4DT5H6M7.5S``;
* a sequence of number+unit parts, units ``ms s m h d``: ``1h30m``, ``1.5s``, ``250ms``,
  ``2d``, ``1h 30m`` (whitespace between parts is allowed, parts add up).

:func:`parse_duration` turns one into milliseconds for timeouts, delays and retry backoff, and
refuses zero, negative and absurd (more than ten years) values. :func:`duration_parts` keeps
the calendar units apart (years, months, …) for date arithmetic, and allows a leading ``-``.
ISO years and months convert to milliseconds with Luxon's "casual" lengths (365 and 30 days).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

__all__ = ["ACCEPTED_FORMS", "MAX_DURATION_MS", "UNIT_MS", "duration_parts", "parse_duration"]

UNIT_MS: Final = {
    "milliseconds": Decimal(1),
    "seconds": Decimal(1000),
    "minutes": Decimal(60_000),
    "hours": Decimal(3_600_000),
    "days": Decimal(86_400_000),
    "weeks": Decimal(7 * 86_400_000),
    "months": Decimal(30 * 86_400_000),  # Luxon's casual conversion: a month is 30 days
    "years": Decimal(365 * 86_400_000),  # … and a year 365 days
}
"""Milliseconds per unit, as used to total a duration."""

MAX_DURATION_MS: Final = 10 * 365 * 86_400_000
"""Ten years: anything longer is certainly a mistake (format.md §3.5 "absurd values")."""

ACCEPTED_FORMS: Final = (
    'use milliseconds ("500"), an ISO-8601 duration ("PT1H30M", "P1D", "PT0.5S") or '
    'number+unit parts ("1h30m", "1.5s", "250ms", "2d"; units ms, s, m, h, d)'
)
"""The sentence every duration error ends with."""

_NUM = r"\d+(?:[.,]\d+)?"
_ISO_RE: Final = re.compile(
    rf"P(?!$)(?:(?P<years>{_NUM})Y)?(?:(?P<months>{_NUM})M)?(?:(?P<weeks>{_NUM})W)?"
    rf"(?:(?P<days>{_NUM})D)?(?:T(?=\d)(?:(?P<hours>{_NUM})H)?(?:(?P<minutes>{_NUM})M)?"
    rf"(?:(?P<seconds>{_NUM})S)?)?",
    re.ASCII,
)
_COMPACT_RE: Final = re.compile(r"(?:\s*\d+(?:\.\d+)?\s*(?:ms|s|m|h|d))+\s*", re.ASCII)
_PART_RE: Final = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)", re.ASCII)
_COMPACT_UNITS: Final = {
    "ms": "milliseconds",
    "s": "seconds",
    "m": "minutes",
    "h": "hours",
    "d": "days",
}


def duration_parts(text: str) -> dict[str, Decimal]:
    """Split a duration into its units, keeping calendar units (years, months, days) apart.

    Args:
        text: any form of format.md §3.5, optionally preceded by ``-`` (for date arithmetic).

    Returns:
        Unit name (``years months weeks days hours minutes seconds milliseconds``) to amount,
        only for the units written; amounts are negative when the text starts with ``-``.
        Zero durations are allowed here.

    Raises:
        TypeError: ``text`` is not a string.
        ValueError: the text is not a duration; the message says what is accepted.
    """
    if not isinstance(text, str):
        raise TypeError(f"a duration must be a string, not {type(text).__name__}")
    body = text.strip()
    negative = body.startswith("-")
    if negative:
        body = body[1:].lstrip()
    parts = _parse_unsigned(body)
    if parts is None:
        raise ValueError(f"invalid duration {text!r}: {ACCEPTED_FORMS}")
    if negative:
        return {unit: -amount for unit, amount in parts.items()}
    return parts


def _parse_unsigned(body: str) -> dict[str, Decimal] | None:
    if body.isascii() and body.isdigit():
        return {"milliseconds": Decimal(body)}
    iso = _ISO_RE.fullmatch(body)
    if iso is not None:
        return {
            unit: Decimal(amount.replace(",", "."))
            for unit, amount in iso.groupdict().items()
            if amount is not None
        }
    if _COMPACT_RE.fullmatch(body):
        parts: dict[str, Decimal] = {}
        for number, unit in _PART_RE.findall(body):
            name = _COMPACT_UNITS[unit]
            parts[name] = parts.get(name, Decimal(0)) + Decimal(number)
        return parts
    return None


def parse_duration(text: str) -> float:
    """Parse a duration string into milliseconds.

    Args:
        text: ``"500"``, ``"PT1H30M"``, ``"1h30m"``, ``"1.5s"``… (format.md §3.5).

    Returns:
        The duration in milliseconds (a float; ``"1.5s"`` → ``1500.0``).

    Raises:
        TypeError: ``text`` is not a string.
        ValueError: the text is not a duration, is zero or negative, or is longer than ten
            years; the message says what is accepted.
    """
    total = sum(
        (UNIT_MS[unit] * amount for unit, amount in duration_parts(text).items()),
        Decimal(0),
    )
    if total <= 0:
        raise ValueError(f"invalid duration {text!r}: it must be positive; {ACCEPTED_FORMS}")
    if total > MAX_DURATION_MS:
        raise ValueError(f"invalid duration {text!r}: longer than the maximum of 10 years")
    return float(total)
