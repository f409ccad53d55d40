"""Evaluator: JavaScript operator semantics, access, node references, arrows, errors."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest

from flowscript.errors import ExpressionError, ExpressionEvalError
from flowscript.expressions import (
    UNDEFINED,
    JSFunction,
    MapScope,
    evaluate,
    parse_expression,
    to_json,
)

SCOPE = MapScope(
    {
        "x": 3,
        "s": "abc",
        "items": [1, 2, 3],
        "o": {"a": {"b": 1}, "a b": 2, "1": "one", "output": "field"},
        "n": None,
        "u": UNDEFINED,
        "empty": [],
        "k": "a",
    },
    nodes={"fetch": {"x": 1, "output": "inner"}, "skipped": UNDEFINED},
)


def ev(source: str, scope: Any = SCOPE) -> Any:
    return evaluate(source, scope)


def same(actual: Any, expected: Any) -> bool:
    """Equal with the same Python type (``2`` is not ``2.0``), NaN equal to NaN."""
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(actual, float) and math.isnan(actual)
    return type(actual) is type(expected) and actual == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('1 + "2"', "12"),
        ('"3" * "4"', 12),
        ("[] ? 1 : 2", 1),
        ("{} ? 1 : 2", 1),
        ('"" ? 1 : 2', 2),
        ("0 ? 1 : 2", 2),
        ('"5" == 5', True),
        ('"5" === 5', False),
        ("null == undefined", True),
        ("null === undefined", False),
        ("null == 0", False),
        ('0 == ""', True),
        ('"1" == true', True),
        ("[1] == 1", True),
        ("{} == {}", False),
        ("o === o", True),
        ("0/0 == 0/0", False),
        ("1 != 2", True),
        ('1 !== "1"', True),
        ("7 / 2", 3.5),
        ("6 / 3", 2),
        ("6.0 / 3", 2.0),
        ("1 / 0", math.inf),
        ("-1 / 0", -math.inf),
        ("1 / -0", -math.inf),
        ("0 / 0", math.nan),
        ("-7 % 3", -1),
        ("7 % -3", 1),
        ("5.5 % 2", 1.5),
        ("5 % 0", math.nan),
        ("2 ** 3 ** 2", 512),
        ("2 ** -1", 0.5),
        ("2 ** 0.5", math.sqrt(2)),
        ("(-8) ** (1 / 3)", math.nan),
        ("0 ** -1", math.inf),
        ("1 ** (1 / 0)", math.nan),
        ("(0 / 0) ** 0", 1),
        ("10 ** 400", math.inf),
        ("2 ** 10", 1024),
        ("9007199254740991 + 2", 9007199254740992.0),
        ("1e308 * 10", math.inf),
        ("3 - 5", -2),
        ("2 * 3.5", 7.0),
        ('"10" / "4"', 2.5),
        ('"a" - 1', math.nan),
        ("true + 1", 2),
        ("null + 1", 1),
        ("undefined + 1", math.nan),
        ('[1,2] + ""', "1,2"),
        ('{} + ""', "[object Object]"),
        ("[1] + [2]", "12"),
        ('"x" + null + undefined', "xnullundefined"),
        ('"n=" + 1.5', "n=1.5"),
        ('"10" < "9"', True),
        ('"10" < 9', False),
        ("null < 1", True),
        ("undefined < 1", False),
        ("[2] > 1", True),
        ("2 >= 2", True),
        ('"b" <= "a"', False),
        ("typeof null", "null"),
        ("typeof undefined", "undefined"),
        ("typeof 1", "number"),
        ('typeof ""', "string"),
        ("typeof true", "boolean"),
        ("typeof []", "array"),
        ("typeof {}", "object"),
        ("typeof (x => x)", "function"),
        ("typeof nope", "undefined"),
        ("!0", True),
        ("![]", False),
        ('-"3"', -3),
        ('+"3"', 3),
        ('+""', 0),
        ('+"x"', math.nan),
        ("+[]", 0),
        ("-x", -3),
        ('0 || "d"', "d"),
        ('"" && x', ""),
        ("1 && 2", 2),
        ("0 ?? 1", 0),
        ("null ?? 1", 1),
        ("u ?? n ?? 5", 5),
        ("false && nope()", False),
        ("true || nope()", True),
        ("1 ?? nope()", 1),
        ('"a" in {a: 1}', True),
        ('"b" in {a: 1}', False),
        ("0 in [1]", True),
        ("1 in [1]", False),
        ('"length" in []', True),
        ('"01" in [1, 2]', False),
        ("x > 2 ? 'big' : 'small'", "big"),
    ],
    ids=lambda v: str(v),
)
def test_javascript_operator_semantics(source: str, expected: Any) -> None:
    assert same(ev(source), expected)


def test_floating_point_prints_like_javascript() -> None:
    assert to_json(ev("0.1 + 0.2")) == "0.30000000000000004"
    assert to_json(ev("6 / 3")) == "2"
    assert to_json(ev("[1e21, 1.0, -0]")) == "[1e+21,1,0]"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("n.b.c", UNDEFINED),
        ("u.b", UNDEFINED),
        ("nope.b.c", UNDEFINED),
        ("o.missing.deeper", UNDEFINED),
        ("o.a.b", 1),
        ('o["a b"]', 2),
        ("o[1]", "one"),
        ("o[k].b", 1),
        ("s.length", 3),
        ("items.length", 3),
        ("o.length", UNDEFINED),
        ("items[1]", 2),
        ('items["1"]', 2),
        ('items["01"]', UNDEFINED),
        ("items[1.5]", UNDEFINED),
        ("items[-1]", UNDEFINED),
        ("items[10]", UNDEFINED),
        ("items.1", None),
        ("s[1]", "b"),
        ("s[5]", UNDEFINED),
        ("(1).x", UNDEFINED),
        ("true.x", UNDEFINED),
        ("n?.b", UNDEFINED),
        ("n?.b.c.d", UNDEFINED),
        ("n?.[0]", UNDEFINED),
        ("n?.m()", UNDEFINED),
        ("n?.m(nope())", UNDEFINED),
        ("nope?.(1)", UNDEFINED),
        ("o.f?.()", UNDEFINED),
        ("o?.a.b", 1),
        ("empty[0]", UNDEFINED),
    ],
    ids=lambda v: str(v),
)
def test_member_and_index_access(source: str, expected: Any) -> None:
    if source == "items.1":
        with pytest.raises(Exception, match="unexpected a number"):
            parse_expression(source)
        return
    assert same(ev(source), expected) or ev(source) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("fetch", {"x": 1, "output": "inner"}),
        ("fetch.output", {"x": 1, "output": "inner"}),
        ("fetch?.output", {"x": 1, "output": "inner"}),
        ("fetch.output.output", "inner"),
        ("fetch.x", 1),
        ("fetch.output.x", 1),
        ("o.output", "field"),
        ('fetch["output"]', "inner"),
        ("skipped.output", UNDEFINED),
        ("skipped.output.x", UNDEFINED),
    ],
    ids=lambda v: str(v),
)
def test_node_references(source: str, expected: Any) -> None:
    assert ev(source) == expected


def test_variable_shadows_node_for_output() -> None:
    scope = MapScope({"fetch": {"output": 7}}, nodes={"fetch": {"x": 1}})
    assert ev("fetch.output", scope) == 7
    child = MapScope({"y": 1}, parent=MapScope(nodes={"fetch": {"x": 1}}))
    assert ev("fetch.output.x", child) == 1


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("`a ${x} b`", "a 3 b"),
        ("`${1 + 1} ${[1, 2]} ${null} ${undefined} ${{}}`", "2 1,2 null undefined [object Object]"),
        ("`${`${s}!`}?`", "abc!?"),
        ("`line\nbreak`", "line\nbreak"),
        ("[...items, 4]", [1, 2, 3, 4]),
        ('[..."ab"]', ["a", "b"]),
        ("[]", []),
        ("{...o.a, c: 2}", {"b": 1, "c": 2}),
        ("{...[1, 2]}", {"0": 1, "1": 2}),
        ("{...null, ...undefined, ...1}", {}),
        ('{..."ab"}', {"0": "a", "1": "b"}),
        ("{[1 + 1]: 'x', [k]: 'y'}", {"2": "x", "a": "y"}),
        ("{a: 1, a: 2}", {"a": 2}),
        ("{x, s}", {"x": 3, "s": "abc"}),
        ('{"": 1}', {"": 1}),
        ("{1.5: 1}", {"1.5": 1}),
    ],
    ids=lambda v: str(v),
)
def test_literals_spread_and_templates(source: str, expected: Any) -> None:
    assert ev(source) == expected


def test_literals_evaluate_to_fresh_values() -> None:
    tree = parse_expression("[1, {a: 1}]")
    first = evaluate(tree)
    first[1]["a"] = 99
    assert evaluate(tree) == [1, {"a": 1}]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("(x => x * 2)(21)", 42),
        ("((a, b) => b)(1)", UNDEFINED),
        ("((a) => a)(1, 2, 3)", 1),
        ("(() => 7)()", 7),
        ("(a => b => a + b)(1)(2)", 3),
        ("(y => x + y)(1)", 4),
        ("(x => x)(5) + x", 8),
        ("{f: v => v + 1}.f(1)", 2),
        ("(item => ({...item, ok: true}))({a: 1})", {"a": 1, "ok": True}),
    ],
    ids=lambda v: str(v),
)
def test_arrow_functions(source: str, expected: Any) -> None:
    assert ev(source) == expected or ev(source) is expected


def test_arrow_value_is_a_function() -> None:
    fn = ev("(a, b) => a * b")
    assert isinstance(fn, JSFunction)
    assert fn.arity == 2
    assert fn.call([6, 7]) == 42
    assert fn.call([]) != fn.call([])  # NaN: undefined * undefined


def test_arrow_called_after_evaluation_uses_a_fresh_budget() -> None:
    from flowscript.expressions import Limits

    fn = evaluate("v => v + 1", limits=Limits(max_steps=10))
    assert [fn.call([i]) for i in range(50)] == list(range(1, 51))


def test_arrow_parameters_shadow_outer_names() -> None:
    assert ev("(x => x)(10)") == 10
    assert ev("(fetch => fetch.output)({output: 1})") == 1


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("1 + nope(2)", "unknown function `nope`", 5),
        ("x(1)", "`x` is not a function (it is a number)", 1),
        ("o.a(1)", "method 'a' is not allowed", 3),
        ("n.m()", "cannot call `.m()` on null", 3),
        ("u.trim()", "cannot call `.trim()` on undefined", 3),
        ("items[0](1)", "`items[0]` is not a function (it is a number)", 9),
        ('"x" in "xyz"', "cannot use `in` to look for 'x' in string", 5),
        ("1 in null", "cannot use `in`", 3),
        ("[...n]", "cannot spread null into a list", 2),
        ("f(...1)", "cannot spread number", 3),
        ("Math.nope(1)", "`Math.nope` is not a supported function", 6),
    ],
    ids=lambda v: str(v),
)
def test_evaluation_errors_point_at_the_failing_part(
    source: str, message: str, column: int
) -> None:
    with pytest.raises(Exception, match=re.escape(message)) as info:
        ev(source)
    error = info.value
    assert isinstance(error, ExpressionError)
    assert error.column == column
    assert error.expression == source


def test_eval_error_class_and_code() -> None:
    with pytest.raises(ExpressionEvalError) as info:
        ev("nope()")
    assert info.value.code == "EXPR_EVAL_ERROR"


def test_evaluate_accepts_trees_and_mappings() -> None:
    tree = parse_expression("a + 1")
    assert evaluate(tree, {"a": 1}) == 2
    assert evaluate("1 + 1") == 2
    assert evaluate(tree, {"a": 2}) == 3


def test_huge_flat_expressions_evaluate() -> None:
    assert evaluate(" + ".join(["1"] * 24_000)) == 24_000
    assert evaluate("o" + ".a" * 20_000, {"o": {}}) is UNDEFINED
    assert evaluate("[" + ",".join(["x"] * 20_000) + "].length", {"x": 1}) == 20_000
    assert evaluate(" && ".join(["x"] * 20_000), {"x": 1}) == 1
