"""The database sink's statements: identifiers, columns, SQL and row parameters.

Everything here is checked and built before any SQL runs, so a bad table or column name
(``database.invalid_identifier``) or bad input (``database.invalid_input``) never leaves a
half-written table. Identifiers must be plain names (``schema.table`` allowed for the table)
and are double-quoted, which makes them case-sensitive in PostgreSQL.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, Final

from flowscript.errors import NodeError
from flowscript.expressions.values import UNDEFINED
from flowscript.runtimes.database._values import JSON_TYPES, bind_value

__all__ = ["WritePlan", "plan_write", "quote_identifier"]

_TABLE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?")
_COLUMN: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
OPERATIONS: Final = ("insert", "upsert", "update", "delete")
_CONVERT: Final = frozenset({*JSON_TYPES, tuple, type(UNDEFINED)})


@dataclass(frozen=True, slots=True)
class WritePlan:
    """One sink execution: a statement run once per row, in batches, in one transaction.

    Attributes:
        sql: the statement with ``{p}`` where each placeholder goes (see :meth:`render`).
        rows: one parameter tuple per input row.
        batch: rows per ``executemany`` call.
    """

    sql: str
    rows: list[tuple[Any, ...]]
    batch: int

    def render(self, placeholder: Callable[[int], str]) -> str:
        """The SQL with placeholder ``n`` (1-based) written by ``placeholder(n)``."""
        count = self.sql.count("{p}")
        pieces = self.sql.split("{p}")
        out = [pieces[0]]
        for number in range(1, count + 1):
            out.extend((placeholder(number), pieces[number]))
        return "".join(out)

    def batches(self) -> Iterator[list[tuple[Any, ...]]]:
        """The rows, ``batch`` at a time."""
        for start in range(0, len(self.rows), self.batch):
            yield self.rows[start : start + self.batch]


def _bad_identifier(what: str, name: object) -> NodeError:
    return NodeError(
        "database.invalid_identifier",
        f"{what} {name!r} is not a plain name (letters, digits and _, not starting with a "
        "digit" + ("; schema.table allowed" if what == "table" else "") + ")",
        retryable=False,
        details={"identifier": str(name)},
    )


def quote_identifier(name: object, *, table: bool = False) -> str:
    """``name`` double-quoted (``"schema"."table"``), after checking it is a plain name.

    Raises:
        NodeError: ``database.invalid_identifier``.
    """
    pattern = _TABLE if table else _COLUMN
    if not isinstance(name, str) or not pattern.fullmatch(name):
        raise _bad_identifier("table" if table else "column", name)
    return ".".join(f'"{part}"' for part in name.split("."))


def _invalid_input(message: str) -> NodeError:
    return NodeError("database.invalid_input", message, retryable=False)


def _rows(value: Any) -> list[Mapping[str, Any]]:
    if value is None or value is UNDEFINED:
        return []
    rows = value if isinstance(value, list) else [value]
    if set(map(type, rows)) <= {dict}:  # the usual case, checked at C speed
        return rows
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise _invalid_input(
                f"the input must be an object or a list of objects; item {index} is not"
            )
    return rows


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The union of the rows' keys, in first-seen order."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def _same_keys(
    rows: Sequence[Mapping[str, Any]],
) -> tuple[list[str], list[tuple[Any, ...]]] | None:
    """The first row's keys and every row's values in that order, when every row has exactly
    those keys (checked at C speed: as many keys, and all of the first row's names), else
    ``None``. The values are reused as the parameters when the statement wants that order."""
    first = list(rows[0])
    if not first or set(map(len, rows)) != {len(first)}:
        return None
    try:
        fetched = list(map(operator.itemgetter(*first), rows))
    except KeyError:
        return None
    return first, fetched if len(first) > 1 else [(value,) for value in fetched]


def _config_list(config: Mapping[str, Any], field: str, operation: str) -> list[str]:
    names = config.get(field) or []
    if not names:
        raise NodeError(
            "config.invalid",
            f"field '{field}' is required for operation {operation}",
            retryable=False,
            details={"field": field},
        )
    return list(names)


def _insert(table: str, columns: list[str], config: Mapping[str, Any]) -> tuple[str, list[str]]:
    names = ", ".join(quote_identifier(c) for c in columns)
    values = ", ".join("{p}" for _ in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({values})", columns


def _upsert(table: str, columns: list[str], config: Mapping[str, Any]) -> tuple[str, list[str]]:
    conflict = _config_list(config, "conflict-columns", "upsert")
    target = ", ".join(quote_identifier(c) for c in conflict)
    insert, order = _insert(table, columns, config)
    updates = [quote_identifier(c) for c in columns if c not in conflict]
    if not updates:
        return f"{insert} ON CONFLICT ({target}) DO NOTHING", order
    assignments = ", ".join(f"{name} = excluded.{name}" for name in updates)
    return f"{insert} ON CONFLICT ({target}) DO UPDATE SET {assignments}", order


def _where(keys: list[str]) -> str:
    return " AND ".join(f"{quote_identifier(k)} = {{p}}" for k in keys)


def _update(table: str, columns: list[str], config: Mapping[str, Any]) -> tuple[str, list[str]]:
    keys = _config_list(config, "key-columns", "update")
    where = _where(keys)
    changed = [c for c in columns if c not in keys]
    if not changed:
        raise _invalid_input("update: the rows have no column besides the key columns")
    assignments = ", ".join(f"{quote_identifier(c)} = {{p}}" for c in changed)
    return f"UPDATE {table} SET {assignments} WHERE {where}", [*changed, *keys]


def _delete(table: str, columns: list[str], config: Mapping[str, Any]) -> tuple[str, list[str]]:
    keys = _config_list(config, "key-columns", "delete")
    return f"DELETE FROM {table} WHERE {_where(keys)}", keys


_BUILDERS: Final[
    Mapping[str, Callable[[str, list[str], Mapping[str, Any]], tuple[str, list[str]]]]
] = {"insert": _insert, "upsert": _upsert, "update": _update, "delete": _delete}


def _check_keys(rows: Sequence[Mapping[str, Any]], config: Mapping[str, Any], op: str) -> None:
    if op not in ("update", "delete"):
        return
    for index, row in enumerate(rows):
        for key in config.get("key-columns") or []:
            if row.get(key) is None or row.get(key) is UNDEFINED:
                raise _invalid_input(f"{op}: item {index} has no value for key column {key!r}")


def _parameters(
    rows: Sequence[Mapping[str, Any]],
    order: list[str],
    known: tuple[list[str], list[tuple[Any, ...]]] | None = None,
) -> list[tuple[Any, ...]]:
    """One tuple per row (missing keys are NULL); arrays and objects as JSON text.

    ``known`` is what :func:`_same_keys` found: its values serve when ``order`` is its order.
    """
    if known is not None and known[0] == order:
        values = known[1]
    else:
        try:
            getter = operator.itemgetter(*order)
            fetched = list(map(getter, rows))  # C speed; KeyError when a row lacks a column
            values = fetched if len(order) > 1 else [(value,) for value in fetched]
        except KeyError:
            values = [tuple(row.get(name) for name in order) for row in rows]
    if _CONVERT.isdisjoint(set(map(type, chain.from_iterable(values)))):
        return values
    convert = _CONVERT.isdisjoint
    return [
        row if convert(map(type, row)) else tuple(bind_value(value) for value in row)
        for row in values
    ]


def plan_write(config: Mapping[str, Any], data: Any) -> WritePlan | None:
    """Check the sink's config and input and build its statement.

    Returns:
        The plan, or ``None`` when the input holds no rows (nothing to write).

    Raises:
        NodeError: ``database.invalid_identifier``, ``database.invalid_input`` or
            ``config.invalid`` (missing key or conflict columns, bad batch size).
    """
    table = quote_identifier(config.get("table"), table=True)
    operation = str(config.get("operation") or "insert").lower()
    batch = config.get("batch", 500)
    if operation not in _BUILDERS:
        raise NodeError("config.invalid", f"field 'operation': unknown operation {operation!r}")
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise NodeError("config.invalid", "field 'batch': expected a positive integer")
    rows = _rows(data)
    for name in (*(config.get("conflict-columns") or []), *(config.get("key-columns") or [])):
        quote_identifier(name)
    if not rows:
        return None
    known = _same_keys(rows)
    columns = known[0] if known is not None else _columns(rows)
    if not columns:
        raise _invalid_input(f"{operation}: the input rows have no columns")
    sql, order = _BUILDERS[operation](table, columns, config)
    _check_keys(rows, config, operation)
    return WritePlan(sql=sql, rows=_parameters(rows, order, known), batch=batch)
