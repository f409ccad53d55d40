"""The PostgreSQL backend: psycopg 3 (async) with one connection pool per run and database.

The pools live in the run's resources (``context.resources``) and are closed when the run
ends. A pool is opened on first use, after one direct connection attempt: that attempt is what
reports why a database cannot be reached (the pool itself would only time out). Statements use
psycopg's raw cursor, so the SQL keeps PostgreSQL's own ``$1`` placeholders and a ``%`` in the
text needs no escaping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import NodeError
from flowscript.runtimes.database._errors import (
    connect_error,
    postgres_connect_error,
    postgres_error,
)
from flowscript.runtimes.database._values import json_row

if TYPE_CHECKING:
    from psycopg import AsyncConnection
    from psycopg_pool import AsyncConnectionPool

    from flowscript.runtimes.base import RuntimeContext
    from flowscript.runtimes.database._sqltext import BoundQuery
    from flowscript.runtimes.database._statements import WritePlan
    from flowscript.runtimes.database._target import Target

__all__ = ["CONNECT_TIMEOUT", "POOL_MAX_SIZE", "postgres_fetch", "postgres_write"]

CONNECT_TIMEOUT: Final = 10
"""Seconds allowed to open a connection."""
POOL_MAX_SIZE: Final = 10
"""Connections per pool (per run and database)."""
_POOL_WAIT: Final = 30.0
_RESOURCE_KEY: Final = "database:postgresql"


class PostgresPools:
    """The run's PostgreSQL pools, one per connection string (a run resource)."""

    def __init__(self) -> None:
        self._pools: dict[str, AsyncConnectionPool[Any]] = {}
        self._lock = asyncio.Lock()

    async def get(self, target: Target) -> AsyncConnectionPool[Any]:
        """The pool for ``target``, opened on first use.

        Raises:
            NodeError: ``database.connect`` when the database cannot be reached.
        """
        pool = self._pools.get(target.location)
        if pool is not None:
            return pool
        async with self._lock:
            pool = self._pools.get(target.location)
            if pool is None:
                pool = await _open_pool(target)
                self._pools[target.location] = pool
        return pool

    async def aclose(self) -> None:
        """Close every pool."""
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.close()


async def _open_pool(target: Target) -> AsyncConnectionPool[Any]:
    import psycopg
    from psycopg_pool import AsyncConnectionPool

    failure: NodeError | None = None
    try:
        probe = await psycopg.AsyncConnection.connect(
            target.location, connect_timeout=CONNECT_TIMEOUT
        )
    except psycopg.Error as exc:
        failure = postgres_connect_error(exc, target)
    if failure is not None:
        # Raised outside the handler: psycopg's exception (it holds the connection settings,
        # password included) must not stay attached as the node error's context.
        raise failure
    await probe.close()
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        target.location,
        min_size=1,
        max_size=POOL_MAX_SIZE,
        open=False,
        timeout=_POOL_WAIT,
        name="flowscript-database",
        kwargs={"connect_timeout": CONNECT_TIMEOUT},
    )
    try:
        await pool.open(wait=True, timeout=CONNECT_TIMEOUT)
    except Exception as exc:  # PoolTimeout, or the server went away in between
        await pool.close()
        raise connect_error(target, type(exc).__name__) from None
    return pool


def _pools(context: RuntimeContext) -> PostgresPools:
    pools = context.resources.get(_RESOURCE_KEY)
    if not isinstance(pools, PostgresPools):
        pools = context.resources[_RESOURCE_KEY] = PostgresPools()
    return pools


class _Session:
    """``async with _Session(target, context) as connection``: a pooled connection inside a
    transaction (committed on success, rolled back on error); driver errors translated."""

    def __init__(self, target: Target, context: RuntimeContext, sql: str) -> None:
        self.target, self.context, self.sql = target, context, sql
        self.rows: Sequence[Sequence[Any]] = ()  # the parameters being sent (masked in errors)

    async def run(self, work: Any) -> Any:
        import psycopg
        from psycopg_pool import PoolTimeout

        pool = await _pools(self.context).get(self.target)
        failure: NodeError
        try:
            async with pool.connection() as connection, connection.transaction():
                return await work(connection)
        except PoolTimeout:
            failure = connect_error(self.target, "no pooled connection became available")
        except psycopg.Error as exc:
            values = [value for row in self.rows for value in row]
            failure = postgres_error(exc, self.target, self.sql, values)
        raise failure  # outside the handler: no driver exception attached (see _open_pool)


async def postgres_fetch(
    target: Target, query: BoundQuery, context: RuntimeContext
) -> list[dict[str, Any]]:
    """Run the source's statement and return its rows as objects."""
    import psycopg

    session = _Session(target, context, query.sql)
    session.rows = [query.params]

    async def work(connection: AsyncConnection[Any]) -> list[dict[str, Any]]:
        cursor = psycopg.AsyncRawCursor(connection)
        await cursor.execute(query.sql, query.params if query.bound else None)
        if cursor.description is None:
            return []
        columns = [column.name for column in cursor.description]
        return [json_row(columns, row) for row in await cursor.fetchall()]

    result: list[dict[str, Any]] = await session.run(work)
    return result


async def postgres_write(
    target: Target, plan: WritePlan, context: RuntimeContext
) -> tuple[int, int]:
    """Run the sink's batches in one transaction; return ``(rows affected, batches)``."""
    import psycopg

    sql = plan.render(lambda number: f"${number}")
    session = _Session(target, context, sql)

    async def work(connection: AsyncConnection[Any]) -> tuple[int, int]:
        cursor = psycopg.AsyncRawCursor(connection)
        affected = batches = 0
        for rows in plan.batches():
            session.rows = rows
            await cursor.executemany(sql, rows)
            affected += max(cursor.rowcount, 0)
            batches += 1
        return affected, batches

    result: tuple[int, int] = await session.run(work)
    return result
