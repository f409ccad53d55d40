"""Printer: ``to_source`` output and its round trip through the parser."""

from __future__ import annotations

import pytest

from flowscript.expressions import parse_expression, to_source
from flowscript.expressions.syntax import (
    Binary,
    Identifier,
    Member,
    NumberLiteral,
    StringLiteral,
    Unary,
)


@pytest.mark.parametrize(
    ("source", "printed"),
    [
        ("1+2*3", "1 + 2 * 3"),
        ("(1+2)*3", "(1 + 2) * 3"),
        ("a-(b-c)", "a - (b-c)"),
        ("(a-b)-c", "(a-b) - c"),
        ("(a - b) - c", "a - b - c"),
        ("2**3**2", "2 ** 3 ** 2"),
        ("(2**3)**2", "(2 ** 3) ** 2"),
        ("(-2)**2", "(-2) ** 2"),
        ("-(-x)", "-(-x)"),
        ("- -x", "-(-x)"),
        ("+-x", "+-x"),
        ("typeof(x)", "typeof x"),
        ("!(a&&b)", "!(a && b)"),
        ("(a ? b : c) ? d : e", "(a ? b : c) ? d : e"),
        ("a ? b : (c ? d : e)", "a ? b : c ? d : e"),
        ("(x => x)(1)", "(x => x)(1)"),
        ("x => ({a: 1})", "x => ({a: 1})"),
        ("x => ({a: 1}).a", "x => ({a: 1}.a)"),
        ("(a, b) => a", "(a, b) => a"),
        ("() => 1", "() => 1"),
        ("(1).toFixed(2)", "(1).toFixed(2)"),
        ("a?.b?.[c]?.(d)", "a?.b?.[c]?.(d)"),
        ("{'a b': 1, c: 2, [d]: 3, ...e}", '{"a b": 1, c: 2, [d]: 3, ...e}'),
        ("[1, ...xs]", "[1, ...xs]"),
        ("f(...xs)", "f(...xs)"),
        ("'it\\'s \"x\"\\n'", '"it\'s \\"x\\"\\n"'),
        ("`a${b}\\`c\\${d}`", "`a${b}\\`c\\${d}`"),
        ("1e21 + 0.5 + 0x10", "1e+21 + 0.5 + 16"),
        ("null ?? undefined", "null ?? undefined"),
        ("'k' in o", '"k" in o'),
    ],
    ids=lambda v: v,
)
def test_printed_source(source: str, printed: str) -> None:
    tree = parse_expression(source)
    assert to_source(tree) == printed
    assert parse_expression(printed) == tree


def test_hand_built_trees_get_the_parentheses_they_need() -> None:
    one, two = NumberLiteral(value=1), NumberLiteral(value=2)
    tree = Binary(
        operator="*",
        left=Binary(operator="+", left=one, right=two),
        right=Unary(operator="-", operand=Member(object=one, name="x")),
    )
    assert to_source(tree) == "(1 + 2) * -(1).x"
    assert parse_expression(to_source(tree)) == tree


def test_hyphenated_and_quoted_keys() -> None:
    tree = parse_expression('{"fetch-joke": 1, "": 2, "1": 3}')
    assert to_source(tree) == '{"fetch-joke": 1, "": 2, "1": 3}'
    assert to_source(StringLiteral(value="😀\u2028")) == '"😀\u2028"'
    assert to_source(Identifier(name="$x")) == "$x"


def test_long_chains_print_without_recursion_errors() -> None:
    text = to_source(parse_expression(" + ".join(["x"] * 20_000)))
    assert text.count("+") == 19_999
    assert to_source(parse_expression("a" + ".b" * 20_000)).count(".") == 20_000
