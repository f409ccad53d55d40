"""SQL tokenizer and parameter binding of the database source (runtimes/database/_sqltext)."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.expressions import MapScope
from flowscript.runtimes.database._sqltext import (
    BoundQuery,
    bind_params,
    bind_template,
    first_line,
    tokenize,
)


def _bind(query: str, dialect: Any = "sqlite", **variables: Any) -> BoundQuery | None:
    return bind_template(query, MapScope(variables), dialect, node_id="q")


@pytest.mark.parametrize(
    ("sql", "kinds"),
    [
        ("select 1", ["code"]),
        ("select 'a''b', x", ["code", "string", "code"]),
        ('select "we""ird" from t', ["code", "ident", "code"]),
        ("select `x` from t", ["code", "backtick", "code"]),
        ("select 1 -- a ? here\n, 2", ["code", "comment", "code"]),
        ("select /* :x */ 1", ["code", "comment", "code"]),
        ("select E'it\\'s ?'", ["code", "estring"]),
        ("select $$ a ? b $$, $tag$ x $$ y $tag$", ["code", "dollar", "code", "dollar"]),
        ("select 'unterminated", ["code", "string"]),
        ("select a$b$c from t", ["code"]),
    ],
    ids=[
        "plain",
        "string",
        "ident",
        "backtick",
        "line-comment",
        "block-comment",
        "e-string",
        "dollar",
        "unterminated",
        "dollar-in-name",
    ],
)
def test_tokenize_kinds(sql: str, kinds: list[str]) -> None:
    tokens = tokenize(sql)
    assert [kind for kind, _ in tokens] == kinds
    assert "".join(text for _, text in tokens) == sql


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("sqlite", "SELECT * FROM users WHERE name = ? AND age > ?"),
        ("postgresql", "SELECT * FROM users WHERE name = $1 AND age > $2"),
    ],
    ids=["sqlite", "postgresql"],
)
def test_template_values_become_parameters(dialect: str, sql: str) -> None:
    query = "SELECT * FROM users WHERE name = {{ name }} AND age > {{ min + 1 }}"
    bound = _bind(query, dialect, name="'; DROP TABLE users; --", min=17)
    assert bound == BoundQuery(sql, ("'; DROP TABLE users; --", 18), bound=True)


def test_query_without_interpolation_is_not_bound() -> None:
    assert _bind("SELECT 1") is None


def test_values_of_every_type_are_bound_driver_ready() -> None:
    bound = _bind(
        "VALUES ({{ a }}, {{ b }}, {{ c }}, {{ d }}, {{ e }}, {{ f }})",
        a=None,
        b=True,
        c=[1, "x"],
        d={"k": 1},
        e=2.5,
        f="t",
    )
    assert bound is not None
    assert bound.params == (None, True, '[1,"x"]', '{"k":1}', 2.5, "t")


def test_undefined_is_null() -> None:
    bound = _bind("SELECT {{ missing }}")
    assert bound == BoundQuery("SELECT ?", (None,), bound=True)


@pytest.mark.parametrize(
    ("query", "expected_sql", "expected_params"),
    [
        ("SELECT * FROM t WHERE name = '{{ name }}'", "SELECT * FROM t WHERE name = ?", ("o'k",)),
        (
            "SELECT * FROM t WHERE name LIKE '%{{ name }}%'",
            "SELECT * FROM t WHERE name LIKE ?",
            ("%o'k%",),
        ),
        ("SELECT 'it''s {{ n }}'", "SELECT ?", ("it's 3",)),
    ],
    ids=["quoted", "like-pattern", "escaped-quote"],
)
def test_interpolation_in_a_string_literal_binds_the_literal(
    query: str, expected_sql: str, expected_params: tuple[Any, ...]
) -> None:
    assert _bind(query, name="o'k", n=3) == BoundQuery(expected_sql, expected_params, bound=True)


def test_interpolation_in_a_comment_is_dropped_unevaluated() -> None:
    bound = _bind("SELECT {{ a }} -- was {{ boom() }}\n, 2", a=1)
    assert bound == BoundQuery("SELECT ? -- was \n, 2", (1,), bound=True)


@pytest.mark.parametrize(
    "query", ['SELECT "{{ col }}" FROM t', "SELECT $$ {{ x }} $$"], ids=["ident", "dollar"]
)
def test_interpolation_in_identifier_is_refused(query: str) -> None:
    with pytest.raises(NodeError, match="cannot be bound") as info:
        _bind(query, col="x", x=1)
    assert info.value.type == "config.invalid"


def test_failing_expression_is_expression_eval() -> None:
    with pytest.raises(NodeError, match=r"node q: query: .* in `\{\{ nope\(\) \}\}`") as info:
        _bind("SELECT {{ nope() }}")
    assert info.value.type == "expression.eval"


def test_unterminated_template_is_expression_eval() -> None:
    with pytest.raises(NodeError, match="unterminated") as info:
        _bind("SELECT {{ a")
    assert info.value.type == "expression.eval"


def test_escaped_braces_stay_sql_text() -> None:
    assert _bind("SELECT '\\{{x}}', {{ a }}", a=1) == BoundQuery(
        "SELECT '{{x}}', ?", (1,), bound=True
    )


@pytest.mark.parametrize(
    ("sql", "params", "dialect", "expected"),
    [
        ("SELECT ? , ?", [1, "a"], "sqlite", BoundQuery("SELECT ? , ?", (1, "a"), True)),
        ("SELECT ? , ?", [1, "a"], "postgresql", BoundQuery("SELECT $1 , $2", (1, "a"), True)),
        (
            "SELECT $2, $1, $2",
            ["a", "b"],
            "sqlite",
            BoundQuery("SELECT ?, ?, ?", ("b", "a", "b"), True),
        ),
        ("SELECT $2, $1", ["a", "b"], "postgresql", BoundQuery("SELECT $1, $2", ("b", "a"), True)),
        (
            "SELECT :b, :a, x::int FROM t",
            {"a": 1, "b": [2]},
            "postgresql",
            BoundQuery("SELECT $1, $2, x::int FROM t", ("[2]", 1), True),
        ),
        (
            "SELECT ':a', \"?\", ? -- ?\n",
            [1],
            "sqlite",
            BoundQuery("SELECT ':a', \"?\", ? -- ?\n", (1,), True),
        ),
    ],
    ids=["qmark", "qmark-pg", "numbered", "numbered-pg", "named-cast", "skips-quoted"],
)
def test_bind_params(sql: str, params: Any, dialect: Any, expected: BoundQuery) -> None:
    assert bind_params(sql, params, dialect, node_id="q") == expected


@pytest.mark.parametrize(
    ("sql", "params", "match"),
    [
        ("SELECT ?, $1", [1], "mixes"),
        ("SELECT ?", [1, 2], "params has 2 values but the query uses 1"),
        ("SELECT ?, ?", [1], "more \\? placeholders"),
        ("SELECT $3", [1, 2], "\\$3 has no value"),
        ("SELECT $1", [1, 2], "params has 2 values but the query uses 1"),
        ("SELECT :a, :b", {"a": 1}, ":b has no value"),
        ("SELECT 1", {"a": 1}, "no :name placeholder"),
        ("SELECT ?", 5, "expected a list"),
    ],
    ids=[
        "mixed",
        "unused",
        "too-few",
        "out-of-range",
        "unused-numbered",
        "missing-name",
        "no-named",
        "scalar",
    ],
)
def test_bind_params_errors(sql: str, params: Any, match: str) -> None:
    with pytest.raises(NodeError, match=match) as info:
        bind_params(sql, params, "sqlite", node_id="q")
    assert info.value.type == "config.invalid"


@pytest.mark.parametrize(
    ("sql", "expected"),
    [("\n\n  SELECT *\nFROM t", "SELECT *"), ("", ""), ("x" * 200, "x" * 119 + "…")],
    ids=["first", "empty", "long"],
)
def test_first_line(sql: str, expected: str) -> None:
    assert first_line(sql) == expected
