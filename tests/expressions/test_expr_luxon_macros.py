"""Luxon's localised macro tokens (``D``, ``t``, ``f``…) in en-US, as Luxon 3.7 on Node 20 prints.

Expected strings were checked against ``DateTime.toFormat`` (Luxon 3.7.2, Node 20.20, ICU 78),
with U+202F before AM/PM written as a plain space (see ``_luxon_macros``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from flowscript.errors import ExpressionEvalError
from flowscript.expressions.builtins import FUNCTIONS
from flowscript.expressions.builtins._luxon import format_datetime
from flowscript.expressions.sandbox import Sandbox

NEW_YORK = datetime(2014, 8, 6, 13, 7, 4, 54000, tzinfo=ZoneInfo("America/New_York"))


def _call(name: str, *args: Any) -> Any:
    return FUNCTIONS[name].impl(Sandbox(), list(args))


@pytest.fixture
def local_tz(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run the test with ``TZ`` set to the parametrised value."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


BRIEF_EXAMPLES = [
    ("D", "8/6/2014"),
    ("DD", "Aug 6, 2014"),
    ("DDD", "August 6, 2014"),
    ("DDDD", "Wednesday, August 6, 2014"),
    ("t", "1:07 PM"),
    ("tt", "1:07:04 PM"),
    ("ttt", "1:07:04 PM EDT"),
    ("tttt", "1:07:04 PM Eastern Daylight Time"),
    ("T", "13:07"),
    ("TT", "13:07:04"),
    ("TTT", "13:07:04 EDT"),
    ("TTTT", "13:07:04 Eastern Daylight Time"),
    ("f", "8/6/2014, 1:07 PM"),
    ("ff", "Aug 6, 2014, 1:07 PM"),
    ("fff", "August 6, 2014 at 1:07 PM EDT"),
    ("ffff", "Wednesday, August 6, 2014 at 1:07 PM Eastern Daylight Time"),
    ("F", "8/6/2014, 1:07:04 PM"),
    ("FF", "Aug 6, 2014, 1:07:04 PM"),
    ("FFF", "August 6, 2014 at 1:07:04 PM EDT"),
    ("FFFF", "Wednesday, August 6, 2014 at 1:07:04 PM Eastern Daylight Time"),
]


@pytest.mark.parametrize(("token", "expected"), BRIEF_EXAMPLES, ids=[t for t, _ in BRIEF_EXAMPLES])
def test_every_macro_in_new_york_summer(token: str, expected: str) -> None:
    assert format_datetime(NEW_YORK, token) == expected


def test_am_pm_follows_a_plain_space() -> None:
    assert "\u202f" not in format_datetime(NEW_YORK, "t tt ttt f F fff FFFF")
    assert format_datetime(NEW_YORK, "t") == "1:07\u0020PM"


# The same instant-agnostic wall time 2026-01-05 00:07:09 in several zones (winter).
WINTER = [
    ("America/New_York", "ttt", "12:07:09 AM EST"),
    ("America/New_York", "TTTT", "00:07:09 Eastern Standard Time"),
    ("America/Los_Angeles", "fff", "January 5, 2026 at 12:07 AM PST"),
    ("America/Chicago", "FFFF", "Monday, January 5, 2026 at 12:07:09 AM Central Standard Time"),
    ("Pacific/Honolulu", "ttt", "12:07:09 AM HST"),
    ("UTC", "ttt", "12:07:09 AM UTC"),
    ("UTC", "tttt", "12:07:09 AM Coordinated Universal Time"),
    ("Europe/Paris", "TTT", "00:07:09 GMT+1"),
    ("Europe/Paris", "TTTT", "00:07:09 Central European Standard Time"),
    ("Europe/London", "TTT", "00:07:09 GMT"),
    ("Europe/London", "TTTT", "00:07:09 Greenwich Mean Time"),
    ("Europe/Lisbon", "TTT", "00:07:09 GMT+0"),
    ("Asia/Kolkata", "ttt", "12:07:09 AM GMT+5:30"),
    ("Asia/Kolkata", "tttt", "12:07:09 AM India Standard Time"),
    ("Asia/Kathmandu", "TTT", "00:07:09 GMT+5:45"),
    ("Australia/Adelaide", "TTT", "00:07:09 GMT+10:30"),
    (
        "Australia/Adelaide",
        "FFFF",
        "Monday, January 5, 2026 at 12:07:09 AM Australian Central Daylight Time",
    ),
    ("Asia/Tbilisi", "TTT", "00:07:09 GMT+4"),
    ("Asia/Tbilisi", "TTTT", "00:07:09 GMT+04:00"),
    ("Africa/Casablanca", "TTTT", "00:07:09 GMT+01:00"),
    ("America/St_Johns", "TTT", "00:07:09 GMT-3:30"),
    ("America/St_Johns", "TTTT", "00:07:09 Newfoundland Standard Time"),
]


@pytest.mark.parametrize(
    ("zone", "token", "expected"), WINTER, ids=[f"{z}-{t}" for z, t, _ in WINTER]
)
def test_zone_names_in_winter(zone: str, token: str, expected: str) -> None:
    dt = datetime(2026, 1, 5, 0, 7, 9, tzinfo=ZoneInfo(zone))
    assert format_datetime(dt, token) == expected


SUMMER = [
    ("Europe/Paris", "ttt", "1:07:04 PM GMT+2"),
    ("Europe/Paris", "tttt", "1:07:04 PM Central European Summer Time"),
    ("Europe/London", "ttt", "1:07:04 PM GMT+1"),
    ("Europe/London", "tttt", "1:07:04 PM British Summer Time"),
    ("America/Phoenix", "TTT", "13:07:04 MST"),
    ("America/Anchorage", "TTT", "13:07:04 AKDT"),
    ("America/Halifax", "TTTT", "13:07:04 Atlantic Daylight Time"),
    ("Australia/Sydney", "TTTT", "13:07:04 Australian Eastern Standard Time"),
    ("Asia/Tokyo", "FFF", "August 6, 2014 at 1:07:04 PM GMT+9"),
]


@pytest.mark.parametrize(
    ("zone", "token", "expected"), SUMMER, ids=[f"{z}-{t}" for z, t, _ in SUMMER]
)
def test_zone_names_in_northern_summer(zone: str, token: str, expected: str) -> None:
    dt = datetime(2014, 8, 6, 13, 7, 4, tzinfo=ZoneInfo(zone))
    assert format_datetime(dt, token) == expected


def test_historical_daylight_time_of_a_zone_that_dropped_it() -> None:
    dt = datetime(2022, 7, 1, 12, 0, tzinfo=ZoneInfo("America/Mexico_City"))
    assert format_datetime(dt, "TTT|TTTT") == "12:00:00 CDT|12:00:00 Central Daylight Time"
    later = datetime(2024, 7, 1, 12, 0, tzinfo=ZoneInfo("America/Mexico_City"))
    assert format_datetime(later, "TTT|TTTT") == "12:00:00 CST|12:00:00 Central Standard Time"


FIXED = [
    ("2014-08-06T13:07:04.054Z", "1:07:04 PM UTC|1:07:04 PM UTC"),
    ("2014-08-06T13:07:04.054+00:00", "1:07:04 PM UTC|1:07:04 PM UTC"),
    ("2014-08-06T13:07:04.054-04:00", "1:07:04 PM GMT-4|1:07:04 PM GMT-04:00"),
    ("2014-08-06T13:07:04.054+14:00", "1:07:04 PM GMT+14|1:07:04 PM GMT+14:00"),
    ("2014-08-06T13:07:04.054-12:00", "1:07:04 PM GMT-12|1:07:04 PM GMT-12:00"),
    ("2014-08-06T13:07:04.054+05:30", "1:07:04 PM UTC+5:30|1:07:04 PM UTC+5:30"),
    ("2014-08-06T13:07:04.054-09:30", "1:07:04 PM UTC-9:30|1:07:04 PM UTC-9:30"),
    ("2014-08-06T13:07:04.054+15:00", "1:07:04 PM UTC+15|1:07:04 PM UTC+15"),
]


@pytest.mark.parametrize(("iso", "expected"), FIXED, ids=[iso[23:] for iso, _ in FIXED])
def test_fixed_offsets_are_named_like_luxon(iso: str, expected: str) -> None:
    assert _call("format_date", iso, "ttt|tttt") == expected


def test_half_hour_fixed_offset_in_long_date_time() -> None:
    result = _call("format_date", "2014-08-06T13:07:04.054+05:30", "ffff")
    assert result == "Wednesday, August 6, 2014 at 1:07 PM UTC+5:30"


CLOCK = [
    ("2026-03-05T00:00:00Z", "t|T|tt|TT", "12:00 AM|00:00|12:00:00 AM|00:00:00"),
    ("2026-03-05T00:07:09Z", "t|T", "12:07 AM|00:07"),
    ("2026-03-05T12:00:00Z", "t|T|F", "12:00 PM|12:00|3/5/2026, 12:00:00 PM"),
    ("2026-03-05T09:05:03Z", "t|T|TT", "9:05 AM|09:05|09:05:03"),
    ("2026-03-05T23:59:59.999Z", "tt|TT", "11:59:59 PM|23:59:59"),
]


@pytest.mark.parametrize(("iso", "fmt", "expected"), CLOCK, ids=[iso[11:19] for iso, _, _ in CLOCK])
def test_midnight_noon_and_padding(iso: str, fmt: str, expected: str) -> None:
    assert _call("format_date", iso, fmt) == expected


DAYS = [
    (
        "2026-01-05T08:00:00Z",
        "D|DD|DDD|DDDD",
        "1/5/2026|Jan 5, 2026|January 5, 2026|Monday, January 5, 2026",
    ),
    ("2026-12-31T08:00:00Z", "D|DD", "12/31/2026|Dec 31, 2026"),
    ("2026-05-09T08:00:00Z", "DD|f", "May 9, 2026|5/9/2026, 8:00 AM"),
    ("0999-03-04T09:05:00Z", "D|DD|DDDD", "3/4/999|Mar 4, 999|Monday, March 4, 999"),
]


@pytest.mark.parametrize(("iso", "fmt", "expected"), DAYS, ids=[iso[:10] for iso, _, _ in DAYS])
def test_dates_are_unpadded(iso: str, fmt: str, expected: str) -> None:
    assert _call("format_date", iso, fmt) == expected


COMBINED = [
    ("D 'D' T", "8/6/2014 D 13:07"),
    ("DT", "8/6/201413:07"),
    ("DDDDD", "DDDDD"),
    ("fffff|FFFFF|ttttt|TTTTT", "fffff|FFFFF|ttttt|TTTTT"),
    ("yyyy-MM-dd'T'TT", "2014-08-06T13:07:04"),
    ("'f'f", "f8/6/2014, 1:07 PM"),
    ("EEE, DD", "Wed, Aug 6, 2014"),
    ("DDDD '@' TTTT", "Wednesday, August 6, 2014 @ 13:07:04 Eastern Daylight Time"),
    ("tt.SSS", "1:07:04 PM.054"),
]


@pytest.mark.parametrize(("fmt", "expected"), COMBINED, ids=[f for f, _ in COMBINED])
def test_macros_combine_with_other_tokens_and_literals(fmt: str, expected: str) -> None:
    assert format_datetime(NEW_YORK, fmt) == expected


LOCAL = [
    ("America/New_York", "f|ttt", "8/6/2014, 1:07 PM|1:07:04 PM EDT"),
    ("UTC", "ttt|tttt", "5:07:04 PM UTC|5:07:04 PM Coordinated Universal Time"),
    ("Asia/Kolkata", "fff", "August 6, 2014 at 10:37 PM GMT+5:30"),
    ("<+0530>-5:30", "ttt|tttt", "10:37:04 PM GMT+5:30|10:37:04 PM GMT+05:30"),
    ("UTC0", "ttt|tttt", "5:07:04 PM UTC|5:07:04 PM Coordinated Universal Time"),
]


@pytest.mark.parametrize(
    ("local_tz", "fmt", "expected"), LOCAL, ids=[z for z, _, _ in LOCAL], indirect=["local_tz"]
)
def test_local_zone_of_strings_without_offset(local_tz: None, fmt: str, expected: str) -> None:
    instant = datetime(2014, 8, 6, 17, 7, 4, 54000, tzinfo=UTC)
    local = _call("format_date", instant.timestamp() * 1000, "yyyy-MM-dd'T'HH:mm:ss.SSS")
    assert _call("format_date", local, fmt) == expected


@pytest.mark.parametrize("local_tz", ["America/New_York"], indirect=True)
def test_macros_apply_to_date_and_time_builtins(
    local_tz: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowscript.expressions.builtins import dates

    instant = datetime(2014, 8, 6, 17, 7, 4, tzinfo=UTC)
    monkeypatch.setattr(dates, "current_time", lambda: instant)
    assert _call("date", "DDD") == "August 6, 2014"
    assert _call("time", "t") == "1:07 PM"
    assert _call("time", "TTT") == "13:07:04 EDT"


def test_macros_cannot_parse() -> None:
    with pytest.raises(ExpressionEvalError, match=r"parse_date\(\): the token 'D' cannot be used"):
        _call("parse_date", "8/6/2014", "D")
