"""Duration strings (format.md §3.5)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from flowscript.model.durations import MAX_DURATION_MS, duration_parts, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500", 500),
        ("  500  ", 500),
        ("PT1H30M", 5_400_000),
        ("P1D", 86_400_000),
        ("PT0.5S", 500),
        ("PT0,5S", 500),
        ("P1W", 604_800_000),
        ("P1M", 30 * 86_400_000),
        ("P1Y", 365 * 86_400_000),
        ("P1DT1S", 86_401_000),
        ("1h30m", 5_400_000),
        ("1.5s", 1500),
        ("250ms", 250),
        ("2d", 172_800_000),
        ("1h 30m", 5_400_000),
        ("1 h", 3_600_000),
        ("1m1ms", 60_001),
        ("30s30s", 60_000),
        ("0.001s", 1),
        ("P10Y", MAX_DURATION_MS),
    ],
    ids=lambda v: repr(v),
)
def test_valid(text: str, expected: float) -> None:
    result = parse_duration(text)
    assert result == expected
    assert isinstance(result, float)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "1.5",
        "10x",
        "h",
        "1hh",
        "P",
        "PT",
        "P1DT",
        "pt1h",
        "1H",
        "1,5s",
        "1e3ms",
        "+5s",
        "5s-",
        "P1H",
        "PT1D",
        "١٢",
        "١s",
        "PT١S",
    ],
    ids=lambda v: repr(v),
)
def test_invalid_says_what_is_accepted(text: str) -> None:
    with pytest.raises(
        ValueError, match=r"invalid duration .*use milliseconds \(\"500\"\), an ISO-8601"
    ):
        parse_duration(text)


@pytest.mark.parametrize("text", ["0", "0s", "PT0S", "-1s", "-P1D", "0ms0s"], ids=lambda v: repr(v))
def test_zero_and_negative_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="it must be positive"):
        parse_duration(text)


@pytest.mark.parametrize(
    "text", ["P11Y", "3651d", "99999999999999999999999999h"], ids=lambda v: v[:10]
)
def test_absurd_values_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="longer than the maximum of 10 years"):
        parse_duration(text)


def test_non_strings_are_a_type_error() -> None:
    with pytest.raises(TypeError, match="must be a string, not int"):
        parse_duration(500)  # type: ignore[arg-type]


def test_parts_keep_calendar_units_apart() -> None:
    assert duration_parts("P1Y2M3W4DT5H6M7.5S") == {
        "years": Decimal(1),
        "months": Decimal(2),
        "weeks": Decimal(3),
        "days": Decimal(4),
        "hours": Decimal(5),
        "minutes": Decimal(6),
        "seconds": Decimal("7.5"),
    }
    assert duration_parts("1d2h3m4s5ms") == {
        "days": Decimal(1),
        "hours": Decimal(2),
        "minutes": Decimal(3),
        "seconds": Decimal(4),
        "milliseconds": Decimal(5),
    }


def test_parts_allow_sign_and_zero() -> None:
    assert duration_parts("-P1D") == {"days": Decimal(-1)}
    assert duration_parts("- 2h") == {"hours": Decimal(-2)}
    assert duration_parts("0") == {"milliseconds": Decimal(0)}
