"""HTTP failures as node errors (runtimes.md §2, execution.md §6.1).

:func:`translate_transport_error` is the one place where httpx exceptions become
:class:`~flowscript.errors.NodeError`; :func:`status_error` builds the ``http.status`` error of a
response whose status was not accepted. Retryability is decided here, from the failure kind:
connection and read failures, timeouts and 408/425/429/5xx responses are retryable.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from flowscript.errors import NodeError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "BODY_EXCERPT_CHARS",
    "parse_retry_after",
    "status_error",
    "timeout_error",
    "translate_transport_error",
]

BODY_EXCERPT_CHARS: Final = 500
_RETRYABLE_STATUSES: Final = frozenset({408, 425, 429})


def is_retryable_status(status: int) -> bool:
    """408 Request Timeout, 425 Too Early, 429 Too Many Requests and every 5xx."""
    return status in _RETRYABLE_STATUSES or 500 <= status <= 599


def parse_retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date).

    Returns ``None`` when the header is absent or unreadable; a date in the past gives 0.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if seconds == seconds else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(when.timestamp() - now(), 0.0)


def _excerpt(text: str) -> str:
    if len(text) <= BODY_EXCERPT_CHARS:
        return text
    return text[: BODY_EXCERPT_CHARS - 3] + "..."


def status_error(response: httpx.Response, method: str, url: str) -> NodeError:
    """``http.status`` for a response whose status is not in ``expect``."""
    status = response.status_code
    excerpt = _excerpt(response.text)
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    message = f"{method} {url} returned HTTP {status} {response.reason_phrase}".rstrip()
    if excerpt.strip():
        message += f": {excerpt.strip()}"
    details: dict[str, object] = {"status": status, "body": excerpt, "method": method, "url": url}
    if retry_after is not None:
        details["retryAfter"] = retry_after
    return NodeError(
        "http.status",
        message,
        retryable=is_retryable_status(status),
        status=status,
        retry_after=retry_after,
        details=details,
    )


def timeout_error(method: str, url: str, timeout_ms: float) -> NodeError:
    """``timeout.attempt`` for a request that did not finish within its timeout."""
    return NodeError(
        "timeout.attempt",
        f"{method} {url} did not complete within {timeout_ms:g} ms",
        retryable=True,
        details={"method": method, "url": url, "timeout": timeout_ms},
    )


def _kind_of(exc: Exception) -> tuple[str, bool, str]:
    """(error type, retryable, what happened) for an httpx exception."""
    import httpx

    table: tuple[tuple[type[Exception], tuple[str, bool, str]], ...] = (
        (httpx.TimeoutException, ("timeout.attempt", True, "timed out")),
        (httpx.ConnectError, ("http.connect", True, "could not connect")),
        (httpx.TooManyRedirects, ("http.redirects", False, "redirected too many times")),
        (httpx.UnsupportedProtocol, ("config.invalid", False, "has an unsupported scheme")),
        (httpx.InvalidURL, ("config.invalid", False, "is not a valid URL")),
        (httpx.LocalProtocolError, ("config.invalid", False, "could not be sent")),
        (httpx.TransportError, ("http.read", True, "failed while reading the response")),
    )
    for exc_type, kind in table:
        if isinstance(exc, exc_type):
            return kind
    return ("http.request", False, "failed")


def translate_transport_error(exc: Exception, method: str, url: str) -> NodeError:
    """The node error for an httpx exception raised while sending or receiving."""
    error_type, retryable, what = _kind_of(exc)
    reason = str(exc) or exc.__class__.__name__
    return NodeError(
        error_type,
        f"{method} {url} {what}: {reason}",
        retryable=retryable,
        details={"method": method, "url": url, "exception": exc.__class__.__name__},
    )
