"""AI endpoint failures as node errors (runtimes.md §6, execution.md §6.1).

The one place where an endpoint's HTTP status or an httpx exception becomes a
:class:`~flowscript.errors.NodeError` for the AI runtime. Retryability is decided here:
rate limits (with ``Retry-After``), 5xx, timeouts and connection failures are retryable;
authentication and other request errors are not.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final

from flowscript.errors import NodeError
from flowscript.runtimes._http_errors import parse_retry_after

if TYPE_CHECKING:
    import httpx

__all__ = ["malformed_response", "rejects_tools", "status_error", "transport_error"]

_EXCERPT: Final = 300
_TOOL_WORDS: Final = ("tool", "function call", "function_call")


def _excerpt(response: httpx.Response) -> str:
    """The provider's error message (``{"error": {"message": …}}``) or the body's start."""
    text = response.text.strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error")
        message = error.get("message") if isinstance(error, dict) else error
        if isinstance(message, str) and message.strip():
            text = message.strip()
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 3] + "..."


def rejects_tools(response: httpx.Response) -> bool:
    """True for a 400/422 whose message is about tools (the endpoint cannot call tools)."""
    if response.status_code not in (400, 422):
        return False
    text = response.text.lower()
    return any(word in text for word in _TOOL_WORDS)


def _kind(status: int) -> tuple[str, bool]:
    if status in (401, 403):
        return "ai.auth", False
    if status == 429:
        return "ai.rate_limited", True
    if status >= 500 or status in (408, 425):
        return "ai.server", True
    return "ai.request", False


def status_error(response: httpx.Response, url: str) -> NodeError:
    """The error for a response that is not a 2xx."""
    status = response.status_code
    error_type, retryable = _kind(status)
    excerpt = _excerpt(response)
    message = f"POST {url} returned HTTP {status} {response.reason_phrase}".rstrip()
    if excerpt:
        message += f": {excerpt}"
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    details: dict[str, object] = {"status": status, "url": url, "body": excerpt}
    if retry_after is not None:
        details["retryAfter"] = retry_after
    return NodeError(
        error_type,
        message,
        retryable=retryable,
        status=status,
        retry_after=retry_after if retryable else None,
        details=details,
    )


def transport_error(exc: Exception, url: str, timeout_ms: float) -> NodeError:
    """The error for an httpx exception (or the request deadline) while calling ``url``."""
    import httpx

    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return NodeError(
            "timeout.attempt",
            f"POST {url} did not complete within {timeout_ms:g} ms",
            retryable=True,
            details={"url": url, "timeout": timeout_ms},
        )
    error_type, retryable, what = _transport_kind(exc)
    return NodeError(
        error_type,
        f"POST {url} {what}: {exc or type(exc).__name__}",
        retryable=retryable,
        details={"url": url, "exception": type(exc).__name__},
    )


def _transport_kind(exc: Exception) -> tuple[str, bool, str]:
    import httpx

    table: tuple[tuple[type[Exception], tuple[str, bool, str]], ...] = (
        (httpx.ConnectError, ("ai.connect", True, "could not connect")),
        (httpx.UnsupportedProtocol, ("config.invalid", False, "has an unsupported scheme")),
        (httpx.InvalidURL, ("config.invalid", False, "is not a valid URL")),
        (httpx.TransportError, ("ai.read", True, "failed while reading the response")),
    )
    for exc_type, kind in table:
        if isinstance(exc, exc_type):
            return kind
    return ("ai.request", False, "failed")


def malformed_response(url: str, problem: str) -> NodeError:
    """``ai.response`` (retryable: usually a transient proxy or provider fault)."""
    return NodeError(
        "ai.response",
        f"POST {url} returned an unusable chat completion: {problem}",
        retryable=True,
        details={"url": url},
    )
