"""Templates (expressions.md §5): parsing, native values, text, JSON templates, errors."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from flowscript.errors import BlockedAccessError, ExpressionEvalError, ExpressionSyntaxError
from flowscript.expressions import (
    UNDEFINED,
    Interpolation,
    MapScope,
    is_template,
    parse_template,
    render_json_template,
    render_template,
)

SCOPE = MapScope(
    {
        "items": [1, 2],
        "obj": {"a": 1},
        "name": "Ada",
        "n": 3,
        "f": 1.5,
        "t": True,
        "nothing": None,
        "quote": 'say "hi"\\ \n\tbye',
    },
    nodes={"fetch-joke": {"text": "joke"}},
)


def test_is_template() -> None:
    assert is_template("a {{ b }}")
    assert not is_template("plain { text }")


def test_parse_splits_text_and_interpolations() -> None:
    template = parse_template("Hi {{ name }}, you have {{n}} items")
    literals = [part for part in template.parts if isinstance(part, str)]
    assert literals == ["Hi ", ", you have ", " items"]
    first, second = template.interpolations
    assert (first.source, first.offset) == (" name ", 5)
    assert (second.source, second.offset) == ("n", 26)
    assert not template.is_json
    assert template.native is None


def test_parse_is_cached() -> None:
    assert parse_template("{{ a }}") is parse_template("{{ a }}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ items }}", [1, 2]),
        ("  {{ obj }}\n", {"a": 1}),
        ("{{ n }}", 3),
        ("{{ nothing }}", None),
        ("{{ missing }}", UNDEFINED),
        ("{{ fetch-joke.text }}", "joke"),
        ("{{ {a: {b: 1}} }}", {"a": {"b": 1}}),
        ("{{ '}}' }}", "}}"),
        ("{{ `}}${n}` }}", "}}3"),
    ],
    ids=lambda v: str(v),
)
def test_single_interpolation_renders_the_value_itself(text: str, expected: Any) -> None:
    assert render_template(text, SCOPE) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("Hi {{ name }}!", "Hi Ada!"),
        ("{{ nothing }}|{{ missing }}|", "||"),
        ("{{ n }} {{ f }} {{ t }} {{ 0.1 + 0.2 }}", "3 1.5 true 0.30000000000000004"),
        ("list={{ items }} obj={{ obj }}", 'list=[1,2] obj={"a":1}'),
        ("{{ 1 / 0 }} {{ 0 / 0 }}", "Infinity NaN"),
        (r"literal \{{ name }} and {{ name }}", "literal {{ name }} and Ada"),
        ("{{ name }}{{ name }}", "AdaAda"),
        ("a }} b", "a }} b"),
        ("x {{ {a: 1}.a }} y", "x 1 y"),
    ],
    ids=lambda v: str(v),
)
def test_text_rendering(text: str, expected: str) -> None:
    assert render_template(text, SCOPE) == expected


def test_json_template_escapes_interpolations_inside_strings() -> None:
    text = '{"t": "{{ quote }}", "n": {{ n }}, "list": {{ items }}, "s": "x{{ name }}y"}'
    template = parse_template(text)
    assert template.is_json
    assert [part.in_json_string for part in template.interpolations] == [True, False, False, True]
    value, warning = render_json_template(template, SCOPE)
    assert warning is None
    assert value == {"t": SCOPE.lookup("quote"), "n": 3, "list": [1, 2], "s": "xAday"}


def test_json_template_string_tracking_handles_escaped_quotes() -> None:
    text = '[ "a \\" {{ n }}", {{ n }}, "{{ obj }}" ]'
    template = parse_template(text)
    assert [part.in_json_string for part in template.interpolations] == [True, False, True]
    value, warning = render_json_template(template, SCOPE)
    assert warning is None
    assert value == ['a " 3', 3, '{"a":1}']


def test_json_template_numbers_keep_their_type() -> None:
    value, warning = render_json_template('{"i": {{ n }}, "f": {{ f }}, "big": 1e400}', SCOPE)
    assert warning is None
    assert value["i"] == 3 and type(value["i"]) is int
    assert value["f"] == 1.5


def test_invalid_json_returns_the_text_with_a_warning() -> None:
    text = '{"a": {{ name }}}'
    value, warning = render_json_template(text, SCOPE)
    assert value == '{"a": Ada}'
    assert warning == "invalid JSON at line 1 column 7: Expecting value"


def test_invalid_json_constant_is_reported() -> None:
    value, warning = render_json_template("[{{ 0 / 0 }}]", SCOPE)
    assert value == "[NaN]"
    assert warning == "invalid JSON at line 1 column 2: NaN is not valid JSON"


def test_json_warning_reports_lines() -> None:
    value, warning = render_json_template('{\n  "a": 1,\n  "b": {{ nothing }}\n}', SCOPE)
    assert warning == "invalid JSON at line 4 column 1: Expecting value"
    assert value == '{\n  "a": 1,\n  "b": \n}'


def test_non_json_templates_never_warn() -> None:
    assert render_json_template("Hi {{ name }}", SCOPE) == ("Hi Ada", None)
    assert render_json_template("{{ obj }}", SCOPE) == ({"a": 1}, None)
    assert not parse_template("{{ obj }} tail").is_json


def test_json_escaping_round_trips_any_string() -> None:
    nasty = 'quotes " and \\ backslashes \\" \n newlines \t tabs \u0001 control é 😀'
    value, warning = render_json_template('{"t": "{{ s }}"}', {"s": nasty})
    assert warning is None
    assert value == {"t": nasty}
    assert json.loads(render_template('{"t": "{{ s }}"}', {"s": nasty}))["t"] == nasty


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("Hi {{ name", "unterminated `{{`: missing the closing `}}`", 4),
        ("ok {{ a }} then {{ b", "unterminated `{{`", 17),
        ("Hi {{ a b }}", "unexpected name `b`", 9),
        ("Hi {{ 'oops }}", "unterminated string literal", 7),
        ("Hi {{ }}", "empty expression", 6),
        ("line1\n{{ a = 1 }}", "assignment is not supported", 12),
    ],
    ids=lambda v: str(v),
)
def test_template_syntax_errors_have_template_columns(text: str, message: str, column: int) -> None:
    with pytest.raises(ExpressionSyntaxError, match=re.escape(message)) as info:
        parse_template(text)
    assert info.value.column == column
    assert info.value.expression == text


def test_eval_errors_name_the_expression_and_template_column() -> None:
    text = "Total: {{ items.length }} / {{ nope(1) }}"
    with pytest.raises(ExpressionEvalError) as info:
        render_template(text, SCOPE)
    error = info.value
    assert error.message == "unknown function `nope` in `{{ nope(1) }}`"
    assert error.column == 32
    assert error.expression == text


def test_eval_errors_in_native_templates() -> None:
    with pytest.raises(BlockedAccessError, match=re.escape("in `{{ obj.__class__ }}`")) as info:
        render_template("{{ obj.__class__ }}", SCOPE)
    assert info.value.column == 8


def test_interpolation_dataclass() -> None:
    [part] = parse_template("{{x}}").interpolations
    assert isinstance(part, Interpolation)
    assert part.offset == 2 and part.source == "x" and not part.in_json_string


def test_render_accepts_mappings_and_no_scope() -> None:
    assert render_template("{{ 1 + 1 }}") == 2
    assert render_template("{{ a }}-{{ b }}", {"a": 1, "b": 2}) == "1-2"
