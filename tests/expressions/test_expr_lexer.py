"""Tokeniser: numbers, strings, template pieces, hyphen runs, refused constructs."""

from __future__ import annotations

import re

import pytest

from flowscript.errors import ExpressionSyntaxError
from flowscript.expressions.lexer import find_interpolation_end, number_value, tokenize


def kinds_values(text: str) -> list[tuple[str, object]]:
    return [(token.kind, token.value) for token in tokenize(text)[:-1]]


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("12", 12),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("1E-3", 0.001),
        ("2.5e+2", 250.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("0x1F", 31),
        ("0X1f", 31),
        ("0b101", 5),
        ("0o17", 15),
        ("0", 0),
        ("9007199254740991", 9007199254740991),
        ("9007199254740993", 9007199254740992.0),
    ],
    ids=lambda v: str(v),
)
def test_number_literals(source: str, value: float) -> None:
    [(kind, actual)] = kinds_values(source)
    assert kind == "num"
    assert actual == value
    assert type(actual) is type(value)


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("'single'", "single"),
        ('"double"', "double"),
        (r'"a\nb\tc"', "a\nb\tc"),
        (r"'it\'s'", "it's"),
        (r'"q\"q"', 'q"q'),
        (r'"back\\slash"', "back\\slash"),
        (r'"\u00e9"', "é"),
        (r'"\u{1F600}"', "😀"),
        (r'"\uD83D\uDE00"', "😀"),
        (r'"\uD83D"', "\ufffd"),
        (r'"\x41"', "A"),
        (r'"\0"', "\0"),
        (r'"\r\b\f\v"', "\r\b\f\v"),
        (r'"\q"', "q"),
        ('"line\\\ncontinued"', "linecontinued"),
        ('""', ""),
    ],
    ids=[
        "single",
        "double",
        "newline-tab",
        "escaped-quote",
        "escaped-double",
        "backslash",
        "u4",
        "u-braces",
        "surrogate-pair",
        "lone-surrogate",
        "x-escape",
        "nul",
        "control",
        "unknown-escape",
        "line-continuation",
        "empty",
    ],
)
def test_string_literals(source: str, value: str) -> None:
    assert kinds_values(source) == [("str", value)]


def test_template_literal_pieces() -> None:
    assert kinds_values("`a ${x} b ${y} c`") == [
        ("head", "a "),
        ("name", "x"),
        ("middle", " b "),
        ("name", "y"),
        ("tail", " c"),
    ]


def test_nested_template_literals_and_braces() -> None:
    assert kinds_values("`a${ {k: `b${c}`}.k }d`") == [
        ("head", "a"),
        ("punct", "{"),
        ("name", "k"),
        ("punct", ":"),
        ("head", "b"),
        ("name", "c"),
        ("tail", ""),
        ("punct", "}"),
        ("punct", "."),
        ("name", "k"),
        ("tail", "d"),
    ]


def test_template_without_substitution_and_dollar() -> None:
    assert kinds_values(r"`cost: $5 \${x} \`q\``") == [("template", "cost: $5 ${x} `q`")]


@pytest.mark.parametrize(
    ("source", "parts"),
    [
        ("fetch-joke", (("fetch", 0), ("joke", 6))),
        ("race-api-1", (("race", 0), ("api", 5), ("1", 9))),
        ("x-1", (("x", 0), ("1", 2))),
        ("$item-2", (("$item", 0), ("2", 6))),
        ("step-2b", (("step", 0), ("2b", 5))),
    ],
    ids=["two-names", "three-parts", "numeric-part", "dollar", "alnum-part"],
)
def test_hyphen_runs_are_one_name_token(source: str, parts: tuple[tuple[str, int], ...]) -> None:
    [token, _eof] = tokenize(source)
    assert (token.kind, token.value, token.parts) == ("name", source, parts)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a - b", [("name", "a"), ("punct", "-"), ("name", "b")]),
        ("a -b", [("name", "a"), ("punct", "-"), ("name", "b")]),
        ("a- b", [("name", "a"), ("punct", "-"), ("name", "b")]),
        ("x-1.5", [("name", "x"), ("punct", "-"), ("num", 1.5)]),
        ("x-1e-3", [("name", "x"), ("punct", "-"), ("num", 0.001)]),
        ("a.b-c", [("name", "a"), ("punct", "."), ("name", "b"), ("punct", "-"), ("name", "c")]),
        ("1-x", [("num", 1), ("punct", "-"), ("name", "x")]),
    ],
    ids=["spaces", "space-before", "space-after", "decimal", "exponent", "member", "number-first"],
)
def test_no_hyphen_run(source: str, expected: list[tuple[str, object]]) -> None:
    assert kinds_values(source) == expected


def test_optional_chaining_versus_conditional_with_decimal() -> None:
    assert kinds_values("a?.b") == [("name", "a"), ("punct", "?."), ("name", "b")]
    assert kinds_values("a?.5:1") == [
        ("name", "a"),
        ("punct", "?"),
        ("num", 0.5),
        ("punct", ":"),
        ("num", 1),
    ]


def test_token_offsets() -> None:
    tokens = tokenize("  foo  +\n 'x'")
    assert [(t.offset, t.end) for t in tokens] == [(2, 5), (7, 8), (10, 13), (13, 13)]


def test_unicode_identifiers() -> None:
    assert kinds_values("café + $x + _y") == [
        ("name", "café"),
        ("punct", "+"),
        ("name", "$x"),
        ("punct", "+"),
        ("name", "_y"),
    ]


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("a = 1", "assignment is not supported; did you mean `==`?", 3),
        ("a += 1", "compound assignment is not supported", 3),
        ("a **= 2", "compound assignment is not supported", 3),
        ("a ??= 2", "compound assignment is not supported", 3),
        ("a++", "increment `++` is not supported", 2),
        ("a--", "decrement `--` is not supported", 2),
        ("a // note", "comments are not supported", 3),
        ("a /* note */", "comments are not supported", 3),
        ("a & b", "bitwise operators are not supported", 3),
        ("a | b", "bitwise operators are not supported", 3),
        ("~a", "bitwise operators are not supported", 1),
        ("a >> 1", "bitwise operators are not supported", 3),
        ("a >>> 1", "bitwise operators are not supported", 3),
        ("a; b", "statements are not supported", 2),
        ("a # b", "unexpected character '#'", 3),
        ("'abc", "unterminated string literal", 1),
        ("'ab\ncd'", "unterminated string literal", 1),
        ("x + `abc", "unterminated template literal", 5),
        ("08", "leading zeros are not allowed", 1),
        ("3in", "invalid number `3in`", 1),
        ("1_000", "invalid number `1_000`", 1),
        ("0x", "invalid number `0x`", 1),
        (r"'\x4'", r"invalid `\x` escape", 2),
        (r"'\u12'", r"invalid `\u` escape", 2),
        (r"'ab\u{110000}'", r"invalid `\u{…}` escape", 4),
        (r"'\1'", "octal escapes are not supported", 2),
    ],
    ids=lambda v: str(v),
)
def test_refused_tokens(source: str, message: str, column: int) -> None:
    with pytest.raises(ExpressionSyntaxError, match=re.escape(message)) as info:
        tokenize(source)
    assert info.value.column == column
    assert info.value.expression == source


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("{{ a }}", 2, 5),
        ("x {{ '}}' }} y", 4, 10),
        ("{{ {a: {b: 1}} }}", 2, 15),
        ("{{ `}}${ {c: 1}.c }` }}", 2, 21),
        ("{{ a }}}", 2, 5),
        ("{{ a", 2, -1),
        ("{{ f(a }} b) }}", 2, 7),
    ],
    ids=[
        "simple",
        "in-string",
        "in-object",
        "in-template-literal",
        "extra-brace",
        "none",
        "parens",
    ],
)
def test_find_interpolation_end(text: str, start: int, end: int) -> None:
    assert find_interpolation_end(text, start) == end


def test_find_interpolation_end_reports_template_columns() -> None:
    with pytest.raises(ExpressionSyntaxError, match="unterminated string") as info:
        find_interpolation_end("Hi {{ 'oops }}", 5)
    assert info.value.column == 7


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", 1), ("1e3", 1000.0), ("0x10", 16), ("2b", None), ("01", None), ("1.5", 1.5)],
    ids=lambda v: str(v),
)
def test_number_value(text: str, value: float | None) -> None:
    assert number_value(text) == value


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a+b", [("name", "a"), ("punct", "+"), ("name", "b")]),
        ("x\t>=\n10", [("name", "x"), ("punct", ">="), ("num", 10)]),
        ("a.b-c", [("name", "a"), ("punct", "."), ("name", "b"), ("punct", "-"), ("name", "c")]),
        ("a?.b-c", [("name", "a"), ("punct", "?."), ("name", "b"), ("punct", "-"), ("name", "c")]),
        ("n-1.5", [("name", "n"), ("punct", "-"), ("num", 1.5)]),
        ("9007199254740993", [("num", 9007199254740992.0)]),
        ("a ... b", [("name", "a"), ("punct", "..."), ("name", "b")]),
        ("é-1", [("name", "é-1")]),
        ("a!==b", [("name", "a"), ("punct", "!=="), ("name", "b")]),
    ],
    ids=[
        "no-blanks",
        "other-blanks",
        "member-before-minus",
        "optional-member-before-minus",
        "decimal-after-run",
        "unsafe-integer",
        "spread",
        "non-ascii-run",
        "longest-operator",
    ],
)
def test_tokens_read_in_one_match_agree_with_the_long_way(
    source: str, expected: list[tuple[str, object]]
) -> None:
    assert kinds_values(source) == expected


def test_a_hyphen_run_read_in_one_match_keeps_its_parts() -> None:
    (token, _eof) = tokenize("fetch-joke-2")
    assert (token.kind, token.value, token.offset, token.end) == ("name", "fetch-joke-2", 0, 12)
    assert token.parts == (("fetch", 0), ("joke", 6), ("2", 11))


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("a  += 1", "compound assignment is not supported", 4),
        ("a\n= 1", "assignment is not supported", 3),
        ("1 +  012", "leading zeros are not allowed", 6),
    ],
    ids=["compound-after-blanks", "assignment-after-newline", "leading-zero"],
)
def test_refused_tokens_after_blanks_keep_their_column(
    source: str, message: str, column: int
) -> None:
    with pytest.raises(ExpressionSyntaxError, match=re.escape(message)) as caught:
        tokenize(source)
    assert caught.value.column == column
