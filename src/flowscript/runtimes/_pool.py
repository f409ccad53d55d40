"""An HTTP/1.1 keep-alive connection pool that never scans its connections per request.

httpcore's ``AsyncConnectionPool`` (1.0.x) re-examines every connection (a ``poll()`` on each
socket) and every queued request on each request and on each response close, and it closes an
idle connection as soon as the pool holds more than ``max_keepalive_connections`` connections
in total, idle or not. At 50 concurrent requests that is 1–2 ms of CPU per request and a new
TCP connection for most of them (benchmarks/NOTES.md, HTTP).

:class:`ConnectionPool` indexes its :class:`~._http11.Http11Connection` objects instead:

- idle connections per origin, most recently used first (so surplus ones age out);
- a count of open connections, plus places handed to waiting requests, against
  ``max_connections``; when the pool is full, an idle connection to another origin is closed
  to make room, else the request waits, first come first served, at most its ``pool`` timeout
  (``httpx.PoolTimeout``) — only then does a release look through the waiting requests;
- at most ``max_keepalive`` idle connections, the longest idle closed first; a connection idle
  for longer than ``keepalive_expiry``, or closed by the server, is dropped when next looked at
  (the longest idle one is looked at on every request).

It runs on the run's asyncio loop and, like everything in a run, is not thread-safe.
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

import httpx

from flowscript.runtimes._http11 import Http11Connection, OriginKey

__all__ = ["ConnectionPool", "origin_key"]

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
class _Waiter:
    """A request waiting for a connection: handed an idle one, or a place (``None``)."""

    origin: OriginKey
    future: asyncio.Future[Http11Connection | None]


class ConnectionPool:
    """Per-origin keep-alive HTTP/1.1 connections under a total limit (see the module doc).

    Args:
        ssl_context: returns the TLS context; called for each new ``https`` connection (the
            caller builds it once, on the first call).
        max_connections: the most connections open at once (``None``: no limit).
        max_keepalive: the most idle connections kept open (``None``: no limit).
        keepalive_expiry: seconds an idle connection is kept (``None``: until the server
            closes it).
        clock: monotonic seconds for the keep-alive expiry (injected by tests).
    """

    def __init__(
        self,
        *,
        ssl_context: Callable[[], ssl.SSLContext],
        max_connections: int | None = 100,
        max_keepalive: int | None = 20,
        keepalive_expiry: float | None = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ssl_context = ssl_context
        self._clock = clock
        self._max_connections = math.inf if max_connections is None else max_connections
        self._max_keepalive = math.inf if max_keepalive is None else max_keepalive
        self._keepalive_expiry = keepalive_expiry
        self._count = 0  # open or opening connections, plus places handed to waiters
        self._connections: set[Http11Connection] = set()
        self._idle: dict[OriginKey, list[Http11Connection]] = {}
        self._idle_order: dict[Http11Connection, None] = {}  # longest idle first
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

    def idle_connections(self) -> list[Http11Connection]:
        """The idle connections, longest idle first."""
        return list(self._idle_order)

    async def send(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` on a pooled connection; it comes back to the pool when the
        response is closed.

        Raises:
            httpx.UnsupportedProtocol: the URL's scheme is not http(s) or ws(s).
            httpx.PoolTimeout: no connection became free within the ``pool`` timeout.
        """
        origin = origin_key(request.url)
        timeout = request.extensions.get("timeout", {}).get("pool")
        connection = await self._acquire(origin, timeout)
        try:
            return await connection.send(request, self._take_back)
        except BaseException:
            self._take_back(connection)
            raise

    async def aclose(self) -> None:
        """Close every connection (requests still running fail, as with httpcore)."""
        connections = list(self._connections)
        self._connections.clear()
        self._idle.clear()
        self._idle_order.clear()
        self._count = 0
        for connection in connections:
            connection.close()

    # -- acquiring --------------------------------------------------------------------------

    async def _acquire(self, origin: OriginKey, timeout: float | None) -> Http11Connection:
        self._drop_expired()
        connection = self._take_idle(origin)
        if connection is not None:
            return connection
        if self._count < self._max_connections:
            self._count += 1
            return self._open(origin)
        if self._idle_order:  # full, but an idle connection to another origin can go
            oldest = self._unpark_oldest()
            self._connections.discard(oldest)
            oldest.close()
            return self._open(origin)  # in the closed one's place
        return await self._wait(origin, timeout)

    def _take_idle(self, origin: OriginKey) -> Http11Connection | None:
        stack = self._idle.get(origin)
        while stack:
            connection = stack.pop()
            del self._idle_order[connection]
            if not connection.has_expired():
                return connection
            self._discard(connection)
        return None

    def _drop_expired(self) -> None:
        """Close the longest-idle connections while they have expired (they are in order of
        release, so the first one that has not expired ends the sweep)."""
        while self._idle_order:
            oldest = next(iter(self._idle_order))
            if not oldest.has_expired():
                return
            self._discard(self._unpark_oldest())

    def _open(self, origin: OriginKey) -> Http11Connection:
        """A new connection (it connects when it sends); its place is counted already."""
        tls = origin[0] in _TLS_SCHEMES
        connection = Http11Connection(
            origin,
            ssl_context=self._ssl_context() if tls else None,
            keepalive_expiry=self._keepalive_expiry,
            clock=self._clock,
        )
        self._connections.add(connection)
        return connection

    async def _wait(self, origin: OriginKey, timeout: float | None) -> Http11Connection:
        waiter = _Waiter(origin, asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                granted = await waiter.future
        except BaseException as exc:
            self._withdraw(waiter)
            if isinstance(exc, TimeoutError):
                message = f"no connection became free within {timeout:g} s"
                raise httpx.PoolTimeout(message) from None
            raise
        if granted is None:  # a place: the count came with it
            return self._open(origin)
        return granted

    def _withdraw(self, waiter: _Waiter) -> None:
        """A waiter gave up (timeout, cancellation): pass on what it may have been handed."""
        future = waiter.future
        if not future.done() or future.cancelled():
            if waiter in self._waiters:
                self._waiters.remove(waiter)
            return
        granted = future.result()
        if granted is None:
            self._free_place()
        else:
            self._take_back(granted)

    # -- releasing --------------------------------------------------------------------------

    def _take_back(self, connection: Http11Connection) -> None:
        """Keep a connection whose exchange is over for reuse when it can be, else close it;
        either way offer it to the first waiting request."""
        if connection not in self._connections or not connection.is_idle():
            self._discard(connection)
            return
        waiter = self._next_waiter(connection.origin)
        if waiter is not None:
            waiter.future.set_result(connection)
        elif self._waiters:  # the pool is full and nothing is idle: room for another origin
            self._discard(connection)
        else:
            self._park(connection)
            if len(self._idle_order) > self._max_keepalive:
                self._discard(self._unpark_oldest())

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

    def _discard(self, connection: Http11Connection) -> None:
        """Close a connection that is not parked, and free its place."""
        connection.close()
        if connection in self._connections:
            self._connections.discard(connection)
            self._free_place()

    def _park(self, connection: Http11Connection) -> None:
        self._idle.setdefault(connection.origin, []).append(connection)
        self._idle_order[connection] = None

    def _unpark_oldest(self) -> Http11Connection:
        oldest = next(iter(self._idle_order))
        del self._idle_order[oldest]
        self._idle[oldest.origin].remove(oldest)
        return oldest
