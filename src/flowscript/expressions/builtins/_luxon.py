"""Luxon/LDML format tokens: a formatter and a parser for the Time built-ins.

Tokens (runs of the same letter; English names, like Luxon's default ``en-US`` locale):

=========  ====================================  =========  =================================
``yyyy``   year, 4 digits (``y`` unpadded)       ``HH H``   hour 0-23 (padded, unpadded)
``yy``     2-digit year (parsing: 61-99 → 19xx)   ``hh h``   hour 1-12
``MM M``   month number (``L`` alike)            ``a``      ``AM``/``PM``
``MMM``    ``Mar`` (``MMMM`` ``March``)          ``mm m``   minutes
``dd d``   day of month                          ``ss s``   seconds
``EEE``    ``Thu`` (``EEEE`` ``Thursday``)        ``SSS S``  milliseconds
``E``      weekday number, Monday = 1            ``ZZ``     ``+01:00`` (``ZZZ`` ``+0100``)
``Z``      ``+1``, ``+5:30``                     ``z``      IANA zone, else the offset
``X x``    Unix seconds / milliseconds           ``o ooo``  day of year (format only)
``q qq``   quarter (format only)                 ``W WW``   ISO week number (format only)
=========  ====================================  =========  =================================

Luxon's localised macro tokens render like ``toFormat`` in ``en-US`` (format only; see
:mod:`flowscript.expressions.builtins._luxon_macros`): dates ``D DD DDD DDDD``
(``8/6/2014`` … ``Wednesday, August 6, 2014``), times ``t tt ttt tttt`` (``1:07 PM`` …
``1:07:04 PM Eastern Daylight Time``) and ``T TT TTT TTTT`` (24-hour), both ``f ff fff ffff``
and, with seconds, ``F FF FFF FFFF`` (``August 6, 2014 at 1:07 PM EDT``).

Text in single quotes is literal (``'at'``), ``''`` is a quote. Any other letter run is copied
as written. Parsing is case-insensitive; fields a format does not mention default like Luxon's
``fromFormat``: units above the largest one given come from "now", units below it are minimal.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Final, TypeVar

from flowscript.expressions.builtins import _luxon_macros, _time

if TYPE_CHECKING:
    import regex

__all__ = ["format_datetime", "parse_datetime", "tokenize"]

MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Token = tuple[bool, str]  # (is_literal, text)
_Formatter = Callable[[datetime], str]
_T = TypeVar("_T")


def tokenize(fmt: str) -> list[Token]:
    """Split a format into ``(is_literal, text)`` pieces."""
    tokens: list[Token] = []
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char == "'":
            literal, i = _quoted(fmt, i)
            tokens.append((True, literal))
        elif char.isascii() and char.isalpha():
            end = i
            while end < len(fmt) and fmt[end] == char:
                end += 1
            tokens.append((False, fmt[i:end]))
            i = end
        else:
            tokens.append((True, char))
            i += 1
    return tokens


def _quoted(fmt: str, start: int) -> tuple[str, int]:
    """The literal starting at the quote ``fmt[start]`` and the index after it."""
    if fmt.startswith("''", start):
        return "'", start + 2
    chars: list[str] = []
    i = start + 1
    while i < len(fmt):
        if fmt[i] == "'":
            if not fmt.startswith("''", i):
                return "".join(chars), i + 1
            i += 1
        chars.append(fmt[i])
        i += 1
    return "".join(chars), i


def _standalone_forms(table: Mapping[str, _T]) -> dict[str, _T]:
    """Luxon's stand-alone month (``L``) and weekday (``c``) tokens read like ``M`` and ``E``."""
    return {
        letter * size: table[alias * size]
        for letter, alias in (("L", "M"), ("c", "E"))
        for size in range(1, 6)
        if alias * size in table
    }


def _hour12(dt: datetime) -> int:
    return dt.hour % 12 or 12


def _narrow_offset(dt: datetime) -> str:
    text = _time.offset_text(dt)
    sign, hours, minutes = text[0], int(text[1:3]), text[4:]
    return f"{sign}{hours}" + ("" if minutes == "00" else f":{minutes}")


_FORMATTERS: Final[dict[str, _Formatter]] = {
    "y": lambda dt: str(dt.year),
    "yy": lambda dt: f"{dt.year % 100:02d}",
    "yyyy": lambda dt: f"{dt.year:04d}",
    "M": lambda dt: str(dt.month),
    "MM": lambda dt: f"{dt.month:02d}",
    "MMM": lambda dt: MONTHS[dt.month - 1][:3],
    "MMMM": lambda dt: MONTHS[dt.month - 1],
    "MMMMM": lambda dt: MONTHS[dt.month - 1][0],
    "d": lambda dt: str(dt.day),
    "dd": lambda dt: f"{dt.day:02d}",
    "E": lambda dt: str(dt.isoweekday()),
    "EEE": lambda dt: WEEKDAYS[dt.weekday()][:3],
    "EEEE": lambda dt: WEEKDAYS[dt.weekday()],
    "EEEEE": lambda dt: WEEKDAYS[dt.weekday()][0],
    "H": lambda dt: str(dt.hour),
    "HH": lambda dt: f"{dt.hour:02d}",
    "h": lambda dt: str(_hour12(dt)),
    "hh": lambda dt: f"{_hour12(dt):02d}",
    "a": lambda dt: "AM" if dt.hour < 12 else "PM",
    "m": lambda dt: str(dt.minute),
    "mm": lambda dt: f"{dt.minute:02d}",
    "s": lambda dt: str(dt.second),
    "ss": lambda dt: f"{dt.second:02d}",
    "S": lambda dt: str(dt.microsecond // 1000),
    "SSS": lambda dt: f"{dt.microsecond // 1000:03d}",
    "Z": _narrow_offset,
    "ZZ": _time.offset_text,
    "ZZZ": lambda dt: _time.offset_text(dt, colon=False),
    "z": lambda dt: _time.zone_name(dt) or _time.offset_text(dt),
    "X": lambda dt: str(_time.to_epoch_ms(dt) // 1000),
    "x": lambda dt: str(_time.to_epoch_ms(dt)),
    "o": lambda dt: str(dt.timetuple().tm_yday),
    "ooo": lambda dt: f"{dt.timetuple().tm_yday:03d}",
    "q": lambda dt: str((dt.month - 1) // 3 + 1),
    "qq": lambda dt: f"{(dt.month - 1) // 3 + 1:02d}",
    "W": lambda dt: str(dt.isocalendar()[1]),
    "WW": lambda dt: f"{dt.isocalendar()[1]:02d}",
}
_FORMATTERS.update(_standalone_forms(_FORMATTERS))


def _macro(pattern: str, zone_style: _luxon_macros.ZoneStyle | None) -> _Formatter:
    """A macro token's formatter: ``pattern``, then the zone name when the macro shows one."""

    def render(dt: datetime) -> str:
        text = format_datetime(dt, pattern)
        if zone_style is None:
            return text
        return f"{text} {_luxon_macros.zone_label(dt, zone_style)}"

    return render


_FORMATTERS.update({token: _macro(*spec) for token, spec in _luxon_macros.MACROS.items()})


def format_datetime(dt: datetime, fmt: str) -> str:
    """Format ``dt`` with Luxon tokens: ``"EEEE d MMMM yyyy 'at' hh:mm a ZZ"``."""
    parts = []
    for literal, piece in _cached_tokens(fmt):
        formatter = None if literal else _FORMATTERS.get(piece)
        parts.append(piece if formatter is None else formatter(dt))
    return "".join(parts)


@functools.lru_cache(maxsize=128)
def _cached_tokens(fmt: str) -> tuple[Token, ...]:
    return tuple(tokenize(fmt))


def _names(names: list[str] | tuple[str, ...], size: int | None) -> str:
    choices = sorted((name if size is None else name[:size] for name in names), key=len)
    return "(" + "|".join(reversed(choices)) + ")"


_MONTH_SHORT = _names(MONTHS, 3)
_WEEKDAY_SHORT = _names(WEEKDAYS, 3)
_PARSE_PATTERNS: Final[dict[str, tuple[str, str]]] = {
    "y": (r"(\d{1,6})", "year"),
    "yy": (r"(\d{2})", "year2"),
    "yyyy": (r"(\d{4})", "year"),
    "M": (r"(\d{1,2})", "month"),
    "MM": (r"(\d{2})", "month"),
    "MMM": (_MONTH_SHORT, "month_name"),
    "MMMM": (_names(MONTHS, None), "month_name"),
    "d": (r"(\d{1,2})", "day"),
    "dd": (r"(\d{2})", "day"),
    "E": (r"([1-7])", "weekday"),
    "EEE": (_WEEKDAY_SHORT, "weekday_name"),
    "EEEE": (_names(WEEKDAYS, None), "weekday_name"),
    "H": (r"(\d{1,2})", "hour"),
    "HH": (r"(\d{2})", "hour"),
    "h": (r"(\d{1,2})", "hour"),
    "hh": (r"(\d{2})", "hour"),
    "a": (r"(AM|PM)", "meridiem"),
    "m": (r"(\d{1,2})", "minute"),
    "mm": (r"(\d{2})", "minute"),
    "s": (r"(\d{1,2})", "second"),
    "ss": (r"(\d{2})", "second"),
    "S": (r"(\d{1,3})", "millisecond"),
    "SSS": (r"(\d{3})", "millisecond"),
    "Z": (r"(Z|[+-]\d{1,2}(?::?\d{2})?)", "offset"),
    "ZZ": (r"(Z|[+-]\d{2}:\d{2})", "offset"),
    "ZZZ": (r"(Z|[+-]\d{4})", "offset"),
    "z": (r"([A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)*)", "zone"),
    "X": (r"(-?\d{1,12})", "unix_seconds"),
    "x": (r"(-?\d{1,15})", "unix_ms"),
}
_PARSE_PATTERNS.update(_standalone_forms(_PARSE_PATTERNS))


class UnsupportedTokenError(ValueError):
    """A format token that can be formatted but not parsed (``o``, ``q``, ``W``…)."""


@functools.lru_cache(maxsize=128)
def _compile(fmt: str) -> tuple[regex.Pattern[str], tuple[str, ...]]:
    import regex

    pattern: list[str] = []
    fields: list[str] = []
    for literal, piece in tokenize(fmt):
        if not literal and piece in _PARSE_PATTERNS:
            token_pattern, field = _PARSE_PATTERNS[piece]
            pattern.append(token_pattern)
            fields.append(field)
        elif not literal and piece in _FORMATTERS:
            raise UnsupportedTokenError(f"the token {piece!r} cannot be used to parse dates")
        else:
            pattern.append(re.escape(piece))
    return regex.compile("".join(pattern), regex.IGNORECASE), tuple(fields)


def parse_datetime(value: str, fmt: str, now: datetime, *, timeout: float) -> datetime | None:
    """Parse ``value`` with the Luxon format ``fmt``; ``None`` when it does not match or is not
    a real date. ``now`` (aware) fills in the units above the largest one the format gives.

    Raises:
        UnsupportedTokenError: ``fmt`` uses a token that only formats.
        TimeoutError: matching took more than ``timeout`` seconds (a format such as
            ``dMdMdM…`` can backtrack exponentially on a long run of digits).
    """
    pattern, fields = _compile(fmt)
    match = pattern.fullmatch(value.strip(), timeout=timeout)
    if match is None:
        return None
    values = dict(zip(fields, match.groups(), strict=True))
    try:
        return _build(values, now)
    except (ValueError, OverflowError):
        return None


def _zone_of(values: dict[str, str], now: datetime) -> tzinfo | None:
    if "offset" in values:
        text = values["offset"].upper().replace(":", "")
        if text == "Z":
            return UTC
        sign = -1 if text[0] == "-" else 1
        digits = text[1:]
        hours, minutes = (
            (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
        )
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    if "zone" in values:
        return _time.named_zone(values["zone"])
    return now.tzinfo


_UNITS: Final = ("year", "month", "day", "hour", "minute", "second", "millisecond")
_MINIMUM: Final = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "millisecond": 0}


def _numbers(values: dict[str, str]) -> dict[str, int]:
    numbers = {key: int(text) for key, text in values.items() if text.isdigit() and key in _UNITS}
    if "year2" in values:
        short = int(values["year2"])
        numbers["year"] = 1900 + short if short > 60 else 2000 + short
    if "month_name" in values:
        numbers["month"] = [m[:3].lower() for m in MONTHS].index(
            values["month_name"][:3].lower()
        ) + 1
    if "meridiem" in values and "hour" in numbers:
        numbers["hour"] = numbers["hour"] % 12 + (12 if values["meridiem"].upper() == "PM" else 0)
    return numbers


def _build(values: dict[str, str], now: datetime) -> datetime | None:
    zone = _zone_of(values, now)
    if zone is None:
        return None
    if "unix_ms" in values or "unix_seconds" in values:
        ms = int(values["unix_ms"]) if "unix_ms" in values else int(values["unix_seconds"]) * 1000
        return _time.from_epoch_ms(ms, zone)
    numbers = _numbers(values)
    local_now = now.astimezone(zone)
    current = dict(zip(_UNITS, local_now.timetuple()[:6], strict=False))
    current["millisecond"] = local_now.microsecond // 1000
    given = [i for i, unit in enumerate(_UNITS) if unit in numbers]
    top = given[0] if given else len(_UNITS)
    fields = {
        unit: numbers[unit] if unit in numbers else (current if i < top else _MINIMUM)[unit]
        for i, unit in enumerate(_UNITS)
    }
    wall = datetime(
        fields["year"],
        fields["month"],
        fields["day"],
        fields["hour"],
        fields["minute"],
        fields["second"],
        fields["millisecond"] * 1000,
    )
    if not _weekday_matches(values, wall):
        return None
    return _time.localize(wall, zone)


def _weekday_matches(values: dict[str, str], wall: datetime) -> bool:
    if "weekday" in values:
        return int(values["weekday"]) == wall.isoweekday()
    if "weekday_name" in values:
        return WEEKDAYS[wall.weekday()][:3].lower() == values["weekday_name"][:3].lower()
    return True
