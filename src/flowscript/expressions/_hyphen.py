"""Building :class:`~.syntax.HyphenName` nodes with JavaScript precedence in both readings.

``fetch-joke`` is the name ``fetch-joke`` when the scope defines it, else ``fetch - joke``.
The subtraction reading must behave exactly as JavaScript would parse the same characters,
so operators binding tighter than ``-`` on either side of the run are folded into the
neighbouring *part* of the subtraction, while the whole reading keeps them around the name:

============  ===========================  ================================
source        whole reading                subtraction reading
============  ===========================  ================================
``x-1.y``     ``(x-1).y``                  ``x - 1.y``
``2 * x-1``   ``2 * (x-1)``                ``2 * x - 1``
``x-1 ** 2``  ``(x-1) ** 2``               ``x - 1 ** 2``
``10 - x-1``  ``10 - (x-1)``               ``10 - x - 1``
``-x-1``      ``-(x-1)``                   ``-x - 1``
============  ===========================  ================================

Folding happens in :meth:`HyphenFolder.binary` / :meth:`HyphenFolder.unary`, which the parser
uses instead of building ``Binary``/``Unary`` nodes directly. Readings are shared, not copied,
so memory stays linear for chains like ``a-b + c-d + …``; a pathological product of many
runs (``a-b * c-d * e-f …``) doubles per run and is refused past a node budget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Final

from flowscript.expressions.lexer import number_value
from flowscript.expressions.syntax import (
    Binary,
    BooleanLiteral,
    Call,
    Expr,
    HyphenName,
    Identifier,
    Index,
    Member,
    NullLiteral,
    NumberLiteral,
    Unary,
    UndefinedLiteral,
)

__all__ = ["HyphenFolder", "part_operand", "rebase"]

# Operators whose right operand absorbs the first part (``2 * x-1`` → ``2 * x - 1``):
# everything at or above additive precedence, because ``-`` is left-associative.
_FOLD_FROM_LEFT: Final = frozenset({"+", "-", "*", "/", "%", "**"})
# Operators whose left operand gives its last part (``x-1 * 2`` → ``x - 1 * 2``).
_FOLD_FROM_RIGHT: Final = frozenset({"*", "/", "%", "**"})
_LITERAL_WORDS: Final[dict[str, Callable[[int], Expr]]] = {
    "true": lambda offset: BooleanLiteral(value=True, offset=offset),
    "false": lambda offset: BooleanLiteral(value=False, offset=offset),
    "null": lambda offset: NullLiteral(offset=offset),
    "undefined": lambda offset: UndefinedLiteral(offset=offset),
}


def part_operand(text: str, offset: int, reserved: frozenset[str]) -> Expr | None:
    """The operand one piece of a hyphen run stands for in the subtraction reading.

    Returns None when the piece cannot be an operand (``check-in``, ``step-2b``), in which
    case the run only has its whole-name reading.
    """
    if "0" <= text[0] <= "9":
        value = number_value(text)
        return None if value is None else NumberLiteral(value=value, offset=offset)
    if text in _LITERAL_WORDS:
        return _LITERAL_WORDS[text](offset)
    if text in reserved:
        return None
    return Identifier(name=text, offset=offset)


def rebase(chain: Expr, root: Expr, new_root: Expr) -> Expr:
    """Rebuild a postfix chain (``root.a[0](x)``) on ``new_root`` instead of ``root``."""
    spine: list[Expr] = []
    node = chain
    while node is not root:
        spine.append(node)
        if isinstance(node, Member | Index):
            node = node.object
        elif isinstance(node, Call):
            node = node.callee
        else:  # pragma: no cover - the parser only passes postfix chains
            raise ValueError("not a postfix chain over root")
    result = new_root
    for link in reversed(spine):  # direct constructors: dataclasses.replace is slow
        if isinstance(link, Member):
            result = Member(
                object=result, name=link.name, optional=link.optional, offset=link.offset
            )
        elif isinstance(link, Index):
            result = Index(
                object=result, index=link.index, optional=link.optional, offset=link.offset
            )
        else:
            assert isinstance(link, Call)
            offset = result.offset if isinstance(result, Identifier | Member) else link.offset
            result = Call(
                callee=result, arguments=link.arguments, optional=link.optional, offset=offset
            )
    return result


class HyphenFolder:
    """Builds operator nodes, folding neighbours into hyphen runs (see the module docstring).

    Args:
        budget: how many folded nodes one expression may create.
        on_exhausted: called (and must raise) when the budget runs out.
    """

    __slots__ = ("_budget", "_on_exhausted")

    def __init__(self, budget: int, on_exhausted: Callable[[], Exception]) -> None:
        self._budget = budget
        self._on_exhausted = on_exhausted

    def binary(self, operator: str, left: Expr, right: Expr, offset: int) -> Expr:
        """``left operator right`` with hyphen runs on either side folded."""
        if isinstance(right, HyphenName) and not right.grouped and operator in _FOLD_FROM_LEFT:
            self._charge()
            first = self.binary(operator, left, right.parts[0], offset)
            return replace(
                right,
                whole=self.binary(operator, left, right.whole, offset),
                parts=(first, *right.parts[1:]),
            )
        if isinstance(left, HyphenName) and not left.grouped and operator in _FOLD_FROM_RIGHT:
            self._charge()
            last = self.binary(operator, left.parts[-1], right, offset)
            return replace(
                left,
                whole=self.binary(operator, left.whole, right, offset),
                parts=(*left.parts[:-1], last),
            )
        return Binary(operator=operator, left=left, right=right, offset=offset)

    def unary(self, operator: str, operand: Expr, offset: int) -> Expr:
        """``operator operand``; ``-x-1`` reads as ``(-x) - 1`` when subtracting."""
        if isinstance(operand, HyphenName) and not operand.grouped:
            self._charge()
            first = self.unary(operator, operand.parts[0], offset)
            return replace(
                operand,
                whole=self.unary(operator, operand.whole, offset),
                parts=(first, *operand.parts[1:]),
            )
        return Unary(operator=operator, operand=operand, offset=offset)

    def group(self, expr: Expr) -> Expr:
        """A parenthesised expression: a run inside stops absorbing neighbours."""
        if isinstance(expr, HyphenName) and not expr.grouped:
            return replace(expr, whole=self.group(expr.whole), parts=(expr.subtraction,))
        return expr

    def _charge(self) -> None:
        self._budget -= 1
        if self._budget < 0:
            raise self._on_exhausted()
