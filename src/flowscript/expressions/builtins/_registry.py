"""The :class:`Builtin` record and the decorator each category module registers with.

A built-in is written as a plain Python function taking the sandbox and its JavaScript
arguments positionally (optional ones default to ``UNDEFINED``)::

    @register("truncate(s, len, [suffix=\"...\"])", "Shorten a string to at most len characters.")
    def _truncate(sb: Sandbox, s: Any, length: Any, suffix: Any = UNDEFINED) -> str: ...

The arity (``min_args``/``max_args``) is read from the signature text, so the documentation
``flowscript functions`` prints and the arity the engine enforces cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flowscript.errors import ExpressionEvalError, LimitExceededError
from flowscript.expressions.sandbox import Sandbox

__all__ = ["Builtin", "Registry", "arity_of"]

Impl = Callable[[Sandbox, list[Any]], Any]
F = TypeVar("F", bound=Callable[..., Any])

_SIGNATURE_RE = re.compile(r"(?P<name>[a-z_][a-z0-9_]*)\((?P<params>.*)\)")
_PARAM_RE = re.compile(r"\[[^\]]*\]|[^,\s][^,]*")


@dataclass(frozen=True, slots=True, kw_only=True)
class Builtin:
    """One built-in function of the expression language (expressions.md §6).

    Attributes:
        name: the name an expression calls, e.g. ``truncate``.
        category: ``String``, ``Array``, ``Math``, ``Time``, ``Object``, ``Type and logic`` or
            ``Utility``.
        signature: how it is called, optional arguments in brackets, e.g.
            ``truncate(s, len, [suffix="..."])``.
        doc: a one-line description.
        min_args: fewest arguments accepted.
        max_args: most arguments accepted; ``None`` when variadic.
        impl: ``impl(sandbox, args)`` computes the result from JavaScript values.
    """

    name: str
    category: str
    signature: str
    doc: str
    min_args: int
    max_args: int | None
    impl: Impl


def arity_of(signature: str) -> tuple[str, int, int | None]:
    """Read ``(name, min_args, max_args)`` from a signature such as ``f(a, [b], ...rest)``.

    Raises:
        ValueError: the signature is malformed (a programming error in a category module).
    """
    match = _SIGNATURE_RE.fullmatch(signature)
    if match is None:
        raise ValueError(f"malformed built-in signature {signature!r}")
    params = _PARAM_RE.findall(match["params"])
    required = sum(1 for p in params if not p.startswith(("[", "...")))
    variadic = any(p.startswith("...") for p in params)
    return match["name"], required, None if variadic else len(params)


def _plural(count: int) -> str:
    return f"{count} argument" + ("" if count == 1 else "s")


def _adapt(name: str, low: int, high: int | None, fn: Callable[..., Any]) -> Impl:
    def impl(sandbox: Sandbox, args: list[Any]) -> Any:
        if len(args) < low:
            raise ExpressionEvalError(f"{name}() expects at least {_plural(low)}, got {len(args)}")
        if high is not None and len(args) > high:
            raise ExpressionEvalError(f"{name}() expects at most {_plural(high)}, got {len(args)}")
        sandbox.tick()
        try:
            return fn(sandbox, *args)
        except RecursionError:  # data nested thousands of levels deep (built by reduce…)
            raise LimitExceededError(f"{name}(): value nested too deeply") from None
        except OverflowError as exc:
            raise ExpressionEvalError(f"{name}(): number out of range ({exc})") from None

    impl.__name__ = f"builtin_{name}"
    return impl


class Registry:
    """Collects the built-ins of one category, in definition order."""

    def __init__(self, category: str) -> None:
        """Start an empty registry for ``category``."""
        self.category = category
        self.builtins: list[Builtin] = []

    def __call__(self, signature: str, doc: str) -> Callable[[F], F]:
        """Decorator registering ``fn(sandbox, *args)`` under the name of ``signature``."""

        def register(fn: F) -> F:
            name, low, high = arity_of(signature)
            self.builtins.append(
                Builtin(
                    name=name,
                    category=self.category,
                    signature=signature,
                    doc=doc,
                    min_args=low,
                    max_args=high,
                    impl=_adapt(name, low, high, fn),
                )
            )
            return fn

        return register
