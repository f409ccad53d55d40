"""Date-time plumbing for the Time built-ins: zones, ISO-8601 in and out, Luxon arithmetic.

Dates are aware :class:`datetime.datetime` values with millisecond precision. A string with an
offset keeps that offset (``Z`` is UTC); one without is wall time in the local zone, which is
the process ``TZ`` (an IANA name, loaded with :mod:`zoneinfo`), or the C library's local time
when ``TZ`` is unset or not an IANA name. Calendar units (years, months, weeks, days) move the
wall clock and clamp the day to the month's end, time units move the instant, as Luxon's
``plus``/``diff``/``startOf`` do.
"""

from __future__ import annotations

import calendar
import functools
import os
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Final

from flowscript.model.durations import UNIT_MS

__all__ = [
    "CALENDAR_UNITS",
    "DIFF_UNITS",
    "EPOCH",
    "PERIOD_UNITS",
    "add_duration",
    "diff",
    "end_of",
    "format_iso",
    "from_epoch_ms",
    "local_zone",
    "localize",
    "named_zone",
    "normalize_unit",
    "offset_text",
    "parse_iso",
    "start_of",
    "to_epoch_ms",
    "zone_name",
]

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
CALENDAR_UNITS: Final = ("years", "quarters", "months", "weeks", "days")
PERIOD_UNITS: Final = (*CALENDAR_UNITS, "hours", "minutes", "seconds")
"""Units of ``start_of``/``end_of``."""
DIFF_UNITS: Final = (*PERIOD_UNITS, "milliseconds")
"""Units of ``diff``."""
_TIME_UNIT_MS: Final = {"hours": 3_600_000, "minutes": 60_000, "seconds": 1000, "milliseconds": 1}
_UNIT_NAMES: Final = {
    **{unit: unit for unit in (*CALENDAR_UNITS, *_TIME_UNIT_MS)},
    **{unit[:-1]: unit for unit in (*CALENDAR_UNITS, *_TIME_UNIT_MS)},
    "ms": "milliseconds",
}
_YEAR_MONTH_RE: Final = re.compile(r"(\d{4})(?:-(\d{2}))?")


class _SystemLocalZone(tzinfo):
    """The C library's local time (``TZ`` unset or a POSIX rule), with its DST changes."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if dt is None:
            return timedelta(seconds=time.localtime().tm_gmtoff)
        fields = (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, 0, 0, -1)
        try:
            stamp = time.mktime(fields)
        except (OverflowError, ValueError):
            stamp = time.time()
        return timedelta(seconds=time.localtime(stamp).tm_gmtoff)

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None

    def fromutc(self, dt: datetime) -> datetime:
        stamp = calendar.timegm(dt.replace(tzinfo=None).timetuple())
        try:
            offset = time.localtime(stamp).tm_gmtoff
        except (OverflowError, OSError, ValueError):
            offset = time.localtime().tm_gmtoff
        return (dt + timedelta(seconds=offset)).replace(tzinfo=self)


_SYSTEM_LOCAL: Final = _SystemLocalZone()


@functools.lru_cache(maxsize=64)
def _iana_zone(name: str) -> tzinfo | None:
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return None


def local_zone() -> tzinfo:
    """The zone for strings without an offset: ``TZ`` when it names an IANA zone."""
    name = os.environ.get("TZ", "").lstrip(":")
    zone = _iana_zone(name) if name else None
    return zone if zone is not None else _SYSTEM_LOCAL


def named_zone(name: str) -> tzinfo | None:
    """An IANA zone by name (``Europe/Paris``), or ``None`` when unknown."""
    if name.upper() == "UTC":
        return UTC
    return _iana_zone(name) if "/" in name else None


def zone_name(dt: datetime) -> str | None:
    """The IANA name of ``dt``'s zone (``UTC`` for a zero fixed offset), if known."""
    key = getattr(dt.tzinfo, "key", None)
    if isinstance(key, str):
        return key
    if isinstance(dt.tzinfo, timezone) and dt.utcoffset() == timedelta(0):
        return "UTC"
    return None


def localize(wall: datetime, zone: tzinfo) -> datetime:
    """Give a naive wall time a zone; times in a DST gap move forward like Luxon's."""
    aware = wall.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone)


def _truncate_ms(dt: datetime) -> datetime:
    return dt.replace(microsecond=dt.microsecond - dt.microsecond % 1000)


def parse_iso(value: str) -> datetime | None:
    """An ISO-8601 date/date-time (also ``yyyy`` and ``yyyy-MM``), or ``None``."""
    text = value.strip()
    year_month = _YEAR_MONTH_RE.fullmatch(text)
    try:
        if year_month:
            parsed = datetime(int(year_month[1]), int(year_month[2] or 1), 1)
        else:
            parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            return localize(_truncate_ms(parsed), local_zone())
    except (ValueError, OverflowError):
        return None
    return _truncate_ms(parsed)


def offset_text(dt: datetime, *, colon: bool = True) -> str:
    """``+01:00`` (or ``+0100``) for ``dt``'s UTC offset, rounded to minutes."""
    offset = dt.utcoffset() or timedelta(0)
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{mins:02d}"


def format_iso(dt: datetime) -> str:
    """Luxon ``toISO()``: ``2026-03-05T14:07:09.045+01:00`` (``Z`` for a fixed UTC zone)."""
    stamp = (
        f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
    )
    fixed_utc = isinstance(dt.tzinfo, timezone) and dt.utcoffset() == timedelta(0)
    return f"{stamp}.{dt.microsecond // 1000:03d}{'Z' if fixed_utc else offset_text(dt)}"


def to_epoch_ms(dt: datetime) -> int:
    """Milliseconds since the Unix epoch."""
    delta = dt - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_epoch_ms(ms: float, zone: tzinfo) -> datetime:
    """The instant ``ms`` milliseconds after the epoch, in ``zone``."""
    return (EPOCH + timedelta(milliseconds=int(ms))).astimezone(zone)


def normalize_unit(unit: str) -> str | None:
    """``"day"``/``"days"`` → ``"days"``; ``None`` for an unknown unit."""
    return _UNIT_NAMES.get(unit.strip().lower())


def _shift_wall(wall: datetime, years: int, months: int, days: int) -> datetime:
    year, month0 = divmod(wall.month - 1 + months + 12 * years + 12 * wall.year, 12)
    day = min(wall.day, calendar.monthrange(year, month0 + 1)[1])
    return wall.replace(year=year, month=month0 + 1, day=day) + timedelta(days=days)


def add_duration(dt: datetime, parts: Mapping[str, Decimal]) -> datetime:
    """Luxon ``plus``: whole calendar units on the wall clock, the rest on the instant.

    Raises:
        OverflowError, ValueError: the result is outside years 1-9999.
    """
    whole = {unit: int(parts.get(unit, 0)) for unit in ("years", "months", "weeks", "days")}
    rest_ms = sum((amount - whole.get(unit, 0)) * UNIT_MS[unit] for unit, amount in parts.items())
    zone = dt.tzinfo or UTC
    wall = _shift_wall(
        dt.replace(tzinfo=None), whole["years"], whole["months"], whole["days"] + 7 * whole["weeks"]
    )
    moved = localize(wall, zone) if wall != dt.replace(tzinfo=None) else dt
    if rest_ms:
        moved = (moved.astimezone(UTC) + timedelta(milliseconds=float(rest_ms))).astimezone(zone)
    return _truncate_ms(moved)


def _plus(dt: datetime, unit: str, count: int) -> datetime:
    if unit == "quarters":
        unit, count = "months", 3 * count
    return add_duration(dt, {unit: Decimal(count)})


def _calendar_count(unit: str, earlier: datetime, later: datetime) -> int:
    if unit == "years":
        return later.year - earlier.year
    if unit in ("months", "quarters"):
        months = later.month - earlier.month + 12 * (later.year - earlier.year)
        return months if unit == "months" else months // 3
    days = (later.date() - earlier.date()).days
    return days if unit == "days" else days // 7


def diff(later_or_not: datetime, other: datetime, unit: str) -> float:
    """``a − b`` in ``unit`` like Luxon's ``diff``: calendar units count whole units on the
    calendar and add the remaining fraction of the next one; time units divide milliseconds."""
    a = later_or_not
    b = other.astimezone(a.tzinfo)
    if unit in _TIME_UNIT_MS:
        return (to_epoch_ms(a) - to_epoch_ms(b)) / _TIME_UNIT_MS[unit]
    earlier, later = (b, a) if a >= b else (a, b)
    count = _calendar_count(unit, earlier, later)
    cursor = _plus(earlier, unit, count)
    while cursor > later:
        count -= 1
        cursor = _plus(earlier, unit, count)
    high_water = _plus(earlier, unit, count + 1)
    span = to_epoch_ms(high_water) - to_epoch_ms(cursor)
    value = count + (to_epoch_ms(later) - to_epoch_ms(cursor)) / span if span else count
    return value if a >= b else -value


_INSTANT_RESETS: Final[dict[str, Callable[[datetime], datetime]]] = {
    "hours": lambda dt: dt.replace(minute=0, second=0, microsecond=0),
    "minutes": lambda dt: dt.replace(second=0, microsecond=0),
    "seconds": lambda dt: dt.replace(microsecond=0),
    "milliseconds": lambda dt: dt,
}


def start_of(dt: datetime, unit: str) -> datetime:
    """Luxon ``startOf``: the first millisecond of the year/quarter/month/week/day/….

    ``unit`` is a normalized plural unit name; weeks start on Monday.
    """
    if unit in _INSTANT_RESETS:
        return _INSTANT_RESETS[unit](dt)
    wall = dt.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    if unit == "years":
        wall = wall.replace(month=1, day=1)
    elif unit == "quarters":
        wall = wall.replace(month=3 * ((wall.month - 1) // 3) + 1, day=1)
    elif unit == "months":
        wall = wall.replace(day=1)
    elif unit == "weeks":
        wall -= timedelta(days=wall.weekday())
    return localize(wall, dt.tzinfo or UTC)


def end_of(dt: datetime, unit: str) -> datetime:
    """Luxon ``endOf``: the last millisecond of the unit containing ``dt``."""
    start = start_of(dt, unit)
    if unit in CALENDAR_UNITS:
        following = _plus(start, unit, 1).astimezone(UTC)
    else:
        following = start.astimezone(UTC) + timedelta(milliseconds=_TIME_UNIT_MS[unit])
    return (following - timedelta(milliseconds=1)).astimezone(dt.tzinfo)
