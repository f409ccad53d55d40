"""The JavaScript method whitelist (expressions.md §4.2) with JavaScript behaviour."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from flowscript.errors import BlockedAccessError, ExpressionEvalError, LimitExceededError
from flowscript.expressions.methods import METHOD_NAMES, call_method
from flowscript.expressions.sandbox import Limits, Sandbox
from flowscript.expressions.values import UNDEFINED, JSFunction


class PyFn(JSFunction):
    """An arrow-function value backed by a Python callable (extra arguments ignored)."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.arity = fn.__code__.co_argcount

    def call(self, args: Sequence[Any]) -> Any:
        return self.fn(*list(args)[: self.arity])


def m(receiver: Any, name: str, *args: Any, limits: Limits | None = None) -> Any:
    return call_method(Sandbox(limits) if limits else Sandbox(), receiver, name, list(args))


def test_method_names() -> None:
    assert METHOD_NAMES["string"] == frozenset(
        [
            "toUpperCase",
            "toLowerCase",
            "trim",
            "trimStart",
            "trimEnd",
            "split",
            "includes",
            "startsWith",
            "endsWith",
            "indexOf",
            "slice",
            "substring",
            "replace",
            "replaceAll",
            "padStart",
            "padEnd",
            "repeat",
            "charAt",
        ]
    )
    assert METHOD_NAMES["array"] == frozenset(
        [
            "map",
            "filter",
            "find",
            "findIndex",
            "some",
            "every",
            "reduce",
            "includes",
            "indexOf",
            "join",
            "slice",
            "concat",
            "flat",
            "reverse",
            "sort",
            "at",
        ]
    )
    assert METHOD_NAMES["number"] == frozenset({"toFixed", "toString"})


class TestStrings:
    @pytest.mark.parametrize(
        ("receiver", "name", "args", "expected"),
        [
            ("aBc", "toUpperCase", [], "ABC"),
            ("aBc", "toLowerCase", [], "abc"),
            ("\u00a0 x \n", "trim", [], "x"),
            ("  x  ", "trimStart", [], "x  "),
            ("  x  ", "trimEnd", [], "  x"),
            ("a,b,c", "split", [","], ["a", "b", "c"]),
            ("a,b,c", "split", [",", 2], ["a", "b"]),
            ("abc", "split", [""], ["a", "b", "c"]),
            ("abc", "split", [], ["abc"]),
            ("abc", "split", [UNDEFINED, 0], []),
            ("a1b1", "split", [1], ["a", "b", ""]),
            ("hello", "includes", ["ell"], True),
            ("hello", "includes", ["h", 1], False),
            ("hello", "startsWith", ["ell", 1], True),
            ("hello", "startsWith", ["ell"], False),
            ("hello", "endsWith", ["ell", 4], True),
            ("hello", "endsWith", ["lo"], True),
            ("hello", "indexOf", ["l"], 2),
            ("hello", "indexOf", ["l", 3], 3),
            ("hello", "indexOf", ["z"], -1),
            ("hello", "indexOf", ["", 99], 5),
            ("hello", "slice", [1, -1], "ell"),
            ("hello", "slice", [-3], "llo"),
            ("hello", "slice", [3, 1], ""),
            ("hello", "substring", [3, 1], "el"),
            ("hello", "substring", [-3, 2], "he"),
            ("5", "padStart", [3, "0"], "005"),
            ("5", "padStart", [3], "  5"),
            ("abc", "padStart", [6, "12345"], "123abc"),
            ("5", "padEnd", [4, "ab"], "5aba"),
            ("ab", "repeat", [3], "ababab"),
            ("ab", "repeat", [0], ""),
            ("abc", "charAt", [1], "b"),
            ("abc", "charAt", [], "a"),
            ("abc", "charAt", [9], ""),
        ],
        ids=lambda v: repr(v) if not isinstance(v, list) else None,
    )
    def test_behaviour(self, receiver: str, name: str, args: list[Any], expected: Any) -> None:
        assert m(receiver, name, *args) == expected

    @pytest.mark.parametrize(
        ("args", "expected"),
        [
            (["o", "0"], "f0o"),
            (["z", "0"], "foo"),
            (["o", "[$&]"], "f[o]o"),
            (["o", "$$"], "f$o"),
            (["o", "<$`|$'>"], "f<f|o>o"),
            (["o", "$1"], "f$1o"),
            (["", "_"], "_foo"),
        ],
        ids=["first-only", "missing", "match-pattern", "dollar", "around", "no-groups", "empty"],
    )
    def test_replace_first_literal(self, args: list[Any], expected: str) -> None:
        assert m("foo", "replace", *args) == expected

    def test_replace_does_not_treat_pattern_as_regex(self) -> None:
        assert m("a.b.c", "replace", ".", "-") == "a-b.c"

    def test_replace_with_a_function(self) -> None:
        assert m("a-b", "replace", "-", PyFn(lambda match, pos: f"<{pos}>")) == "a<1>b"

    @pytest.mark.parametrize(
        ("receiver", "args", "expected"),
        [
            ("a.b.c", [".", "-"], "a-b-c"),
            ("aaa", ["aa", "b"], "ba"),
            ("ab", ["", "-"], "-a-b-"),
            ("ab", ["", "$&."], ".a.b."),
            ("x-y", ["-", "[$&]"], "x[-]y"),
        ],
        ids=["all", "non-overlapping", "empty-search", "empty-search-pattern", "pattern"],
    )
    def test_replace_all(self, receiver: str, args: list[Any], expected: str) -> None:
        assert m(receiver, "replaceAll", *args) == expected

    def test_replace_all_with_function(self) -> None:
        assert m("a-b-c", "replaceAll", "-", PyFn(lambda match, pos, s: str(pos))) == "a1b3c"

    def test_repeat_negative_is_an_error(self) -> None:
        with pytest.raises(ExpressionEvalError, match="invalid count -1"):
            m("x", "repeat", -1)

    @pytest.mark.parametrize(
        ("name", "args"),
        [
            ("repeat", [1e12]),
            ("padStart", [1e12, "x"]),
            ("padEnd", [10**8, "ab"]),
            ("replaceAll", ["", "y" * 10_000]),
        ],
        ids=["repeat", "padStart", "padEnd", "replaceAll"],
    )
    def test_hostile_sizes_fail_fast(self, name: str, args: list[Any]) -> None:
        with pytest.raises(LimitExceededError):
            m("x" * 2000, name, *args)

    def test_replace_with_pattern_checks_size(self) -> None:
        with pytest.raises(LimitExceededError):
            m("ab" * 10, "replaceAll", "a", "$&$&$&", limits=Limits(max_size=30))


class TestArrays:
    def test_map_filter_find(self) -> None:
        items = [1, 2, 3, 4]
        assert m(items, "map", PyFn(lambda x, i: x * 10 + i)) == [10, 21, 32, 43]
        assert m(items, "filter", PyFn(lambda x: x % 2 == 0)) == [2, 4]
        assert m(items, "find", PyFn(lambda x: x > 2)) == 3
        assert m(items, "find", PyFn(lambda x: x > 9)) is UNDEFINED
        assert m(items, "findIndex", PyFn(lambda x: x > 2)) == 2
        assert m(items, "findIndex", PyFn(lambda x: x > 9)) == -1

    def test_some_every(self) -> None:
        assert m([1, 2], "some", PyFn(lambda x: x > 1)) is True
        assert m([1, 2], "some", PyFn(lambda x: x > 5)) is False
        assert m([1, 2], "every", PyFn(lambda x: x > 0)) is True
        assert m([], "every", PyFn(lambda x: False)) is True
        assert m([], "some", PyFn(lambda x: True)) is False

    def test_callbacks_must_be_functions(self) -> None:
        with pytest.raises(ExpressionEvalError, match="map: 'name' is not a function"):
            m([1], "map", "name")

    def test_reduce(self) -> None:
        assert m([1, 2, 3], "reduce", PyFn(lambda acc, x: acc + x)) == 6
        assert m([1, 2, 3], "reduce", PyFn(lambda acc, x: acc + x), 10) == 16
        assert m(["a"], "reduce", PyFn(lambda acc, x, i: [*acc, i]), []) == [0]
        assert m([], "reduce", PyFn(lambda acc, x: acc), "init") == "init"
        assert m([], "reduce", PyFn(lambda acc, x: acc), UNDEFINED) is UNDEFINED
        with pytest.raises(
            ExpressionEvalError, match="reduce of empty array with no initial value"
        ):
            m([], "reduce", PyFn(lambda acc, x: acc))

    def test_includes_uses_same_value_zero(self) -> None:
        assert m([1, math.nan], "includes", math.nan) is True
        assert m([1, 2], "includes", "1") is False
        assert m([[1]], "includes", [1]) is False
        assert m([1, 2, 3], "includes", 1, 1) is False
        assert m([1, 2, 3], "includes", 3, -1) is True

    def test_index_of_uses_strict_equality(self) -> None:
        inner = [1]
        assert m([math.nan], "indexOf", math.nan) == -1
        assert m([1, 2, 1], "indexOf", 1, 1) == 2
        assert m([[1], inner], "indexOf", inner) == 1
        assert m([1.0, 1], "indexOf", 1) == 0
        assert m([True], "indexOf", 1) == -1

    @pytest.mark.parametrize(
        ("items", "args", "expected"),
        [
            ([1, "a", None, UNDEFINED, [2, 3], True], [], "1,a,,,2,3,true"),
            ([1, 2], ["-"], "1-2"),
            ([1, 2], [UNDEFINED], "1,2"),
            ([1, 2], [None], "1null2"),
            ([], [], ""),
            ([{"a": 1}], [], "[object Object]"),
        ],
        ids=["default", "separator", "undefined-separator", "null-separator", "empty", "object"],
    )
    def test_join(self, items: list[Any], args: list[Any], expected: str) -> None:
        assert m(items, "join", *args) == expected

    def test_slice_concat_flat_at(self) -> None:
        assert m([1, 2, 3, 4], "slice", 1, -1) == [2, 3]
        assert m([1, 2, 3], "slice") == [1, 2, 3]
        assert m([1], "concat", [2, [3]], 4) == [1, 2, [3], 4]
        assert m([1, [2, [3, [4]]]], "flat") == [1, 2, [3, [4]]]
        assert m([1, [2, [3, [4]]]], "flat", math.inf) == [1, 2, 3, 4]
        assert m([1, 2, 3], "at", -1) == 3
        assert m([1, 2, 3], "at", 5) is UNDEFINED

    def test_reverse_and_sort_return_copies(self) -> None:
        items = [3, 1, 10, 2]
        assert m(items, "reverse") == [2, 10, 1, 3]
        assert m(items, "sort") == [1, 10, 2, 3]
        assert items == [3, 1, 10, 2]

    def test_sort_default_compares_strings_and_puts_undefined_last(self) -> None:
        assert m([UNDEFINED, "b", None, "a", 10, 9], "sort") == [10, 9, "a", "b", None, UNDEFINED]

    def test_sort_with_comparator_is_stable(self) -> None:
        rows = [{"k": 2, "n": "a"}, {"k": 1, "n": "b"}, {"k": 2, "n": "c"}, {"k": 1, "n": "d"}]
        result = m(rows, "sort", PyFn(lambda a, b: a["k"] - b["k"]))
        assert [r["n"] for r in result] == ["b", "d", "a", "c"]

    def test_sort_comparator_nan_means_equal(self) -> None:
        assert m([2, 1], "sort", PyFn(lambda a, b: math.nan)) == [2, 1]

    def test_concat_checks_size(self) -> None:
        with pytest.raises(LimitExceededError):
            m([1, 2], "concat", [3, 4], limits=Limits(max_size=3))

    def test_callbacks_are_charged(self) -> None:
        with pytest.raises(LimitExceededError, match="evaluation steps"):
            m(list(range(100)), "map", PyFn(lambda x: x), limits=Limits(max_steps=50))


class TestNumbers:
    @pytest.mark.parametrize(
        ("value", "digits", "expected"),
        [
            (2.5, 0, "3"),
            (1.005, 2, "1.00"),
            (1.45, 1, "1.4"),
            (1.55, 1, "1.6"),
            (-2.5, 0, "-3"),
            (-0.0001, 2, "-0.00"),
            (-0.0, 2, "0.00"),
            (3, 2, "3.00"),
            (0.1, 20, "0.10000000000000000555"),
            (1e21, 2, "1e+21"),
            (math.nan, 2, "NaN"),
            (math.inf, 1, "Infinity"),
            (123.456, UNDEFINED, "123"),
            (1e20, 2, "100000000000000000000.00"),
        ],
        ids=lambda v: repr(v),
    )
    def test_to_fixed(self, value: float, digits: Any, expected: str) -> None:
        assert m(value, "toFixed", digits) == expected

    def test_to_fixed_range(self) -> None:
        with pytest.raises(ExpressionEvalError, match="between 0 and 100"):
            m(1.5, "toFixed", 101)

    @pytest.mark.parametrize(
        ("value", "radix", "expected"),
        [
            (255, 16, "ff"),
            (255, 2, "11111111"),
            (-255, 36, "-73"),
            (0, 2, "0"),
            (0.5, 2, "0.1"),
            (0.1, 3, "0.0022002200220022002200220022002201"),
            (0.1, 2, "0.0001100110011001100110011001100110011001100110011001101"),
            (math.pi, 16, "3.243f6a8885a3"),
            (3.75, 16, "3.c"),
            (1e21, 16, "3635c9adc5dea00000"),
            (2**60, 2, "1" + "0" * 60),
            (123.456, UNDEFINED, "123.456"),
            (1e21, UNDEFINED, "1e+21"),
            (math.nan, 2, "NaN"),
            (0.1 + 0.2, 10, "0.30000000000000004"),
        ],
        ids=lambda v: repr(v),
    )
    def test_to_string(self, value: float, radix: Any, expected: str) -> None:
        assert m(value, "toString", radix) == expected

    def test_to_string_radix_range(self) -> None:
        with pytest.raises(ExpressionEvalError, match="between 2 and 36"):
            m(5, "toString", 1)


class TestBlocked:
    @pytest.mark.parametrize(
        ("receiver", "name"),
        [
            ("s", "constructor"),
            ([1], "__proto__"),
            (1, "prototype"),
            ({"a": 1}, "__class__"),
            (None, "__init__"),
        ],
        ids=["constructor", "proto", "prototype", "dunder-object", "dunder-null"],
    )
    def test_always_blocked(self, receiver: Any, name: str) -> None:
        with pytest.raises(BlockedAccessError, match=f"access to '{name}' is blocked"):
            m(receiver, name)

    def test_unknown_string_method_lists_allowed(self) -> None:
        with pytest.raises(BlockedAccessError) as info:
            m("s", "localeCompare", "t")
        message = str(info.value)
        assert "method 'localeCompare' is not allowed on a string" in message
        assert "charAt, endsWith, includes" in message and "trimStart" in message
        assert info.value.code == "EXPR_BLOCKED_ACCESS"

    def test_unknown_array_method(self) -> None:
        with pytest.raises(BlockedAccessError, match="on an array; allowed: at, concat"):
            m([1], "push", 2)

    def test_array_methods_do_not_work_on_strings(self) -> None:
        with pytest.raises(BlockedAccessError, match="'map' is not allowed on a string"):
            m("abc", "map", PyFn(lambda x: x))

    def test_objects_and_booleans_have_no_methods(self) -> None:
        with pytest.raises(BlockedAccessError, match="object values have no methods"):
            m({"a": 1}, "hasOwnProperty", "a")
        with pytest.raises(BlockedAccessError, match="boolean values have no methods"):
            m(True, "toString")

    def test_length_is_a_property(self) -> None:
        with pytest.raises(ExpressionEvalError, match="'length' is a property"):
            m([1], "length")

    def test_methods_of_null_and_undefined(self) -> None:
        with pytest.raises(ExpressionEvalError, match="cannot call method 'trim' of null"):
            m(None, "trim")
        with pytest.raises(ExpressionEvalError, match="of undefined"):
            m(UNDEFINED, "map")
