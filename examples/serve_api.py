"""A tiny local JSON API for ``http-enrich.flow.md`` (standard library only).

Run ``python examples/serve_api.py [PORT]`` (default 8765), then
``flowscript run examples/http-enrich.flow.md``. The test suite starts the same server on a
free port and passes ``-c base_url=…``.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USERS = [
    {"id": 1, "name": "Ada", "active": True},
    {"id": 2, "name": "Grace", "active": True},
    {"id": 3, "name": "Linus", "active": False},
]
POSTS = {1: ["Notes on the engine", "Bernoulli numbers"], 2: ["Debugging"], 3: ["Kernel"]}


class ApiHandler(BaseHTTPRequestHandler):
    """GET /users, GET /users/<id>/posts, POST /summaries (kept in ``server.received``)."""

    def _send(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        parts = path.split("/")
        if path == "/users":
            self._send(200, {"users": USERS})
        elif len(parts) == 4 and parts[1] == "users" and parts[3] == "posts":
            posts = POSTS.get(int(parts[2]))
            self._send(200 if posts is not None else 404, posts or {"error": "no such user"})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        payload = json.loads(self.rfile.read(length) or b"null")
        getattr(self.server, "received", []).append(payload)
        self._send(201, {"stored": payload})

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


def start(port: int = 0) -> ThreadingHTTPServer:
    """Start the API on 127.0.0.1 in a daemon thread; ``server.server_address[1]`` is the port."""
    server = ThreadingHTTPServer(("127.0.0.1", port), ApiHandler)
    server.received = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    api = start(port)
    print(f"serving on http://127.0.0.1:{port}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        api.shutdown()
