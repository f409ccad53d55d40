"""Time built-ins (expressions.md §6, Time): ISO strings, Luxon tokens, calendar arithmetic."""

from __future__ import annotations

import math
from typing import Any

import pytest

from flowscript.errors import ExpressionEvalError, LimitExceededError
from flowscript.expressions.sandbox import Limits
from flowscript.expressions.values import UNDEFINED

pytestmark = pytest.mark.usefixtures("paris")

STAMP = "2026-03-05T14:07:09.045+01:00"


class TestClock:
    def test_now_is_luxon_iso_in_local_time(self, call: Any, frozen_now: Any) -> None:
        frozen_now("2026-11-24T09:00:00.123456+00:00")
        assert call("now") == "2026-11-24T10:00:00.123+01:00"

    def test_now_follows_summer_time(self, call: Any, frozen_now: Any) -> None:
        frozen_now("2026-07-01T09:00:00+00:00")
        assert call("now") == "2026-07-01T11:00:00.000+02:00"

    def test_now_in_utc(self, call: Any, frozen_now: Any, utc_tz: None) -> None:
        frozen_now("2026-07-01T09:00:00+00:00")
        assert call("now") == "2026-07-01T09:00:00.000+00:00"

    def test_date_and_time(self, call: Any, frozen_now: Any) -> None:
        frozen_now("2026-12-31T23:30:05+00:00")
        assert call("date") == "2027-01-01"
        assert call("time") == "00:30:05"
        assert call("date", "dd/MM/yy") == "01/01/27"
        assert call("time", "h:mm a") == "12:30 AM"

    def test_timestamp(self, call: Any, frozen_now: Any) -> None:
        frozen_now("2026-01-01T00:00:00.250+00:00")
        assert call("timestamp") == 1767225600250


class TestFormat:
    def test_spec_example(self, call: Any) -> None:
        result = call("format_date", STAMP, "EEEE d MMMM yyyy 'at' hh:mm a ZZ")
        assert result == "Thursday 5 March 2026 at 02:07 PM +01:00"

    @pytest.mark.parametrize(
        ("fmt", "expected"),
        [
            ("yyyy yy y", "2026 26 2026"),
            ("MM M MMM MMMM", "03 3 Mar March"),
            ("dd d", "05 5"),
            ("HH H hh h", "14 14 02 2"),
            ("mm m ss s SSS S", "07 7 09 9 045 45"),
            ("a EEE EEEE E", "PM Thu Thursday 4"),
            ("ZZ Z ZZZ", "+01:00 +1 +0100"),
            ("z", "+01:00"),
            ("X x", "1772716029 1772716029045"),
            ("o ooo q W", "64 064 1 10"),
            ("LLL cccc", "Mar Thursday"),
            ("yyyy-MM-dd'T'HH:mm", "2026-03-05T14:07"),
            ("'It''s' h 'o''clock'", "It's 2 o'clock"),
            ("''", "'"),
            ("b Q", "b Q"),
        ],
        ids=[
            "years",
            "months",
            "days",
            "hours",
            "minutes-seconds-ms",
            "meridiem-weekdays",
            "offsets",
            "zone-name",
            "epoch",
            "ordinal-quarter-week",
            "standalone",
            "quoted-T",
            "escaped-quotes",
            "lone-escaped-quote",
            "unknown-letters-literal",
        ],
    )
    def test_tokens(self, call: Any, fmt: str, expected: str) -> None:
        assert call("format_date", STAMP, fmt) == expected

    def test_zone_name_of_local_times(self, call: Any) -> None:
        assert call("format_date", "2026-07-05T14:07:09", "z ZZ") == "Europe/Paris +02:00"

    def test_offset_of_the_string_is_kept(self, call: Any) -> None:
        assert (
            call("format_date", "2026-03-05T14:07:00+05:30", "HH:mm ZZ Z z")
            == "14:07 +05:30 +5:30 +05:30"
        )
        assert call("format_date", "2026-03-05T14:07:00Z", "HH:mm ZZ Z z") == "14:07 +00:00 +0 UTC"

    def test_midnight_and_noon_in_12_hour_clock(self, call: Any) -> None:
        assert call("format_date", "2026-03-05T00:05:00", "h:mm a") == "12:05 AM"
        assert call("format_date", "2026-03-05T12:05:00", "h:mm a") == "12:05 PM"

    def test_epoch_milliseconds_are_accepted(self, call: Any) -> None:
        assert call("format_date", 0, "yyyy-MM-dd HH:mm ZZ") == "1970-01-01 01:00 +01:00"

    def test_nullish_gives_null(self, call: Any) -> None:
        assert call("format_date", None, "yyyy") is None
        assert call("format_date", UNDEFINED, "yyyy") is None

    def test_invalid_date_is_an_error(self, call: Any) -> None:
        with pytest.raises(
            ExpressionEvalError, match=r"format_date\(\): 'yesterday' is not an ISO-8601"
        ):
            call("format_date", "yesterday", "yyyy")


class TestParse:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2026-03-05", "2026-03-05T00:00:00.000+01:00"),
            ("2026-07-05T10:00", "2026-07-05T10:00:00.000+02:00"),
            ("2026-03-05T14:07:09.045678Z", "2026-03-05T14:07:09.045Z"),
            ("2026-03-05T14:07:09+05:30", "2026-03-05T14:07:09.000+05:30"),
            ("2026-03", "2026-03-01T00:00:00.000+01:00"),
            ("2026", "2026-01-01T00:00:00.000+01:00"),
            ("  2026-03-05  ", "2026-03-05T00:00:00.000+01:00"),
            ("2026-02-30", None),
            ("next tuesday", None),
            ("", None),
        ],
        ids=[
            "date",
            "summer",
            "utc-micro",
            "offset",
            "year-month",
            "year",
            "spaces",
            "bad-day",
            "words",
            "empty",
        ],
    )
    def test_iso(self, call: Any, text: str, expected: str | None) -> None:
        assert call("parse_date", text) == expected

    def test_dst_gap_moves_forward(self, call: Any) -> None:
        assert call("parse_date", "2026-03-29T02:30:00") == "2026-03-29T03:30:00.000+02:00"

    @pytest.mark.parametrize(
        ("text", "fmt", "expected"),
        [
            ("05/03/2026 2:07 pm", "dd/MM/yyyy h:mm a", "2026-03-05T14:07:00.000+01:00"),
            ("12:15 AM 1/1/26", "hh:mm a M/d/yy", "2026-01-01T00:15:00.000+01:00"),
            ("5 March 2026", "d MMMM yyyy", "2026-03-05T00:00:00.000+01:00"),
            ("thu 5 mar 2026 +05:30", "EEE d MMM yyyy ZZ", "2026-03-05T00:00:00.000+05:30"),
            ("2026-03-05 Asia/Tokyo", "yyyy-MM-dd z", "2026-03-05T00:00:00.000+09:00"),
            ("1/2/99", "d/M/yy", "1999-02-01T00:00:00.000+01:00"),
            ("1772716029045", "x", "2026-03-05T14:07:09.045+01:00"),
            ("20260305 140709.5", "yyyyMMdd HHmmss.S", "2026-03-05T14:07:09.005+01:00"),
            ("on 2026-03-05", "'on' yyyy-MM-dd", "2026-03-05T00:00:00.000+01:00"),
        ],
        ids=[
            "dmy-12h",
            "midnight-12h",
            "month-name",
            "weekday-offset",
            "zone",
            "two-digit-year",
            "epoch-ms",
            "compact",
            "literal",
        ],
    )
    def test_with_format(self, call: Any, text: str, fmt: str, expected: str) -> None:
        assert call("parse_date", text, fmt) == expected

    def test_missing_high_units_come_from_now(self, call: Any, frozen_now: Any) -> None:
        frozen_now("2026-11-24T09:00:00+00:00")
        assert call("parse_date", "14:30", "HH:mm") == "2026-11-24T14:30:00.000+01:00"
        assert call("parse_date", "03-05", "MM-dd") == "2026-03-05T00:00:00.000+01:00"

    @pytest.mark.parametrize(
        ("text", "fmt"),
        [
            ("2026-02-30", "yyyy-MM-dd"),
            ("Fri 5 Mar 2026", "EEE d MMM yyyy"),
            ("2026-03-05", "dd/MM/yyyy"),
            ("25:00", "HH:mm"),
            ("2026-03-05 Mars/Olympus", "yyyy-MM-dd z"),
        ],
        ids=["bad-day", "wrong-weekday", "mismatch", "bad-hour", "unknown-zone"],
    )
    def test_failure_gives_null(self, call: Any, text: str, fmt: str) -> None:
        assert call("parse_date", text, fmt) is None

    def test_format_only_token_is_an_error(self, call: Any) -> None:
        with pytest.raises(ExpressionEvalError, match="'q' cannot be used to parse"):
            call("parse_date", "1", "q")

    def test_nullish_and_numbers(self, call: Any) -> None:
        assert call("parse_date", None) is None
        assert call("parse_date", 0) == "1970-01-01T01:00:00.000+01:00"


class TestArithmetic:
    @pytest.mark.parametrize(
        ("iso", "duration", "expected"),
        [
            ("2026-01-31T10:00:00+01:00", "P1M", "2026-02-28T10:00:00.000+01:00"),
            ("2024-02-29T10:00:00", "P1Y", "2025-02-28T10:00:00.000+01:00"),
            ("2026-03-28T12:00:00", "P1D", "2026-03-29T12:00:00.000+02:00"),
            ("2026-03-28T12:00:00", "PT24H", "2026-03-29T13:00:00.000+02:00"),
            ("2026-03-28T12:00:00", "1d", "2026-03-29T12:00:00.000+02:00"),
            ("2026-03-05T10:00:00Z", "1h30m", "2026-03-05T11:30:00.000Z"),
            ("2026-03-05T10:00:00Z", "P1W", "2026-03-12T10:00:00.000Z"),
            ("2026-03-05T10:00:00Z", "P1DT2H3M4.5S", "2026-03-06T12:03:04.500Z"),
            ("2026-03-05T10:00:00Z", "P1.5D", "2026-03-06T22:00:00.000Z"),
            ("2026-03-05T10:00:00Z", "-P1D", "2026-03-04T10:00:00.000Z"),
            ("2026-03-05T10:00:00Z", 1500, "2026-03-05T10:00:01.500Z"),
            ("2026-03-05T10:00:00Z", "250", "2026-03-05T10:00:00.250Z"),
        ],
        ids=[
            "month-clamps",
            "leap-year",
            "calendar-day-over-dst",
            "hours-over-dst",
            "compact-day-is-calendar",
            "compact",
            "week",
            "mixed",
            "fractional-day",
            "negative",
            "number-ms",
            "string-ms",
        ],
    )
    def test_add_time(self, call: Any, iso: str, duration: Any, expected: str) -> None:
        assert call("add_time", iso, duration) == expected

    def test_subtract_time(self, call: Any) -> None:
        assert call("subtract_time", "2026-03-31T10:00:00Z", "P1M") == "2026-02-28T10:00:00.000Z"
        assert call("subtract_time", "2026-03-05T10:00:00Z", "90m") == "2026-03-05T08:30:00.000Z"
        assert call("subtract_time", None, "P1D") is None

    def test_bad_duration_is_an_error(self, call: Any) -> None:
        with pytest.raises(ExpressionEvalError, match=r"add_time\(\): invalid duration 'soon'"):
            call("add_time", STAMP, "soon")

    def test_out_of_range_is_an_error(self, call: Any) -> None:
        with pytest.raises(ExpressionEvalError, match="out of range"):
            call("add_time", "9999-12-31T00:00:00Z", "P1Y")


class TestDiff:
    @pytest.mark.parametrize(
        ("a", "b", "unit", "expected"),
        [
            ("2026-03-10T00:00:00Z", "2026-03-05T12:00:00Z", UNDEFINED, 4.5),
            ("2026-03-05T00:00:00Z", "2026-03-10T00:00:00Z", "days", -5),
            ("2026-02-15T00:00:00Z", "2026-01-01T00:00:00Z", "months", 1.5),
            ("2027-07-01T00:00:00Z", "2026-01-01T00:00:00Z", "years", 1 + 181 / 365),
            ("2026-03-05T01:30:00Z", "2026-03-05T00:00:00Z", "hours", 1.5),
            ("2026-03-05T00:00:01Z", "2026-03-05T00:00:00Z", "milliseconds", 1000),
            ("2026-03-05T00:01:30Z", "2026-03-05T00:00:00Z", "minutes", 1.5),
            ("2026-03-05T00:00:01.5Z", "2026-03-05T00:00:00Z", "seconds", 1.5),
            ("2026-03-19T00:00:00Z", "2026-03-05T00:00:00Z", "weeks", 2),
            ("2026-03-30T00:00:00", "2026-03-29T00:00:00", "hours", 23),
            ("2026-03-30T00:00:00", "2026-03-29T00:00:00", "day", 1),
            ("2026-03-05T10:00:00+01:00", "2026-03-05T09:00:00Z", "hours", 0),
        ],
        ids=[
            "default-days",
            "negative",
            "months-fraction",
            "years-fraction",
            "hours",
            "ms",
            "minutes",
            "seconds",
            "weeks",
            "dst-day-has-23-hours",
            "dst-day-is-one-day",
            "offsets",
        ],
    )
    def test_diff(self, call: Any, a: str, b: str, unit: Any, expected: float) -> None:
        assert call("diff", a, b, unit) == pytest.approx(expected)

    def test_whole_results_are_ints(self, call: Any) -> None:
        result = call("diff", "2026-03-10T00:00:00Z", "2026-03-05T00:00:00Z")
        assert result == 5 and isinstance(result, int)

    def test_unknown_unit_is_an_error(self, call: Any) -> None:
        with pytest.raises(ExpressionEvalError, match="unknown unit 'fortnights'"):
            call("diff", STAMP, STAMP, "fortnights")

    def test_nullish_gives_null(self, call: Any) -> None:
        assert call("diff", None, STAMP) is None


def test_from_timestamp(call: Any) -> None:
    assert call("from_timestamp", 1772716029045) == "2026-03-05T14:07:09.045+01:00"
    assert call("from_timestamp", "0") == "1970-01-01T01:00:00.000+01:00"
    assert call("from_timestamp", None) is None
    with pytest.raises(ExpressionEvalError, match="not a number of milliseconds"):
        call("from_timestamp", "soon")


@pytest.mark.parametrize(
    ("unit", "start", "end"),
    [
        ("year", "2026-01-01T00:00:00.000+01:00", "2026-12-31T23:59:59.999+01:00"),
        ("quarter", "2026-01-01T00:00:00.000+01:00", "2026-03-31T23:59:59.999+01:00"),
        ("month", "2026-03-01T00:00:00.000+01:00", "2026-03-31T23:59:59.999+01:00"),
        ("week", "2026-03-02T00:00:00.000+01:00", "2026-03-08T23:59:59.999+01:00"),
        ("day", "2026-03-05T00:00:00.000+01:00", "2026-03-05T23:59:59.999+01:00"),
        ("hour", "2026-03-05T14:00:00.000+01:00", "2026-03-05T14:59:59.999+01:00"),
        ("minute", "2026-03-05T14:07:00.000+01:00", "2026-03-05T14:07:59.999+01:00"),
        ("seconds", "2026-03-05T14:07:09.000+01:00", "2026-03-05T14:07:09.999+01:00"),
    ],
    ids=["year", "quarter", "month", "week-monday", "day", "hour", "minute", "second"],
)
def test_start_and_end_of(call: Any, unit: str, start: str, end: str) -> None:
    assert call("start_of", STAMP, unit) == start
    assert call("end_of", STAMP, unit) == end


def test_end_of_local_month_follows_summer_time(call: Any) -> None:
    assert call("start_of", "2026-03-15T12:00:00", "month") == "2026-03-01T00:00:00.000+01:00"
    assert call("end_of", "2026-03-15T12:00:00", "month") == "2026-03-31T23:59:59.999+02:00"
    assert call("start_of", "2026-03-29T12:00:00", "day") == "2026-03-29T00:00:00.000+01:00"


def test_start_of_keeps_the_offset_of_the_string(call: Any) -> None:
    assert call("start_of", "2026-03-05T14:07:09Z", "day") == "2026-03-05T00:00:00.000Z"


def test_start_of_unknown_unit(call: Any) -> None:
    with pytest.raises(ExpressionEvalError, match="unknown unit 'decade'"):
        call("start_of", STAMP, "decade")


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("year", 2026),
        ("quarter", 1),
        ("month", 3),
        ("day", 5),
        ("weekday", 4),
        ("hour", 14),
        ("minute", 7),
        ("second", 9),
        ("millisecond", 45),
        ("dayOfYear", 64),
        ("week", 10),
        ("weekNumber", 10),
        ("offset", 60),
        ("Years", 2026),
    ],
    ids=lambda v: str(v),
)
def test_get_part(call: Any, part: str, expected: int) -> None:
    assert call("get_part", STAMP, part) == expected


def test_get_part_unknown(call: Any) -> None:
    with pytest.raises(ExpressionEvalError, match="unknown part 'era'"):
        call("get_part", STAMP, "era")
    assert call("get_part", None, "year") is None


def test_is_before_and_after(call: Any) -> None:
    earlier, later = "2026-03-05T10:00:00+01:00", "2026-03-05T09:30:00Z"
    assert call("is_before", earlier, later) is True
    assert call("is_after", earlier, later) is False
    assert call("is_after", later, earlier) is True
    assert call("is_before", earlier, earlier) is False
    assert call("is_before", None, later) is False


class TestRelative:
    @pytest.mark.parametrize(
        ("iso", "expected"),
        [
            ("2026-11-21T09:00:00Z", "3 days ago"),
            ("2026-11-24T11:00:00Z", "in 2 hours"),
            ("2026-11-24T09:00:00.500Z", "just now"),
            ("2026-11-24T08:59:55Z", "5 seconds ago"),
            ("2026-11-23T09:00:00Z", "1 day ago"),
            ("2026-11-24T09:01:00Z", "in 1 minute"),
            ("2024-10-24T09:00:00Z", "2 years ago"),
            ("2027-01-25T09:00:00Z", "in 2 months"),
        ],
        ids=[
            "days-ago",
            "in-hours",
            "just-now",
            "seconds",
            "singular",
            "in-minute",
            "years",
            "months",
        ],
    )
    def test_relative_to_now(self, call: Any, frozen_now: Any, iso: str, expected: str) -> None:
        frozen_now("2026-11-24T09:00:00+00:00")
        assert call("relative", iso) == expected

    def test_relative_to_a_base(self, call: Any) -> None:
        assert call("relative", "2026-01-01T00:00:00Z", "2026-01-04T01:00:00Z") == "3 days ago"
        assert call("relative", None) is None


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("1h30m", 5_400_000),
        ("PT0.5S", 500),
        ("500", 500),
        (250, 250),
        ("P1D", 86_400_000),
        ("-1s", -1000),
        ("0s", 0),
    ],
    ids=["compact", "iso-fraction", "ms-string", "number", "day", "negative", "zero"],
)
def test_duration(call: Any, spec: Any, expected: int) -> None:
    result = call("duration", spec)
    assert result == expected and isinstance(result, int)


def test_duration_rejects_garbage(call: Any) -> None:
    with pytest.raises(ExpressionEvalError, match=r"duration\(\): invalid duration 'a while'"):
        call("duration", "a while")
    with pytest.raises(ExpressionEvalError, match="invalid duration"):
        call("duration", math.nan)


def test_parse_with_format_is_time_bounded(call_limited: Any) -> None:
    with pytest.raises(LimitExceededError, match=r"parse_date\(\): matching took more than"):
        call_limited(Limits(regex_timeout=1e-9), "parse_date", "2026-01-01", "yyyy-MM-dd")


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("diff", ["9999-12-15T00:00:00Z", "9999-01-01T00:00:00Z", "years"]),
        ("add_time", ["2020-01-01T00:00:00Z", "P99999999999Y"]),
        ("from_timestamp", [1e20]),
    ],
    ids=["diff-past-9999", "huge-duration", "huge-timestamp"],
)
def test_dates_out_of_range_are_errors(call: Any, name: str, args: list[Any]) -> None:
    with pytest.raises(ExpressionEvalError, match="out of range"):
        call(name, *args)
