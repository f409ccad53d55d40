"""Luxon's localised macro tokens (``D``, ``t``, ``f``…) as ``DateTime.toFormat`` renders them
in the ``en-US`` locale (Node 20, ICU 78, CLDR 48).

Each macro is a plain token pattern, plus a zone name for the ``ttt``/``TTT``/``fff``/``FFF``
(short name) and ``tttt``/``TTTT``/``ffff``/``FFFF`` (long name) forms. AM/PM follows a plain
space (U+0020, what Node's ``Intl.DateTimeFormat.format`` prints), not ICU's U+202F.

Zone names, like ``Intl.DateTimeFormat`` with Luxon's zone handling:

* an IANA zone of :data:`_ZONE_GROUPS` has its CLDR names (``EDT``/``Eastern Daylight Time``;
  ``GMT+1``/``Central European Standard Time`` where en-US has no abbreviation); daylight time
  is the zone's DST flag (``dst() != 0``);
* other IANA zones use ICU's localised GMT format: short ``GMT+5:30``/``GMT-4``/``GMT+0``,
  long ``GMT+05:30``/``GMT-04:00``/``GMT+00:00``; so does the C library's local time (``TZ``
  unset or not an IANA name), except that at offset zero it is ``UTC``/``Coordinated
  Universal Time`` (a machine on UTC, as Intl names it);
* a fixed offset (an ISO string's own offset) is ``UTC`` at zero, the GMT format for whole
  hours from -12 to +14 (Luxon formats these in ``Etc/GMT±N``), and ``UTC+5:30`` otherwise
  (Luxon's own name for the offset), short and long alike.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone
from typing import Final, Literal

__all__ = ["MACROS", "zone_label"]

ZoneStyle = Literal["short", "long"]

_DATE_SHORT: Final = "M/d/y"
_DATE_MED: Final = "MMM d, y"
_DATE_FULL: Final = "MMMM d, y"
_DATE_HUGE: Final = "EEEE, MMMM d, y"
_TIME: Final = "h:mm a"
_TIME_SECONDS: Final = "h:mm:ss a"
_TIME_24: Final = "HH:mm"
_TIME_24_SECONDS: Final = "HH:mm:ss"

MACROS: Final[dict[str, tuple[str, ZoneStyle | None]]] = {
    "D": (_DATE_SHORT, None),
    "DD": (_DATE_MED, None),
    "DDD": (_DATE_FULL, None),
    "DDDD": (_DATE_HUGE, None),
    "t": (_TIME, None),
    "tt": (_TIME_SECONDS, None),
    "ttt": (_TIME_SECONDS, "short"),
    "tttt": (_TIME_SECONDS, "long"),
    "T": (_TIME_24, None),
    "TT": (_TIME_24_SECONDS, None),
    "TTT": (_TIME_24_SECONDS, "short"),
    "TTTT": (_TIME_24_SECONDS, "long"),
    "f": (f"{_DATE_SHORT}, {_TIME}", None),
    "ff": (f"{_DATE_MED}, {_TIME}", None),
    "fff": (f"{_DATE_FULL} 'at' {_TIME}", "short"),
    "ffff": (f"{_DATE_HUGE} 'at' {_TIME}", "long"),
    "F": (f"{_DATE_SHORT}, {_TIME_SECONDS}", None),
    "FF": (f"{_DATE_MED}, {_TIME_SECONDS}", None),
    "FFF": (f"{_DATE_FULL} 'at' {_TIME_SECONDS}", "short"),
    "FFFF": (f"{_DATE_HUGE} 'at' {_TIME_SECONDS}", "long"),
}
"""Macro token → (token pattern, zone name appended after a space, if any)."""

# (standard long, daylight long, standard short, daylight short) → zones; a missing short
# name (en-US has abbreviations for North American zones and UTC/GMT only) is the GMT format.
_Names = tuple[str, str | None, str | None, str | None]
_ZONE_GROUPS: Final[tuple[tuple[_Names, str], ...]] = (
    (
        ("Eastern Standard Time", "Eastern Daylight Time", "EST", "EDT"),
        "America/New_York America/Detroit America/Toronto US/Eastern",
    ),
    (
        ("Central Standard Time", "Central Daylight Time", "CST", "CDT"),
        "America/Chicago America/Winnipeg America/Mexico_City US/Central",
    ),
    (
        ("Mountain Standard Time", "Mountain Daylight Time", "MST", "MDT"),
        "America/Denver America/Edmonton America/Phoenix US/Mountain US/Arizona",
    ),
    (
        ("Pacific Standard Time", "Pacific Daylight Time", "PST", "PDT"),
        "America/Los_Angeles America/Vancouver US/Pacific",
    ),
    (
        ("Alaska Standard Time", "Alaska Daylight Time", "AKST", "AKDT"),
        "America/Anchorage US/Alaska",
    ),
    (("Hawaii-Aleutian Standard Time", None, "HST", None), "Pacific/Honolulu US/Hawaii"),
    (
        ("Hawaii-Aleutian Standard Time", "Hawaii-Aleutian Daylight Time", "HAST", "HADT"),
        "America/Adak",
    ),
    (
        ("Atlantic Standard Time", "Atlantic Daylight Time", "AST", "ADT"),
        "America/Halifax America/Puerto_Rico",
    ),
    (("Newfoundland Standard Time", "Newfoundland Daylight Time", None, None), "America/St_Johns"),
    (("Brasilia Standard Time", "Brasilia Summer Time", None, None), "America/Sao_Paulo"),
    (
        ("Argentina Standard Time", "Argentina Summer Time", None, None),
        "America/Argentina/Buenos_Aires America/Buenos_Aires",
    ),
    (("Colombia Standard Time", "Colombia Summer Time", None, None), "America/Bogota"),
    (("Peru Standard Time", "Peru Summer Time", None, None), "America/Lima"),
    (("Chile Standard Time", "Chile Summer Time", None, None), "America/Santiago"),
    (("Venezuela Time", None, None, None), "America/Caracas"),
    (("Greenwich Mean Time", "British Summer Time", "GMT", None), "Europe/London"),
    (
        ("Western European Standard Time", "Western European Summer Time", "GMT+0", None),
        "Europe/Lisbon",
    ),
    (
        ("Central European Standard Time", "Central European Summer Time", None, None),
        "Europe/Paris Europe/Berlin Europe/Madrid Europe/Rome Europe/Amsterdam Europe/Brussels"
        " Europe/Vienna Europe/Zurich Europe/Stockholm Europe/Oslo Europe/Copenhagen"
        " Europe/Warsaw Europe/Prague Europe/Budapest Europe/Belgrade",
    ),
    (
        ("Eastern European Standard Time", "Eastern European Summer Time", None, None),
        "Europe/Athens Europe/Helsinki Europe/Kyiv Europe/Kiev Europe/Bucharest Africa/Cairo",
    ),
    (("Türkiye Standard Time", None, None, None), "Europe/Istanbul"),
    (("Moscow Standard Time", "Moscow Summer Time", None, None), "Europe/Moscow"),
    (("South Africa Standard Time", None, None, None), "Africa/Johannesburg"),
    (("West Africa Time", None, None, None), "Africa/Lagos"),
    (("East Africa Time", None, None, None), "Africa/Nairobi"),
    (("Gulf Standard Time", None, None, None), "Asia/Dubai"),
    (("Pakistan Standard Time", "Pakistan Summer Time", None, None), "Asia/Karachi"),
    (("India Standard Time", None, None, None), "Asia/Kolkata Asia/Calcutta"),
    (("Nepal Time", None, None, None), "Asia/Kathmandu"),
    (("Bangladesh Standard Time", "Bangladesh Summer Time", None, None), "Asia/Dhaka"),
    (("Indochina Time", None, None, None), "Asia/Bangkok"),
    (("Western Indonesia Time", None, None, None), "Asia/Jakarta"),
    (("Singapore Standard Time", None, None, None), "Asia/Singapore"),
    (("Hong Kong Standard Time", "Hong Kong Summer Time", None, None), "Asia/Hong_Kong"),
    (("China Standard Time", "China Daylight Time", None, None), "Asia/Shanghai"),
    (("Taiwan Standard Time", "Taiwan Daylight Time", None, None), "Asia/Taipei"),
    (("Philippine Standard Time", "Philippine Summer Time", None, None), "Asia/Manila"),
    (("Korean Standard Time", "Korean Daylight Time", None, None), "Asia/Seoul"),
    (("Japan Standard Time", None, None, None), "Asia/Tokyo"),
    (("Israel Standard Time", "Israel Daylight Time", None, None), "Asia/Jerusalem"),
    (("Iran Standard Time", "Iran Daylight Time", None, None), "Asia/Tehran"),
    (
        ("Australian Western Standard Time", "Australian Western Daylight Time", None, None),
        "Australia/Perth",
    ),
    (
        ("Australian Central Standard Time", "Australian Central Daylight Time", None, None),
        "Australia/Adelaide Australia/Darwin",
    ),
    (
        ("Australian Eastern Standard Time", "Australian Eastern Daylight Time", None, None),
        "Australia/Sydney Australia/Melbourne Australia/Brisbane",
    ),
    (
        ("New Zealand Standard Time", "New Zealand Daylight Time", None, None),
        "Pacific/Auckland",
    ),
    (("Coordinated Universal Time", None, "UTC", None), "UTC Etc/UTC Etc/GMT GMT"),
)


_UTC_NAMES: Final[dict[ZoneStyle, str]] = {"short": "UTC", "long": "Coordinated Universal Time"}


@functools.cache
def _zone_table() -> dict[str, _Names]:
    return {zone: names for names, zones in _ZONE_GROUPS for zone in zones.split()}


def zone_label(dt: datetime, style: ZoneStyle) -> str:
    """The en-US name of ``dt``'s zone at ``dt``: ``EDT`` (short) or ``Eastern Daylight Time``.

    Args:
        dt: An aware date-time.
        style: ``"short"`` (Intl ``timeZoneName: "short"``) or ``"long"``.

    Returns:
        The name; the GMT format (``GMT+5:30``) when the zone has none.
    """
    minutes = _offset_minutes(dt)
    if isinstance(dt.tzinfo, timezone):
        return _fixed_label(minutes, style)
    key = getattr(dt.tzinfo, "key", None)
    if not isinstance(key, str):  # the C library's local time: TZ unset or not an IANA name
        return _UTC_NAMES[style] if minutes == 0 else _gmt_label(minutes, style)
    names = _zone_table().get(key)
    if names is not None:
        name = names[(2 if style == "short" else 0) + (1 if dt.dst() else 0)]
        if name is not None:
            return name
    return _gmt_label(minutes, style)


def _offset_minutes(dt: datetime) -> int:
    return round((dt.utcoffset() or timedelta(0)).total_seconds() / 60)


def _fixed_label(minutes: int, style: ZoneStyle) -> str:
    """Luxon's name of a fixed offset: ``Etc/GMT±N`` when one exists, else its own name."""
    if minutes == 0:
        return "UTC"
    if minutes % 60 == 0 and -12 * 60 <= minutes <= 14 * 60:
        return _gmt_label(minutes, style)
    return "UTC" + _gmt_label(minutes, "short")[3:]


def _gmt_label(minutes: int, style: ZoneStyle) -> str:
    """ICU's localised GMT format: ``GMT+5:30``/``GMT-4`` (short), ``GMT+05:30`` (long)."""
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    if style == "long":
        return f"GMT{sign}{hours:02d}:{mins:02d}"
    return f"GMT{sign}{hours}" + (f":{mins:02d}" if mins else "")
