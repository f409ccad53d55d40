"""Print an expression AST back to source (:func:`to_source`).

The output parses back to an equal tree (offsets aside). Parentheses are added from operator
precedence, not copied from the original text; a grouped hyphen run keeps its parentheses,
because they change its meaning (``(x-1) * 2`` vs ``x-1 * 2``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Final

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
from flowscript.expressions.values import number_to_string

__all__ = ["to_source"]

_ARROW: Final = 1
_TERNARY: Final = 2
_UNARY: Final = 10
_POSTFIX: Final = 11
_PRIMARY: Final = 12
_BINARY: Final = {
    "??": 3, "||": 3, "&&": 4,
    "==": 5, "!=": 5, "===": 5, "!==": 5,
    "<": 6, ">": 6, "<=": 6, ">=": 6, "in": 6,
    "+": 7, "-": 7, "*": 8, "/": 8, "%": 8, "**": 9,
}  # fmt: skip
_IDENTIFIER: Final = re.compile(r"(?:[^\W\d]|\$)(?:\w|\$)*")


def to_source(expr: Expr) -> str:
    """Source text for ``expr`` that parses back to an equal tree.

    Args:
        expr: any tree produced by :func:`~flowscript.expressions.parse_expression` (or
            built by hand from the same node types).

    Returns:
        The expression source, with the parentheses precedence requires.
    """
    return _PRINTERS[type(expr)](expr)


def _precedence(expr: Expr) -> int:
    if isinstance(expr, Binary):
        return _BINARY[expr.operator]
    if isinstance(expr, Member | Index | Call):
        return _POSTFIX
    if isinstance(expr, HyphenName):
        return _PRIMARY if expr.grouped else _precedence(_innermost_whole(expr))
    if isinstance(expr, Unary):
        return _UNARY
    if isinstance(expr, Conditional):
        return _TERNARY
    if isinstance(expr, Arrow):
        return _ARROW
    return _PRIMARY


def _wrap(expr: Expr, minimum: int) -> str:
    text = to_source(expr)
    return f"({text})" if _precedence(expr) < minimum else text


def _number(expr: Expr) -> str:
    assert isinstance(expr, NumberLiteral)
    return number_to_string(expr.value)


def _string(expr: Expr) -> str:
    assert isinstance(expr, StringLiteral)
    return _quote(expr.value)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _constant(text: str) -> Callable[[Expr], str]:
    return lambda expr: text


def _boolean(expr: Expr) -> str:
    assert isinstance(expr, BooleanLiteral)
    return "true" if expr.value else "false"


def _template(expr: Expr) -> str:
    assert isinstance(expr, TemplateLiteral)
    out = ["`", _template_text(expr.quasis[0])]
    for inner, text in zip(expr.expressions, expr.quasis[1:], strict=True):
        out.append("${" + to_source(inner) + "}")
        out.append(_template_text(text))
    out.append("`")
    return "".join(out)


def _template_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")


def _spread_or(expr: Expr) -> str:
    if isinstance(expr, Spread):
        return "..." + to_source(expr.argument)
    return to_source(expr)


def _array(expr: Expr) -> str:
    assert isinstance(expr, ArrayLiteral)
    return "[" + ", ".join(_spread_or(item) for item in expr.elements) + "]"


def _property(prop: Property | Spread) -> str:
    if isinstance(prop, Spread):
        return "..." + to_source(prop.argument)
    if prop.computed:
        key = "[" + to_source(prop.key) + "]"
    else:
        assert isinstance(prop.key, StringLiteral)
        name = prop.key.value
        key = name if _IDENTIFIER.fullmatch(name) else _quote(name)
    return f"{key}: {to_source(prop.value)}"


def _object(expr: Expr) -> str:
    assert isinstance(expr, ObjectLiteral)
    if not expr.properties:
        return "{}"
    return "{" + ", ".join(_property(prop) for prop in expr.properties) + "}"


def _identifier(expr: Expr) -> str:
    assert isinstance(expr, Identifier)
    return expr.name


def _innermost_whole(expr: HyphenName) -> Expr:
    whole = expr.whole
    while isinstance(whole, HyphenName):
        whole = whole.whole
    return whole


def _hyphen(expr: Expr) -> str:
    assert isinstance(expr, HyphenName)
    text = to_source(_innermost_whole(expr))
    return f"({text})" if expr.grouped else text


def _chain(expr: Expr) -> str:
    links: list[Expr] = []
    current = expr
    while isinstance(current, Member | Index | Call):
        links.append(current)
        current = current.callee if isinstance(current, Call) else current.object
    if isinstance(current, NumberLiteral):
        text = f"({to_source(current)})"
    else:
        text = _wrap(current, _POSTFIX)
    return text + "".join(_link(link) for link in reversed(links))


def _link(link: Expr) -> str:
    if isinstance(link, Member):
        return ("?." if link.optional else ".") + link.name
    if isinstance(link, Index):
        return ("?.[" if link.optional else "[") + to_source(link.index) + "]"
    assert isinstance(link, Call)
    arguments = ", ".join(_spread_or(argument) for argument in link.arguments)
    return ("?.(" if link.optional else "(") + arguments + ")"


def _unary(expr: Expr) -> str:
    assert isinstance(expr, Unary)
    operand = _wrap(expr.operand, _UNARY)
    if expr.operator == "typeof":
        return "typeof " + operand
    if operand.startswith(expr.operator):
        operand = f"({operand})"
    return expr.operator + operand


def _binary(expr: Expr) -> str:
    assert isinstance(expr, Binary)
    spine = [expr]
    left = expr.left
    while spine[-1].operator != "**":
        # An ungrouped hyphen run prints as its whole reading, so the spine continues
        # through it (``a-b + c-d + …`` nests runs; this keeps printing iterative).
        candidate = left
        if isinstance(left, HyphenName) and not left.grouped:
            candidate = _innermost_whole(left)
        if not isinstance(candidate, Binary):
            break
        if _BINARY[candidate.operator] < _BINARY[spine[-1].operator]:
            break
        spine.append(candidate)
        left = candidate.left
    bottom = spine[-1]
    pieces = [_wrap(left, _POSTFIX if bottom.operator == "**" else _BINARY[bottom.operator])]
    for node in reversed(spine):
        power = _BINARY[node.operator]
        right = _wrap(node.right, power if node.operator == "**" else power + 1)
        pieces.append(f" {node.operator} {right}")
    return "".join(pieces)


def _conditional(expr: Expr) -> str:
    assert isinstance(expr, Conditional)
    test = _wrap(expr.test, _TERNARY + 1)
    return f"{test} ? {to_source(expr.consequent)} : {_wrap(expr.alternate, _TERNARY)}"


def _arrow(expr: Expr) -> str:
    assert isinstance(expr, Arrow)
    params = expr.params[0] if len(expr.params) == 1 else "(" + ", ".join(expr.params) + ")"
    body = to_source(expr.body)
    if body.startswith("{"):
        body = f"({body})"
    return f"{params} => {body}"


def _spread(expr: Expr) -> str:
    assert isinstance(expr, Spread)
    return "..." + to_source(expr.argument)


_PRINTERS: Final[dict[type[Expr], Callable[[Expr], str]]] = {
    NumberLiteral: _number,
    StringLiteral: _string,
    BooleanLiteral: _boolean,
    NullLiteral: _constant("null"),
    UndefinedLiteral: _constant("undefined"),
    TemplateLiteral: _template,
    ArrayLiteral: _array,
    ObjectLiteral: _object,
    Identifier: _identifier,
    HyphenName: _hyphen,
    Member: _chain,
    Index: _chain,
    Call: _chain,
    Unary: _unary,
    Binary: _binary,
    Conditional: _conditional,
    Arrow: _arrow,
    Spread: _spread,
}
