"""The run's HTTP client (flowscript.runtimes._transport, _pool) against real
local servers.

Connections: the limit, keep-alive reuse and expiry, waiting and cancelled requests. Parity:
the client behaves as ``httpx.AsyncClient(follow_redirects=True)`` did — redirects, bodies, the
httpx exception class of each failure, TLS verification, proxies from the environment; those
tests run against both clients (``httpx`` = httpx's own transport, ``pooled`` = ours).

``ConnServer`` is a small HTTP/1.1 server on the test's own loop that records every connection
it accepts, so a test sees how many the client opened and how many were open at once; the
shared ``http_server`` fixture (tests/conftest.py) serves redirects, echoes and broken bodies.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from flowscript.execution.executors._worker import worker_context
from flowscript.runtimes._transport import (
    PooledTransport,
    create_http_client,
    environment_proxies,
)
from flowscript.runtimes.base import RuntimeContext


class ConnServer:
    """HTTP/1.1 on 127.0.0.1; ``/hold`` answers once ``release`` is set, ``/bye`` answers then
    closes the connection without saying so, ``/close`` answers with ``Connection: close``,
    ``/drop`` closes without answering, ``/chunked`` answers in chunks, ``/empty`` answers
    ``204``; any other path answers ``{"conn": n, "path": p}`` (without the body for HEAD)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.accepted = 0
        self.open = 0
        self.max_open = 0
        self.closed = 0
        self.held = 0
        self.paths: list[str] = []
        self.release = asyncio.Event()
        self._changed = asyncio.Condition()
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)

    async def stop(self) -> None:
        self.release.set()
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def until(self, predicate: Callable[[], bool]) -> None:
        """Wait (at most 5 s) until ``predicate()`` holds."""
        async with asyncio.timeout(5), self._changed:
            await self._changed.wait_for(predicate)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        conn = self.accepted
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        await self._notify()
        try:
            while await self._exchange(conn, reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            self.open -= 1
            self.closed += 1
            await self._notify()

    async def _exchange(
        self, conn: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        method, path = (part.decode() for part in head.split(b" ")[:2])
        length = next(
            (int(line.split(b":")[1]) for line in head.lower().split(b"\r\n")[1:]
             if line.startswith(b"content-length:")),
            0,
        )  # fmt: skip
        await reader.readexactly(length)
        self.paths.append(path)
        if path == "/hold":
            self.held += 1
            await self._notify()
            await self.release.wait()
        if path == "/drop":
            return False
        writer.write(_answer(conn, method, path))
        await writer.drain()
        return path not in ("/close", "/bye")


def _answer(conn: int, method: str, path: str) -> bytes:
    body = json.dumps({"conn": conn, "path": path}).encode()
    if path == "/empty":
        return b"HTTP/1.1 204 No Content\r\n\r\n"
    if path == "/chunked":
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:5], body[5:]))
        return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"
    extra = b"Connection: close\r\n" if path == "/close" else b""
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + extra
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + (b"" if method == "HEAD" else body)
    )


@pytest.fixture
async def conn_server() -> AsyncIterator[ConnServer]:
    server = ConnServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def _client(**limits: Any) -> httpx.AsyncClient:
    transport = PooledTransport(limits=httpx.Limits(**limits)) if limits else None
    if transport is None:
        return create_http_client()
    return httpx.AsyncClient(transport=transport, follow_redirects=True)


# -- connections ----------------------------------------------------------------------------


async def test_connection_limit_is_never_exceeded(conn_server: ConnServer) -> None:
    async with _client(max_connections=3, max_keepalive_connections=3) as client:
        tasks = [asyncio.create_task(client.get(f"{conn_server.url}/hold")) for _ in range(12)]
        await conn_server.until(lambda: conn_server.held == 3)
        conn_server.release.set()
        responses = await asyncio.gather(*tasks)
    assert [r.status_code for r in responses] == [200] * 12
    assert conn_server.max_open == 3
    assert conn_server.accepted == 3  # the 9 waiting requests reused the 3 connections
    assert len(conn_server.paths) == 12


async def test_sequential_requests_reuse_one_connection(conn_server: ConnServer) -> None:
    async with create_http_client() as client:
        conns = [(await client.get(f"{conn_server.url}/n{i}")).json()["conn"] for i in range(5)]
    assert conns == [1, 1, 1, 1, 1]
    assert conn_server.accepted == 1


async def test_idle_connections_beyond_the_keepalive_limit_are_closed(
    conn_server: ConnServer,
) -> None:
    async with _client(max_connections=10, max_keepalive_connections=1) as client:
        tasks = [asyncio.create_task(client.get(f"{conn_server.url}/hold")) for _ in range(3)]
        await conn_server.until(lambda: conn_server.held == 3)
        conn_server.release.set()
        await asyncio.gather(*tasks)
        await conn_server.until(lambda: conn_server.closed == 2)
        assert conn_server.open == 1
        conn = (await client.get(f"{conn_server.url}/after")).json()["conn"]
    assert conn in (1, 2, 3)  # the kept connection served it
    assert conn_server.accepted == 3


async def test_connection_close_response_is_not_reused(conn_server: ConnServer) -> None:
    async with create_http_client() as client:
        first = (await client.get(f"{conn_server.url}/close")).json()["conn"]
        second = (await client.get(f"{conn_server.url}/next")).json()["conn"]
    assert (first, second) == (1, 2)


async def test_idle_connection_closed_by_the_server_is_replaced(conn_server: ConnServer) -> None:
    transport = PooledTransport()
    async with httpx.AsyncClient(transport=transport) as client:
        assert (await client.get(f"{conn_server.url}/bye")).json()["conn"] == 1
        await conn_server.until(lambda: conn_server.closed == 1)
        async with asyncio.timeout(5):
            while transport.pool.idle_count and not _idle_expired(transport):
                await asyncio.sleep(0)  # let the loop deliver the server's FIN
        assert (await client.get(f"{conn_server.url}/again")).json()["conn"] == 2


def _idle_expired(transport: PooledTransport) -> bool:
    return all(c.core.has_expired() for c in transport.pool.idle_connections())


async def test_keepalive_expiry_closes_a_connection_idle_for_too_long(
    conn_server: ConnServer,
) -> None:
    now = [100.0]
    limits = httpx.Limits(max_connections=5, keepalive_expiry=5.0)
    transport = PooledTransport(limits=limits, clock=lambda: now[0])
    async with httpx.AsyncClient(transport=transport) as client:
        assert (await client.get(f"{conn_server.url}/a")).json()["conn"] == 1
        now[0] += 4.9
        assert (await client.get(f"{conn_server.url}/b")).json()["conn"] == 1
        now[0] += 5.1
        assert (await client.get(f"{conn_server.url}/c")).json()["conn"] == 2
    await conn_server.until(lambda: conn_server.closed == 2)


async def test_waiting_request_gets_the_released_connection(conn_server: ConnServer) -> None:
    async with _client(max_connections=1) as client:
        first = asyncio.create_task(client.get(f"{conn_server.url}/hold"))
        await conn_server.until(lambda: conn_server.held == 1)
        second = asyncio.create_task(client.get(f"{conn_server.url}/second"))
        conn_server.release.set()
        assert [(await t).json()["conn"] for t in (first, second)] == [1, 1]


async def test_cancelled_request_frees_its_place(conn_server: ConnServer) -> None:
    transport = PooledTransport(limits=httpx.Limits(max_connections=1))
    async with httpx.AsyncClient(transport=transport) as client:
        held = asyncio.create_task(client.get(f"{conn_server.url}/hold"))
        await conn_server.until(lambda: conn_server.held == 1)
        waiting = asyncio.create_task(client.get(f"{conn_server.url}/waiting"))
        async with asyncio.timeout(5):
            while not transport.pool.waiting_count:
                await asyncio.sleep(0)  # until the second request queues behind the first
        held.cancel()
        with pytest.raises(asyncio.CancelledError):
            await held
        assert (await waiting).json() == {"conn": 2, "path": "/waiting"}


async def test_full_pool_closes_an_idle_connection_to_another_origin(
    conn_server: ConnServer,
) -> None:
    other = ConnServer()
    await other.start()
    try:
        async with _client(max_connections=1) as client:
            assert (await client.get(f"{conn_server.url}/one")).status_code == 200
            assert (await client.get(f"{other.url}/two")).status_code == 200
            await conn_server.until(lambda: conn_server.closed == 1)
            assert (conn_server.accepted, other.accepted, other.open) == (1, 1, 1)
    finally:
        await other.stop()


async def test_pool_timeout_when_no_connection_frees_up(conn_server: ConnServer) -> None:
    async with _client(max_connections=1) as client:
        held = asyncio.create_task(client.get(f"{conn_server.url}/hold"))
        await conn_server.until(lambda: conn_server.held == 1)
        timeout = httpx.Timeout(5.0, pool=0.01)
        with pytest.raises(httpx.PoolTimeout, match="no connection became free"):
            await client.get(f"{conn_server.url}/late", timeout=timeout)
        conn_server.release.set()
        assert (await held).status_code == 200
        assert (await client.get(f"{conn_server.url}/then")).json()["conn"] == 1


# == parity with httpx's own client ==========================================================

CLIENTS: dict[str, Callable[..., httpx.AsyncClient]] = {
    "httpx": lambda **kw: httpx.AsyncClient(follow_redirects=True, **kw),
    "pooled": create_http_client,
}
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(params=sorted(CLIENTS), ids=sorted(CLIENTS))
def make_client(request: pytest.FixtureRequest) -> Callable[..., httpx.AsyncClient]:
    return CLIENTS[request.param]


@pytest.fixture
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


# -- redirects and bodies -------------------------------------------------------------------


async def test_redirects_are_followed(http_server: Any, make_client: Any) -> None:
    http_server.route("/old", status=302, headers={"Location": "/new?x=1"})
    http_server.route("/new", body={"ok": True})
    async with make_client() as client:
        response = await client.get(f"{http_server.url}/old")
        kept = await client.get(f"{http_server.url}/old", follow_redirects=False)
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert [r.status_code for r in response.history] == [302]
    assert str(response.url) == f"{http_server.url}/new?x=1"
    assert kept.status_code == 302
    assert [r.path for r in http_server.requests] == ["/old", "/new", "/old"]


async def test_307_redirect_resends_method_and_body(http_server: Any, make_client: Any) -> None:
    http_server.route("/post", status=307, headers={"Location": "/echo"})
    async with make_client() as client:
        response = await client.post(f"{http_server.url}/post", content=b"payload")
    assert response.json()["method"] == "POST"
    assert response.json()["body"] == "payload"


async def test_large_bodies_both_ways(http_server: Any, make_client: Any) -> None:
    big = bytes(range(256)) * 8192  # 2 MiB: several writes, and reading paused and resumed
    http_server.route("/big", body=big)
    async with make_client() as client:
        received = (await client.get(f"{http_server.url}/big")).content
        await client.put(f"{http_server.url}/upload", content=big)
    assert received == big
    assert http_server.requests[1].body == big


async def test_unread_streamed_body_does_not_break_the_next_request(
    http_server: Any, make_client: Any
) -> None:
    http_server.route("/big", body=b"y" * (1 << 20))
    async with make_client() as client:
        async with client.stream("GET", f"{http_server.url}/big") as response:
            first = await anext(response.aiter_raw())
        again = await client.get(f"{http_server.url}/small")
    assert first.startswith(b"y")
    assert again.json()["path"] == "/small"


async def test_bodiless_and_chunked_answers_keep_the_connection(
    conn_server: ConnServer, make_client: Any, no_proxies: None
) -> None:
    async with make_client() as client:
        head = await client.head(f"{conn_server.url}/head")
        empty = await client.get(f"{conn_server.url}/empty")
        chunked = await client.get(f"{conn_server.url}/chunked")
        last = await client.get(f"{conn_server.url}/last")
    assert (head.status_code, head.headers["content-length"], head.content) == (200, "28", b"")
    assert (empty.status_code, empty.content) == (204, b"")
    assert chunked.json() == {"conn": 1, "path": "/chunked"}
    assert last.json() == {"conn": 1, "path": "/last"}  # one connection served all four
    assert conn_server.accepted == 1


# -- failures -------------------------------------------------------------------------------


async def test_refused_connection_is_a_connect_error(
    closed_port_url: str, make_client: Any
) -> None:
    async with make_client() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(closed_port_url)


async def test_truncated_body_is_a_remote_protocol_error(
    http_server: Any, make_client: Any
) -> None:
    http_server.route("/cut", body=b"partial", truncated=True)
    async with make_client() as client:
        with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
            await client.get(f"{http_server.url}/cut")


async def test_server_closing_without_answer_is_a_remote_protocol_error(
    conn_server: ConnServer, make_client: Any
) -> None:
    async with make_client() as client:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            await client.get(f"{conn_server.url}/drop")


async def test_slow_answer_is_a_read_timeout(http_server: Any, make_client: Any) -> None:
    http_server.route("/slow", slow=True)
    async with make_client() as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(f"{http_server.url}/slow", timeout=0.05)


async def test_unsupported_scheme(make_client: Any) -> None:
    async with make_client() as client:
        with pytest.raises(httpx.UnsupportedProtocol, match="unsupported protocol 'ftp://'"):
            await client.get("ftp://127.0.0.1/file")


async def test_invalid_header_value_is_a_local_protocol_error(
    conn_server: ConnServer, make_client: Any
) -> None:
    async with make_client() as client:
        with pytest.raises(httpx.LocalProtocolError):
            await client.get(f"{conn_server.url}/x", headers={"X-Bad": "a\r\nb"})


# -- TLS ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
async def tls_server(ca: trustme.CA) -> AsyncIterator[ConnServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    server = ConnServer(tls=context)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_untrusted_certificate_is_a_connect_error(
    tls_server: ConnServer, make_client: Any
) -> None:
    async with make_client() as client:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.get(f"{tls_server.url}/secret")


async def test_trusted_certificate_and_keep_alive_over_tls(
    tls_server: ConnServer, ca: trustme.CA
) -> None:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    async with create_http_client(verify=context) as client:
        conns = [(await client.get(f"{tls_server.url}/s{i}")).json()["conn"] for i in (1, 2)]
    assert conns == [1, 1]


async def test_ssl_cert_file_from_the_environment_is_trusted(
    tls_server: ConnServer, ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    async with create_http_client() as client:
        assert (await client.get(f"{tls_server.url}/env")).json()["path"] == "/env"


async def test_plain_http_never_builds_a_tls_context(
    conn_server: ConnServer, monkeypatch: pytest.MonkeyPatch, no_proxies: None
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        raise AssertionError("a TLS context was built for plain HTTP")

    monkeypatch.setattr(httpx, "create_ssl_context", refuse)
    async with create_http_client() as client:
        assert (await client.get(f"{conn_server.url}/plain")).status_code == 200


# -- proxies from the environment -----------------------------------------------------------


@pytest.fixture
def proxy_env(monkeypatch: pytest.MonkeyPatch, no_proxies: None) -> Iterator[Callable[..., None]]:
    def set_env(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    yield set_env


async def test_http_proxy_from_the_environment_is_used(
    http_server: Any, proxy_env: Any, make_client: Any
) -> None:
    proxy_env(HTTP_PROXY=http_server.url)
    async with make_client() as client:
        await client.get("http://flowscript.invalid/through-proxy")
    received = http_server.requests[0]
    assert (received.path, received.headers["host"]) == ("/through-proxy", "flowscript.invalid")


async def test_no_proxy_hosts_are_reached_directly(
    conn_server: ConnServer, closed_port_url: str, proxy_env: Any, make_client: Any
) -> None:
    proxy_env(HTTP_PROXY=closed_port_url, NO_PROXY="127.0.0.1")
    async with make_client() as client:
        assert (await client.get(f"{conn_server.url}/direct")).json()["path"] == "/direct"


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, {}),
        (
            {"HTTP_PROXY": "proxy:3128", "HTTPS_PROXY": "https://secure:443"},
            {"http://": "http://proxy:3128", "https://": "https://secure:443"},
        ),
        ({"ALL_PROXY": "socks5://s:1080"}, {"all://": "socks5://s:1080"}),
        (
            {"HTTP_PROXY": "http://p", "NO_PROXY": "10.0.0.1, ::1,localhost,example.com,.corp"},
            {
                "http://": "http://p",
                "all://10.0.0.1": None,
                "all://[::1]": None,
                "all://localhost": None,
                "all://*example.com": None,
                "all://*.corp": None,
            },
        ),
        (
            {"NO_PROXY": "192.168.0.0/16,http://internal"},
            {"all://192.168.0.0/16": None, "http://internal": None},
        ),
        ({"HTTP_PROXY": "http://p", "NO_PROXY": "a.com,*"}, {}),
    ],
    ids=["none", "schemes", "all", "no-proxy-hosts", "no-proxy-network-and-url", "no-proxy-star"],
)
def test_environment_proxies_are_read_as_httpx_reads_them(
    variables: dict[str, str], expected: dict[str, str | None], proxy_env: Any
) -> None:
    proxy_env(**variables)
    assert environment_proxies() == expected


def test_lowercase_proxy_variables_are_read(proxy_env: Any) -> None:
    proxy_env(http_proxy="http://lower:8080", no_proxy="skip.example")
    assert environment_proxies() == {
        "http://": "http://lower:8080",
        "all://*skip.example": None,
    }


async def test_no_proxies_are_mounted_without_trust_env(
    proxy_env: Any, conn_server: ConnServer
) -> None:
    proxy_env(HTTP_PROXY="http://127.0.0.1:1")
    async with create_http_client(trust_env=False) as client:
        assert (await client.get(f"{conn_server.url}/direct")).json()["path"] == "/direct"


# -- the clients the engine builds ----------------------------------------------------------


async def test_run_context_client_keeps_connections_alive(
    conn_server: ConnServer, tmp_path: Path
) -> None:
    context = RuntimeContext(root=tmp_path, workflow_dir=tmp_path)
    try:
        conns = [(await context.http.get(f"{conn_server.url}/{i}")).json()["conn"] for i in "ab"]
    finally:
        await context.aclose()
    assert conns == [1, 1]
    await conn_server.until(lambda: conn_server.closed == 1)  # closed with the run


async def test_worker_client_keeps_connections_alive(conn_server: ConnServer) -> None:
    task = {"root": ".", "workflowDir": "."}
    context = worker_context(task, {}, {}, lambda message: None)
    try:
        conns = [(await context.http.get(f"{conn_server.url}/{i}")).json()["conn"] for i in "ab"]
    finally:
        await context.aclose()
    assert conns == [1, 1]


async def test_concurrent_requests_all_complete(conn_server: ConnServer) -> None:
    async with create_http_client() as client:
        responses = await asyncio.gather(
            *(client.get(f"{conn_server.url}/c{i}") for i in range(150))
        )
    assert sorted(r.json()["path"] for r in responses) == sorted(f"/c{i}" for i in range(150))
    assert conn_server.max_open == 100  # the run's limit
