"""Evaluate expressions with JavaScript semantics inside the sandbox (expressions.md §3, §4).

:func:`evaluate` parses (cached by source), compiles the tree into closures (cached per tree,
see :mod:`._compile`) and runs them against an :class:`~.scope.EvalScope` inside one fresh
:class:`~.sandbox.Sandbox`. Errors are :class:`~flowscript.errors.ExpressionError`
subclasses whose ``column`` points at the failing sub-expression; a Python
``RecursionError`` (only reachable through pathological arrow recursion) becomes
:class:`~flowscript.errors.LimitExceededError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from flowscript.errors import ExpressionError, LimitExceededError
from flowscript.expressions._compile import Compiler
from flowscript.expressions._runtime import Compiled, Session
from flowscript.expressions.parser import parse_expression
from flowscript.expressions.sandbox import DEFAULT_LIMITS, Limits
from flowscript.expressions.scope import EvalScope, MapScope
from flowscript.expressions.syntax import Expr

__all__ = ["compile_expression", "evaluate", "run_compiled"]

_CACHE_SIZE: Final = 65_536  # distinct expressions kept compiled: a 20,000-node flow fits
# id(tree) → (tree, closure); the tree is kept alive so its id cannot be reused.
_compiled: dict[int, tuple[Expr, Compiled]] = {}


def compile_expression(tree: Expr) -> Compiled:
    """The compiled closure for ``tree`` (compiled once, then cached)."""
    entry = _compiled.get(id(tree))
    if entry is not None and entry[0] is tree:
        return entry[1]
    try:
        compiled = Compiler().compile(tree)
    except RecursionError:
        raise LimitExceededError("expression nested too deeply to evaluate") from None
    if len(_compiled) >= _CACHE_SIZE:
        del _compiled[next(iter(_compiled))]  # oldest first (dicts keep insertion order)
    _compiled[id(tree)] = (tree, compiled)
    return compiled


def _as_scope(scope: EvalScope | Mapping[str, Any] | None) -> EvalScope:
    if scope is None:
        return MapScope()
    if isinstance(scope, Mapping):
        return MapScope(scope)
    return scope


def evaluate(
    expression: Expr | str,
    scope: EvalScope | Mapping[str, Any] | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Any:
    """Evaluate an expression.

    Args:
        expression: source text (parsed and cached) or an already parsed tree.
        scope: the names visible to the expression; a plain mapping is taken as variables.
        limits: the sandbox limits for this evaluation.

    Returns:
        The JavaScript value (see :mod:`flowscript.expressions.values`).

    Raises:
        ExpressionSyntaxError: the source does not parse.
        ExpressionEvalError: evaluation failed (``column`` points at the failing part).
        BlockedAccessError: the expression reached a blocked name or method.
        LimitExceededError: a sandbox limit was exceeded.
    """
    source = expression if isinstance(expression, str) else None
    tree = parse_expression(expression) if isinstance(expression, str) else expression
    session = Session(limits, source)
    try:
        return run_compiled(compile_expression(tree), _as_scope(scope), session)
    finally:
        session.active = False


def run_compiled(compiled: Compiled, scope: EvalScope, session: Session) -> Any:
    """Run a compiled expression in ``session``, completing error reports with its source."""
    try:
        return compiled(scope, session)
    except ExpressionError as error:
        if error.expression is None:
            error.expression = session.source
        raise
    except RecursionError:
        raise LimitExceededError(
            "expression recursion too deep", expression=session.source
        ) from None
