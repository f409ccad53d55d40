"""Typed reads from untrusted JSON data that fail with a :class:`StateError` naming the file.

Every message has the form ``invalid run state <file>: <where>: <what is wrong>``, where
``<where>`` is a JSON path such as ``nodeResults[3][1].status``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, Final, NoReturn, TypeVar

from flowscript.errors import StateError

__all__ = ["MISSING", "Checker"]

E = TypeVar("E", bound=StrEnum)


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_KINDS: Final[dict[str, tuple[Callable[[Any], bool], str]]] = {
    "str": (lambda value: isinstance(value, str), "a string"),
    "int": (_is_int, "an integer"),
    "number": (_is_number, "a number"),
    "bool": (lambda value: isinstance(value, bool), "true or false"),
    "dict": (lambda value: isinstance(value, dict), "an object"),
    "list": (lambda value: isinstance(value, list), "an array"),
    "any": (lambda value: True, "a value"),
}


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""Default for :meth:`Checker.get`: the key is required."""


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Checker:
    """Reads fields of one file's data, raising :class:`StateError` on the first problem.

    Args:
        source: the file named in every message.
    """

    __slots__ = ("source",)

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, where: str, problem: str) -> StateError:
        """The :class:`StateError` for ``problem`` at ``where``."""
        return StateError(f"invalid run state {self.source}: {where}: {problem}")

    def fail(self, where: str, problem: str) -> NoReturn:
        """Raise the :class:`StateError` for ``problem`` at ``where``."""
        raise self.error(where, problem)

    def value(self, value: Any, kind: str, where: str, *, nullable: bool = False) -> Any:
        """``value`` checked against ``kind`` (a key of the kinds table); ints for ``int``."""
        if value is None and nullable:
            return None
        accepts, description = _KINDS[kind]
        if not accepts(value):
            expected = description + (" or null" if nullable else "")
            self.fail(where, f"expected {expected}, got {_show(value)}")
        return int(value) if kind == "int" else value

    def get(
        self,
        data: Mapping[str, Any],
        key: str,
        kind: str,
        where: str,
        *,
        default: Any = MISSING,
        nullable: bool = False,
    ) -> Any:
        """The field ``key`` of ``data`` checked against ``kind``.

        Args:
            data: the JSON object.
            key: the field name.
            kind: ``str``, ``int``, ``number``, ``bool``, ``dict``, ``list`` or ``any``.
            where: the JSON path of ``data`` (for messages).
            default: returned when the key is absent; required when not given.
            nullable: whether ``null`` is accepted.
        """
        if key not in data:
            if default is MISSING:
                self.fail(where or "top level", f"missing key '{key}'")
            return default
        path = f"{where}.{key}" if where else key
        return self.value(data[key], kind, path, nullable=nullable)

    def enum(self, value: Any, enum_type: type[E], where: str) -> E:
        """The member of ``enum_type`` whose value is the string ``value``."""
        if isinstance(value, str):
            try:
                return enum_type(value)
            except ValueError:
                pass
        allowed = ", ".join(member.value for member in enum_type)
        raise self.error(where, f"expected one of {allowed}, got {_show(value)}")
