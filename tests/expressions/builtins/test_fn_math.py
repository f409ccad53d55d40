"""Math built-ins (expressions.md §6, Math)."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from flowscript.errors import ExpressionEvalError
from flowscript.expressions.values import UNDEFINED

INF = math.inf


def same(result: Any, expected: Any) -> bool:
    """Equal value and type (NaN equals NaN)."""
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(result, float) and math.isnan(result)
    return result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("add", [1, 2], 3),
        ("add", [0.1, 0.2], 0.30000000000000004),
        ("add", ["1", 2], 3),
        ("add", [None, 2], 2),
        ("add", [UNDEFINED, 2], math.nan),
        ("add", [1.5, 1.5], 3),
        ("subtract", [5, 7], -2),
        ("subtract", ["x", 1], math.nan),
        ("multiply", [2.5, 4], 10),
        ("multiply", [True, 3], 3),
        ("divide", [1, 4], 0.25),
        ("divide", [4, 2], 2),
        ("divide", [1, 0], INF),
        ("divide", [-1, 0], -INF),
        ("divide", [0, 0], math.nan),
        ("divide", [1, -0.0], -INF),
    ],
    ids=[
        "add",
        "add-float",
        "add-string",
        "add-null",
        "add-undefined",
        "add-integral-float",
        "sub",
        "sub-nan",
        "mul",
        "mul-bool",
        "div",
        "div-integral",
        "div-zero",
        "div-neg-zero",
        "div-zero-zero",
        "div-minus-zero",
    ],
)
def test_arithmetic(call: Any, name: str, args: list[Any], expected: Any) -> None:
    assert same(call(name, *args), expected)


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("min", [3, 1, 2], 1),
        ("min", [[3, 1, 2]], 1),
        ("min", [], INF),
        ("min", [[]], INF),
        ("min", [1, "x"], math.nan),
        ("min", ["5", 10], 5),
        ("max", [3, 1, 2], 3),
        ("max", [[3.5, 1]], 3.5),
        ("max", [], -INF),
        ("max", [None, -1], 0),
    ],
    ids=[
        "min",
        "min-array",
        "min-none",
        "min-empty",
        "min-nan",
        "min-string",
        "max",
        "max-array",
        "max-none",
        "max-null",
    ],
)
def test_min_max(call: Any, name: str, args: list[Any], expected: Any) -> None:
    assert same(call(name, *args), expected)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("sum", [1, 2, 3.5], 6.5),
        ("sum", [0.1, 0.2, 0.3], 0.6),
        ("sum", [1, None, UNDEFINED, "2"], 3),
        ("sum", [], 0),
        ("sum", None, 0),
        ("avg", [1, 2, 3, 4], 2.5),
        ("avg", [2, None, 4], 3),
        ("avg", [], math.nan),
        ("avg", None, math.nan),
    ],
    ids=[
        "sum",
        "sum-precise",
        "sum-skip-nullish",
        "sum-empty",
        "sum-null",
        "avg",
        "avg-skip",
        "avg-empty",
        "avg-null",
    ],
)
def test_sum_avg(call: Any, name: str, value: Any, expected: Any) -> None:
    assert same(call(name, value), expected)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([2.5], 3),
        ([-2.5], -3),
        ([0.5], 1),
        ([-0.5], -1),
        ([2.4], 2),
        ([1.005, 2], 1.01),
        ([2.675, 2], 2.68),
        ([1234.5678, 2], 1234.57),
        ([1234.5678, -2], 1200),
        ([1250, -2], 1300),
        ([5, 2], 5),
        (["2.5"], 3),
        ([None], 0),
        ([math.nan], math.nan),
        ([INF, 2], INF),
        ([1e300, 2], 1e300),
    ],
    ids=[
        "half-up",
        "half-away-negative",
        "half",
        "neg-half",
        "down",
        "1.005",
        "2.675",
        "decimals",
        "negative-decimals",
        "negative-decimals-half",
        "integer",
        "string",
        "null",
        "nan",
        "inf",
        "huge",
    ],
)
def test_round_half_away_from_zero(call: Any, args: list[Any], expected: Any) -> None:
    assert same(call("round", *args), expected)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("floor", 2.7, 2),
        ("floor", -2.1, -3),
        ("floor", "3.9", 3),
        ("floor", None, 0),
        ("floor", UNDEFINED, math.nan),
        ("floor", INF, INF),
        ("ceil", 2.1, 3),
        ("ceil", -2.9, -2),
        ("abs", -3, 3),
        ("abs", -2.5, 2.5),
        ("abs", "-4", 4),
        ("sqrt", 16, 4),
        ("sqrt", 2, 1.4142135623730951),
        ("sqrt", -1, math.nan),
        ("sign", -3, -1),
        ("sign", 0, 0),
        ("sign", 0.5, 1),
        ("sign", "x", math.nan),
        ("trunc", 2.7, 2),
        ("trunc", -2.7, -2),
        ("trunc", math.nan, math.nan),
    ],
    ids=[
        "floor",
        "floor-neg",
        "floor-string",
        "floor-null",
        "floor-undefined",
        "floor-inf",
        "ceil",
        "ceil-neg",
        "abs",
        "abs-float",
        "abs-string",
        "sqrt",
        "sqrt-irrational",
        "sqrt-negative",
        "sign-neg",
        "sign-zero",
        "sign-pos",
        "sign-nan",
        "trunc",
        "trunc-neg",
        "trunc-nan",
    ],
)
def test_unary(call: Any, name: str, value: Any, expected: Any) -> None:
    assert same(call(name, value), expected)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([2, 10], 1024),
        ([2, -1], 0.5),
        ([4, 0.5], 2),
        ([-8, 1 / 3], math.nan),
        ([0, -1], INF),
        ([-0.0, -1], -INF),
        ([10, 400], INF),
        ([-10, 401], -INF),
        ([1, math.nan], math.nan),
        ([math.nan, 0], 1),
        ([1, INF], math.nan),
        ([2, 64], 18446744073709551616.0),
        (["3", "2"], 9),
    ],
    ids=[
        "int",
        "negative-exp",
        "root",
        "neg-base-fraction",
        "zero-neg",
        "minus-zero-neg-odd",
        "overflow",
        "overflow-negative",
        "one-nan",
        "nan-zero",
        "one-inf",
        "big",
        "strings",
    ],
)
def test_pow(call: Any, args: list[Any], expected: Any) -> None:
    assert same(call("pow", *args), expected)


def test_random_is_in_unit_interval(call: Any) -> None:
    random.seed(7)
    values = [call("random") for _ in range(200)]
    assert all(0 <= v < 1 for v in values)
    assert len(set(values)) == 200


def test_random_int_is_inclusive(call: Any) -> None:
    random.seed(3)
    seen = {call("random_int", 1, 3) for _ in range(200)}
    assert seen == {1, 2, 3}
    assert call("random_int", 5, 5) == 5
    assert {call("random_int", 3, 1) for _ in range(100)} == {1, 2, 3}
    assert {call("random_int", 0.5, 1.5) for _ in range(20)} == {1}


@pytest.mark.parametrize("args", [[0.2, 0.8], [0, math.nan]], ids=["no-integer", "nan"])
def test_random_int_rejects_impossible_ranges(call: Any, args: list[Any]) -> None:
    with pytest.raises(ExpressionEvalError, match="random_int"):
        call("random_int", *args)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([5, 1, 10], 5),
        ([-5, 1, 10], 1),
        ([50, 1, 10], 10),
        ([2.5, 0, 1], 1),
        ([math.nan, 0, 1], math.nan),
    ],
    ids=["inside", "below", "above", "float", "nan"],
)
def test_clamp(call: Any, args: list[Any], expected: Any) -> None:
    assert same(call("clamp", *args), expected)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([7, 3], 1),
        ([-7, 3], -1),
        ([7, -3], 1),
        ([5.5, 2], 1.5),
        ([5, 0], math.nan),
        ([INF, 2], math.nan),
        ([5, INF], 5),
    ],
    ids=["pos", "neg-dividend", "neg-divisor", "float", "zero", "inf-dividend", "inf-divisor"],
)
def test_mod_is_the_js_remainder(call: Any, args: list[Any], expected: Any) -> None:
    assert same(call("mod", *args), expected)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([1, 3], 33.33),
        ([1, 3, 0], 33),
        ([2, 3, 4], 66.6667),
        ([5, 0], 0),
        ([50, 200], 25),
        (["1", "8"], 12.5),
    ],
    ids=["default-2", "zero-decimals", "four", "zero-total", "integral", "strings"],
)
def test_percent(call: Any, args: list[Any], expected: Any) -> None:
    assert same(call("percent", *args), expected)
