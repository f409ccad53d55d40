"""Time built-ins (expressions.md §6, **Time**): ISO-8601 strings in and out, like Luxon.

A date argument is an ISO-8601 string (an offset in it is kept; without one it is local time,
the process ``TZ``) or a number of epoch milliseconds; ``null``/``undefined`` give ``null``.
Results are Luxon ``toISO()`` strings such as ``2026-03-05T14:07:09.045+01:00``. Formats use
Luxon tokens (see :mod:`flowscript.expressions.builtins._luxon`). Durations are ISO-8601
(``P1M2DT3H``, calendar-aware) or the format.md §3.5 grammar (``1h30m``, ``2d``), optionally
negative. The clock is :func:`current_time`, which tests replace.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, TypeVar

from flowscript.errors import ExpressionEvalError, LimitExceededError
from flowscript.expressions.builtins import _luxon, _time
from flowscript.expressions.builtins._registry import Registry
from flowscript.expressions.builtins._support import is_nullish, js_number, text, to_display
from flowscript.expressions.sandbox import Sandbox
from flowscript.expressions.values import UNDEFINED, is_number, to_number
from flowscript.model.durations import UNIT_MS, duration_parts

__all__ = ["BUILTINS", "current_time"]

_T = TypeVar("_T")

register = Registry("Time")
BUILTINS: Final = register.builtins

_RELATIVE_UNITS: Final = ("years", "months", "days", "hours", "minutes", "seconds")
_PARTS: Final[dict[str, Callable[[datetime], int]]] = {
    "year": lambda dt: dt.year,
    "quarter": lambda dt: (dt.month - 1) // 3 + 1,
    "month": lambda dt: dt.month,
    "day": lambda dt: dt.day,
    "weekday": lambda dt: dt.isoweekday(),
    "hour": lambda dt: dt.hour,
    "minute": lambda dt: dt.minute,
    "second": lambda dt: dt.second,
    "millisecond": lambda dt: dt.microsecond // 1000,
    "dayofyear": lambda dt: dt.timetuple().tm_yday,
    "ordinal": lambda dt: dt.timetuple().tm_yday,
    "weeknumber": lambda dt: dt.isocalendar()[1],
    "week": lambda dt: dt.isocalendar()[1],
    "weekyear": lambda dt: dt.isocalendar()[0],
    "offset": lambda dt: round((dt.utcoffset() or timedelta(0)).total_seconds() / 60),
}


def current_time() -> datetime:
    """The clock: the current instant (aware, UTC). Tests monkeypatch this function."""
    return datetime.now(UTC)


def _now() -> datetime:
    now = current_time().astimezone(_time.local_zone())
    return now.replace(microsecond=now.microsecond - now.microsecond % 1000)


def _date(function: str, value: Any) -> datetime | None:
    """A date argument as an aware datetime; ``None`` for null/undefined."""
    if is_nullish(value):
        return None
    if is_number(value) and math.isfinite(value):
        return _checked(function, lambda: _time.from_epoch_ms(value, _time.local_zone()))
    parsed = _time.parse_iso(value) if isinstance(value, str) else None
    if parsed is None:
        raise ExpressionEvalError(
            f"{function}(): {to_display(value)} is not an ISO-8601 date (like 2026-03-05T14:07:09Z)"
        )
    return parsed


def _checked(function: str, compute: Callable[[], _T]) -> _T:
    try:
        return compute()
    except (OverflowError, ValueError) as exc:
        raise ExpressionEvalError(f"{function}(): date out of range ({exc})") from exc


def _iso(dt: datetime | None) -> str | None:
    return None if dt is None else _time.format_iso(dt)


def _unit(function: str, unit: Any, allowed: tuple[str, ...]) -> str:
    name = _time.normalize_unit(text(unit))
    if name is None or name not in allowed:
        raise ExpressionEvalError(
            f"{function}(): unknown unit {text(unit)!r} (use {', '.join(allowed)})"
        )
    return name


@register("now()", "The current date-time as ISO-8601 with milliseconds and offset.")
def _now_iso(sb: Sandbox) -> str:
    return _time.format_iso(_now())


@register('date([fmt="yyyy-MM-dd"])', "Today's date, formatted with Luxon tokens.")
def _today(sb: Sandbox, fmt: Any = UNDEFINED) -> str:
    return _luxon.format_datetime(_now(), "yyyy-MM-dd" if fmt is UNDEFINED else text(fmt))


@register('time([fmt="HH:mm:ss"])', "The current time of day, formatted with Luxon tokens.")
def _time_of_day(sb: Sandbox, fmt: Any = UNDEFINED) -> str:
    return _luxon.format_datetime(_now(), "HH:mm:ss" if fmt is UNDEFINED else text(fmt))


@register(
    "parse_date(s, [fmt])",
    "ISO-8601 date-time of a string in a Luxon format (ISO without fmt); null on failure.",
)
def _parse_date(sb: Sandbox, s: Any, fmt: Any = UNDEFINED) -> str | None:
    if is_nullish(s):
        return None
    if is_number(s):
        return _iso(_date("parse_date", s))
    if fmt is UNDEFINED:
        return _iso(_time.parse_iso(text(s)))
    timeout = sb.limits.regex_timeout
    try:
        return _iso(_luxon.parse_datetime(text(s), text(fmt), _now(), timeout=timeout))
    except _luxon.UnsupportedTokenError as exc:
        raise ExpressionEvalError(f"parse_date(): {exc}") from exc
    except TimeoutError as exc:
        raise LimitExceededError(f"parse_date(): matching took more than {timeout}s") from exc


@register(
    "format_date(iso, fmt)", "Format a date with Luxon tokens (\"EEEE d MMMM yyyy 'at' HH:mm\")."
)
def _format_date(sb: Sandbox, iso: Any, fmt: Any) -> str | None:
    dt = _date("format_date", iso)
    return None if dt is None else _luxon.format_datetime(dt, text(fmt))


def _duration(function: str, spec: Any) -> dict[str, Decimal]:
    if is_number(spec) and math.isfinite(spec):
        return {"milliseconds": Decimal(repr(spec))}
    try:
        return duration_parts(text(spec))
    except ValueError as exc:
        raise ExpressionEvalError(f"{function}(): {exc}") from exc


def _shift(function: str, iso: Any, spec: Any, sign: int) -> str | None:
    dt = _date(function, iso)
    parts = {unit: sign * amount for unit, amount in _duration(function, spec).items()}
    return None if dt is None else _iso(_checked(function, lambda: _time.add_duration(dt, parts)))


@register("add_time(iso, duration)", 'A date moved forward by a duration ("P1M", "PT2H", "1h30m").')
def _add_time(sb: Sandbox, iso: Any, duration: Any) -> str | None:
    return _shift("add_time", iso, duration, 1)


@register("subtract_time(iso, duration)", "A date moved back by a duration.")
def _subtract_time(sb: Sandbox, iso: Any, duration: Any) -> str | None:
    return _shift("subtract_time", iso, duration, -1)


@register(
    'diff(a, b, [unit="days"])',
    "a - b in milliseconds, seconds, minutes, hours, days, weeks, months or years (fractional).",
)
def _diff(sb: Sandbox, a: Any, b: Any, unit: Any = UNDEFINED) -> float | None:
    name = "days" if unit is UNDEFINED else _unit("diff", unit, _time.DIFF_UNITS)
    first, second = _date("diff", a), _date("diff", b)
    if first is None or second is None:
        return None
    return js_number(_checked("diff", lambda: _time.diff(first, second, name)))


@register("timestamp()", "The current time in milliseconds since the Unix epoch.")
def _timestamp(sb: Sandbox) -> int:
    return _time.to_epoch_ms(current_time())


@register("from_timestamp(ms)", "The ISO-8601 date-time (local time) of epoch milliseconds.")
def _from_timestamp(sb: Sandbox, ms: Any) -> str | None:
    if is_nullish(ms):
        return None
    number = to_number(ms)
    if not math.isfinite(number):
        raise ExpressionEvalError(
            f"from_timestamp(): {to_display(ms)} is not a number of milliseconds"
        )
    return _iso(_date("from_timestamp", number))


@register("start_of(iso, unit)", "The start of the year/quarter/month/week/day/hour/minute/second.")
def _start_of(sb: Sandbox, iso: Any, unit: Any) -> str | None:
    name = _unit("start_of", unit, _time.PERIOD_UNITS)
    dt = _date("start_of", iso)
    return None if dt is None else _iso(_checked("start_of", lambda: _time.start_of(dt, name)))


@register("end_of(iso, unit)", "The last millisecond of the year/quarter/month/week/day/….")
def _end_of(sb: Sandbox, iso: Any, unit: Any) -> str | None:
    name = _unit("end_of", unit, _time.PERIOD_UNITS)
    dt = _date("end_of", iso)
    return None if dt is None else _iso(_checked("end_of", lambda: _time.end_of(dt, name)))


@register(
    "get_part(iso, part)",
    "A field: year quarter month day weekday hour minute second millisecond dayOfYear week offset.",
)
def _get_part(sb: Sandbox, iso: Any, part: Any) -> int | None:
    key = text(part).lower()
    getter = _PARTS.get(key) or _PARTS.get(key.removesuffix("s"))
    if getter is None:
        raise ExpressionEvalError(
            f"get_part(): unknown part {text(part)!r} (use {', '.join(_PARTS)})"
        )
    dt = _date("get_part", iso)
    return None if dt is None else getter(dt)


@register("is_before(a, b)", "Whether date a is before date b.")
def _is_before(sb: Sandbox, a: Any, b: Any) -> bool:
    first, second = _date("is_before", a), _date("is_before", b)
    return first is not None and second is not None and first < second


@register("is_after(a, b)", "Whether date a is after date b.")
def _is_after(sb: Sandbox, a: Any, b: Any) -> bool:
    first, second = _date("is_after", a), _date("is_after", b)
    return first is not None and second is not None and first > second


@register(
    "relative(iso, [base])", 'Relative to now (or base): "3 days ago", "in 2 hours", "just now".'
)
def _relative(sb: Sandbox, iso: Any, base: Any = UNDEFINED) -> str | None:
    dt = _date("relative", iso)
    origin = _now() if base is UNDEFINED else _date("relative", base)
    if dt is None or origin is None:
        return None
    if abs(_time.to_epoch_ms(dt) - _time.to_epoch_ms(origin)) < 1000:
        return "just now"
    for unit in _RELATIVE_UNITS:
        count = math.trunc(_checked("relative", functools.partial(_time.diff, dt, origin, unit)))
        if count:
            label = unit[:-1] if abs(count) == 1 else unit
            return f"in {count} {label}" if count > 0 else f"{-count} {label} ago"
    return "just now"  # pragma: no cover - one second or more always gives "seconds"


@register("duration(spec)", 'Milliseconds of a duration: duration("1h30m") → 5400000.')
def _duration_ms(sb: Sandbox, spec: Any) -> float:
    parts = _duration("duration", spec)
    return js_number(float(sum((UNIT_MS[u] * n for u, n in parts.items()), Decimal(0))))
