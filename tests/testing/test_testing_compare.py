"""JSON comparison and diffs of expected and actual values."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.testing import json_diff, json_equal, pretty_json


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        (1, 1.0),
        ({"a": 1, "b": [1, 2]}, {"b": [1.0, 2], "a": 1}),
        ([{"x": None}], [{"x": None}]),
        ("text", "text"),
        ({"nested": {"deep": [True, False]}}, {"nested": {"deep": [True, False]}}),
        ((1, 2), [1, 2]),
    ],
    ids=["int-float", "key-order", "null", "string", "booleans", "tuple-list"],
)
def test_json_equal_holds(expected: Any, actual: Any) -> None:
    assert json_equal(expected, actual)


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        (True, 1),
        (0, False),
        ([1, 2], [2, 1]),
        ({"a": 1}, {"a": 1, "b": 2}),
        ("1", 1),
        (None, 0),
        ([1], [1, 1]),
        ({"a": {"b": 1}}, {"a": {"b": 2}}),
    ],
    ids=[
        "bool-int",
        "int-bool",
        "list-order",
        "extra-key",
        "string-number",
        "null-zero",
        "length",
        "nested",
    ],
)
def test_json_equal_fails(expected: Any, actual: Any) -> None:
    assert not json_equal(expected, actual)


def test_pretty_json_sorts_keys_and_keeps_unicode() -> None:
    assert pretty_json({"b": 1.0, "a": "é"}) == '{\n  "a": "é",\n  "b": 1\n}'


def test_json_diff_is_a_unified_diff_of_pretty_json() -> None:
    diff = json_diff({"name": "ada", "score": 92}, {"score": 93, "name": "ada"})
    assert diff.splitlines() == [
        "--- expected",
        "+++ actual",
        "@@ -1,4 +1,4 @@",
        " {",
        '   "name": "ada",',
        '-  "score": 92',
        '+  "score": 93',
        " }",
    ]


def test_json_diff_of_equal_values_is_empty() -> None:
    assert json_diff({"a": 1, "b": 2}, {"b": 2.0, "a": 1}) == ""
