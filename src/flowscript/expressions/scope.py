"""Name resolution for the evaluator (expressions.md §2).

The evaluator only needs three questions answered about a name, captured by the
:class:`EvalScope` protocol; the executor implements it over run state, tests and the CLI use
:class:`MapScope`. ``$``-prefixed names (``$input``, ``$config``, ``$item`` …) are ordinary
variable names here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, Protocol, runtime_checkable

from flowscript.expressions.values import UNDEFINED

__all__ = ["EvalScope", "MapScope"]

_EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})


@runtime_checkable
class EvalScope(Protocol):
    """What an expression can see."""

    def lookup(self, name: str) -> Any:
        """The value of ``name``; ``UNDEFINED`` when it is not defined."""
        ...

    def has(self, name: str) -> bool:
        """True when ``name`` is defined (decides hyphenated names, §2.3)."""
        ...

    def is_node(self, name: str) -> bool:
        """True when ``name`` is a node id (so ``name.output`` is its whole output, §2.2)."""
        ...


class MapScope:
    """An :class:`EvalScope` over plain mappings, optionally chained to a parent scope.

    Within one scope variables shadow node ids of the same name; an inner scope shadows its
    parent. A name present with the value ``UNDEFINED`` still counts as defined for
    :meth:`has` (a node that has not run is still a node id).

    Args:
        variables: variable name → value.
        nodes: node id → that node's output.
        parent: the enclosing scope, consulted for names defined in neither mapping.
    """

    __slots__ = ("_nodes", "_parent", "_variables")

    def __init__(
        self,
        variables: Mapping[str, Any] = _EMPTY,
        nodes: Mapping[str, Any] = _EMPTY,
        parent: EvalScope | None = None,
    ) -> None:
        self._variables = variables
        self._nodes = nodes
        self._parent = parent

    def lookup(self, name: str) -> Any:
        """The variable, else the node output, else the parent's answer, else ``UNDEFINED``."""
        variables = self._variables
        if name in variables:
            return variables[name]
        if name in self._nodes:
            return self._nodes[name]
        if self._parent is not None:
            return self._parent.lookup(name)
        return UNDEFINED

    def has(self, name: str) -> bool:
        """True when this scope or an enclosing one defines ``name``."""
        if name in self._variables or name in self._nodes:
            return True
        return self._parent is not None and self._parent.has(name)

    def is_node(self, name: str) -> bool:
        """True when the nearest definition of ``name`` is a node id."""
        if name in self._variables:
            return False
        if name in self._nodes:
            return True
        return self._parent is not None and self._parent.is_node(name)

    def child(self, variables: Mapping[str, Any]) -> MapScope:
        """A nested scope with extra variables (arrow parameters, loop variables)."""
        return MapScope(variables, parent=self)

    def __repr__(self) -> str:
        names = sorted({*self._variables, *self._nodes})
        return f"MapScope({', '.join(names)}{', parent' if self._parent else ''})"
