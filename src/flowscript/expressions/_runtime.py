"""Run-time support for compiled expressions: the evaluation session, arrow functions, calls.

A :class:`Session` is the :class:`~.sandbox.Sandbox` of one top-level evaluation plus what
arrow functions need to know about it. Arrow functions created during an evaluation keep
their session; if they are called after it ended (the map runtime calling ``x => x * 2``
once per item), each such call runs in a fresh session with the same limits, so a long
list does not exhaust one evaluation's step budget.

Built-in functions come from :mod:`flowscript.expressions.builtins` and methods from
:mod:`flowscript.expressions.methods`; both are imported on first use so that importing the
expression package stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from flowscript.errors import ExpressionError, ExpressionEvalError, LimitExceededError
from flowscript.expressions._access import check_name
from flowscript.expressions._words import NAMESPACES
from flowscript.expressions.sandbox import Limits, Sandbox
from flowscript.expressions.scope import EvalScope, MapScope
from flowscript.expressions.values import UNDEFINED, JSFunction, js_typeof

if TYPE_CHECKING:
    from flowscript.expressions.builtins import Builtin
    from flowscript.expressions.syntax import Expr

__all__ = [
    "NAMESPACES",
    "ArrowFunction",
    "Compiled",
    "Session",
    "call_builtin",
    "call_named",
    "call_value",
    "invoke_method",
    "locate",
]


class Session(Sandbox):
    """The sandbox of one evaluation.

    Attributes:
        active: True while the evaluation that created it is running.
        source: the expression source, used to complete error reports.
    """

    __slots__ = ("active", "source")

    def __init__(self, limits: Limits, source: str | None) -> None:
        super().__init__(limits)
        self.active = True
        self.source = source


Compiled = Callable[[EvalScope, Session], Any]


def locate(error: ExpressionError, offset: int) -> ExpressionError:
    """Give ``error`` the column of ``offset`` unless a deeper node already set one."""
    if error.column is None:
        error.column = offset + 1
    return error


class ArrowFunction(JSFunction):
    """An arrow function value: parameters, a compiled body and the scope it closes over."""

    __slots__ = ("_body", "_params", "_scope", "_session", "arity")

    def __init__(
        self, params: tuple[str, ...], body: Compiled, scope: EvalScope, session: Session
    ) -> None:
        self._params = params
        self._body = body
        self._scope = scope
        self._session = session
        self.arity = len(params)

    def call(self, args: Sequence[Any]) -> Any:
        """Call with JavaScript semantics: missing arguments are ``undefined``, extras ignored."""
        session = self._session
        if session.active:
            return self._run(args, session)
        detached = Session(session.limits, session.source)
        try:
            return self._run(args, detached)
        except RecursionError:
            raise LimitExceededError("expression recursion too deep") from None
        finally:
            detached.active = False

    def _run(self, args: Sequence[Any], session: Session) -> Any:
        session.enter()
        try:
            count = len(args)
            variables = {
                name: args[i] if i < count else UNDEFINED for i, name in enumerate(self._params)
            }
            return self._body(MapScope(variables, parent=self._scope), session)
        except ExpressionError as error:
            if error.expression is None:
                error.expression = session.source
            raise
        finally:
            session.leave()


@cache
def _library() -> tuple[Mapping[str, Builtin], Mapping[str, str]]:
    from flowscript.expressions.builtins import ALIASES, FUNCTIONS

    return FUNCTIONS, ALIASES


def find_builtin(name: str) -> Builtin | None:
    """The built-in called ``name`` (``Math.floor`` aliases included), if any."""
    functions, aliases = _library()
    return functions.get(aliases.get(name, name))


def call_builtin(builtin: Builtin, args: list[Any], session: Session) -> Any:
    """Check the arity of ``builtin`` and call it."""
    count = len(args)
    if count < builtin.min_args or (builtin.max_args is not None and count > builtin.max_args):
        raise ExpressionEvalError(
            f"{builtin.name}() {_expected(builtin.min_args, builtin.max_args)}, got {count}: "
            f"{builtin.signature}"
        )
    return builtin.impl(session, args)


def _expected(low: int, high: int | None) -> str:
    if high is None:
        return f"takes at least {low} argument{'s' if low != 1 else ''}"
    if low == high:
        return f"takes {low} argument{'s' if low != 1 else ''}"
    return f"takes {low} to {high} arguments"


def call_named(name: str, scope: EvalScope, args: list[Any], session: Session) -> Any:
    """``name(args)``: a function-valued variable first, else the built-in ``name``."""
    value = scope.lookup(name)
    if isinstance(value, JSFunction):
        return value.call(args)
    builtin = find_builtin(name)
    if builtin is not None:
        return call_builtin(builtin, args, session)
    if value is UNDEFINED and not scope.has(name):
        raise ExpressionEvalError(f"unknown function `{name}`")
    raise ExpressionEvalError(f"`{name}` is not a function (it is {_article(value)})")


def call_alias(namespace: str, name: str, args: list[Any], session: Session) -> Any:
    """``Math.floor(x)``-style calls."""
    check_name(name)
    builtin = find_builtin(f"{namespace}.{name}")
    if builtin is None:
        raise ExpressionEvalError(f"`{namespace}.{name}` is not a supported function")
    return call_builtin(builtin, args, session)


def call_value(value: Any, args: list[Any], callee: Expr) -> Any:
    """Call a function value (``(x => x)(1)``, ``f(1)(2)``); ``callee`` names it in errors."""
    if isinstance(value, JSFunction):
        return value.call(args)
    from flowscript.expressions.printer import to_source

    raise ExpressionEvalError(f"`{to_source(callee)}` is not a function (it is {_article(value)})")


def invoke_method(receiver: Any, name: str, args: list[Any], session: Session) -> Any:
    """``receiver.name(args)``: a function stored in an object, else a whitelisted method."""
    check_name(name)
    if isinstance(receiver, dict):
        member = receiver.get(name, UNDEFINED)
        if isinstance(member, JSFunction):
            return member.call(args)
    if receiver is None or receiver is UNDEFINED:
        raise ExpressionEvalError(
            f"cannot call `.{name}()` on {js_typeof(receiver)} (use `?.{name}()` to allow it)"
        )
    from flowscript.expressions.methods import call_method

    return call_method(session, receiver, name, args)


def _article(value: Any) -> str:
    kind = js_typeof(value)
    if kind in ("undefined", "null"):
        return kind
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
