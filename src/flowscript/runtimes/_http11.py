"""One HTTP/1.1 client connection: h11 framing over a :class:`~._netio.SocketStream`.

It does what httpcore's ``AsyncHTTPConnection`` + ``AsyncHTTP11Connection`` do for httpx,
exchange for exchange, with the pool (:mod:`._pool`) as its only user, so no locks:

- it connects on its first request (``connect`` timeout; TLS with the ``sni_hostname``
  extension or the URL's host as server name, ALPN ``http/1.1``);
- it sends the request head and streamed body (``write`` timeout). When sending fails, the
  response is read anyway: a server may answer (413 …) and close before taking the body;
- it reads the response head, skipping 1xx interim responses (``read`` timeout), and returns
  an ``httpx.Response`` whose body is read from the socket as the caller reads it;
- closing the body makes the connection idle again when both sides finished the exchange and
  kept the connection open (keep-alive for ``keepalive_expiry`` seconds), else closes it; a
  failure or cancellation mid-exchange closes it.

Protocol violations are ``httpx.RemoteProtocolError`` (the server's) and
``httpx.LocalProtocolError`` (the request's); a server that closes the connection before
answering gives ``RemoteProtocolError("Server disconnected without sending a response.")``.
"""

from __future__ import annotations

import enum
import ssl
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, Final

import h11
import httpx

from flowscript.runtimes._netio import SocketStream, connect_tcp

__all__ = ["Http11Connection", "OriginKey"]

OriginKey = tuple[bytes, bytes, int]
"""scheme, host, port: what a connection can serve."""

_READ_BYTES: Final = 64 * 1024  # httpcore's read size
_MAX_HEAD_BYTES: Final = 100 * 1024  # httpcore's limit for a response head
_FLUSH_BYTES: Final = 64 * 1024  # request bytes gathered into one write
_TLS_SCHEMES: Final = frozenset({b"https", b"wss"})


class _State(enum.Enum):
    NEW = "new"
    ACTIVE = "active"
    IDLE = "idle"
    CLOSED = "closed"


class Http11Connection:
    """An HTTP/1.1 connection to one origin, serving one exchange at a time.

    Args:
        origin: scheme, host and port.
        ssl_context: the TLS context (``https``/``wss`` origins), or ``None``.
        keepalive_expiry: seconds an idle connection may be reused (``None``: no limit).
        clock: monotonic seconds (injected by tests).
    """

    def __init__(
        self,
        origin: OriginKey,
        *,
        ssl_context: ssl.SSLContext | None,
        keepalive_expiry: float | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.origin = origin
        self._clock = clock
        self._ssl_context = ssl_context
        self._keepalive_expiry = keepalive_expiry
        self._expire_at: float | None = None
        self._state = _State.NEW
        self._stream: SocketStream | None = None
        self._h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=_MAX_HEAD_BYTES)

    def is_idle(self) -> bool:
        """Waiting in the pool between exchanges."""
        return self._state is _State.IDLE

    def is_closed(self) -> bool:
        """Closed for good."""
        return self._state is _State.CLOSED

    def has_expired(self) -> bool:
        """Idle for longer than the keep-alive expiry, or closed by the server meanwhile."""
        if self._expire_at is not None and self._clock() > self._expire_at:
            return True
        stream = self._stream
        return self._state is _State.IDLE and stream is not None and stream.readable

    def close(self) -> None:
        """Close the connection (an exchange in progress fails)."""
        self._state = _State.CLOSED
        if self._stream is not None:
            self._stream.close()

    async def send(
        self, request: httpx.Request, on_close: Callable[[Http11Connection], None]
    ) -> httpx.Response:
        """Do one exchange; ``on_close`` runs once the response body is closed.

        The connection must be new or idle. Failures close it before they are raised.
        """
        if self._state not in (_State.NEW, _State.IDLE):
            raise RuntimeError(f"connection in state {self._state.value} cannot send")
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        try:
            if self._state is _State.NEW:
                self._stream = await self._connect(request, timeouts.get("connect"))
            self._state = _State.ACTIVE
            self._expire_at = None
            await self._send_request(request, timeouts.get("write"))
            head = await self._receive_head(timeouts.get("read"))
        except BaseException:
            self.close()
            raise
        return httpx.Response(
            status_code=head.status_code,
            headers=head.headers.raw_items(),
            stream=_ResponseBody(self, timeouts.get("read"), on_close),
            extensions={"http_version": b"HTTP/" + head.http_version, "reason_phrase": head.reason},
        )

    async def _connect(self, request: httpx.Request, timeout: float | None) -> SocketStream:
        scheme, host, port = self.origin
        stream = await connect_tcp(host.decode("ascii"), port, timeout=timeout)
        if scheme not in _TLS_SCHEMES:
            return stream
        assert self._ssl_context is not None
        server_name = request.extensions.get("sni_hostname") or host.decode("ascii")
        return await stream.start_tls(self._ssl_context, server_name, timeout)

    async def _send_request(self, request: httpx.Request, timeout: float | None) -> None:
        """Send head and body, gathered into writes of up to :data:`_FLUSH_BYTES`."""
        stream = self._stream
        assert stream is not None and isinstance(request.stream, httpx.AsyncByteStream)
        try:
            head = h11.Request(
                method=request.method, target=request.url.raw_path, headers=request.headers.raw
            )
        except h11.LocalProtocolError as exc:
            raise httpx.LocalProtocolError(str(exc)) from exc
        try:
            pending = [self._h11_send(head)]
            size = len(pending[0])
            async for chunk in request.stream:
                data = self._h11_send(h11.Data(data=chunk))
                pending.append(data)
                size += len(data)
                if size >= _FLUSH_BYTES:
                    await self._write(stream, pending, timeout)
                    pending, size = [], 0
            pending.append(self._h11_send(h11.EndOfMessage()))
            await self._write(stream, pending, timeout)
        except httpx.WriteError:
            pass  # read the response anyway: the server may have answered before closing

    def _h11_send(self, event: h11.Event) -> bytes:
        try:
            return self._h11.send(event) or b""
        except h11.LocalProtocolError as exc:
            raise httpx.LocalProtocolError(str(exc)) from exc

    @staticmethod
    async def _write(stream: SocketStream, pending: list[bytes], timeout: float | None) -> None:
        data = b"".join(pending)
        if data:
            stream.write(data)
            await stream.drain(timeout)

    async def _receive_head(
        self, timeout: float | None
    ) -> h11.Response | h11.InformationalResponse:
        while True:
            event = await self.next_event(timeout)
            if isinstance(event, h11.Response):
                return event
            if isinstance(event, h11.InformationalResponse) and event.status_code == 101:
                return event  # switching protocols: the caller owns what follows

    async def next_event(self, timeout: float | None) -> Any:
        """The next h11 event of the response, reading from the socket as needed."""
        state = self._h11
        stream = self._stream
        assert stream is not None
        while True:
            try:
                event = state.next_event()
            except h11.RemoteProtocolError as exc:
                raise httpx.RemoteProtocolError(str(exc)) from exc
            if event is not h11.NEED_DATA:
                return event
            data = await stream.read(_READ_BYTES, timeout)
            if not data and state.their_state is h11.SEND_RESPONSE:
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            state.receive_data(data)

    def response_closed(self) -> None:
        """The body was closed: idle again when the exchange finished cleanly, else closed."""
        state = self._h11
        if self._state is _State.ACTIVE and state.our_state is state.their_state is h11.DONE:
            state.start_next_cycle()
            self._state = _State.IDLE
            if self._keepalive_expiry is not None:
                self._expire_at = self._clock() + self._keepalive_expiry
        else:
            self.close()


class _ResponseBody(httpx.AsyncByteStream):
    """A response body read from its connection; closing it hands the connection back."""

    def __init__(
        self,
        connection: Http11Connection,
        timeout: float | None,
        on_close: Callable[[Http11Connection], None],
    ) -> None:
        self._connection = connection
        self._timeout = timeout
        self._on_close = on_close
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            while True:
                event = await self._connection.next_event(self._timeout)
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif (
                    isinstance(event, h11.EndOfMessage | h11.ConnectionClosed)
                    or event is h11.PAUSED
                ):
                    return
        except BaseException:
            self._connection.close()
            await self.aclose()
            raise

    async def aclose(self) -> None:
        """Finish with the body; the connection goes back to the pool (idle or closed)."""
        if self._closed:
            return
        self._closed = True
        self._connection.response_closed()
        self._on_close(self._connection)
