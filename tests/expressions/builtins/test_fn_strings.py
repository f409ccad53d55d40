"""String built-ins (expressions.md §6, String)."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.errors import ExpressionEvalError, LimitExceededError
from flowscript.expressions.sandbox import Limits
from flowscript.expressions.values import UNDEFINED

NULLISH = [None, UNDEFINED]


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("upper", ["héllo ß"], "HÉLLO SS"),
        ("upper", [None], ""),
        ("upper", [UNDEFINED], ""),
        ("upper", [12], "12"),
        ("upper", [True], "TRUE"),
        ("lower", ["MiXeD Ä"], "mixed ä"),
        ("lower", [None], ""),
        ("lower", [[1, "A"]], "1,a"),
        ("trim", ["  \t\n x y \u00a0\ufeff"], "x y"),
        ("trim", [None], ""),
        ("trim", ["\x1cx"], "\x1cx"),
    ],
    ids=[
        "upper",
        "upper-null",
        "upper-undefined",
        "upper-number",
        "upper-bool",
        "lower",
        "lower-null",
        "lower-array",
        "trim-js-whitespace",
        "trim-null",
        "trim-keeps-non-js-space",
    ],
)
def test_case_and_trim(call: Any, name: str, args: list[Any], expected: str) -> None:
    assert call(name, *args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["a-b-c", "-", "+"], "a+b+c"),
        (["a.b", ".", "$&"], "a$&b"),
        (["aaa", "aa", "b"], "ba"),
        (["ab", "", "-"], "-a-b-"),
        ([None, "a", "b"], ""),
        (["a null", None, "x"], "a null"),
        (["x1", 1, 2], "x2"),
    ],
    ids=[
        "all",
        "literal-dollar",
        "non-overlapping",
        "empty-old",
        "null-subject",
        "null-old",
        "nums",
    ],
)
def test_replace_replaces_every_literal_occurrence(
    call: Any, args: list[Any], expected: str
) -> None:
    assert call("replace", *args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["a,b,,c", ","], ["a", "b", "", "c"]),
        (["abc", ""], ["a", "b", "c"]),
        (["abc", UNDEFINED], ["abc"]),
        (["abc", None], ["abc"]),
        (["", ","], [""]),
        ([None, ","], []),
        ([123, 2], ["1", "3"]),
    ],
    ids=["sep", "chars", "undefined-sep", "null-sep", "empty", "null", "number"],
)
def test_split(call: Any, args: list[Any], expected: list[str]) -> None:
    assert call("split", *args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([["a", "b"], "-"], "a-b"),
        ([["a", 1, True]], "a,1,true"),
        ([["a", None, UNDEFINED, "b"], "|"], "a|||b"),
        ([[], ","], ""),
        ([None, ","], ""),
        (["text", ","], "text"),
        ([[[1, 2], 3], ";"], "1,2;3"),
    ],
    ids=["sep", "default-sep", "nullish-items", "empty", "null", "string", "nested"],
)
def test_join(call: Any, args: list[Any], expected: str) -> None:
    assert call("join", *args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["hello world", 8], "hello..."),
        (["hello", 5], "hello"),
        (["hello", 10], "hello"),
        (["hello world", 8, "…"], "hello w…"),
        (["hello world", 5, ""], "hello"),
        (["hello", 2], "he"),
        (["hello", 0], ""),
        (["hello", -3], ""),
        ([None, 3], ""),
        (["😀😀😀😀", 3, "."], "😀😀."),
    ],
    ids=[
        "cut",
        "exact",
        "short",
        "custom-suffix",
        "empty-suffix",
        "suffix-longer-than-len",
        "zero",
        "negative",
        "null",
        "code-points",
    ],
)
def test_truncate(call: Any, args: list[Any], expected: str) -> None:
    result = call("truncate", *args)
    assert result == expected
    assert len(result) <= max(args[1], 0)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([[1, 2], [3], []], [1, 2, 3]),
        ([[[1]], [2]], [[1], 2]),
        (["a", 1, None, UNDEFINED, True], "a1true"),
        ([[1], "x"], "1x"),
        ([], ""),
    ],
    ids=["arrays", "one-level", "strings", "mixed", "none"],
)
def test_concat(call: Any, args: list[Any], expected: Any) -> None:
    assert call("concat", *args) == expected


def test_concat_of_arrays_makes_a_new_array(call: Any) -> None:
    first = [1]
    result = call("concat", first)
    assert result == [1] and result is not first


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("includes", ["hello", "ell"], True),
        ("includes", ["hello", "xyz"], False),
        ("includes", ["hello", ""], True),
        ("includes", [None, "a"], False),
        ("includes", [[1, float("nan")], float("nan")], True),
        ("includes", [["1"], 1], False),
        ("includes", [123, 2], True),
        ("starts_with", ["hello", "he"], True),
        ("starts_with", ["hello", "lo"], False),
        ("starts_with", [None, ""], False),
        ("ends_with", ["hello", "lo"], True),
        ("ends_with", ["hello", "he"], False),
        ("ends_with", [UNDEFINED, ""], False),
    ],
    ids=[
        "includes",
        "includes-not",
        "includes-empty",
        "includes-null",
        "includes-array-nan",
        "includes-array-strict",
        "includes-number",
        "starts",
        "starts-not",
        "starts-null",
        "ends",
        "ends-not",
        "ends-undefined",
    ],
)
def test_search(call: Any, name: str, args: list[Any], expected: bool) -> None:
    assert call(name, *args) is expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["hello", 1, 3], "el"),
        (["hello", 1], "ello"),
        (["hello", 3, 1], "el"),
        (["hello", -2, 2], "he"),
        (["hello", 2, 100], "llo"),
        (["hello", "1", "3"], "el"),
        (["hello", float("nan"), 2], "he"),
        ([None, 0, 2], ""),
    ],
    ids=["range", "to-end", "swapped", "negative", "past-end", "strings", "nan", "null"],
)
def test_substring(call: Any, args: list[Any], expected: str) -> None:
    assert call("substring", *args) == expected


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("pad_start", ["5", 3, "0"], "005"),
        ("pad_start", ["5", 3], "  5"),
        ("pad_start", ["abc", 8, "12"], "12121abc"),
        ("pad_start", ["abcdef", 3, "0"], "abcdef"),
        ("pad_start", ["x", 3, ""], "x"),
        ("pad_start", [None, 2, "*"], "**"),
        ("pad_start", [7, 3, 0], "007"),
        ("pad_end", ["5", 3, "0"], "500"),
        ("pad_end", ["ab", 5], "ab   "),
        ("pad_end", ["abc", 8, "12"], "abc12121"),
    ],
    ids=[
        "start",
        "start-default",
        "start-partial-fill",
        "start-long",
        "start-empty-fill",
        "start-null",
        "start-number",
        "end",
        "end-default",
        "end-partial-fill",
    ],
)
def test_pad(call: Any, name: str, args: list[Any], expected: str) -> None:
    assert call(name, *args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["ab", 3], "ababab"),
        (["ab", 0], ""),
        (["ab", 2.7], "abab"),
        ([None, 3], ""),
        (["", 1e12], ""),
    ],
    ids=["three", "zero", "fraction", "null", "empty-huge"],
)
def test_repeat(call: Any, args: list[Any], expected: str) -> None:
    assert call("repeat", *args) == expected


@pytest.mark.parametrize("count", [-1, float("inf")], ids=["negative", "infinity"])
def test_repeat_rejects_invalid_counts(call: Any, count: float) -> None:
    with pytest.raises(ExpressionEvalError, match="repeat"):
        call("repeat", "x", count)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("repeat", ["x", 1e12]),
        ("repeat", ["abc", 4_000_000]),
        ("pad_start", ["x", 1e12]),
        ("pad_end", ["x", 10**9, "ab"]),
        ("replace", ["x" * 1000, "x", "y" * 20_000]),
    ],
    ids=["repeat-1e12", "repeat-just-over", "pad-start", "pad-end", "replace-growth"],
)
def test_hostile_sizes_fail_fast(call: Any, name: str, args: list[Any]) -> None:
    with pytest.raises(LimitExceededError, match="exceeds the limit"):
        call(name, *args)


def test_join_checks_result_size(call_limited: Any) -> None:
    with pytest.raises(LimitExceededError):
        call_limited(Limits(max_size=10), "join", ["aaaa", "bbbb", "cccc"], "")
    assert call_limited(Limits(max_size=12), "join", ["aaaa", "bbbb", "cccc"], "") == "aaaabbbbcccc"


def test_concat_checks_result_size(call_limited: Any) -> None:
    with pytest.raises(LimitExceededError):
        call_limited(Limits(max_size=3), "concat", [1, 2], [3, 4])
    with pytest.raises(LimitExceededError):
        call_limited(Limits(max_size=3), "concat", "ab", "cd")


@pytest.mark.parametrize(
    ("args", "expected"),
    [(["abc", 1], "b"), (["abc", 5], ""), (["abc", -1], ""), ([None, 0], ""), (["abc", "2"], "c")],
    ids=["inside", "past-end", "negative", "null", "string-index"],
)
def test_char_at(call: Any, args: list[Any], expected: str) -> None:
    assert call("char_at", *args) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("hello", 5), ("", 0), (None, 0), (UNDEFINED, 0), ([1, 2], 2), ({"a": 1}, 1), (1234, 4)],
    ids=["string", "empty", "null", "undefined", "array", "object", "number"],
)
def test_len(call: Any, value: Any, expected: int) -> None:
    assert call("len", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Héllo, World!", "hello-world"),
        ("  --Already-slugged--  ", "already-slugged"),
        ("Crème brûlée à 10€", "creme-brulee-a-10"),
        ("a_b c", "a-b-c"),
        (None, ""),
        ("日本語", ""),
    ],
    ids=["basic", "trim-dashes", "accents", "underscore", "null", "non-latin"],
)
def test_slugify(call: Any, value: Any, expected: str) -> None:
    assert call("slugify", value) == expected


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("capitalize", "hello world", "Hello world"),
        ("capitalize", "hELLO", "HELLO"),
        ("capitalize", "", ""),
        ("capitalize", None, ""),
        ("title", "hello wORLD  again", "Hello World  Again"),
        ("title", "they're o'neil", "They're O'neil"),
        ("title", None, ""),
    ],
    ids=[
        "cap",
        "cap-rest-unchanged",
        "cap-empty",
        "cap-null",
        "title",
        "title-apostrophe",
        "title-null",
    ],
)
def test_capitalize_and_title(call: Any, name: str, value: Any, expected: str) -> None:
    assert call(name, value) == expected
