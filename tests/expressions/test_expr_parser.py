"""Pratt parser: every literal form, precedence, associativity, and every syntax error kind."""

from __future__ import annotations

import re

import pytest

from flowscript.errors import ExpressionSyntaxError, LimitExceededError
from flowscript.expressions import parse_expression
from flowscript.expressions.syntax import (
    ArrayLiteral,
    Arrow,
    Binary,
    BooleanLiteral,
    Call,
    Conditional,
    Expr,
    HyphenName,
    Identifier,
    Index,
    Member,
    NullLiteral,
    NumberLiteral,
    ObjectLiteral,
    Property,
    Spread,
    StringLiteral,
    TemplateLiteral,
    Unary,
    UndefinedLiteral,
)


def sexp(node: Expr | Property) -> str:
    """A compact fully-parenthesised rendering of a tree, for precedence assertions."""
    match node:
        case NumberLiteral(value=value) | BooleanLiteral(value=value):
            return repr(value)
        case StringLiteral(value=value):
            return repr(value)
        case NullLiteral():
            return "null"
        case UndefinedLiteral():
            return "undefined"
        case Identifier(name=name):
            return name
        case Binary(operator=op, left=left, right=right):
            return f"({sexp(left)} {op} {sexp(right)})"
        case Unary(operator=op, operand=operand):
            return f"({op} {sexp(operand)})"
        case Conditional(test=test, consequent=yes, alternate=no):
            return f"({sexp(test)} ? {sexp(yes)} : {sexp(no)})"
        case Member(object=obj, name=name, optional=optional):
            return f"{sexp(obj)}{'?.' if optional else '.'}{name}"
        case Index(object=obj, index=index, optional=optional):
            return f"{sexp(obj)}{'?.' if optional else ''}[{sexp(index)}]"
        case Call(callee=callee, arguments=args, optional=optional):
            inner = ", ".join(sexp(a) for a in args)
            return f"{sexp(callee)}{'?.' if optional else ''}({inner})"
        case Arrow(params=params, body=body):
            return f"(({', '.join(params)}) => {sexp(body)})"
        case Spread(argument=argument):
            return f"...{sexp(argument)}"
        case ArrayLiteral(elements=elements):
            return "[" + ", ".join(sexp(e) for e in elements) + "]"
        case ObjectLiteral(properties=props):
            return "{" + ", ".join(sexp(p) for p in props) + "}"
        case Property(key=key, value=value, computed=computed):
            shown = f"[{sexp(key)}]" if computed else sexp(key)
            return f"{shown}: {sexp(value)}"
        case TemplateLiteral(quasis=quasis, expressions=exprs):
            return (
                "tpl("
                + ", ".join(
                    [repr(quasis[0])]
                    + [f"{sexp(e)}, {q!r}" for e, q in zip(exprs, quasis[1:], strict=True)]
                )
                + ")"
            )
        case HyphenName(name=name, whole=whole, parts=parts):
            return f"H[{name}: {sexp(whole)} | " + " - ".join(sexp(p) for p in parts) + "]"
    raise AssertionError(node)


def parsed(text: str) -> str:
    return sexp(parse_expression(text))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", "(1 + (2 * 3))"),
        ("(1 + 2) * 3", "((1 + 2) * 3)"),
        ("1 - 2 - 3", "((1 - 2) - 3)"),
        ("8 / 4 / 2", "((8 / 4) / 2)"),
        ("2 ** 3 ** 2", "(2 ** (3 ** 2))"),
        ("2 * 3 ** 2", "(2 * (3 ** 2))"),
        ("2 ** -1", "(2 ** (- 1))"),
        ("a || b && c", "(a || (b && c))"),
        ("a ?? b || c", "((a ?? b) || c)"),
        ("a && b == c", "(a && (b == c))"),
        ("a == b < c", "(a == (b < c))"),
        ("a === b !== c", "((a === b) !== c)"),
        ("a < b + c", "(a < (b + c))"),
        ("'k' in o && x", "(('k' in o) && x)"),
        ("a + b in o", "((a + b) in o)"),
        ("a ? b : c ? d : e", "(a ? b : (c ? d : e))"),
        ("a || b ? c : d", "((a || b) ? c : d)"),
        ("a ? b ? c : d : e", "(a ? (b ? c : d) : e)"),
        ("!a && b", "((! a) && b)"),
        ("-a * b", "((- a) * b)"),
        ("!!a", "(! (! a))"),
        ("- -a", "(- (- a))"),
        ("+'3'", "(+ '3')"),
        ("typeof x === 'string'", "((typeof x) === 'string')"),
        ("typeof a.b", "(typeof a.b)"),
        ("a.b.c", "a.b.c"),
        ("a?.b.c", "a?.b.c"),
        ("a?.[0]", "a?.[0]"),
        ("f?.(1)", "f?.(1)"),
        ("a.b(1)(2)[3]", "a.b(1)(2)[3]"),
        ("-a.b", "(- a.b)"),
        ("a[b + 1]", "a[(b + 1)]"),
    ],
    ids=lambda v: v,
)
def test_precedence_and_associativity(source: str, expected: str) -> None:
    assert parsed(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("12", "12"),
        ("'x'", "'x'"),
        ("true", "True"),
        ("false", "False"),
        ("null", "null"),
        ("undefined", "undefined"),
        ("[]", "[]"),
        ("[1, ...rest, 2,]", "[1, ...rest, 2]"),
        ("{}", "{}"),
        (
            '{a: 1, "b-c": 2, [k]: v, short, ...other, 3: x,}',
            "{'a': 1, 'b-c': 2, [k]: v, 'short': short, ...other, '3': x}",
        ),
        ("{in: 1, typeof: 2, null: 3}", "{'in': 1, 'typeof': 2, 'null': 3}"),
        ("`plain`", "tpl('plain')"),
        ("`a ${x} b ${y + 1}`", "tpl('a ', x, ' b ', (y + 1), '')"),
        ("`${`${x}`}`", "tpl('', tpl('', x, ''), '')"),
        ("x => x.score", "((x) => x.score)"),
        ("(acc, x) => acc + x", "((acc, x) => (acc + x))"),
        ("() => 1", "(() => 1)"),
        ("(a, b,) => a", "((a, b) => a)"),
        ("item => ({...item, passed: true})", "((item) => {...item, 'passed': True})"),
        ("x => y => x + y", "((x) => ((y) => (x + y)))"),
        ("map(xs, x => x * 2)", "map(xs, ((x) => (x * 2)))"),
        ("a ? x => 1 : y => 2", "(a ? ((x) => 1) : ((y) => 2))"),
        ("f(...args, 1)", "f(...args, 1)"),
        ("obj.in + obj.typeof + obj.new", "((obj.in + obj.typeof) + obj.new)"),
        ("delete(obj, 'k')", "delete(obj, 'k')"),
        ("(x => x)(1)", "((x) => x)(1)"),
    ],
    ids=lambda v: v,
)
def test_literal_and_arrow_forms(source: str, expected: str) -> None:
    assert parsed(source) == expected


def test_offsets_point_at_the_identifying_token() -> None:
    tree = parse_expression("a.b + f(x)[0]")
    assert isinstance(tree, Binary)
    assert tree.offset == 4
    assert isinstance(tree.left, Member) and tree.left.offset == 2
    index = tree.right
    assert isinstance(index, Index) and index.offset == 10
    assert isinstance(index.object, Call) and index.object.offset == 6


def test_offsets_do_not_take_part_in_equality() -> None:
    assert parse_expression("a+b") == parse_expression("  a  +  b ")


def test_parse_is_cached() -> None:
    assert parse_expression("x + 1") is parse_expression("x + 1")


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("", "empty expression", 1),
        ("a b", "unexpected name `b` after a complete expression", 3),
        ("a, b", "sequences `a, b` are not supported", 2),
        ("(a, b)", "sequences `(a, b)` are not supported", 3),
        ("1 +", "unexpected end of expression", 4),
        ("(1", "expected `)` to close `(` opened at column 1", 3),
        ("[1, 2", "expected `]` to close `[` opened at column 1", 6),
        ("{a: 1", "expected `}` to close `{` opened at column 1", 6),
        ("f(1", "expected `)` to close `(` opened at column 2", 4),
        ("a ? b", "expected `:` in the conditional", 6),
        ("a : b", "a conditional needs `?` first", 3),
        (")", "unexpected `)`", 1),
        ("a)", "unexpected `)` without a matching opening bracket", 2),
        ("new Date()", "`new` is not supported", 1),
        ("function (x) { return x }", "`function` is not supported", 1),
        ("class A", "classes are not supported", 1),
        ("this.x", "`this` is not supported", 1),
        ("void 0", "the `void` operator is not supported", 1),
        ("delete a.b", "the `delete` operator is not supported", 1),
        ("a instanceof B", "`instanceof` is not supported", 3),
        ("if (a) b", "`if` is not supported in expressions", 1),
        ("for (x of y) z", "loops are not supported", 1),
        ("return 1", "`return` is not supported", 1),
        ("let x = 1", "variable declarations are not supported", 1),
        ("const y = 2", "variable declarations are not supported", 1),
        ("/ab+c/.test(s)", "regular expression literals are not supported; use match(s", 1),
        ("x.match(/a/)", "regular expression literals are not supported", 9),
        ("x => {a: 1}", "wrap it in parentheses: x => ({ … })", 6),
        ("1 + x => x", "unexpected `=>`", 7),
        ("-2 ** 2", "a unary operator before `**` is ambiguous", 4),
        ("typeof x ** 2", "a unary operator before `**` is ambiguous", 10),
        ("(x, x) => x", "duplicate parameter name `x`", 1),
        ("(null) => 1", "`null` cannot be a parameter name", 1),
        ("...a", "spread `...` is only allowed", 1),
        ("a.", "expected a property name after `.`", 3),
        ("a[]", "empty index `[]`", 3),
        ("()", "empty parentheses", 2),
        ("f(1,,2)", "empty entries are not allowed in the argument list", 5),
        ("[1,,2]", "empty entries are not allowed in an array", 4),
        ("{a-b: 1}", 'quote hyphenated keys: {"a-b": …}', 2),
        ("{a b}", "expected `:` after the property name", 4),
        ("{true}", "`true` cannot be used as a shorthand property", 2),
        ("{f() {}}", "expected `:` after the property name", 3),
        ("{(a): 1}", "expected a property name in the object literal", 2),
        ("f`x`", "tagged templates are not supported", 2),
        ("`a${b c}`", "expected `}` to close `${` in the template literal", 7),
        ("in", "unexpected `in`", 1),
    ],
    ids=lambda v: str(v),
)
def test_syntax_errors(source: str, message: str, column: int) -> None:
    with pytest.raises(ExpressionSyntaxError, match=re.escape(message)) as info:
        parse_expression(source)
    assert info.value.column == column
    assert info.value.expression == source
    assert info.value.code == "EXPR_PARSE_ERROR"


def test_earlier_parse_error_wins_over_later_bad_character() -> None:
    with pytest.raises(ExpressionSyntaxError, match="`if` is not supported") as info:
        parse_expression("if (x) y = 2")
    assert info.value.column == 1


def test_nesting_within_the_limit_parses() -> None:
    assert parsed("(" * 99 + "1" + ")" * 99) == "1"
    assert parsed("-" * 0 + "!" * 99 + "x").count("!") == 99


@pytest.mark.parametrize(
    "source",
    [
        "(" * 10_000 + "1" + ")" * 10_000,
        "[" * 10_000 + "]" * 10_000,
        "{a:" * 10_000 + "1" + "}" * 10_000,
        "!" * 10_000 + "x",
        "f(" * 10_000 + ")" * 10_000,
        "a ? " * 10_000 + "1" + " : 2" * 10_000,
        "2 ** " * 10_000 + "2",
        "`${" * 10_000 + "1" + "}`" * 10_000,
        "x => " * 10_000 + "1",
        "(" * 101 + "1" + ")" * 101,
    ],
    ids=[
        "parens",
        "brackets",
        "objects",
        "unary",
        "calls",
        "ternary",
        "power",
        "template",
        "arrows",
        "101",
    ],
)
def test_deep_nesting_is_refused_quickly(source: str) -> None:
    with pytest.raises(LimitExceededError, match="nested too deeply") as info:
        parse_expression(source)
    assert info.value.code == "EXPR_LIMIT_EXCEEDED"
    assert info.value.column is not None


def test_source_length_limit() -> None:
    with pytest.raises(LimitExceededError, match="the limit is 100,000"):
        parse_expression("1" + " " * 100_000)


def test_long_flat_expressions_parse() -> None:
    tree = parse_expression(" + ".join(["x"] * 20_000))
    assert isinstance(tree, Binary) and tree.operator == "+"
    chain = parse_expression("a" + ".b" * 20_000)
    assert isinstance(chain, Member)
    array = parse_expression("[" + ", ".join(["1"] * 20_000) + "]")
    assert isinstance(array, ArrayLiteral) and len(array.elements) == 20_000
