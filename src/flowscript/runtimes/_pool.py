"""A keep-alive pool of httpcore connections that never scans its connections per request.

httpcore's ``AsyncConnectionPool`` (1.0.x) re-examines every connection (a ``poll()`` on each
socket) and every queued request on each request and on each response close, and it closes an
idle connection as soon as the pool holds more than ``max_keepalive_connections`` connections
in total, idle or not (upstream encode/httpcore#1035, #1110). At 50 concurrent requests that is
1–2 ms of CPU per request and a new TCP connection for most of them (benchmarks/NOTES.md, HTTP).

:class:`ConnectionPool` keeps the same connections — httpcore's own
``AsyncHTTPConnection`` (HTTP/1.1 over httpcore's anyio network backend), driven as httpcore's
pool drives them — but indexes them instead of scanning:

- idle connections per origin, most recently used first (so surplus ones age out);
- a count of open connections, plus places handed to waiting requests, against
  ``max_connections``; when the pool is full, an idle connection to another origin is closed
  to make room, else the request waits, first come first served, at most its ``pool`` timeout
  (``httpx.PoolTimeout``) — only then does a release look through the waiting requests;
- at most ``max_keepalive`` idle connections, the longest idle closed first; a connection idle
  for longer than ``keepalive_expiry`` (the pool's clock) is closed when next looked at (the
  longest idle one is looked at on every request), one the server closed meanwhile
  (httpcore's ``has_expired()``) when it is next taken for a request.

The pool only lends connections (:meth:`ConnectionPool.acquire`, :meth:`ConnectionPool.release`);
sending requests on them is the transport's job (:mod:`._transport`). It runs on the run's
asyncio loop and, like everything in a run, is not thread-safe.
"""

from __future__ import annotations

import asyncio
import math
import ssl
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import httpcore
import httpx

__all__ = ["ConnectionPool", "OriginKey", "PooledConnection", "origin_key"]

OriginKey = tuple[bytes, bytes, int]
"""scheme, host, port: what a connection can serve."""

_DEFAULT_PORTS: Final = {b"http": 80, b"https": 443, b"ws": 80, b"wss": 443}
_TLS_SCHEMES: Final = frozenset({b"https", b"wss"})


def origin_key(url: httpx.URL) -> OriginKey:
    """scheme, host, port of ``url`` (the scheme's default port when it has none).

    Raises:
        httpx.UnsupportedProtocol: the scheme is not http, https, ws or wss.
    """
    scheme = url.raw_scheme
    default = _DEFAULT_PORTS.get(scheme)
    if default is None:
        if not scheme:
            raise httpx.UnsupportedProtocol(
                "Request URL is missing an 'http://' or 'https://' protocol."
            )
        raise httpx.UnsupportedProtocol(
            f"Request URL has an unsupported protocol '{scheme.decode()}://'."
        )
    return (scheme, url.raw_host, url.port or default)


@dataclass(eq=False, slots=True)
class PooledConnection:
    """One of the pool's connections: httpcore's connection and the pool's notes on it."""

    origin: OriginKey
    core: httpcore.AsyncHTTPConnection
    idle_until: float = math.inf
    """When an idle connection expires (the pool's clock); ``inf`` while in use."""


@dataclass(eq=False, slots=True)
class _Waiter:
    """A request waiting for a connection: handed an idle one, or a place (``None``)."""

    origin: OriginKey
    future: asyncio.Future[PooledConnection | None]


class ConnectionPool:
    """Per-origin keep-alive connections under a total limit (see the module doc).

    Args:
        ssl_context: returns the TLS context; called for each new ``https`` connection (the
            caller builds it once, on the first call).
        max_connections: the most connections open at once (``None``: no limit).
        max_keepalive: the most idle connections kept open (``None``: no limit).
        keepalive_expiry: seconds an idle connection is kept (``None``: until the server
            closes it).
        clock: monotonic seconds for the keep-alive expiry (injected by tests).
        network_backend: httpcore's network backend for the connections (default: one
            ``httpcore.AnyIOBackend`` shared by them).
    """

    def __init__(
        self,
        *,
        ssl_context: Callable[[], ssl.SSLContext],
        max_connections: int | None = 100,
        max_keepalive: int | None = 20,
        keepalive_expiry: float | None = 5.0,
        clock: Callable[[], float] = time.monotonic,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._ssl_context = ssl_context
        self._clock = clock
        self._backend = network_backend or httpcore.AnyIOBackend()
        self._max_connections = math.inf if max_connections is None else max_connections
        self._max_keepalive = math.inf if max_keepalive is None else max_keepalive
        self._keepalive_expiry = math.inf if keepalive_expiry is None else keepalive_expiry
        self._count = 0  # open or opening connections, plus places handed to waiters
        self._connections: set[PooledConnection] = set()
        self._idle: dict[OriginKey, list[PooledConnection]] = {}
        self._idle_order: dict[PooledConnection, None] = {}  # longest idle first
        self._waiters: deque[_Waiter] = deque()

    @property
    def connection_count(self) -> int:
        """Connections open or being opened."""
        return len(self._connections)

    @property
    def idle_count(self) -> int:
        """Idle keep-alive connections."""
        return len(self._idle_order)

    @property
    def waiting_count(self) -> int:
        """Requests waiting for a connection."""
        return sum(not waiter.future.done() for waiter in self._waiters)

    def idle_connections(self) -> list[PooledConnection]:
        """The idle connections, longest idle first."""
        return list(self._idle_order)

    async def acquire(self, origin: OriginKey, timeout: float | None) -> PooledConnection:
        """A connection for one exchange with ``origin``: an idle one, else a new one (it
        connects when it sends), else the first one released, waiting at most ``timeout``
        seconds. Give it back with :meth:`release`.

        Raises:
            httpx.PoolTimeout: no connection became free within ``timeout`` seconds.
        """
        connection, closing = self._claim(origin)
        if closing:
            try:
                await _close_all(closing)
            except BaseException:  # cancelled while closing: give back what was claimed
                if connection is not None:
                    self._unclaim(connection)
                raise
        if connection is None:
            connection = await self._wait(origin, timeout)
        return connection

    async def release(self, connection: PooledConnection) -> None:
        """Take back a connection whose exchange is over: kept for reuse when httpcore left it
        idle, else closed; either way offered to the first waiting request."""
        await _close_all(self._take_back(connection))

    async def aclose(self) -> None:
        """Close every connection (requests still running fail, as with httpcore)."""
        connections = list(self._connections)
        self._connections.clear()
        self._idle.clear()
        self._idle_order.clear()
        self._count = 0
        await _close_all(connections)

    # -- acquiring --------------------------------------------------------------------------

    def _claim(self, origin: OriginKey) -> tuple[PooledConnection | None, list[PooledConnection]]:
        """A connection for ``origin`` when one can be had now, and the idle connections to
        close first (expired, closed by the server, or making room for ``origin``)."""
        closing = self._drop_expired()
        connection = self._take_idle(origin, closing)
        if connection is not None:
            return connection, closing
        if self._count < self._max_connections:
            self._count += 1
            return self._open(origin), closing
        if self._idle_order:  # full, but an idle connection to another origin can go
            oldest = self._unpark_oldest()
            self._connections.discard(oldest)
            closing.append(oldest)
            return self._open(origin), closing  # in the closed one's place
        return None, closing

    def _unclaim(self, connection: PooledConnection) -> None:
        """Undo :meth:`_claim` for a connection that was not used."""
        if connection.core.is_available():
            self._park(connection)
        else:  # new, not connected yet
            self._forget(connection)

    def _take_idle(
        self, origin: OriginKey, closing: list[PooledConnection]
    ) -> PooledConnection | None:
        stack = self._idle.get(origin)
        while stack:
            connection = stack.pop()
            del self._idle_order[connection]
            if connection.idle_until >= self._clock() and not connection.core.has_expired():
                connection.idle_until = math.inf
                return connection
            self._forget(connection)
            closing.append(connection)
        return None

    def _drop_expired(self) -> list[PooledConnection]:
        """The longest-idle connections that have expired, taken out of the pool (they are in
        order of release, so the first one that has not expired ends the sweep)."""
        expired: list[PooledConnection] = []
        if self._idle_order:
            now = self._clock()
            while self._idle_order and next(iter(self._idle_order)).idle_until < now:
                oldest = self._unpark_oldest()
                self._forget(oldest)
                expired.append(oldest)
        return expired

    def _open(self, origin: OriginKey) -> PooledConnection:
        """A new connection (it connects when it sends); its place is counted already."""
        scheme, host, port = origin
        core = httpcore.AsyncHTTPConnection(
            origin=httpcore.Origin(scheme, host, port),
            ssl_context=self._ssl_context() if scheme in _TLS_SCHEMES else None,
            network_backend=self._backend,
        )
        connection = PooledConnection(origin, core)
        self._connections.add(connection)
        return connection

    async def _wait(self, origin: OriginKey, timeout: float | None) -> PooledConnection:
        waiter = _Waiter(origin, asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                granted = await waiter.future
        except BaseException as exc:
            await _close_all(self._withdraw(waiter))
            if isinstance(exc, TimeoutError):
                message = f"no connection became free within {timeout:g} s"
                raise httpx.PoolTimeout(message) from None
            raise
        if granted is None:  # a place: the count came with it
            return self._open(origin)
        return granted

    def _withdraw(self, waiter: _Waiter) -> list[PooledConnection]:
        """A waiter gave up (timeout, cancellation): pass on what it may have been handed
        (the connections to close)."""
        future = waiter.future
        if not future.done() or future.cancelled():
            if waiter in self._waiters:
                self._waiters.remove(waiter)
            return []
        granted = future.result()
        if granted is None:
            self._free_place()
            return []
        return self._take_back(granted)

    # -- releasing --------------------------------------------------------------------------

    def _take_back(self, connection: PooledConnection) -> list[PooledConnection]:
        """Keep a connection whose exchange is over for reuse when it can be, else forget it;
        either way offer it to the first waiting request. Returns the connections to close."""
        if connection not in self._connections or not connection.core.is_available():
            self._forget(connection)
            return [connection]  # httpcore closed it already, unless it never connected
        waiter = self._next_waiter(connection.origin)
        if waiter is not None:
            waiter.future.set_result(connection)
            return []
        if self._waiters:  # the pool is full and nothing is idle: room for another origin
            self._forget(connection)
            return [connection]
        self._park(connection)
        if len(self._idle_order) > self._max_keepalive:
            oldest = self._unpark_oldest()
            self._forget(oldest)
            return [oldest]
        return []

    def _next_waiter(self, origin: OriginKey | None = None) -> _Waiter | None:
        """The first waiter still waiting (for ``origin`` when given), taken off the queue."""
        for index, waiter in enumerate(self._waiters):
            if waiter.future.done():
                continue  # cancelled: it takes itself off
            if origin is None or waiter.origin == origin:
                del self._waiters[index]
                return waiter
        return None

    def _free_place(self) -> None:
        """A place in the count is free: hand it to the first waiter, else give it up."""
        waiter = self._next_waiter()
        if waiter is None:
            self._count -= 1
        else:
            waiter.future.set_result(None)

    def _forget(self, connection: PooledConnection) -> None:
        """Take a connection that is not parked out of the pool, and free its place."""
        if connection in self._connections:
            self._connections.discard(connection)
            self._free_place()

    def _park(self, connection: PooledConnection) -> None:
        connection.idle_until = self._clock() + self._keepalive_expiry
        self._idle.setdefault(connection.origin, []).append(connection)
        self._idle_order[connection] = None

    def _unpark_oldest(self) -> PooledConnection:
        oldest = next(iter(self._idle_order))
        del self._idle_order[oldest]
        self._idle[oldest.origin].remove(oldest)
        return oldest


async def _close_all(connections: list[PooledConnection]) -> None:
    """Close connections; a cancellation still closes the others (each closes its socket
    before its first await) and is raised at the end."""
    error: BaseException | None = None
    for connection in connections:
        try:
            await connection.core.aclose()
        except BaseException as exc:
            error = error or exc
    if error is not None:
        raise error
