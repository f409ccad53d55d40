"""Pure helpers of the validator: hints, coercion, cron, positions, codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flowscript.model import Severity, SourceSpan, Text
from flowscript.validate import CODES
from flowscript.validate._codes import severity_of
from flowscript.validate._coerce import config_problem, default_problem, describe
from flowscript.validate._hints import closest, did_you_mean, one_of
from flowscript.validate._positions import SourceLocator
from flowscript.validate._trigger import cron_problem


@pytest.mark.parametrize(
    ("word", "candidates", "expected"),
    [
        ("methd", ["method", "url", "headers"], ("did you mean `method`?",)),
        ("URL", ["url", "method"], ("did you mean `url`?",)),
        ("zzz", ["url", "method"], ()),
        ("fetch-dat", ["fetch-data", "fetch-date", "other"],
         ("did you mean one of `fetch-date`, `fetch-data`?",)),
    ],
    ids=["one", "case-insensitive", "none", "several"],
)  # fmt: skip
def test_did_you_mean(word: str, candidates: list[str], expected: tuple[str, ...]) -> None:
    assert did_you_mean(word, candidates) == expected


def test_closest_keeps_original_spelling_and_limit() -> None:
    assert closest("get", ["GET", "SET", "PUT"], limit=1) == ["GET"]
    assert one_of("types", ["a", "b"]) == "valid types: a, b"
    assert one_of("x", [str(i) for i in range(5)], limit=2) == "valid x: 0, 1, …"


@pytest.mark.parametrize(
    ("type_", "value", "values", "problem"),
    [
        ("number", "1.5", (), None),
        ("number", "-2e3", (), None),
        ("number", "nan", (), "expected a number"),
        ("number", True, (), "expected a number"),
        ("integer", "42", (), None),
        ("integer", 42.0, (), None),
        ("integer", "4.2", (), "expected an integer"),
        ("boolean", "Yes", (), None),
        ("boolean", "0", (), None),
        ("boolean", False, (), None),
        ("boolean", "maybe", (), "expected a boolean (true/false/yes/no/1/0)"),
        ("duration", "1h30m", (), None),
        ("duration", 500, (), None),
        ("duration", "soon", (), 'expected a duration such as "500", "1.5s", "1h30m" or "PT10S"'),
        ("duration", 0, (), 'expected a duration such as "500", "1.5s", "1h30m" or "PT10S"'),
        ("enum", "post", ("GET", "POST"), None),
        ("enum", "FETCH", ("GET", "POST"), "expected one of GET, POST"),
        ("map", {"a": 1}, (), None),
        ("map", '{"a": 1}', (), None),
        ("map", "[1]", (), "expected a mapping (YAML `key: value` lines or a JSON object)"),
        ("list", "a, b", (), None),
        ("list", ["a"], (), None),
        ("list", {"a": 1}, (), "expected a list (JSON array or comma-separated)"),
        ("string", {"a": 1}, (), "expected a string"),
        ("template", {"a": 1}, (), None),
        ("schema", "{a: string}", (), None),
        ("schema", 3, (), "expected a schema (DSL string, JSON Schema mapping or a schemas: name)"),
        ("any", None, (), None),
    ],
    ids=lambda v: repr(v),
)
def test_config_problem(
    type_: str, value: object, values: tuple[str, ...], problem: str | None
) -> None:
    assert config_problem(type_, value, values) == problem


@pytest.mark.parametrize(
    ("type_", "value", "values", "problem"),
    [
        ("string", "x", None, None),
        ("string", 5, None, "expected a string"),
        ("number", 5, None, None),
        ("number", "5", None, "expected a number"),
        ("number", True, None, "expected a number"),
        ("integer", 5.0, None, None),
        ("integer", 5.5, None, "expected an integer"),
        ("integer", "5", None, "expected an integer"),
        ("boolean", "true", None, "expected a boolean (true/false/yes/no/1/0)"),
        ("object", {}, None, None),
        ("array", [], None, None),
        ("array", "a,b", None, "expected a list"),
        ("enum", "fast", ["fast", "slow"], None),
        ("enum", "medium", ["low", "high"], "expected one of low, high"),
        ("any", object, None, None),
        ("integer", None, None, None),
    ],
    ids=lambda v: repr(v),
)
def test_default_problem(
    type_: str, value: object, values: list[str] | None, problem: str | None
) -> None:
    assert default_problem(type_, value, values) == problem


def test_describe_shortens() -> None:
    assert describe("abc") == '"abc"'
    assert describe("x" * 50) == '"' + "x" * 37 + '..."'
    assert describe([1, 2]) == "[1, 2]"
    assert describe(None) == "null"


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        ("0 9 * * 1-5", None),
        ("*/15 0-6,22 1 JAN-MAR sun", None),
        ("every 4h", None),
        ("@daily", None),
        ("61 * * * *", "minute '61' is outside 0-59"),
        ("* * * *", "a cron expression has 5 fields, this one has 4"),
        ("* * 0 * *", "day of month '0' is outside 1-31"),
        ("*/0 * * * *", "minute field '*/0' is not valid"),
        ("* * * FOO *", "month 'FOO' is outside 1-12"),
    ],
    ids=lambda v: repr(v),
)
def test_cron_problem(schedule: str, problem: str | None) -> None:
    assert cron_problem(schedule) == problem


def test_cron_every_with_a_bad_duration_says_why() -> None:
    problem = cron_problem("every soon")
    assert problem is not None and "soon" in problem


SOURCE = (
    "line one\n"
    '  <x a="{{ b }}"/>\n'
    "  <t>\n"
    "    first {{ x }}\n"
    "      second {{ y }}\n"
    "  </t>\n"
    "  <h>\n"
    "    Authorization: Bearer {{ $secrets.T }}\n"
    "  </h>\n"
)


def test_locate_single_line_attribute_value() -> None:
    locator = SourceLocator(SOURCE)
    text = Text("{{ b }}", SourceSpan("f", 2, 9))
    assert locator.locate(text, 3) == SourceSpan("f", 2, 12)


def test_locate_dedented_multi_line_text() -> None:
    locator = SourceLocator(SOURCE)
    text = Text("first {{ x }}\n  second {{ y }}", SourceSpan("f", 4, 5))
    assert locator.locate(text, 9) == SourceSpan("f", 4, 14)
    offset = text.value.index("y")
    assert locator.locate(text, offset) == SourceSpan("f", 5, 17)


def test_locate_value_nested_in_a_yaml_block() -> None:
    locator = SourceLocator(SOURCE.replace("\n", "\r\n"))
    text = Text("Bearer {{ $secrets.T }}", SourceSpan("f", 8, 5))
    assert locator.locate(text, 10) == SourceSpan("f", 8, 30)


def test_locate_falls_back_to_the_span() -> None:
    locator = SourceLocator(SOURCE)
    text = Text("not in the source", SourceSpan("f", 3, 3))
    assert locator.locate(text, 4) == SourceSpan("f", 3, 7)
    assert locator.locate(text, 999) == SourceSpan("f", 3, 20)


def test_codes_table_matches_the_docs() -> None:
    docs = Path(__file__).parents[2] / "docs" / "diagnostics.md"
    listed = re.findall(r"^- `([A-Z_]+)` \((error|warning)\): ", docs.read_text(), re.M)
    assert listed == [(code, info.severity.value) for code, info in CODES.items()]
    assert severity_of("EXPR_UNDEFINED_VARIABLE") is Severity.WARNING
    assert severity_of("SOMETHING_NEW") is Severity.ERROR
