"""The built-in function library of the expression language (expressions.md §6).

``FUNCTIONS`` maps every function name to its :class:`Builtin` (category, signature, one-line
doc, arity and ``impl(sandbox, args)``); ``ALIASES`` maps the JavaScript spellings
``Math.floor``, ``JSON.parse``… to those names; ``CATEGORIES`` is the display order used by
``flowscript functions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from flowscript.expressions.builtins import (
    arrays,
    dates,
    iteration,
    numbers,
    objects,
    regexp,
    strings,
    types,
    utility,
)
from flowscript.expressions.builtins._registry import Builtin
from flowscript.expressions.catalog import ALIASES

__all__ = ["ALIASES", "CATEGORIES", "FUNCTIONS", "Builtin"]

CATEGORIES: Final[tuple[str, ...]] = (
    "String",
    "Array",
    "Math",
    "Time",
    "Object",
    "Type and logic",
    "Utility",
)

_MODULES: Final = (strings, arrays, iteration, numbers, dates, objects, types, utility, regexp)

FUNCTIONS: Final[Mapping[str, Builtin]] = MappingProxyType(
    {builtin.name: builtin for module in _MODULES for builtin in module.BUILTINS}
)
