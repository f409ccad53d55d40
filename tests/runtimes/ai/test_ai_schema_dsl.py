"""The output-schema DSL → JSON Schema, and its errors with positions."""

from __future__ import annotations

import re
from typing import Any

import pytest

from flowscript.runtimes.ai.schema_dsl import SchemaSyntaxError, parse_schema_dsl


def obj(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


@pytest.mark.parametrize(
    ("dsl", "expected"),
    [
        pytest.param("string", {"type": "string"}, id="string"),
        pytest.param("integer", {"type": "integer"}, id="integer"),
        pytest.param("number[]", {"type": "array", "items": {"type": "number"}}, id="array"),
        pytest.param(
            "boolean[][]",
            {"type": "array", "items": {"type": "array", "items": {"type": "boolean"}}},
            id="nested-array",
        ),
        pytest.param("string?", {"type": ["string", "null"]}, id="nullable"),
        pytest.param(
            "string?[]",
            {"type": "array", "items": {"type": ["string", "null"]}},
            id="array-of-nullable",
        ),
        pytest.param('"a" | "b" | \'c\'', {"type": "string", "enum": ["a", "b", "c"]}, id="enum"),
        pytest.param(
            "string | number",
            {"anyOf": [{"type": "string"}, {"type": "number"}]},
            id="union",
        ),
        pytest.param(
            "{score: integer, tags?: string[], mood: string?}",
            obj(
                {
                    "score": {"type": "integer"},
                    "tags": {"type": ["array", "null"], "items": {"type": "string"}},
                    "mood": {"type": ["string", "null"]},
                },
                ["score"],
            ),
            id="object-optional",
        ),
        pytest.param(
            "{\n  name: string\n  best-of: {id: integer}[],\n}",
            obj(
                {
                    "name": {"type": "string"},
                    "best-of": {
                        "type": "array",
                        "items": obj({"id": {"type": "integer"}}, ["id"]),
                    },
                },
                ["name", "best-of"],
            ),
            id="newlines-nested-trailing-comma",
        ),
        pytest.param(
            '{"odd key": ("x" | "y")[]}',
            obj(
                {"odd key": {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}}},
                ["odd key"],
            ),
            id="quoted-key-group",
        ),
        pytest.param("{}", obj({}, []), id="empty-object"),
    ],
)
def test_the_dsl_converts_to_json_schema(dsl: str, expected: dict[str, Any]) -> None:
    assert parse_schema_dsl(dsl) == expected


@pytest.mark.parametrize(
    ("dsl", "message", "line", "column"),
    [
        pytest.param("", "expected a type", 1, 1, id="empty"),
        pytest.param("{a: strng}", "unknown type 'strng'", 1, 5, id="unknown-type"),
        pytest.param("{a string}", "expected ':' after the field name 'a'", 1, 4, id="colon"),
        pytest.param("{a: string", "expected , or } after a field", 1, 11, id="unclosed"),
        pytest.param("{a: string b: number}", "expected , or }", 1, 12, id="separator"),
        pytest.param("{a: string, a: number}", "duplicate field 'a'", 1, 13, id="duplicate"),
        pytest.param("string[", "expected ] to close []", 1, 8, id="bracket"),
        pytest.param('"open', "unterminated string literal", 1, 1, id="string"),
        pytest.param("{\n  a: string\n  b: @\n}", "unexpected character '@'", 3, 6, id="line"),
        pytest.param("string integer", "expected the end of the schema", 1, 8, id="trailing"),
    ],
)
def test_dsl_errors_name_the_position(dsl: str, message: str, line: int, column: int) -> None:
    with pytest.raises(SchemaSyntaxError, match=re.escape(message)) as raised:
        parse_schema_dsl(dsl)
    assert (raised.value.line, raised.value.column) == (line, column)
    assert str(raised.value).endswith(f"(schema line {line}, column {column})")
