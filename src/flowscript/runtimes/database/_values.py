"""Values in and out of the database (runtimes.md §4).

In (:func:`bind_value`): the engine's JSON-like values become driver parameters. Strings,
numbers, booleans and ``null`` pass unchanged (``undefined`` is ``NULL``); arrays and objects
become compact JSON text, which both SQLite and PostgreSQL (``json``/``jsonb`` columns, by
the implicit cast from text) accept.

Out (:func:`json_value`): row values become JSON-compatible data — ``datetime``/``date``/
``time`` as ISO 8601 strings, ``timedelta`` as seconds, ``Decimal`` as an int or a float when
that is exact (else its string), bytes as base64 text, UUIDs and anything else as strings,
non-finite numbers as ``"NaN"``/``"Infinity"``/``"-Infinity"``, JSON columns as values.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

from flowscript.expressions.values import (
    MAX_SAFE_INTEGER,
    UNDEFINED,
    number_to_string,
    to_json,
)

__all__ = ["JSON_TYPES", "bind_value", "json_row", "json_value", "text_of"]

JSON_TYPES: Final = frozenset({list, dict})
"""Value types that are bound as JSON text (everything else passes as is)."""


def bind_value(value: Any) -> Any:
    """One parameter value, ready for the driver."""
    kind = type(value)
    if kind in JSON_TYPES:
        return to_json(value)
    if value is UNDEFINED:
        return None
    if kind is tuple:
        return to_json(list(value))
    return value


def text_of(value: Any) -> str:
    """How a value reads inside a quoted SQL literal (as in a text template)."""
    if value is None or value is UNDEFINED:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_to_string(value)
    return to_json(value)


def _float(value: float) -> Any:
    if math.isfinite(value):
        return value
    return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")


def _decimal(value: Decimal) -> Any:
    if not value.is_finite():
        return "NaN" if value.is_nan() else ("Infinity" if value > 0 else "-Infinity")
    if value == value.to_integral_value():
        number = int(value)
        return number if abs(number) <= MAX_SAFE_INTEGER else str(value)
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else str(value)


def _bytes(value: bytes | bytearray | memoryview) -> str:
    return base64.b64encode(bytes(value)).decode("ascii")


def _seconds(value: dt.timedelta) -> Any:
    seconds = value.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


def _list(value: list[Any] | tuple[Any, ...]) -> list[Any]:
    return [json_value(item) for item in value]


def _dict(value: dict[Any, Any]) -> dict[str, Any]:
    return {str(key): json_value(item) for key, item in value.items()}


def _iso(value: dt.date | dt.time) -> str:
    return value.isoformat()


_CONVERTERS: Final[Mapping[type, Callable[[Any], Any]]] = {
    float: _float,
    Decimal: _decimal,
    bytes: _bytes,
    bytearray: _bytes,
    memoryview: _bytes,
    dt.datetime: _iso,
    dt.date: _iso,
    dt.time: _iso,
    dt.timedelta: _seconds,
    list: _list,
    tuple: _list,
    dict: _dict,
}
_PLAIN: Final = frozenset({str, int, bool, type(None)})


def json_value(value: Any) -> Any:
    """A JSON-compatible form of one value read from the database."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    converter = _CONVERTERS.get(kind)
    if converter is not None:
        return converter(value)
    if isinstance(value, bool | int | str):
        return value
    for base, convert in _CONVERTERS.items():
        if isinstance(value, base):
            return convert(value)
    return str(value)


def json_row(columns: list[str], values: tuple[Any, ...] | list[Any]) -> dict[str, Any]:
    """One row object: column name → JSON-compatible value (a repeated name keeps the last)."""
    return {
        name: value if type(value) in _PLAIN else json_value(value)
        for name, value in zip(columns, values, strict=True)
    }
