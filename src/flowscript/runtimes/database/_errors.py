"""Driver exceptions → node errors (runtimes.md §4, execution.md §6.1).

Types: ``database.connect`` (the database cannot be reached: retryable, except when the server
refused the login — bad password, unknown user or database — which retrying will not fix),
``database.constraint`` (a unique, foreign-key, not-null, check or exclusion violation: not
retryable), ``database.query`` (any other SQL error: not retryable, except lock timeouts,
deadlocks, serialization failures and cancelled statements, which are transient).

Messages carry the server's message (its primary text: PostgreSQL's ``DETAIL``, which repeats
row values, is left out) and the statement's first line; quoted parameter values are masked,
and the connection string and its password are scrubbed. Driver exceptions are never chained
(``from None``): psycopg's carry the connection's settings, password included.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import NodeError
from flowscript.runtimes.database._sqltext import first_line
from flowscript.runtimes.database._target import scrub

if TYPE_CHECKING:
    import sqlite3

    import psycopg

    from flowscript.runtimes.database._target import Target

__all__ = ["connect_error", "postgres_connect_error", "postgres_error", "sqlite_error"]

_LOGIN_REFUSED: Final = (
    "authentication failed",
    "does not exist",
    "no pg_hba.conf entry",
    "permission denied",
    "password is required",
    "password must be",
)
_TRANSIENT_SQLSTATES: Final = frozenset({"40001", "40P01", "55P03", "57014"})
_SQLITE_BUSY: Final = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED"})
_MASK_VALUES_LONGER_THAN: Final = 0


def _mask_values(message: str, values: Iterable[Any]) -> str:
    """Replace quoted occurrences of parameter values (``"abc"``) by ``"…"``."""
    for value in values:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            text = str(value)
            if len(text) > _MASK_VALUES_LONGER_THAN:
                message = message.replace(f'"{text}"', '"…"').replace(f"'{text}'", "'…'")
    return message


def _error(
    kind: str, text: str, *, sql: str | None, target: Target, retryable: bool, **details: Any
) -> NodeError:
    message = text
    if sql:
        message += f" (in: {first_line(sql)})"
    message = scrub(message, target)
    return NodeError(
        f"database.{kind}",
        message,
        retryable=retryable,
        details={"database": target.display, **{k: v for k, v in details.items() if v}},
    )


def connect_error(target: Target, reason: str, *, retryable: bool = True) -> NodeError:
    """``database.connect``: ``target`` could not be reached (``reason`` is scrubbed)."""
    text = " ".join(scrub(reason, target).split())
    return _error(
        "connect", f"cannot connect to {target.display}: {text}", sql=None, target=target,
        retryable=retryable,
    )  # fmt: skip


def _login_refused(text: str) -> bool:
    lowered = text.lower()
    return any(phrase in lowered for phrase in _LOGIN_REFUSED)


def sqlite_error(
    exc: sqlite3.Error, target: Target, sql: str | None, values: Iterable[Any] = ()
) -> NodeError:
    """Classify a ``sqlite3`` exception."""
    import sqlite3

    name = getattr(exc, "sqlite_errorname", None) or ""
    text = _mask_values(str(exc), values)
    if isinstance(exc, sqlite3.IntegrityError):
        return _error("constraint", text, sql=sql, target=target, retryable=False, code=name)
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_NOTADB")):
        return connect_error(target, text, retryable=False)
    busy = any(name.startswith(prefix) for prefix in _SQLITE_BUSY)
    return _error("query", text, sql=sql, target=target, retryable=busy, code=name)


def postgres_error(
    exc: psycopg.Error, target: Target, sql: str | None, values: Iterable[Any] = ()
) -> NodeError:
    """Classify a psycopg exception raised while a statement ran."""
    import psycopg

    sqlstate = exc.sqlstate or ""
    primary = exc.diag.message_primary if exc.diag is not None else None
    text = _mask_values(primary or str(exc).split("\n", 1)[0], values)
    if isinstance(exc, psycopg.IntegrityError):
        constraint = exc.diag.constraint_name if exc.diag is not None else None
        return _error(
            "constraint", text, sql=sql, target=target, retryable=False,
            sqlstate=sqlstate, constraint=constraint,
        )  # fmt: skip
    if (
        sqlstate.startswith("08")
        or sqlstate in ("57P01", "57P02", "57P03")
        or (isinstance(exc, psycopg.OperationalError) and not sqlstate)
    ):
        return connect_error(target, text)
    retryable = sqlstate in _TRANSIENT_SQLSTATES
    return _error("query", text, sql=sql, target=target, retryable=retryable, sqlstate=sqlstate)


def postgres_connect_error(exc: BaseException, target: Target) -> NodeError:
    """Classify a failure to open a PostgreSQL connection."""
    reason = str(exc)
    retryable = not _login_refused(reason)
    return connect_error(target, reason, retryable=retryable)
