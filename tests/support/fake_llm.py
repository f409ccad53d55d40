"""A real local HTTP server speaking the OpenAI chat-completions API, for tests and examples.

``POST /v1/chat/completions`` (any path ending in ``/chat/completions``) answers with the next
scripted :class:`Reply` (see :meth:`FakeLLM.script`), else with ``responder(body)``. Every request
is recorded (:attr:`FakeLLM.requests`: path, lower-cased headers, JSON body).

Scripted replies cover what the AI runtime must handle: an ``output`` tool call
(:func:`tool_call`), plain text (:func:`text`), an error status with a provider-style error body
and optional ``Retry-After`` (:func:`error`), a 400 "tools are not supported"
(:func:`tools_unsupported`), a reply held until the server stops (``slow=True``: a timeout),
and usage with or without a cost.

The default responder answers a tool request with a value generated from the tool's schema
(JSON mode: from the schema in the system prompt) and a text request with ``echo: <last user
message>``. Run it on its own::

    python tests/support/fake_llm.py --port 8799 [--reject-tools]

Standard library only, so an example's server script can import it.
"""

from __future__ import annotations

import argparse
import json
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "FakeLLM",
    "Recorded",
    "Reply",
    "default_responder",
    "error",
    "sample_for",
    "text",
    "tool_call",
    "tools_unsupported",
    "usage",
]


def usage(prompt: int = 10, completion: int = 5, cost: float | None = None) -> dict[str, Any]:
    """An OpenAI ``usage`` object (with OpenRouter's ``cost`` when given)."""
    data: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    if cost is not None:
        data["cost"] = cost
    return data


@dataclass
class Reply:
    """One canned answer.

    Attributes:
        status: HTTP status.
        body: the JSON body (a completion, or an error object).
        headers: extra response headers (``Retry-After``…).
        slow: hold the answer until the server stops (the client times out first).
        raw: send these bytes as the body instead of ``body``.
    """

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    slow: bool = False
    raw: bytes | None = None


def _completion(message: dict[str, Any], model: str, used: dict[str, Any] | None) -> dict[str, Any]:
    finish = "tool_calls" if message.get("tool_calls") else "stop"
    body: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
    }
    if used is not None:
        body["usage"] = used
    return body


_counter = iter(range(1, 1_000_000_000))


def tool_call(
    arguments: Any,
    *,
    model: str = "fake-model",
    used: dict[str, Any] | None = None,
    name: str = "output",
) -> Reply:
    """A completion calling ``name`` (default ``output``); ``arguments`` as given if a string,
    else JSON-encoded."""
    encoded = arguments if isinstance(arguments, str) else json.dumps(arguments)
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": f"call_{next(_counter)}",
                "type": "function",
                "function": {"name": name, "arguments": encoded},
            }
        ],
    }
    return Reply(body=_completion(message, model, usage() if used is None else used))


def text(content: str, *, model: str = "fake-model", used: dict[str, Any] | None = None) -> Reply:
    """A completion whose message is ``content``."""
    message = {"role": "assistant", "content": content}
    return Reply(body=_completion(message, model, usage() if used is None else used))


def error(status: int, message: str, *, retry_after: str | None = None) -> Reply:
    """An error status with ``{"error": {"message": …}}`` (and ``Retry-After`` when given)."""
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return Reply(
        status=status, body={"error": {"message": message, "code": status}}, headers=headers
    )


def tools_unsupported() -> Reply:
    """The 400 an endpoint without function calling sends for a request with ``tools``."""
    return error(400, "tools are not supported by this model")


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The request's messages."""
        return list(self.body.get("messages", []))


def sample_for(schema: Mapping[str, Any]) -> Any:
    """A value matching a (DSL-produced) JSON Schema: first enum value, ``"sample"``, 1, true…"""
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return sample_for(schema["anyOf"][0])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    makers: dict[Any, Callable[[], Any]] = {
        "string": lambda: "sample",
        "number": lambda: 1.5,
        "integer": lambda: 1,
        "boolean": lambda: True,
        "null": lambda: None,
        "array": lambda: [sample_for(schema.get("items", {}))],
        "object": lambda: {
            key: sample_for(value) for key, value in schema.get("properties", {}).items()
        },
    }
    return makers.get(kind, lambda: None)()


def _json_mode_schema(body: Mapping[str, Any]) -> Any:
    for message in body.get("messages", []):
        content = message.get("content") or ""
        if message.get("role") == "system" and "JSON Schema:" in content:
            return json.loads(content.split("JSON Schema:", 1)[1].strip())
    return {}


def default_responder(body: Mapping[str, Any]) -> Reply:
    """Tool requests → a sample of the schema; JSON mode → the same as text; else an echo."""
    model = str(body.get("model", "fake-model"))
    tools = body.get("tools")
    if tools:
        return tool_call(sample_for(tools[0]["function"]["parameters"]), model=model)
    if body.get("response_format", {}).get("type") == "json_object":
        return text(json.dumps(sample_for(_json_mode_schema(body))), model=model)
    users = [m.get("content") for m in body.get("messages", []) if m.get("role") == "user"]
    return text(f"echo: {users[-1] if users else ''}", model=model)


class FakeLLM:
    """The fake endpoint on 127.0.0.1 (``port=0``: a free port), served from a thread.

    Args:
        port: the port to listen on.
        responder: answers requests when no scripted reply is queued.
        reject_tools: answer every request carrying ``tools`` with a 400 about tools.
    """

    def __init__(
        self,
        port: int = 0,
        *,
        responder: Callable[[Mapping[str, Any]], Reply] = default_responder,
        reject_tools: bool = False,
    ) -> None:
        self.requests: list[Recorded] = []
        self.responder = responder
        self.reject_tools = reject_tools
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (``http://127.0.0.1:PORT/v1``)."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        """Queue replies, answered in order before the responder is used again."""
        with self._lock:
            self._queue.extend(replies)

    def next_reply(self, body: Mapping[str, Any]) -> Reply:
        """The reply for a request (scripted first)."""
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self.reject_tools and body.get("tools"):
            return tools_unsupported()
        return self.responder(body)

    def start(self) -> FakeLLM:
        """Serve in a daemon thread; returns ``self``."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release held replies and stop serving."""
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def wait_released(self) -> None:
        """Block a slow reply until the server stops (bounded, so a test never hangs)."""
        self._release.wait(timeout=30)

    def __enter__(self) -> FakeLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"unparsed": raw.decode("utf-8", "replace")}
            headers = {k.lower(): v for k, v in self.headers.items()}
            fake.requests.append(Recorded(path=self.path, headers=headers, body=body))
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(Reply(status=404, body={"error": {"message": "not found"}}))
                return
            self._send(fake.next_reply(body))

        def _send(self, reply: Reply) -> None:
            if reply.slow:
                fake.wait_released()
            data = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A fake OpenAI-compatible chat endpoint.")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--reject-tools", action="store_true", help="refuse requests with tools")
    options = parser.parse_args(argv)
    fake = FakeLLM(options.port, reject_tools=options.reject_tools).start()
    print(f"fake chat-completions endpoint on {fake.base_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


def iter_user_messages(body: Mapping[str, Any]) -> Iterator[str]:
    """The contents of the request's user messages (for responders)."""
    for message in body.get("messages", []):
        if message.get("role") == "user" and isinstance(message.get("content"), str):
            yield message["content"]


if __name__ == "__main__":
    _main()
