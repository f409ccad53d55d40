"""The run's HTTP client: httpx over httpcore's connections in a lean pool.

:func:`create_http_client` builds the ``httpx.AsyncClient`` a run shares
(``RuntimeContext.http``). It behaves as ``httpx.AsyncClient(follow_redirects=True)`` does —
same redirects, cookies, default timeouts (5 s; the HTTP runtime passes each request's own),
HTTP/1.1 with keep-alive, TLS verified against the same CA bundle (``SSL_CERT_FILE`` /
``SSL_CERT_DIR`` honoured), proxies from the environment (``HTTP_PROXY``, ``HTTPS_PROXY``,
``ALL_PROXY``, ``NO_PROXY``) and the same httpx exception classes for each failure — and its
requests go over the same httpcore connections, but direct (non-proxied) requests take them
from :class:`~._pool.ConnectionPool` instead of httpcore's pool:

- the pool does constant work per request where httpcore 1.0.x's scans every connection, and
  keeps idle connections for reuse up to the connection limit, where httpcore closes them once
  it holds more than 20, so that most requests of a busy run opened a new connection;
- :class:`PooledTransport` does what httpx's ``AsyncHTTPTransport`` does around httpcore's
  pool: an ``httpcore.Request`` for each ``httpx.Request``, httpcore's response body wrapped
  for httpx, httpcore's exceptions raised as their httpx counterparts;
- the TLS context is built on the first ``https`` connection rather than with the client, so a
  run that only calls ``http://`` URLs never reads the CA bundle (≈ 20–30 ms).

Together: ≈ 2.5–3× fewer CPU instructions per request than httpx's own transport at 50
concurrent requests (benchmarks/NOTES.md, HTTP). Requests through a proxy keep httpx's own
transport (one per proxy, as httpx does). Not supported on direct connections (FlowScript uses
none of them): HTTP/2 and protocol upgrades beyond returning the ``101`` response.
"""

from __future__ import annotations

import ipaddress
import ssl
import time
import urllib.request
from collections.abc import AsyncIterator, Callable
from typing import Final, Protocol, cast

import httpcore
import httpx

from flowscript.runtimes._pool import ConnectionPool, PooledConnection, origin_key

__all__ = ["HTTP_LIMITS", "PooledTransport", "create_http_client", "environment_proxies"]

HTTP_LIMITS: Final = httpx.Limits(
    max_connections=100, max_keepalive_connections=100, keepalive_expiry=5.0
)
"""The run's connection limits: httpx's default total (100) and keep-alive expiry (5 s); every
connection may stay idle (httpx's default keeps 20), so a burst of requests reuses them."""

_HTTPX_ERRORS: Final[dict[type[BaseException], type[httpx.TransportError]]] = {
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
}
"""httpcore's exception classes and the httpx class httpx's own transport raises for each."""


def _as_httpx(exc: BaseException) -> BaseException:
    """The httpx exception for an httpcore one (its most specific class), else ``exc``."""
    for cls in type(exc).__mro__:
        target = _HTTPX_ERRORS.get(cls)
        if target is not None:
            return target(str(exc))
    return exc


class _CoreBody(Protocol):
    """httpcore's response body (``HTTP11ConnectionByteStream``)."""

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


class PooledTransport(httpx.AsyncBaseTransport):
    """An httpx transport for direct connections taken from :class:`ConnectionPool`.

    Args:
        verify: a TLS context, or ``True``/``False``/a CA bundle path as for httpx; a context
            is built (``httpx.create_ssl_context``) on the first ``https`` connection.
        trust_env: honour ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when building the TLS context.
        limits: total connections, idle connections kept, and keep-alive expiry.
        clock: monotonic seconds for the keep-alive expiry (injected by tests).
    """

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        trust_env: bool = True,
        limits: httpx.Limits = HTTP_LIMITS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._verify = verify
        self._trust_env = trust_env
        self._context: ssl.SSLContext | None = None
        self.pool = ConnectionPool(
            ssl_context=self._ssl_context,
            max_connections=limits.max_connections,
            max_keepalive=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            clock=clock,
        )

    def _ssl_context(self) -> ssl.SSLContext:
        if self._context is None:
            verify = self._verify
            if isinstance(verify, ssl.SSLContext):
                self._context = verify
            else:
                self._context = httpx.create_ssl_context(verify=verify, trust_env=self._trust_env)
        return self._context

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request (httpx calls this once per hop of a redirect chain); the
        connection goes back to the pool when the response is closed."""
        url = request.url
        origin = origin_key(url)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=cast(AsyncIterator[bytes], request.stream),
            extensions=request.extensions,
        )
        timeout = request.extensions.get("timeout", {}).get("pool")
        connection = await self.pool.acquire(origin, timeout)
        try:
            response = await connection.core.handle_async_request(core_request)
        except BaseException as exc:
            await self.pool.release(connection)
            error = _as_httpx(exc)
            if error is exc:
                raise
            raise error from exc
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseBody(self.pool, connection, cast(_CoreBody, response.stream)),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self.pool.aclose()


class _ResponseBody(httpx.AsyncByteStream):
    """httpcore's response body for httpx; closing it hands the connection back."""

    def __init__(self, pool: ConnectionPool, connection: PooledConnection, body: _CoreBody):
        self._pool = pool
        self._connection = connection
        self._body = body
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for part in self._body:
                yield part
        except BaseException as exc:
            await self.aclose()
            error = _as_httpx(exc)
            if error is exc:
                raise
            raise error from exc

    async def aclose(self) -> None:
        """Finish with the body: httpcore keeps the connection or closes it, then the pool
        takes it back."""
        if self._closed:
            return
        self._closed = True
        try:
            await self._body.aclose()
        finally:
            await self._pool.release(self._connection)


# -- proxies ---------------------------------------------------------------------------------


def environment_proxies() -> dict[str, str | None]:
    """The environment's proxies as httpx reads them: URL pattern → proxy URL, or ``None``
    for the hosts of ``NO_PROXY`` (reached directly).

    ``urllib.request.getproxies()`` reads ``<scheme>_proxy`` and ``no_proxy`` (either case);
    the patterns are httpx's: ``http://``, ``https://``, ``all://`` for the proxies, and for
    ``NO_PROXY`` entries ``all://<address>``, ``all://localhost`` or ``all://*<domain>`` (a
    domain and its subdomains). A ``*`` entry turns every proxy off.
    """
    found = urllib.request.getproxies()
    no_proxy = [host.strip() for host in found.get("no", "").split(",")]
    if "*" in no_proxy:
        return {}
    mounts: dict[str, str | None] = {
        f"{scheme}://": url if "://" in url else f"http://{url}"
        for scheme in ("http", "https", "all")
        if (url := found.get(scheme))
    }
    mounts.update({_direct_pattern(host): None for host in no_proxy if host})
    return mounts


def _direct_pattern(host: str) -> str:
    """httpx's URL pattern for one ``NO_PROXY`` entry."""
    if "://" in host:
        return host
    try:
        address = ipaddress.ip_address(host.split("/")[0])
    except ValueError:
        return f"all://{host}" if host.lower() == "localhost" else f"all://*{host}"
    return f"all://[{host}]" if address.version == 6 else f"all://{host}"


def _proxy_mounts(
    verify: ssl.SSLContext | str | bool, trust_env: bool
) -> dict[str, httpx.AsyncBaseTransport | None]:
    """httpx's transports for the environment's proxies (``None``: no proxy for the pattern).

    ``httpx.AsyncClient`` ignores the environment's proxies when it is given a transport, so
    they are mounted here as it mounts them itself.
    """
    if not trust_env:
        return {}
    return {
        pattern: None
        if url is None
        else httpx.AsyncHTTPTransport(verify=verify, trust_env=trust_env, proxy=httpx.Proxy(url))
        for pattern, url in environment_proxies().items()
    }


def create_http_client(
    *, verify: ssl.SSLContext | str | bool = True, trust_env: bool = True
) -> httpx.AsyncClient:
    """The client a run shares (see the module doc).

    Args:
        verify: TLS verification as for httpx (a context is used as is).
        trust_env: read proxies and CA locations from the environment, as httpx does.
    """
    return httpx.AsyncClient(
        follow_redirects=True,
        verify=verify,
        trust_env=trust_env,
        transport=PooledTransport(verify=verify, trust_env=trust_env),
        mounts=_proxy_mounts(verify, trust_env),
    )
