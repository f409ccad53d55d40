"""Type and logic built-ins (expressions.md §6, Type and logic)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from flowscript.errors import ExpressionEvalError
from flowscript.expressions.values import UNDEFINED

SAMPLES = {
    "undefined": UNDEFINED,
    "null": None,
    "true": True,
    "zero": 0,
    "nan": math.nan,
    "float": 1.5,
    "empty-string": "",
    "string": "x",
    "empty-array": [],
    "array": [1],
    "empty-object": {},
    "object": {"a": 1},
}


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("undefined", "undefined"),
        ("null", "null"),
        ("true", "boolean"),
        ("nan", "number"),
        ("string", "string"),
        ("array", "array"),
        ("object", "object"),
    ],
    ids=lambda v: str(v),
)
def test_typeof(call: Any, sample: str, expected: str) -> None:
    assert call("typeof", SAMPLES[sample]) == expected


def test_typeof_function(call: Any, fn: Any) -> None:
    assert call("typeof", fn(lambda: 1)) == "function"


PREDICATES = {
    "is_null": {"undefined", "null"},
    "is_array": {"empty-array", "array"},
    "is_object": {"empty-object", "object"},
    "is_string": {"empty-string", "string"},
    "is_number": {"zero", "nan", "float"},
    "is_boolean": {"true"},
    "is_empty": {"undefined", "null", "empty-string", "empty-array", "empty-object"},
    "is_truthy": {"true", "float", "string", "empty-array", "array", "empty-object", "object"},
    "is_falsy": {"undefined", "null", "zero", "nan", "empty-string"},
    "is_finite": {"zero", "float"},
    "is_integer": {"zero"},
    "is_nan": {"nan"},
}


@pytest.mark.parametrize("name", list(PREDICATES), ids=list(PREDICATES))
def test_type_predicates(call: Any, name: str) -> None:
    matching = {label for label, value in SAMPLES.items() if call(name, value) is True}
    assert matching == PREDICATES[name]
    assert all(isinstance(call(name, value), bool) for value in SAMPLES.values())


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("is_finite", "5", False),
        ("is_finite", math.inf, False),
        ("is_integer", 5.0, True),
        ("is_integer", 2**60, True),
        ("is_integer", 5.5, False),
        ("is_nan", "abc", False),
        ("is_empty", " ", False),
        ("is_empty", 0, False),
    ],
    ids=[
        "finite-string",
        "finite-inf",
        "integer-float",
        "integer-big",
        "integer-fraction",
        "nan-string",
        "empty-space",
        "empty-zero",
    ],
)
def test_number_predicates_do_not_convert(call: Any, name: str, value: Any, expected: bool) -> None:
    assert call(name, value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (UNDEFINED, ""),
        (3.0, "3"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e21, "1e+21"),
        (True, "true"),
        ([1, "a", None], '[1,"a",null]'),
        ({"a": [1]}, '{"a":[1]}'),
        ("s", "s"),
    ],
    ids=["null", "undefined", "integral", "float", "exponent", "bool", "array", "object", "string"],
)
def test_to_string_renders_like_templates(call: Any, value: Any, expected: str) -> None:
    assert call("to_string", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 1.5 ", 1.5),
        ("0x1F", 31),
        ("x", 0),
        ("12px", 0),
        ("", 0),
        (None, 0),
        (UNDEFINED, 0),
        (math.nan, 0),
        (True, 1),
        ([5], 5),
        ({}, 0),
        ("1e3", 1000),
        (math.inf, math.inf),
    ],
    ids=[
        "int",
        "float",
        "hex",
        "invalid",
        "suffix",
        "empty",
        "null",
        "undefined",
        "nan",
        "bool",
        "array",
        "object",
        "exp",
        "inf",
    ],
)
def test_to_number_invalid_is_zero(call: Any, value: Any, expected: float) -> None:
    result = call("to_number", value)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("false", False),
        (" FALSE ", False),
        ("0", False),
        ("true", True),
        ("no", True),
        ("", False),
        (0, False),
        ([], True),
        (None, False),
    ],
    ids=[
        "false-word",
        "false-word-spaces",
        "zero-string",
        "true",
        "other-string",
        "empty",
        "zero",
        "array",
        "null",
    ],
)
def test_to_boolean(call: Any, value: Any, expected: bool) -> None:
    assert call("to_boolean", value) is expected


def test_to_array(call: Any) -> None:
    items = [1]
    assert call("to_array", items) is items
    assert call("to_array", None) == []
    assert call("to_array", UNDEFINED) == []
    assert call("to_array", "a") == ["a"]
    assert call("to_array", {"a": 1}) == [{"a": 1}]


def test_coalesce_and_default(call: Any) -> None:
    assert call("coalesce", None, UNDEFINED, 0, 5) == 0
    assert call("coalesce", None, UNDEFINED) is None
    assert call("coalesce") is None
    assert call("default", None, "d") == "d"
    assert call("default", UNDEFINED, "d") == "d"
    assert call("default", "", "d") == ""
    assert call("default", 0, "d") == 0


def test_if_else_and_not(call: Any) -> None:
    assert call("if_else", [], "yes", "no") == "yes"
    assert call("if_else", 0, "yes", "no") == "no"
    assert call("not", "") is True
    assert call("not", {}) is False


def test_and_or(call: Any) -> None:
    assert call("and", 1, "a", []) is True
    assert call("and", 1, 0) is False
    assert call("and") is True
    assert call("or", 0, "", None) is False
    assert call("or", 0, "x") is True
    assert call("or") is False


def test_switch(call: Any) -> None:
    cases = {"a": 1, "2": "two", "null": "nil", "true": "yes"}
    assert call("switch", "a", cases) == 1
    assert call("switch", 2, cases) == "two"
    assert call("switch", None, cases) == "nil"
    assert call("switch", True, cases) == "yes"
    assert call("switch", "zz", cases, "other") == "other"
    assert call("switch", "zz", cases) is UNDEFINED
    with pytest.raises(
        ExpressionEvalError, match=r"switch\(\) expects an object of cases, got array"
    ):
        call("switch", "a", ["a"])
