"""The run's HTTP client: httpx over a lean HTTP/1.1 connection pool.

:func:`create_http_client` builds the ``httpx.AsyncClient`` a run shares
(``RuntimeContext.http``). It behaves as ``httpx.AsyncClient(follow_redirects=True)`` did —
same redirects, cookies, default timeouts (5 s; the HTTP runtime passes each request's own),
HTTP/1.1 with keep-alive, TLS verified against the same CA bundle (``SSL_CERT_FILE`` /
``SSL_CERT_DIR`` honoured), proxies from the environment (``HTTP_PROXY``, ``HTTPS_PROXY``,
``ALL_PROXY``, ``NO_PROXY``) and the same httpx exception classes for each failure — but
direct (non-proxied) requests go through :class:`PooledTransport` instead of httpx's
httpcore transport:

- its pool (:mod:`._pool`) does constant work per request where httpcore's scans every
  connection, and keeps idle connections for reuse up to the connection limit, where httpcore
  closed them once the pool held more than 20, so that most requests of a busy run opened a new
  connection;
- its connections (:mod:`._http11`, :mod:`._netio`) drive h11 over plain asyncio, without
  httpcore's and anyio's layers;
- the TLS context is built on the first ``https`` connection rather than with the client, so a
  run that only calls ``http://`` URLs never reads the CA bundle (≈ 20–30 ms).

Together: ≈ 3× fewer CPU instructions per request at 50 concurrent requests
(benchmarks/NOTES.md, HTTP). Requests through a proxy keep httpx's own transport (one per
proxy, as httpx does). Not supported on direct connections (FlowScript uses none of them):
HTTP/2, httpx's ``trace`` extension, and protocol upgrades beyond returning the ``101``
response.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from typing import Final

import httpx

from flowscript.runtimes._pool import ConnectionPool

__all__ = ["HTTP_LIMITS", "PooledTransport", "create_http_client"]

HTTP_LIMITS: Final = httpx.Limits(
    max_connections=100, max_keepalive_connections=100, keepalive_expiry=5.0
)
"""The run's connection limits: httpx's default total (100) and keep-alive expiry (5 s); every
connection may stay idle (httpx's default keeps 20), so a burst of requests reuses them."""


class PooledTransport(httpx.AsyncBaseTransport):
    """An httpx transport for direct HTTP/1.1 connections over :class:`ConnectionPool`.

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
                context = verify
            else:
                context = httpx.create_ssl_context(verify=verify, trust_env=self._trust_env)
            context.set_alpn_protocols(["http/1.1"])  # as httpcore does for HTTP/1.1 only
            self._context = context
        return self._context

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request (httpx calls this once per hop of a redirect chain)."""
        return await self.pool.send(request)

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self.pool.aclose()


def _proxy_mounts(
    verify: ssl.SSLContext | str | bool, trust_env: bool
) -> dict[str, httpx.AsyncBaseTransport | None]:
    """httpx's transports for the environment's proxies (``None``: no proxy for the pattern).

    ``httpx.AsyncClient`` ignores the environment's proxies when it is given a transport, so
    they are mounted here as it mounts them itself, from its own reading of the variables.
    """
    if not trust_env:
        return {}
    from httpx._utils import get_environment_proxies

    return {
        pattern: None
        if url is None
        else httpx.AsyncHTTPTransport(verify=verify, trust_env=trust_env, proxy=httpx.Proxy(url))
        for pattern, url in get_environment_proxies().items()
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
