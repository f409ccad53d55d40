"""Compile postfix chains — ``a.b``, ``a?.b``, ``a[i]``, ``f(x)``, ``a.m(x)`` — into loops.

A chain is a root expression followed by links. It runs as one loop over link steps, so a
very long chain does not nest closures, and an optional link (``?.``) that meets
null/undefined ends the whole chain with ``undefined`` (JavaScript short-circuiting).

The root decides a few special forms (expressions.md §2.2, §4.1):

* ``name(args)`` calls a function-valued variable or the built-in ``name``;
* ``Math.floor(x)`` / ``JSON.parse(s)`` call the aliased built-in;
* ``node.output`` is the node's whole output when ``node`` is a node id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from flowscript.errors import ExpressionError, ExpressionEvalError
from flowscript.expressions._access import get_index, get_member
from flowscript.expressions._runtime import (
    NAMESPACES,
    Compiled,
    Session,
    call_alias,
    call_named,
    call_value,
    find_builtin,
    invoke_method,
    locate,
)
from flowscript.expressions.scope import EvalScope
from flowscript.expressions.syntax import Call, Expr, Identifier, Index, Member, Spread
from flowscript.expressions.values import UNDEFINED, js_typeof

__all__ = ["compile_chain", "compile_items"]

_SHORT: Final = object()  # an optional link met null/undefined: the chain is undefined
CompileFn = Callable[[Expr], Compiled]
Step = Callable[[Any, EvalScope, Session], Any]
Link = Member | Index | Call


def _nullish(value: Any) -> bool:
    return value is None or value is UNDEFINED


def compile_items(compile_node: CompileFn, nodes: Sequence[Expr]) -> Compiled:
    """Array elements or call arguments, expanding ``...spread`` of arrays and strings."""
    if not any(isinstance(node, Spread) for node in nodes):
        compiled = [compile_node(node) for node in nodes]
        return lambda scope, session: [item(scope, session) for item in compiled]
    parts = [
        (compile_node(node.argument), node.offset)
        if isinstance(node, Spread)
        else (compile_node(node), -1)
        for node in nodes
    ]

    def run(scope: EvalScope, session: Session) -> Any:
        result: list[Any] = []
        for item, spread_at in parts:
            value = item(scope, session)
            if spread_at < 0:
                result.append(value)
                continue
            if not isinstance(value, list | str):
                raise ExpressionEvalError(
                    f"cannot spread {js_typeof(value)} into a list (only arrays and strings)",
                    column=spread_at + 1,
                )
            session.check_size(len(result) + len(value), "array")
            result.extend(value)
        return result

    return run


def compile_chain(compile_node: CompileFn, node: Link) -> Compiled:
    """Compile the postfix chain ending at ``node``."""
    links: list[Link] = []
    current: Expr = node
    while isinstance(current, Member | Index | Call):
        links.append(current)
        current = current.callee if isinstance(current, Call) else current.object
    links.reverse()
    head, used = _head(compile_node, current, links)
    steps: list[Step] = []
    position = used
    while position < len(links):
        link = links[position]
        following = links[position + 1] if position + 1 < len(links) else None
        if isinstance(link, Member) and _calls(following, link):
            assert isinstance(following, Call)
            steps.append(_method_step(compile_node, link, following))
            position += 2
            continue
        steps.append(_step(compile_node, link))
        position += 1
    return _loop(head, steps)


def _calls(candidate: Link | None, callee: Expr) -> bool:
    return isinstance(candidate, Call) and candidate.callee is callee


def _loop(head: Compiled, steps: list[Step]) -> Compiled:
    def run(scope: EvalScope, session: Session) -> Any:
        value = head(scope, session)
        if value is _SHORT:
            return UNDEFINED
        for step in steps:
            value = step(value, scope, session)
            if value is _SHORT:
                return UNDEFINED
        return value

    return run


def _step(compile_node: CompileFn, link: Link) -> Step:
    if isinstance(link, Member):
        return _member_step(link)
    if isinstance(link, Index):
        return _index_step(compile_node, link)
    return _call_step(compile_node, link)


# -- heads -------------------------------------------------------------------------------


def _head(compile_node: CompileFn, root: Expr, links: list[Link]) -> tuple[Compiled, int]:
    """The compiled start of the chain and how many links it consumed."""
    if isinstance(root, Identifier) and links:
        first, second = links[0], links[1] if len(links) > 1 else None
        if _calls(first, root):
            assert isinstance(first, Call)
            return _named_call(compile_node, root.name, first), 1
        alias = isinstance(first, Member) and not first.optional and root.name in NAMESPACES
        if alias and _calls(second, first):
            assert isinstance(first, Member) and isinstance(second, Call)
            return _alias_call(compile_node, root.name, first, second), 2
        if isinstance(first, Member) and first.name == "output" and not _calls(second, first):
            return _node_output(root.name, first.optional), 1
    return compile_node(root), 0


def _named_call(compile_node: CompileFn, name: str, call: Call) -> Compiled:
    arguments, optional, offset = (
        compile_items(compile_node, call.arguments),
        call.optional,
        call.offset,
    )

    def run(scope: EvalScope, session: Session) -> Any:
        session.tick()
        if optional and _nullish(scope.lookup(name)) and find_builtin(name) is None:
            return _SHORT
        args = arguments(scope, session)
        try:
            return call_named(name, scope, args, session)
        except ExpressionError as error:
            raise locate(error, offset) from None

    return run


def _alias_call(compile_node: CompileFn, namespace: str, member: Member, call: Call) -> Compiled:
    arguments, name, offset = (
        compile_items(compile_node, call.arguments),
        member.name,
        member.offset,
    )

    def run(scope: EvalScope, session: Session) -> Any:
        session.tick()
        args = arguments(scope, session)
        try:
            return call_alias(namespace, name, args, session)
        except ExpressionError as error:
            raise locate(error, offset) from None

    return run


def _node_output(name: str, optional: bool) -> Compiled:
    def run(scope: EvalScope, session: Session) -> Any:
        session.tick()
        value = scope.lookup(name)
        if scope.is_node(name):
            return value
        if optional and _nullish(value):
            return _SHORT
        return get_member(value, "output")

    return run


# -- links -------------------------------------------------------------------------------


def _member_step(link: Member) -> Step:
    name, optional, offset = link.name, link.optional, link.offset

    def step(value: Any, scope: EvalScope, session: Session) -> Any:
        session.tick()
        if optional and (value is None or value is UNDEFINED):
            return _SHORT
        try:
            return get_member(value, name)
        except ExpressionError as error:
            raise locate(error, offset) from None

    return step


def _index_step(compile_node: CompileFn, link: Index) -> Step:
    index, optional, offset = compile_node(link.index), link.optional, link.offset

    def step(value: Any, scope: EvalScope, session: Session) -> Any:
        session.tick()
        if optional and (value is None or value is UNDEFINED):
            return _SHORT
        key = index(scope, session)
        try:
            return get_index(value, key)
        except ExpressionError as error:
            raise locate(error, offset) from None

    return step


def _call_step(compile_node: CompileFn, link: Call) -> Step:
    arguments, optional, offset = (
        compile_items(compile_node, link.arguments),
        link.optional,
        link.offset,
    )
    callee = link.callee

    def step(value: Any, scope: EvalScope, session: Session) -> Any:
        session.tick()
        if optional and (value is None or value is UNDEFINED):
            return _SHORT
        args = arguments(scope, session)
        try:
            return call_value(value, args, callee)
        except ExpressionError as error:
            raise locate(error, offset) from None

    return step


def _method_step(compile_node: CompileFn, member: Member, call: Call) -> Step:
    name, offset = member.name, member.offset
    arguments = compile_items(compile_node, call.arguments)
    optional_receiver, optional_call = member.optional, call.optional

    def step(value: Any, scope: EvalScope, session: Session) -> Any:
        session.tick()
        if _nullish(value) and (optional_receiver or optional_call):
            return _SHORT
        if optional_call and isinstance(value, dict) and _nullish(value.get(name)):
            return _SHORT
        args = arguments(scope, session)
        try:
            return invoke_method(value, name, args, session)
        except ExpressionError as error:
            raise locate(error, offset) from None

    return step
