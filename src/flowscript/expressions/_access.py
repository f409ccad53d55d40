"""Null-safe property and index access with the sandbox's blocked names (expressions.md §3, §4.2).

Values are only the plain types of :mod:`.values` (a regex match's ``index``, ``input`` and
``groups`` are the one extra, read through :meth:`MatchArray.member`), so no Python object
is ever reachable; the blocked names are refused anyway so that expressions written for a
JavaScript engine that probe ``constructor``/``__proto__`` fail loudly instead of silently
reading data.
"""

from __future__ import annotations

from typing import Any, Final

from flowscript.errors import BlockedAccessError
from flowscript.expressions.values import UNDEFINED, MatchArray, number_to_string, to_string

__all__ = ["check_name", "get_index", "get_member", "is_blocked"]

_BLOCKED: Final = frozenset({"constructor", "prototype", "__proto__"})


def is_blocked(name: str) -> bool:
    """True for names the sandbox never lets an expression read or call."""
    return name.startswith("__") or name in _BLOCKED


def check_name(name: str) -> None:
    """Raise :class:`BlockedAccessError` when ``name`` is blocked."""
    if is_blocked(name):
        raise BlockedAccessError(
            f"access to `{name}` is blocked (names starting with `__`, `constructor` and "
            "`prototype` are never accessible)"
        )


def get_member(value: Any, name: str) -> Any:
    """``value.name``; ``undefined`` on null/undefined and on missing properties.

    A regex match (:class:`MatchArray`) also has ``index``, ``input`` and ``groups``.
    """
    check_name(name)
    if isinstance(value, dict):
        return value.get(name, UNDEFINED)
    if isinstance(value, list | str):
        if name == "length":
            return len(value)
        position = _array_index(name)
        if position is not None and position < len(value):
            return value[position]
        if isinstance(value, MatchArray):
            return value.member(name)
    return UNDEFINED


def get_index(value: Any, key: Any) -> Any:
    """``value[key]``: array/string positions (negative → undefined) and object keys."""
    if isinstance(value, list | str) and isinstance(key, int | float) and not isinstance(key, bool):
        if isinstance(key, float) and not key.is_integer():
            return UNDEFINED
        position = int(key)
        return value[position] if 0 <= position < len(value) else UNDEFINED
    name = (
        number_to_string(key)
        if isinstance(key, int | float) and not isinstance(key, bool)
        else to_string(key)
    )
    return get_member(value, name)


def _array_index(name: str) -> int | None:
    """The canonical array index a property name denotes (``"2"`` → 2, ``"02"`` → None)."""
    if name.isdigit() and name.isascii() and (name == "0" or name[0] != "0"):
        return int(name)
    return None
