"""Evaluation limits (expressions.md §4.3), shared by the evaluator and the built-ins.

One :class:`Sandbox` is created per top-level evaluation; built-in functions and arrow
functions charge their work to it, so no expression can hang or exhaust the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowscript.errors import LimitExceededError

__all__ = ["DEFAULT_LIMITS", "Limits", "Sandbox"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Bounds on one evaluation.

    Attributes:
        max_steps: evaluation steps (AST nodes visited, loop iterations inside built-ins).
        max_depth: nested calls (arrow functions, built-ins calling predicates) and nesting.
        max_size: elements of a string or array produced by one operation.
        regex_timeout: seconds one regular-expression operation may take.
    """

    max_steps: int = 1_000_000
    max_depth: int = 200
    max_size: int = 10_000_000
    regex_timeout: float = 0.25


DEFAULT_LIMITS = Limits()


class Sandbox:
    """Step, depth and size accounting for one evaluation."""

    __slots__ = ("depth", "limits", "steps")

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.steps = 0
        self.depth = 0

    def tick(self, count: int = 1) -> None:
        """Charge ``count`` steps; raise ``EXPR_LIMIT_EXCEEDED`` past the budget."""
        self.steps += count
        if self.steps > self.limits.max_steps:
            raise LimitExceededError(
                f"expression exceeded {self.limits.max_steps:,} evaluation steps"
            )

    def check_size(self, size: int, what: str = "result") -> None:
        """Refuse a string/array of more than ``max_size`` elements before building it."""
        if size > self.limits.max_size:
            raise LimitExceededError(
                f"{what} of {size:,} elements exceeds the limit of {self.limits.max_size:,}"
            )

    def enter(self) -> None:
        """Enter a nested call; raise past ``max_depth``."""
        self.depth += 1
        if self.depth > self.limits.max_depth:
            self.depth -= 1
            raise LimitExceededError(
                f"expression exceeded the call depth limit of {self.limits.max_depth}"
            )

    def leave(self) -> None:
        """Leave a nested call."""
        self.depth -= 1
