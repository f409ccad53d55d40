"""Shared test fixtures: a real local HTTP server that records what it receives."""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it (header names lower-cased)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass
class Route:
    """A canned response; ``hold`` makes the handler wait (a slow endpoint)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hold: threading.Event | None = None
    truncated: bool = False


class _QuietServer(ThreadingHTTPServer):
    """Answers to clients that went away (a cancelled request, a closed pool) are not errors."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # broken pipe, reset
            super().handle_error(request, client_address)


class LocalHttpServer:
    """A ``ThreadingHTTPServer`` on 127.0.0.1 (random port) running in a thread.

    Unrouted paths echo the request back as JSON (``method``, ``path``, ``query``, ``headers``,
    ``body``); :meth:`route` installs canned responses.
    """

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.routes: dict[str, Route] = {}
        self.release = threading.Event()
        self.received = threading.Event()
        self._server = _QuietServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits for the serving loop's next poll.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        """Base URL, without a trailing slash."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(
        self,
        path: str,
        *,
        status: int = 200,
        body: bytes | str | object = b"",
        headers: dict[str, str] | None = None,
        slow: bool = False,
        truncated: bool = False,
    ) -> None:
        """Answer ``path`` with a canned response (JSON-encodes non-text bodies).

        ``slow`` holds the answer until the server stops; ``truncated`` announces more body
        bytes than it sends, then closes the connection (a broken response).
        """
        headers = dict(headers or {})
        if isinstance(body, str):
            data = body.encode()
        elif isinstance(body, bytes):
            data = body
        else:
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        hold = self.release if slow else None
        self.routes[path] = Route(
            status=status, body=data, headers=headers, hold=hold, truncated=truncated
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _make_handler(server: LocalHttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            recorded = RecordedRequest(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            server.requests.append(recorded)
            server.received.set()
            route = server.routes.get(parts.path)
            if route is None:
                route = _echo(recorded)
            if route.hold is not None:
                route.hold.wait(timeout=10)
            self._reply(route)

        def _reply(self, route: Route) -> None:
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            extra = 100 if route.truncated else 0
            self.send_header("Content-Length", str(len(route.body) + extra))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(route.body)
            if route.truncated:
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    return Handler


def _echo(request: RecordedRequest) -> Route:
    payload = {
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "headers": request.headers,
        "body": request.body.decode("utf-8", "replace"),
    }
    return Route(
        status=200,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )


@pytest.fixture
def http_server() -> Iterator[LocalHttpServer]:
    """A started local HTTP server, stopped after the test."""
    server = LocalHttpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[object]:
    """A real PostgreSQL server for the whole session (started on first use).

    Never skipped: when the server cannot start the tests that need it fail with the reason.
    """
    from pgserver import PostgresServer

    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: object, request: pytest.FixtureRequest) -> str:
    """The URL of a fresh, empty PostgreSQL database for one test."""
    import re

    from pgserver import PostgresServer

    assert isinstance(postgres_server, PostgresServer)
    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:40]
    name = f"{name}_{len(request.node.nodeid) % 997}_{id(request) % 100000}"
    return postgres_server.create_database(name)
