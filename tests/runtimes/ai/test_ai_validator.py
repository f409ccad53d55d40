"""The JSON Schema validator that checks AI answers."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.runtimes.ai.schema_dsl import parse_schema_dsl
from flowscript.runtimes.ai.validator import MAX_ERRORS, validate_json

REVIEW = parse_schema_dsl('{score: integer, tags?: string[], tone: "calm" | "loud"}')


@pytest.mark.parametrize(
    ("value", "problems"),
    [
        pytest.param({"score": 3, "tone": "calm"}, [], id="valid"),
        pytest.param({"score": 3.0, "tone": "calm", "tags": None}, [], id="whole-float-null"),
        pytest.param(
            {"score": True, "tone": "calm"},
            ["$.score: expected integer, got boolean true"],
            id="bool-is-not-integer",
        ),
        pytest.param(
            {"tone": "shy", "extra": 1},
            [
                "$: missing required field 'score'",
                '$.tone: "shy" is not one of "calm", "loud"',
                "$: unexpected field 'extra'",
            ],
            id="several",
        ),
        pytest.param(
            {"score": 1, "tone": "calm", "tags": ["a", 2]},
            ["$.tags[1]: expected string, got integer 2"],
            id="array-item",
        ),
        pytest.param([], ["$: expected object, got array []"], id="not-an-object"),
    ],
)
def test_dsl_schemas_validate(value: Any, problems: list[str]) -> None:
    assert validate_json(value, REVIEW) == problems


@pytest.mark.parametrize(
    ("schema", "value", "problems"),
    [
        pytest.param(
            {"type": "integer", "minimum": 1, "maximum": 10},
            11,
            ["$: expected a number ≤ 10, got 11"],
            id="maximum",
        ),
        pytest.param(
            {"type": "number", "exclusiveMinimum": 0},
            0,
            ["$: expected a number > 0, got 0"],
            id="exclusive",
        ),
        pytest.param(
            {"type": "string", "minLength": 3, "pattern": "^[a-z]+$"},
            "A",
            [
                "$: expected at least 3 characters, got 1",
                "$: \"A\" does not match the pattern '^[a-z]+$'",
            ],
            id="string",
        ),
        pytest.param(
            {"type": "array", "maxItems": 1, "uniqueItems": True},
            [1, 1],
            ["$: expected at most 1 items, got 2", "$: items must be unique"],
            id="array",
        ),
        pytest.param({"const": "x"}, "y", ['$: expected "x", got "y"'], id="const"),
        pytest.param(
            {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            1.5,
            ["$: 1.5 matches none of the allowed shapes"],
            id="any-of",
        ),
        pytest.param(
            {"oneOf": [{"type": "number"}, {"type": "integer"}]},
            2,
            ["$: 2 must match exactly one allowed shape, matches 2"],
            id="one-of",
        ),
        pytest.param(
            {
                "$defs": {"pos": {"type": "integer", "minimum": 0}},
                "type": "object",
                "properties": {"n": {"$ref": "#/$defs/pos"}},
            },
            {"n": -1},
            ["$.n: expected a number ≥ 0, got -1"],
            id="ref",
        ),
        pytest.param({"type": "string", "nullable": True}, None, [], id="nullable"),
        pytest.param(
            {"additionalProperties": {"type": "integer"}},
            {"a": 1, "b": "2"},
            ['$.b: expected integer, got string "2"'],
            id="additional-schema",
        ),
        pytest.param({"type": "object", "description": "x", "format": "y"}, {}, [], id="notes"),
    ],
)
def test_json_schema_keywords(schema: dict[str, Any], value: Any, problems: list[str]) -> None:
    assert validate_json(value, schema) == problems


def test_problems_are_capped() -> None:
    schema = {"type": "array", "items": {"type": "string"}}
    assert len(validate_json(list(range(50)), schema)) == MAX_ERRORS
