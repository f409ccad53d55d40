"""Compile an expression AST into nested Python closures, once per tree.

Each closure takes ``(scope, session)`` and returns a value, charging one sandbox step per
evaluated node. Compiling once and re-running closures is several times faster than walking
the tree and dispatching on node types at every evaluation.

Long left-associative operator chains (``a + b + c + …``) and postfix chains
(``a.b[0].c(x)…``) are compiled into loops rather than nested closures, so a huge but flat
expression never hits Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from flowscript.errors import ExpressionError, ExpressionEvalError
from flowscript.expressions._chain import compile_chain, compile_items
from flowscript.expressions._operators import BINARY_OPERATORS, UNARY_OPERATORS
from flowscript.expressions._runtime import ArrowFunction, Compiled, Session, locate
from flowscript.expressions.scope import EvalScope
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
    Spread,
    StringLiteral,
    TemplateLiteral,
    Unary,
    UndefinedLiteral,
)
from flowscript.expressions.values import UNDEFINED, to_string, truthy

__all__ = ["Compiler"]

Apply = Callable[[Any, Compiled, EvalScope, Session], Any]


class Compiler:
    """Compiles one tree; shared sub-trees (hyphen readings) are compiled once."""

    __slots__ = ("_memo",)

    def __init__(self) -> None:
        # id → (node, closure): holding the node keeps its id from being reused by a
        # temporary (``HyphenName.subtraction`` builds nodes on the fly).
        self._memo: dict[int, tuple[Expr, Compiled]] = {}

    def compile(self, node: Expr) -> Compiled:
        """The closure evaluating ``node``."""
        entry = self._memo.get(id(node))
        if entry is not None and entry[0] is node:
            return entry[1]
        compiled = _HANDLERS[type(node)](self, node)
        self._memo[id(node)] = (node, compiled)
        return compiled


def _constant(value: Any) -> Compiled:
    def run(scope: EvalScope, session: Session) -> Any:
        session.tick()
        return value

    return run


def _literal(compiler: Compiler, node: Expr) -> Compiled:
    if isinstance(node, NumberLiteral | StringLiteral | BooleanLiteral):
        return _constant(node.value)
    return _constant(None if isinstance(node, NullLiteral) else UNDEFINED)


def _identifier(compiler: Compiler, node: Expr) -> Compiled:
    assert isinstance(node, Identifier)
    name = node.name

    def run(scope: EvalScope, session: Session) -> Any:
        session.tick()
        return scope.lookup(name)

    return run


def _hyphen(compiler: Compiler, node: Expr) -> Compiled:
    assert isinstance(node, HyphenName)
    name = node.name
    whole = compiler.compile(node.whole)
    subtraction = compiler.compile(node.subtraction)

    def run(scope: EvalScope, session: Session) -> Any:
        return whole(scope, session) if scope.has(name) else subtraction(scope, session)

    return run


def _template(compiler: Compiler, node: Expr) -> Compiled:
    assert isinstance(node, TemplateLiteral)
    head, rest = node.quasis[0], node.quasis[1:]
    pieces = [
        (compiler.compile(expr), text) for expr, text in zip(node.expressions, rest, strict=True)
    ]

    def run(scope: EvalScope, session: Session) -> Any:
        session.tick()
        out = [head]
        size = len(head)
        for compiled, text in pieces:
            value = to_string(compiled(scope, session))
            size += len(value) + len(text)
            session.check_size(size, "string")
            out.append(value)
            out.append(text)
        return "".join(out)

    return run


def _array(compiler: Compiler, node: Expr) -> Compiled:
    assert isinstance(node, ArrayLiteral)
    items = compile_items(compiler.compile, node.elements)

    def run(scope: EvalScope, session: Session) -> Any:
        session.tick()
        return items(scope, session)

    return run


def _spread_into_object(target: dict[str, Any], value: Any) -> None:
    if isinstance(value, dict):
        target.update(value)
    elif isinstance(value, list | str):
        target.update((str(i), item) for i, item in enumerate(value))


def _object(compiler: Compiler, node: Expr) -> Compiled:
    assert isinstance(node, ObjectLiteral)
    entries: list[tuple[str, Any, Compiled]] = []
    for prop in node.properties:
        if isinstance(prop, Spread):
            entries.append(("spread", None, compiler.compile(prop.argument)))
        elif prop.computed:
            entries.append(("computed", compiler.compile(prop.key), compiler.compile(prop.value)))
        else:
            assert isinstance(prop.key, StringLiteral)
            entries.append(("static", prop.key.value, compiler.compile(prop.value)))

    def run(scope: EvalScope, session: Session) -> Any:
        session.tick()
        result: dict[str, Any] = {}
        for kind, key, value in entries:
            if kind == "static":
                result[key] = value(scope, session)
            elif kind == "computed":
                name = to_string(key(scope, session))
                result[name] = value(scope, session)
            else:
                _spread_into_object(result, value(scope, session))
                session.check_size(len(result), "object")
        return result

    return run


def _unary(compiler: Compiler, node: Expr) -> Compiled:
    assert isinstance(node, Unary)
    operator = UNARY_OPERATORS[node.operator]
    operand = compiler.compile(node.operand)

    def run(scope: EvalScope, session: Session) -> Any:
        session.tick()
        return operator(operand(scope, session))

    return run


def _conditional(compiler: Compiler, node: Expr) -> Compiled:
    assert isinstance(node, Conditional)
    test = compiler.compile(node.test)
    consequent = compiler.compile(node.consequent)
    alternate = compiler.compile(node.alternate)

    def run(scope: EvalScope, session: Session) -> Any:
        session.tick()
        if truthy(test(scope, session)):
            return consequent(scope, session)
        return alternate(scope, session)

    return run


def _arrow(compiler: Compiler, node: Expr) -> Compiled:
    assert isinstance(node, Arrow)
    params = node.params
    body = compiler.compile(node.body)

    def run(scope: EvalScope, session: Session) -> Any:
        session.tick()
        return ArrowFunction(params, body, scope, session)

    return run


def _misplaced_spread(compiler: Compiler, node: Expr) -> Compiled:
    raise ExpressionEvalError(
        "spread `...` is only allowed in arrays, objects and call arguments",
        column=node.offset + 1,
    )


# -- binary operators ------------------------------------------------------------------


def _and(value: Any, right: Compiled, scope: EvalScope, session: Session) -> Any:
    return right(scope, session) if truthy(value) else value


def _or(value: Any, right: Compiled, scope: EvalScope, session: Session) -> Any:
    return value if truthy(value) else right(scope, session)


def _nullish(value: Any, right: Compiled, scope: EvalScope, session: Session) -> Any:
    return right(scope, session) if value is None or value is UNDEFINED else value


_SHORT_CIRCUIT: Final[dict[str, Apply]] = {"&&": _and, "||": _or, "??": _nullish}


def _strict_apply(operator: str) -> Apply:
    function = BINARY_OPERATORS[operator]

    def apply(value: Any, right: Compiled, scope: EvalScope, session: Session) -> Any:
        return function(value, right(scope, session), session)

    return apply


def _binary(compiler: Compiler, node: Expr) -> Compiled:
    spine: list[Binary] = []
    current: Expr = node
    while isinstance(current, Binary):
        spine.append(current)
        current = current.left
    first = compiler.compile(current)
    if len(spine) == 1 and spine[0].operator not in _SHORT_CIRCUIT:
        return _single_binary(first, compiler.compile(spine[0].right), spine[0])
    steps = [
        (
            _SHORT_CIRCUIT.get(link.operator) or _strict_apply(link.operator),
            compiler.compile(link.right),
            link.offset,
        )
        for link in reversed(spine)
    ]

    def run(scope: EvalScope, session: Session) -> Any:
        value = first(scope, session)
        for apply, right, offset in steps:
            session.tick()
            try:
                value = apply(value, right, scope, session)
            except ExpressionError as error:
                raise locate(error, offset) from None
        return value

    return run


def _single_binary(left: Compiled, right: Compiled, node: Binary) -> Compiled:
    function = BINARY_OPERATORS[node.operator]
    offset = node.offset

    def run(scope: EvalScope, session: Session) -> Any:
        session.tick()
        try:
            return function(left(scope, session), right(scope, session), session)
        except ExpressionError as error:
            raise locate(error, offset) from None

    return run


def _chain(compiler: Compiler, node: Expr) -> Compiled:
    assert isinstance(node, Member | Index | Call)
    return compile_chain(compiler.compile, node)


_HANDLERS: Final[dict[type[Expr], Callable[[Compiler, Expr], Compiled]]] = {
    NumberLiteral: _literal,
    StringLiteral: _literal,
    BooleanLiteral: _literal,
    NullLiteral: _literal,
    UndefinedLiteral: _literal,
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
    Spread: _misplaced_spread,
}
