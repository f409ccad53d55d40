"""The SQLite backend: the standard library's ``sqlite3``, run in a worker thread.

Each node execution opens its own connection to a database file (busy timeout
:data:`BUSY_TIMEOUT` seconds; the file's folder is created when missing) and closes it when
done. ``sqlite::memory:`` is one in-memory
database per run, kept in the run's resources and used by one node at a time. A cancelled
node interrupts its statement (``sqlite3.Connection.interrupt``), which rolls it back.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar

from flowscript.runtimes.database._errors import sqlite_error
from flowscript.runtimes.database._target import MEMORY
from flowscript.runtimes.database._values import json_row

if TYPE_CHECKING:
    import sqlite3

    from flowscript.runtimes.base import RuntimeContext
    from flowscript.runtimes.database._sqltext import BoundQuery
    from flowscript.runtimes.database._statements import WritePlan
    from flowscript.runtimes.database._target import Target

__all__ = ["BUSY_TIMEOUT", "sqlite_fetch", "sqlite_write"]

BUSY_TIMEOUT: Final = 30.0
_MEMORY_KEY: Final = "database:sqlite::memory:"
_T = TypeVar("_T")


class _SharedMemory:
    """The run's in-memory database: one connection, used by one node at a time."""

    def __init__(self) -> None:
        import sqlite3

        self.connection = sqlite3.connect(MEMORY, isolation_level=None, check_same_thread=False)
        self.lock = threading.Lock()

    async def aclose(self) -> None:
        """Close the connection (the database is gone)."""
        self.connection.close()


def _connect(path: str) -> sqlite3.Connection:
    import sqlite3
    from pathlib import Path

    # Like the file sink's create-dirs: a new database may go in a folder not made yet. When
    # the folder cannot be made, sqlite3 says "unable to open database file" (database.connect).
    with contextlib.suppress(OSError):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return sqlite3.connect(
        path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
    )


async def _run(target: Target, context: RuntimeContext, work: Callable[[Any], _T]) -> _T:
    """Run ``work(connection)`` in a worker thread; interrupt it when the node is cancelled."""
    import sqlite3

    opened: list[sqlite3.Connection] = []

    def job() -> _T:
        if target.location == MEMORY:
            shared = context.resources.get(_MEMORY_KEY)
            assert isinstance(shared, _SharedMemory)
            with shared.lock:
                opened.append(shared.connection)
                return work(shared.connection)
        try:
            connection = _connect(target.location)
        except sqlite3.Error as exc:
            raise sqlite_error(exc, target, None) from None
        opened.append(connection)
        try:
            return work(connection)
        finally:
            connection.close()

    if target.location == MEMORY and _MEMORY_KEY not in context.resources:
        context.resources[_MEMORY_KEY] = _SharedMemory()
    try:
        return await asyncio.to_thread(job)
    except asyncio.CancelledError:
        for connection in opened:
            connection.interrupt()
        raise


async def sqlite_fetch(
    target: Target, query: BoundQuery, context: RuntimeContext
) -> list[dict[str, Any]]:
    """Run the source's statement and return its rows as objects."""
    import sqlite3

    def work(connection: sqlite3.Connection) -> list[dict[str, Any]]:
        try:
            cursor = connection.execute(query.sql, query.params)
            if cursor.description is None:
                return []
            columns = [column[0] for column in cursor.description]
            return [json_row(columns, row) for row in cursor.fetchall()]
        except sqlite3.Error as exc:
            raise sqlite_error(exc, target, query.sql, query.params) from None
        finally:
            if connection.in_transaction:
                connection.rollback()

    return await _run(target, context, work)


async def sqlite_write(target: Target, plan: WritePlan, context: RuntimeContext) -> tuple[int, int]:
    """Run the sink's batches in one transaction; return ``(rows affected, batches)``."""
    import sqlite3

    sql = plan.render(lambda _: "?")

    def work(connection: sqlite3.Connection) -> tuple[int, int]:
        affected = batches = 0
        rows: list[tuple[Any, ...]] = []
        try:
            connection.execute("BEGIN IMMEDIATE")
            for rows in plan.batches():
                affected += connection.executemany(sql, rows).rowcount
                batches += 1
            connection.execute("COMMIT")
        except sqlite3.Error as exc:
            values = [value for row in rows for value in row]
            raise sqlite_error(exc, target, sql, values) from None
        finally:
            if connection.in_transaction:
                connection.rollback()
        return affected, batches

    return await _run(target, context, work)
