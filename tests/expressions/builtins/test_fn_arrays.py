"""Array built-ins (expressions.md §6, Array)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from flowscript.errors import ExpressionEvalError, LimitExceededError
from flowscript.expressions.sandbox import Limits
from flowscript.expressions.values import UNDEFINED

PEOPLE = [
    {"name": "ann", "age": 31, "type": "a", "ok": True},
    {"name": "bob", "age": 25, "type": "b", "ok": False},
    {"name": "cid", "age": None, "type": "a", "ok": 1},
    {"name": "dee", "age": 25, "type": "b"},
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [([1, 2, 3], 3), ("abcd", 4), ({"a": 1, "b": 2}, 2), (None, 0), (UNDEFINED, 0), (42, 0)],
    ids=["array", "string", "object", "null", "undefined", "number"],
)
def test_length(call: Any, value: Any, expected: int) -> None:
    assert call("length", value) == expected


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("first", [1, 2, 3], 1),
        ("first", [], UNDEFINED),
        ("first", "abc", "a"),
        ("first", None, UNDEFINED),
        ("last", [1, 2, 3], 3),
        ("last", [], UNDEFINED),
        ("last", "abc", "c"),
        ("last", UNDEFINED, UNDEFINED),
    ],
    ids=[
        "first",
        "first-empty",
        "first-string",
        "first-null",
        "last",
        "last-empty",
        "last-string",
        "last-undef",
    ],
)
def test_first_last(call: Any, name: str, value: Any, expected: Any) -> None:
    assert call(name, value) is expected or call(name, value) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([[1, 2, 3, 4], 1, 3], [2, 3]),
        ([[1, 2, 3, 4], -2], [3, 4]),
        ([[1, 2, 3, 4], 1, -1], [2, 3]),
        ([[1, 2, 3, 4], 3, 1], []),
        ([[1, 2, 3], -10, 10], [1, 2, 3]),
        (["hello", 1, -1], "ell"),
        ([None, 0, 1], []),
    ],
    ids=["range", "negative-start", "negative-end", "crossed", "clamped", "string", "null"],
)
def test_slice(call: Any, args: list[Any], expected: Any) -> None:
    assert call("slice", *args) == expected


def test_slice_rejects_non_arrays(call: Any) -> None:
    with pytest.raises(ExpressionEvalError, match=r"slice\(\) expects an array, got object"):
        call("slice", {"a": 1}, 0)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([[1, [2, [3, [4]]]]], [1, 2, [3, [4]]]),
        ([[1, [2, [3, [4]]]], 2], [1, 2, 3, [4]]),
        ([[1, [2, [3, [4]]]], math.inf], [1, 2, 3, 4]),
        ([[1, [2]], 0], [1, [2]]),
        ([None], []),
    ],
    ids=["default", "depth-2", "infinity", "zero", "null"],
)
def test_flatten(call: Any, args: list[Any], expected: Any) -> None:
    assert call("flatten", *args) == expected


def test_unique_uses_deep_equality_and_keeps_first(call: Any) -> None:
    values = [1, 1.0, "1", {"a": [1]}, {"a": [1]}, [1, 2], [1, 2], None, UNDEFINED, None, True, 1]
    result = call("unique", values)
    assert result == [1, "1", {"a": [1]}, [1, 2], None, UNDEFINED, True]
    assert result[0] is values[0]


def test_unique_treats_nan_as_equal_to_itself(call: Any) -> None:
    result = call("unique", [math.nan, math.nan, 0])
    assert len(result) == 2 and math.isnan(result[0]) and result[1] == 0


def test_reverse_returns_a_copy(call: Any) -> None:
    items = [1, 2, 3]
    assert call("reverse", items) == [3, 2, 1]
    assert items == [1, 2, 3]
    assert call("reverse", "abc") == "cba"
    assert call("reverse", None) == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([[1, {"a": [2]}], {"a": [2]}], True),
        ([[1, 2], "1"], False),
        (["hello", "ell"], True),
        (["hello", None], False),
        ([{"k": [1]}, [1]], True),
        ([None, 1], False),
    ],
    ids=["deep", "strict-types", "string", "string-null", "object-values", "null"],
)
def test_contains(call: Any, args: list[Any], expected: bool) -> None:
    assert call("contains", *args) is expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([[1, {"a": 1}, 3], {"a": 1}], 1),
        ([[1, 2], 5], -1),
        (["hello", "l"], 2),
        (["hello", "z"], -1),
        ([None, 1], -1),
    ],
    ids=["deep", "missing", "string", "string-missing", "null"],
)
def test_index_of(call: Any, args: list[Any], expected: int) -> None:
    assert call("index_of", *args) == expected


class TestSort:
    def test_numbers_sort_numerically(self, call: Any) -> None:
        assert call("sort", [10, 9, 1, 100, -5, 2.5]) == [-5, 1, 2.5, 9, 10, 100]

    def test_strings_sort_by_code_units(self, call: Any) -> None:
        assert call("sort", ["b", "B", "a", "é", "😀", "\uffff"]) == [
            "B",
            "a",
            "b",
            "é",
            "😀",
            "\uffff",
        ]

    def test_nulls_last_in_both_directions(self, call: Any) -> None:
        assert call("sort", [3, None, 1, UNDEFINED, 2]) == [1, 2, 3, None, UNDEFINED]
        assert call("sort", [3, None, 1, UNDEFINED, 2], UNDEFINED, "desc") == [
            3,
            2,
            1,
            None,
            UNDEFINED,
        ]

    def test_mixed_types_group_numbers_strings_booleans(self, call: Any) -> None:
        assert call("sort", [True, "b", 2, False, "a", 1]) == [1, 2, "a", "b", False, True]

    def test_by_key_is_stable(self, call: Any) -> None:
        names = [p["name"] for p in call("sort", PEOPLE, "age")]
        assert names == ["bob", "dee", "ann", "cid"]

    def test_by_key_descending_is_stable_with_nulls_last(self, call: Any) -> None:
        names = [p["name"] for p in call("sort", PEOPLE, "age", "desc")]
        assert names == ["ann", "bob", "dee", "cid"]

    def test_by_key_function(self, call: Any, fn: Any) -> None:
        result = call("sort", ["ccc", "a", "bb"], fn(lambda s: len(s)))
        assert result == ["a", "bb", "ccc"]

    def test_by_comparator(self, call: Any, fn: Any) -> None:
        result = call("sort", [1, 3, 2], fn(lambda a, b: b - a))
        assert result == [3, 2, 1]

    def test_comparator_descending_reverses_it(self, call: Any, fn: Any) -> None:
        assert call("sort", [1, 3, 2], fn(lambda a, b: a - b), "desc") == [3, 2, 1]

    def test_returns_a_copy(self, call: Any) -> None:
        items = [3, 1, 2]
        assert call("sort", items) == [1, 2, 3]
        assert items == [3, 1, 2]

    def test_bad_order_is_an_error(self, call: Any) -> None:
        with pytest.raises(ExpressionEvalError, match='"asc" or "desc"'):
            call("sort", [1], UNDEFINED, "up")

    def test_null_sorts_to_empty(self, call: Any) -> None:
        assert call("sort", None) == []


def test_compact_removes_falsy(call: Any) -> None:
    assert call("compact", [0, 1, "", "a", None, UNDEFINED, False, [], {}, math.nan]) == [
        1,
        "a",
        [],
        {},
    ]


class TestCount:
    def test_without_predicate_counts_items(self, call: Any) -> None:
        assert call("count", [1, 2, 3]) == 3
        assert call("count", None) == 0

    def test_key_name_counts_truthy(self, call: Any) -> None:
        assert call("count", PEOPLE, "ok") == 2

    def test_function_predicate(self, call: Any, fn: Any) -> None:
        assert call("count", [1, 2, 3, 4], fn(lambda x: x % 2 == 0)) == 2

    def test_function_gets_the_index(self, call: Any, fn: Any) -> None:
        assert call("count", ["a", "b", "c"], fn(lambda x, i: i > 0)) == 2

    def test_other_values_count_equal_items(self, call: Any) -> None:
        assert call("count", [1, 2, 1, [1]], 1) == 2


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([[1, 2, 3], -1], 3),
        ([[1, 2, 3], 0], 1),
        ([[1, 2, 3], 3], UNDEFINED),
        ([[1, 2, 3], -4], UNDEFINED),
        (["abc", -1], "c"),
        ([None, 0], UNDEFINED),
    ],
    ids=["negative", "zero", "past-end", "before-start", "string", "null"],
)
def test_at(call: Any, args: list[Any], expected: Any) -> None:
    assert call("at", *args) == expected


class TestPredicates:
    def test_every(self, call: Any, fn: Any) -> None:
        assert call("every", [2, 4], fn(lambda x: x % 2 == 0)) is True
        assert call("every", [2, 3], fn(lambda x: x % 2 == 0)) is False
        assert call("every", [], fn(lambda x: False)) is True
        assert call("every", PEOPLE, "type") is True

    def test_every_stops_at_first_failure(self, call: Any, fn: Any) -> None:
        pred = fn(lambda x: x < 2)
        call("every", [1, 5, 0, 0], pred)
        assert pred.calls == 2

    def test_some(self, call: Any, fn: Any) -> None:
        assert call("some", [1, 3, 4], fn(lambda x: x % 2 == 0)) is True
        assert call("some", [1, 3], fn(lambda x: x % 2 == 0)) is False
        assert call("some", None, fn(lambda x: True)) is False

    def test_find(self, call: Any, fn: Any) -> None:
        assert call("find", PEOPLE, fn(lambda p: p["age"] == 25)) is PEOPLE[1]
        assert call("find", PEOPLE, fn(lambda p: p["age"] == 99)) is UNDEFINED
        assert call("find", PEOPLE, "ok") is PEOPLE[0]

    def test_map(self, call: Any, fn: Any) -> None:
        assert call("map", [1, 2], fn(lambda x, i: x * 10 + i)) == [10, 21]
        assert call("map", PEOPLE, "name") == ["ann", "bob", "cid", "dee"]
        assert call("map", None, fn(lambda x: x)) == []

    def test_filter(self, call: Any, fn: Any) -> None:
        assert call("filter", [1, 2, 3, 4], fn(lambda x: x > 2)) == [3, 4]
        assert [p["name"] for p in call("filter", PEOPLE, "ok")] == ["ann", "cid"]

    def test_predicate_must_be_function_or_key(self, call: Any) -> None:
        with pytest.raises(
            ExpressionEvalError, match=r"filter\(\) expects a function or a key name"
        ):
            call("filter", [1], 5)

    def test_non_array_is_an_error(self, call: Any, fn: Any) -> None:
        with pytest.raises(ExpressionEvalError, match=r"map\(\) expects an array, got string"):
            call("map", "abc", fn(lambda x: x))


class TestReduce:
    def test_with_init(self, call: Any, fn: Any) -> None:
        assert call("reduce", [1, 2, 3], fn(lambda acc, x: acc + x), 10) == 16

    def test_gets_the_index(self, call: Any, fn: Any) -> None:
        assert call("reduce", ["a", "b"], fn(lambda acc, x, i: [*acc, i]), []) == [0, 1]

    def test_without_init_starts_with_first_item(self, call: Any, fn: Any) -> None:
        assert call("reduce", [1, 2, 3], fn(lambda acc, x: acc * x)) == 6

    def test_empty_without_init_is_an_error(self, call: Any, fn: Any) -> None:
        with pytest.raises(ExpressionEvalError, match="empty array with no initial value"):
            call("reduce", [], fn(lambda acc, x: acc))

    def test_empty_with_init_returns_init(self, call: Any, fn: Any) -> None:
        assert call("reduce", None, fn(lambda acc, x: acc), 7) == 7

    def test_requires_a_function(self, call: Any) -> None:
        with pytest.raises(ExpressionEvalError, match="is not a function"):
            call("reduce", [1], "age", 0)


def test_group_by_key_and_function(call: Any, fn: Any) -> None:
    grouped = call("group_by", PEOPLE, "type")
    assert list(grouped) == ["a", "b"]
    assert [p["name"] for p in grouped["a"]] == ["ann", "cid"]
    by_parity = call("group_by", [1, 2, 3], fn(lambda x: x % 2 == 0))
    assert by_parity == {"false": [1, 3], "true": [2]}
    assert call("group_by", [{"x": None}, {}], "x") == {"null": [{"x": None}], "undefined": [{}]}


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("take", [[1, 2, 3], 2], [1, 2]),
        ("take", [[1, 2, 3], 10], [1, 2, 3]),
        ("take", [[1, 2, 3], -1], []),
        ("take", ["abc", 2], "ab"),
        ("take", [None, 2], []),
        ("skip", [[1, 2, 3], 2], [3]),
        ("skip", [[1, 2, 3], -1], [1, 2, 3]),
        ("skip", ["abc", 1], "bc"),
    ],
    ids=[
        "take",
        "take-more",
        "take-negative",
        "take-string",
        "take-null",
        "skip",
        "skip-negative",
        "skip-string",
    ],
)
def test_take_skip(call: Any, name: str, args: list[Any], expected: Any) -> None:
    assert call(name, *args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([0, 5], [0, 1, 2, 3, 4]),
        ([1, 10, 3], [1, 4, 7]),
        ([5, 0, -2], [5, 3, 1]),
        ([0, 1, 0.25], [0, 0.25, 0.5, 0.75]),
        ([5, 0], []),
        ([0, 0], []),
        (["1", "3"], [1, 2]),
    ],
    ids=["basic", "step", "negative-step", "fractional", "wrong-direction", "empty", "strings"],
)
def test_range(call: Any, args: list[Any], expected: list[Any]) -> None:
    result = call("range", *args)
    assert result == expected
    assert all(type(x) is type(y) for x, y in zip(result, expected, strict=True))


@pytest.mark.parametrize(
    "args", [[0, 10, 0], [0, math.inf], [math.nan, 3]], ids=["zero-step", "inf", "nan"]
)
def test_range_rejects_bad_bounds(call: Any, args: list[Any]) -> None:
    with pytest.raises(ExpressionEvalError, match="range"):
        call("range", *args)


def test_range_refuses_huge_ranges_before_building(call: Any) -> None:
    with pytest.raises(LimitExceededError, match="range"):
        call("range", 0, 1e12)


def test_array_concat(call: Any) -> None:
    assert call("array_concat", [1], [2, [3]], 4, None, UNDEFINED) == [1, 2, [3], 4]
    assert call("array_concat") == []
    with pytest.raises(LimitExceededError):
        call("array_concat", *[[0] * 1_000_000 for _ in range(11)])


def test_zip_pads_to_the_longest(call: Any) -> None:
    assert call("zip", [1, 2, 3], ["a", "b"]) == [[1, "a"], [2, "b"], [3, UNDEFINED]]
    assert call("zip") == []
    assert call("zip", None, [1]) == [[UNDEFINED, 1]]


def test_zip_checks_size(call_limited: Any) -> None:
    with pytest.raises(LimitExceededError):
        call_limited(Limits(max_size=5), "zip", [1, 2, 3], [1, 2, 3])


def test_chunk(call: Any) -> None:
    assert call("chunk", [1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert call("chunk", [], 3) == []
    with pytest.raises(ExpressionEvalError, match="positive integer"):
        call("chunk", [1], 0)


def test_pluck(call: Any) -> None:
    rows = [{"a": {"b": 1}}, {"a": {"b": 2}}, {"x": 1}, None]
    assert call("pluck", rows, "a.b") == [1, 2, UNDEFINED, UNDEFINED]
    assert call("pluck", PEOPLE, "name") == ["ann", "bob", "cid", "dee"]


def test_callbacks_charge_steps_per_item(call_limited: Any, fn: Any) -> None:
    with pytest.raises(LimitExceededError, match="evaluation steps"):
        call_limited(Limits(max_steps=100), "map", list(range(200)), fn(lambda x: x))


def test_absurdly_nested_values_fail_cleanly(call: Any) -> None:
    nested: list[Any] = []
    for _ in range(5000):
        nested = [nested]
    with pytest.raises(LimitExceededError, match=r"flatten\(\): value nested too deeply"):
        call("flatten", nested, math.inf)
