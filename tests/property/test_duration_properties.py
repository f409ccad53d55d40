"""Property tests for duration parsing (format.md §3.5)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from flowscript.model.durations import MAX_DURATION_MS, parse_duration

UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}

amounts = st.one_of(
    st.integers(min_value=0, max_value=10_000).map(str),
    st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False).map(
        lambda d: format(d, "f")
    ),
)
parts = st.lists(
    st.tuples(amounts, st.sampled_from(list(UNIT_MS)), st.sampled_from(["", " ", "  "])),
    min_size=1,
    max_size=6,
)


def expected_total(items: list[tuple[str, str, str]]) -> Decimal:
    return sum((Decimal(n) * UNIT_MS[unit] for n, unit, _ in items), Decimal(0))


@given(parts)
def test_unit_sequences_add_up(items: list[tuple[str, str, str]]) -> None:
    text = "".join(f"{n}{unit}{space}" for n, unit, space in items)
    total = expected_total(items)
    if 0 < total <= MAX_DURATION_MS:
        assert parse_duration(text) == float(total)
    else:
        try:
            parse_duration(text)
        except ValueError as exc:
            assert "invalid duration" in str(exc)
        else:
            raise AssertionError(f"{text!r} should be rejected")


@given(st.integers(min_value=1, max_value=MAX_DURATION_MS))
def test_integers_are_milliseconds(ms: int) -> None:
    assert parse_duration(str(ms)) == ms


@given(
    st.integers(min_value=0, max_value=9),
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=0, max_value=59),
    st.integers(min_value=0, max_value=59),
)
def test_iso_matches_compact(days: int, hours: int, minutes: int, seconds: int) -> None:
    iso = f"P{days}DT{hours}H{minutes}M{seconds}S"
    compact = f"{days}d{hours}h{minutes}m{seconds}s"
    total = ((days * 24 + hours) * 60 + minutes) * 60_000 + seconds * 1000
    if total == 0:
        return
    assert parse_duration(iso) == parse_duration(compact) == total


@given(st.text(max_size=40))
def test_arbitrary_text_raises_only_value_error(text: str) -> None:
    try:
        result = parse_duration(text)
    except ValueError as exc:
        assert str(exc).startswith("invalid duration")
    else:
        assert 0 < result <= MAX_DURATION_MS


@given(st.text(alphabet="0123456789.,PTYMWDHS msdh-", max_size=25))
def test_duration_like_text_raises_only_value_error(text: str) -> None:
    try:
        result = parse_duration(text)
    except ValueError as exc:
        assert str(exc).startswith("invalid duration")
    else:
        assert 0 < result <= MAX_DURATION_MS
