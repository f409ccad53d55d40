"""Calls from the evaluator into built-ins, aliases, methods and arrow functions."""

from __future__ import annotations

import re
from typing import Any

import pytest

from flowscript.errors import BlockedAccessError, ExpressionEvalError
from flowscript.expressions import UNDEFINED, MapScope, evaluate


def test_builtin_with_arrow() -> None:
    assert evaluate("map([1, 2], x => x * 2)") == [2, 4]


def test_nested_arrows_with_builtins_close_over_outer_parameters() -> None:
    assert evaluate("map([1, 2], x => map([10, 20], y => x * y))") == [[10, 20], [20, 40]]


def test_builtin_predicates_with_scope_values() -> None:
    scope = {"items": [{"ok": True, "n": 1}, {"ok": False, "n": 2}, {"ok": True, "n": 3}]}
    assert evaluate("filter(items, i => i.ok).length", scope) == 2
    assert evaluate("reduce(items, (acc, i) => acc + i.n, 0)", scope) == 6


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Math.floor(1.7)", 1),
        ("Math.max(1, 5, 3)", 5),
        ("JSON.parse('{\"a\": 1}')", {"a": 1}),
        ("JSON.stringify([1, 2])", "[1,2]"),
        ("max(...[1, 5, 3])", 5),
        ("upper('abc')", "ABC"),
    ],
    ids=lambda v: str(v),
)
def test_builtins_and_aliases(source: str, expected: Any) -> None:
    assert evaluate(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('"abc".toUpperCase()', "ABC"),
        ("[3, 1, 2].map(x => x + 1)", [4, 2, 3]),
        ("[1, 2, 3].filter(x => x > 1).length", 2),
        ('"a,b".split(",")', ["a", "b"]),
        ("'  x '.trim().length", 1),
        ("(1.005).toFixed(2)", "1.00"),
    ],
    ids=lambda v: str(v),
)
def test_method_calls(source: str, expected: Any) -> None:
    assert evaluate(source) == expected


def test_variable_holding_a_function_shadows_a_builtin() -> None:
    shout = evaluate("s => s + '!'")
    assert evaluate("upper('a')", {"upper": shout}) == "a!"


def test_variable_not_holding_a_function_does_not_shadow_a_builtin() -> None:
    assert evaluate("upper('a')", {"upper": "not a function"}) == "A"


def test_function_valued_scope_variable_is_callable() -> None:
    scope = MapScope({"double": evaluate("x => x * 2")})
    assert evaluate("double(4) + map([1], double)[0]", scope) == 10


@pytest.mark.parametrize(
    ("source", "pattern"),
    [
        ("upper()", "upper() takes 1 argument, got 0: upper(s)"),
        ("round(1, 2, 3)", "round() takes 1 to 2 arguments, got 3: round(n, [decimals"),
        ("map([1])", "map() takes 2 arguments, got 1"),
    ],
    ids=lambda v: str(v),
)
def test_arity_errors_name_the_signature(source: str, pattern: str) -> None:
    with pytest.raises(ExpressionEvalError, match=re.escape(pattern)) as info:
        evaluate(source)
    assert info.value.column == 1


def test_errors_inside_arrow_bodies_point_into_the_body() -> None:
    with pytest.raises(ExpressionEvalError, match="unknown function `nope`") as info:
        evaluate("map([1], x => x + nope())")
    assert info.value.column == 19
    assert info.value.expression == "map([1], x => x + nope())"


def test_method_outside_the_whitelist_is_blocked() -> None:
    with pytest.raises(BlockedAccessError) as info:
        evaluate('"abc".nope()')
    assert info.value.column == 7
    assert info.value.code == "EXPR_BLOCKED_ACCESS"


def test_optional_method_call_on_missing_receiver() -> None:
    assert evaluate("missing?.toUpperCase()") is UNDEFINED
