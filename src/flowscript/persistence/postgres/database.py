"""A connection pool to the shared state database (psycopg 3, async).

:meth:`Database.open` makes one direct connection first — it reports clearly why the
database cannot be reached (a pool would only time out) and creates or migrates the schema —
then opens a small pool in autocommit mode: every write of the store is its own explicit
transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import StateError
from flowscript.persistence.postgres._schema import ensure_schema
from flowscript.persistence.postgres._url import is_postgres_url, mask_url

if TYPE_CHECKING:
    from psycopg import AsyncConnection
    from psycopg_pool import AsyncConnectionPool

__all__ = ["CONNECT_TIMEOUT", "Database"]

CONNECT_TIMEOUT: Final = 10
"""Seconds allowed to open a connection."""
_POOL_WAIT: Final = 30.0


class Database:
    """The state database of one process: ``await open()``, ``connection()``, ``close()``.

    Also an async context manager (``async with Database(url) as db``).

    Args:
        url: a ``postgresql://`` URL (its password is never printed: see :attr:`location`).
        max_size: the most connections the pool opens (one per concurrent run is plenty).
    """

    def __init__(self, url: str, *, max_size: int = 4) -> None:
        if not is_postgres_url(url):
            raise StateError(f"not a PostgreSQL URL: {mask_url(url)!r} (postgresql://…)")
        self._url = url
        self._max_size = max(1, max_size)
        self._pool: AsyncConnectionPool[Any] | None = None

    @property
    def location(self) -> str:
        """The URL with its password masked (for messages)."""
        return mask_url(self._url)

    async def open(self) -> None:
        """Connect, create or migrate the schema, open the pool.

        Raises:
            StateError: the database cannot be reached or its schema is newer than ours.
        """
        from psycopg_pool import AsyncConnectionPool

        probe = await self._connect()
        try:
            await ensure_schema(probe)
        finally:
            await probe.close()
        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            self._url,
            min_size=1,
            max_size=self._max_size,
            open=False,
            timeout=_POOL_WAIT,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
        )
        await pool.open()
        self._pool = pool

    async def _connect(self) -> AsyncConnection[Any]:
        import psycopg

        try:
            return await psycopg.AsyncConnection.connect(
                self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT
            )
        except psycopg.Error as exc:
            reason = mask_url(str(exc).strip().splitlines()[0] if str(exc).strip() else "")
            raise StateError(
                f"cannot connect to the state database {self.location}: {reason}"
            ) from None

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection[Any]]:
        """A connection from the pool (autocommit; use ``conn.transaction()``)."""
        if self._pool is None:
            raise RuntimeError("the state database is not open (call open first)")
        async with self._pool.connection() as conn:
            yield conn

    async def close(self) -> None:
        """Close the pool (idempotent)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
