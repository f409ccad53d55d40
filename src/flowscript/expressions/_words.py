"""Reserved words and token descriptions for parser messages."""

from __future__ import annotations

from typing import Final

from flowscript.expressions.lexer import Token
from flowscript.expressions.syntax import (
    BooleanLiteral,
    Expr,
    NullLiteral,
    UndefinedLiteral,
)

__all__ = [
    "LITERAL_WORDS",
    "NAMESPACES",
    "REFUSED_WORDS",
    "RESERVED_WORDS",
    "describe",
    "literal",
    "trailing_message",
]

_STATEMENT = "statements are not supported: an expression is a single value"
_LOOP = "loops are not supported; use map(), filter() or reduce()"
_DECLARATION = "variable declarations are not supported; an expression cannot define variables"
REFUSED_WORDS: Final[dict[str, str]] = {
    "new": "`new` is not supported; create values with literals and built-in functions",
    "function": "`function` is not supported; use an arrow function such as `x => x * 2`",
    "class": "classes are not supported",
    "this": "`this` is not supported; refer to values by name (input, a node id, …)",
    "void": "the `void` operator is not supported; use `undefined`",
    "delete": "the `delete` operator is not supported; use delete(obj, key), which returns a copy",
    "instanceof": "`instanceof` is not supported; use typeof x, is_array(x) or is_object(x)",
    "var": _DECLARATION,
    "let": _DECLARATION,
    "const": _DECLARATION,
    "if": "`if` is not supported in expressions; use the conditional operator `cond ? a : b`",
    "else": "`else` is not supported in expressions; use the conditional operator `cond ? a : b`",
    "for": _LOOP,
    "while": _LOOP,
    "do": _LOOP,
    "return": "`return` is not supported; an expression is its value (arrows: `x => value`)",
    "throw": _STATEMENT,
    "try": _STATEMENT,
    "catch": _STATEMENT,
    "finally": _STATEMENT,
    "async": "async functions are not supported",
    "await": "`await` is not supported; expressions are synchronous",
    "yield": "generators are not supported",
    "import": "`import` is not supported",
    "export": "`export` is not supported",
    "super": "`super` is not supported",
    "with": _STATEMENT,
    "debugger": _STATEMENT,
}
LITERAL_WORDS: Final = frozenset({"true", "false", "null", "undefined"})
# ``Math.floor(x)`` / ``JSON.parse(s)`` are aliases of built-ins (expressions.md §4.1).
NAMESPACES: Final = frozenset({"Math", "JSON"})
# Words that can never be a variable name in an expression.
RESERVED_WORDS: Final = frozenset({"typeof", "in", *LITERAL_WORDS, *REFUSED_WORDS})


def literal(name: str, offset: int) -> Expr | None:
    if name == "true":
        return BooleanLiteral(value=True, offset=offset)
    if name == "false":
        return BooleanLiteral(value=False, offset=offset)
    if name == "null":
        return NullLiteral(offset=offset)
    if name == "undefined":
        return UndefinedLiteral(offset=offset)
    return None


def describe(token: Token) -> str:
    kind = token.kind
    if kind == "eof":
        return "the end of the expression"
    if kind == "name":
        return f"name `{token.value}`"
    if kind == "num":
        return "a number"
    if kind == "str":
        return "a string"
    if kind in ("template", "head", "middle", "tail"):
        return "a template literal"
    return f"`{token.value}`"


def trailing_message(token: Token) -> str:
    value = token.value
    if token.kind == "punct":
        if value == ",":
            return (
                "unexpected `,`: an expression is a single value "
                "(sequences `a, b` are not supported)"
            )
        if value in (")", "]", "}"):
            return f"unexpected `{value}` without a matching opening bracket"
        if value == ":":
            return "unexpected `:` (a conditional needs `?` first: cond ? a : b)"
        if value == "=>":
            return (
                "unexpected `=>`: arrow parameters must be a name or a parenthesised list of "
                "names, and an arrow inside an operator needs parentheses"
            )
    if token.kind == "name" and value in REFUSED_WORDS:
        return REFUSED_WORDS[str(value)]
    return (
        f"unexpected {describe(token)} after a complete expression "
        "(two expressions in a row: missing an operator or a comma inside brackets?)"
    )
