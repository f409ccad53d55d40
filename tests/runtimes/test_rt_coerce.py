"""Config coercion to the declared runtime field types."""

from __future__ import annotations

import math
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.expressions.values import UNDEFINED
from flowscript.runtimes.coerce import coerce_config, coerce_value


@pytest.mark.parametrize(
    ("type_name", "value", "expected"),
    [
        ("string", "x", "x"),
        ("string", 5, "5"),
        ("string", 2.0, "2"),
        ("string", 0.5, "0.5"),
        ("string", True, "true"),
        ("template", {"a": [1, 2]}, '{"a":[1,2]}'),
        ("template", [1, "b"], '[1,"b"]'),
        ("template", 3, "3"),
        ("number", "5", 5),
        ("number", " -1.5 ", -1.5),
        ("number", "1e3", 1000.0),
        ("number", ".5", 0.5),
        ("number", 7, 7),
        ("number", 2.5, 2.5),
        ("integer", "42", 42),
        ("integer", "42.0", 42),
        ("integer", 3.0, 3),
        ("integer", -4, -4),
        ("boolean", "true", True),
        ("boolean", "Yes", True),
        ("boolean", "1", True),
        ("boolean", 1, True),
        ("boolean", "false", False),
        ("boolean", " NO ", False),
        ("boolean", "0", False),
        ("boolean", 0, False),
        ("boolean", False, False),
        ("duration", "1.5s", 1500.0),
        ("duration", "500", 500.0),
        ("duration", "1h30m", 5_400_000.0),
        ("duration", "PT2M", 120_000.0),
        ("duration", 250, 250.0),
        ("map", {"a": 1}, {"a": 1}),
        ("map", "Authorization: Bearer a:b", {"Authorization": "Bearer a:b"}),
        ("map", "A: 1\n\n  B: two  \n", {"A": "1", "B": "two"}),
        ("map", '{"x": [1]}', {"x": [1]}),
        ("map", "", {}),
        ("list", ["a"], ["a"]),
        ("list", ("a", "b"), ["a", "b"]),
        ("list", '["id", "email"]', ["id", "email"]),
        ("list", "id, email,, ", ["id", "email"]),
        ("list", "", []),
        ("list", 200, [200]),
        ("array", "x,y", ["x", "y"]),
        ("object", {"k": 1}, {"k": 1}),
        ("object", '{"k": 1}', {"k": 1}),
        ("any", {"k": object}, {"k": object}),
        ("expression", "item.x > 1", "item.x > 1"),
        ("schema", "{a: string}", "{a: string}"),
        ("mystery", 1, 1),
    ],
    ids=lambda v: repr(v)[:30],
)
def test_coerce_value(type_name: str, value: Any, expected: Any) -> None:
    result = coerce_value(type_name, value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("type_name", "value", "match"),
    [
        ("string", {"a": 1}, "expected a string, got '{\"a\":1}'"),
        ("string", None, "expected a string"),
        ("number", "abc", "expected a number, got 'abc'"),
        ("number", True, "expected a number"),
        ("number", math.nan, "expected a finite number"),
        ("number", "", "expected a number"),
        ("integer", "4.5", "expected an integer, got '4.5'"),
        ("integer", 4.5, "expected an integer"),
        ("integer", True, "expected an integer"),
        ("boolean", "maybe", r"expected a boolean \(true/false/yes/no/1/0\)"),
        ("boolean", 2, "expected a boolean"),
        ("boolean", 1.0, "expected a boolean"),
        ("duration", "soon", "expected a duration such as"),
        ("duration", "-5s", "expected a duration"),
        ("duration", 0, "expected a positive duration"),
        ("map", "no colon here", "expected a map"),
        ("map", [1], "expected a map"),
        ("list", {"a": 1}, "expected a list"),
        ("object", "a: 1", "expected an object"),
        ("object", 5, "expected an object"),
    ],
    ids=lambda v: repr(v)[:30],
)
def test_coerce_value_errors(type_name: str, value: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        coerce_value(type_name, value)


def test_long_bad_values_are_shortened_in_messages() -> None:
    with pytest.raises(ValueError, match=r"got 'xxxxxxxxxxxxxxxxxxxxxxxx.{33}\.\.\.'$"):
        coerce_value("number", "x" * 100)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("GET", "GET"), ("post", "POST"), (" Patch ", "PATCH")],
    ids=["exact", "lower", "padded"],
)
def test_enum_is_case_insensitive_and_canonical(value: str, expected: str) -> None:
    assert coerce_value("enum", value, values=("GET", "POST", "PATCH")) == expected


def test_enum_outside_values() -> None:
    with pytest.raises(ValueError, match="expected one of a, b, got 'c'"):
        coerce_value("enum", "c", values=("a", "b"))


def test_enum_with_numbers() -> None:
    assert coerce_value("enum", 2, values=(1, 2)) == 2
    with pytest.raises(ValueError, match="expected one of 1, 2, got '3'"):
        coerce_value("enum", 3, values=(1, 2))


def test_coerce_config_applies_defaults_and_types() -> None:
    result = coerce_config(
        "http:source",
        {"url": "http://x", "method": "post", "timeout": "2s", "headers": "A: b", "extra": 1},
    )
    assert result == {
        "url": "http://x",
        "method": "POST",
        "timeout": 2000.0,
        "headers": {"A": "b"},
        "extra": 1,
        "expect": ["2xx"],
        "follow-redirects": True,
    }


def test_coerce_config_file_sink_defaults() -> None:
    result = coerce_config("file:sink", {"path": "o.json", "pretty": "no", "mode": "APPEND"})
    assert result == {
        "path": "o.json",
        "format": "auto",
        "pretty": False,
        "mode": "append",
        "create-dirs": True,
        "encoding": "utf-8",
    }


@pytest.mark.parametrize("empty", [None, UNDEFINED], ids=["null", "undefined"])
def test_empty_values_count_as_not_set(empty: Any) -> None:
    result = coerce_config("http:sink", {"url": "u", "timeout": empty, "headers": empty})
    assert result["timeout"] == 30_000.0
    assert "headers" not in result


def test_any_fields_keep_null() -> None:
    result = coerce_config("http:sink", {"url": "u", "body": None})
    assert result["body"] is None


@pytest.mark.parametrize(
    ("kind", "config"),
    [
        ("transform:map", {"expression": "item => item.x"}),
        ("transform:filter", {"condition": "item > 1", "expression": "x"}),
        ("transform:reduce", {"expression": "$acc + item", "initial": "0", "finalize": "$acc"}),
        ("transform:template", {"template": {"a": "{{ x }}"}}),
    ],
    ids=["map", "filter", "reduce", "template"],
)
def test_raw_fields_are_untouched(kind: str, config: dict[str, Any]) -> None:
    assert coerce_config(kind, config) == config


def test_explicit_raw_fields_override() -> None:
    result = coerce_config("file:sink", {"path": "p", "pretty": "maybe"}, raw_fields={"pretty"})
    assert result["pretty"] == "maybe"


def test_unknown_kind_passes_through() -> None:
    config = {"whatever": "5"}
    result = coerce_config("custom:thing", config)
    assert result == {"whatever": "5"}
    assert result is not config


@pytest.mark.parametrize(
    ("kind", "config", "match", "field"),
    [
        ("file:sink", {"path": "p", "pretty": "maybe"}, "field 'pretty' of file:sink", "pretty"),
        (
            "http:source",
            {"url": "u", "timeout": "soon"},
            "field 'timeout' of http:source",
            "timeout",
        ),
        ("http:source", {"url": "u", "method": "TRACE"}, "expected one of GET, POST", "method"),
        ("database:sink", {"batch": "many"}, "field 'batch' of database:sink", "batch"),
        ("database:sink", {"table": ["t"]}, "field 'table' of database:sink", "table"),
    ],
    ids=["boolean", "duration", "enum", "integer", "string-from-list"],
)
def test_coerce_config_errors_name_the_field(kind, config, match, field) -> None:
    with pytest.raises(NodeError, match=match) as info:
        coerce_config(kind, config)
    assert info.value.type == "config.invalid"
    assert info.value.retryable is False
    assert info.value.details["field"] == field


def test_template_field_from_a_native_value_becomes_text() -> None:
    assert coerce_config("file:source", {"path": {"a": 1}})["path"] == '{"a":1}'
