"""Sockets for the pooled HTTP transport, on plain asyncio.

httpx's default stack reaches the socket through httpcore and anyio: every read and write opens
an anyio cancel scope and resource guard, and every connect resolves the host in a worker
thread and races addresses in a task group. Here one asyncio protocol per connection does the
same work:

- received data is buffered by the protocol (reading pauses above :data:`_HIGH_WATER` bytes
  until the body is consumed); a read waits on one future, under ``asyncio.timeout``;
- writes go straight to the transport and wait only when it asks to (flow control);
- connects use ``loop.create_connection`` (no resolver thread for a literal IP address), trying
  addresses 250 ms apart as anyio does; TLS is ``loop.start_tls``;
- an idle connection is "readable" — closed by the server or sent something unasked, so it
  cannot be reused — when its protocol has buffered data or seen the end of the stream.

Failures are the httpx exceptions httpx's own transport raises for the same cases: timeouts →
``ConnectTimeout``/``ReadTimeout``/``WriteTimeout``; socket and TLS errors (a certificate that
does not verify included) → ``ConnectError``/``ReadError``/``WriteError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import ssl
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Final

import httpx

__all__ = ["SocketOption", "SocketStream", "connect_tcp"]

SocketOption = tuple[int, int, int | bytes]
"""A ``setsockopt`` argument triple."""

_HIGH_WATER: Final = 256 * 1024
"""Buffered bytes above which the socket is no longer read until the reader catches up."""
_HAPPY_EYEBALLS_DELAY: Final = 0.25
"""Seconds before the next address of a host is tried (anyio's and RFC 8305's value)."""


@contextlib.contextmanager
def _mapped(timeout_error: type[httpx.TimeoutException], error: type[Exception]) -> Iterator[None]:
    """Timeouts and socket/TLS errors (``ssl.SSLError`` is an ``OSError``) as httpx errors."""
    try:
        yield
    except TimeoutError as exc:
        raise timeout_error(str(exc)) from exc
    except OSError as exc:
        raise error(str(exc) or exc.__class__.__name__) from exc


class _Protocol(asyncio.Protocol):
    """Buffers what the socket receives and wakes the one reader or writer waiting."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer: deque[bytes] = deque()
        self.buffered = 0
        self.eof = False
        self.error: Exception | None = None
        self._paused = False
        self._reader: asyncio.Future[None] | None = None
        self._drained: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer.append(data)
        self.buffered += len(data)
        if self.buffered > _HIGH_WATER and self.transport is not None:
            self.transport.pause_reading()
            self._paused = True
        _wake(self._reader)

    def eof_received(self) -> bool:
        self.eof = True
        _wake(self._reader)
        return False  # close our side too: HTTP/1.1 sends nothing after the server's EOF

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        _wake(self._reader)
        _wake(self._drained)

    def pause_writing(self) -> None:
        self._drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        _wake(self._drained)
        self._drained = None

    async def wait_for_data(self) -> None:
        """Until data arrives or the stream ends."""
        if not self.buffer and not self.eof:
            self._reader = asyncio.get_running_loop().create_future()
            try:
                await self._reader
            finally:
                self._reader = None

    @property
    def writing_paused(self) -> bool:
        """The transport's buffer is full."""
        return self._drained is not None

    async def drain(self) -> None:
        """Until the transport accepts more data."""
        if self._drained is not None:
            await asyncio.shield(self._drained)

    def take(self, max_bytes: int) -> bytes:
        """Up to ``max_bytes`` buffered bytes (``b""`` when nothing is buffered)."""
        if not self.buffer:
            return b""
        chunk = self.buffer.popleft()
        if len(chunk) > max_bytes:
            self.buffer.appendleft(chunk[max_bytes:])
            chunk = chunk[:max_bytes]
        self.buffered -= len(chunk)
        if self._paused and self.buffered <= _HIGH_WATER // 4 and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return chunk


def _wake(waiter: asyncio.Future[None] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


class SocketStream:
    """One TCP connection, or TLS over one."""

    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol

    @property
    def readable(self) -> bool:
        """Data or the end of the stream is waiting to be read."""
        return bool(self._protocol.buffer) or self._protocol.eof

    @property
    def ssl_object(self) -> ssl.SSLObject | None:
        """The TLS session, or ``None`` for plain TCP."""
        obj: ssl.SSLObject | None = self._transport.get_extra_info("ssl_object")
        return obj

    async def read(self, max_bytes: int, timeout: float | None) -> bytes:
        """Up to ``max_bytes`` bytes; ``b""`` once the server has closed the connection.

        Raises:
            httpx.ReadTimeout: nothing arrived within ``timeout`` seconds.
            httpx.ReadError: the connection failed (reset …).
        """
        protocol = self._protocol
        if not protocol.buffer:
            with _mapped(httpx.ReadTimeout, httpx.ReadError):
                async with asyncio.timeout(timeout):
                    await protocol.wait_for_data()
            if not protocol.buffer and protocol.error is not None:
                raise httpx.ReadError(str(protocol.error)) from protocol.error
        return protocol.take(max_bytes)

    def write(self, data: bytes) -> None:
        """Queue ``data`` for sending (follow with :meth:`drain`).

        Raises:
            httpx.WriteError: the connection is closed.
        """
        if self._transport.is_closing():
            error = self._protocol.error
            raise httpx.WriteError(str(error) if error else "the connection is closed")
        self._transport.write(data)

    async def drain(self, timeout: float | None) -> None:
        """Until the data written so far is handed to the kernel, when the transport's buffer
        is full (``httpx.WriteTimeout`` after ``timeout`` seconds)."""
        if not self._protocol.writing_paused:
            return
        with _mapped(httpx.WriteTimeout, httpx.WriteError):
            async with asyncio.timeout(timeout):
                await self._protocol.drain()

    def close(self) -> None:
        """Close the connection now (TLS sends its close notification first)."""
        self._transport.close()

    async def start_tls(
        self, context: ssl.SSLContext, server_hostname: str, timeout: float | None
    ) -> SocketStream:
        """This connection wrapped in TLS; closed when the handshake fails.

        Raises:
            httpx.ConnectTimeout: the handshake took longer than ``timeout`` seconds.
            httpx.ConnectError: the handshake failed (certificate not verified …).
        """
        loop = asyncio.get_running_loop()
        protocol = _Protocol()
        try:
            with _mapped(httpx.ConnectTimeout, httpx.ConnectError):
                async with asyncio.timeout(timeout):
                    transport = await loop.start_tls(
                        self._transport, protocol, context, server_hostname=server_hostname
                    )
            if transport is None:
                raise httpx.ConnectError("the connection closed during the TLS handshake")
        except BaseException:
            self._transport.close()
            raise
        protocol.connection_made(transport)  # start_tls does not call it
        assert isinstance(transport, asyncio.Transport)
        return SocketStream(transport, protocol)


async def connect_tcp(
    host: str,
    port: int,
    *,
    timeout: float | None,
    local_address: str | None = None,
    socket_options: Iterable[SocketOption] = (),
) -> SocketStream:
    """Open a TCP connection to ``host:port``.

    Raises:
        httpx.ConnectTimeout: not connected within ``timeout`` seconds.
        httpx.ConnectError: refused, unreachable, or the name does not resolve.
    """
    loop = asyncio.get_running_loop()
    local = None if local_address is None else (local_address, 0)
    # A name may resolve to several addresses, raced 250 ms apart; an address is just used
    # (the race costs two tasks per connect).
    delay = None if _is_ip_address(host) else _HAPPY_EYEBALLS_DELAY
    with _mapped(httpx.ConnectTimeout, httpx.ConnectError):
        async with asyncio.timeout(timeout):
            transport, protocol = await loop.create_connection(
                _Protocol, host, port, local_addr=local, happy_eyeballs_delay=delay
            )
    assert isinstance(transport, asyncio.Transport)
    sock = transport.get_extra_info("socket")
    for option in socket_options:
        sock.setsockopt(*option)
    return SocketStream(transport, protocol)


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
