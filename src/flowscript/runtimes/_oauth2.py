"""OAuth2 client-credentials tokens for the HTTP runtimes (runtimes.md §2, RFC 6749 §4.4).

One :class:`TokenCache` per run lives in ``context.resources``; every HTTP node of the run
shares it. A token is requested once per (token URL, client id, scope) — concurrent nodes
wait on one lock, so they trigger a single token request — and reused until 60 seconds before
its ``expires_in`` (a token without ``expires_in`` lasts the run). A 401 from the API drops the
token, fetches a new one and sends the request once more (:func:`send_with_token`).

The token request is a form POST ``grant_type=client_credentials`` (plus ``scope``) with the
client authenticated by HTTP basic (RFC 6749 §2.3.1: id and secret form-encoded first), or by
``client_id``/``client_secret`` in the form with ``client_auth: body``. Its failures are
classified here: transport failures and 429/5xx are retryable, a refused client or a reply
without ``access_token`` is ``auth.token`` and not retryable. Neither the client secret nor a
token ever appears in a message.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote_plus

from flowscript.errors import NodeError
from flowscript.runtimes._auth import OAuth2Credentials, basic_credentials
from flowscript.runtimes._http_errors import (
    is_retryable_status,
    parse_retry_after,
    timeout_error,
    translate_transport_error,
)

if TYPE_CHECKING:
    import httpx

    from flowscript.runtimes.base import RuntimeContext

__all__ = [
    "EXPIRY_MARGIN_S",
    "TOKEN_CACHE_RESOURCE",
    "TokenCache",
    "send_with_token",
    "token_cache",
]

TOKEN_CACHE_RESOURCE: Final = "http.oauth2-tokens"
EXPIRY_MARGIN_S: Final = 60.0  # runtimes.md §2: a token is renewed 60 s before it expires
_ERROR_TEXT_CHARS: Final = 300

SendFn = Callable[[str], Awaitable["httpx.Response"]]
"""Sends the API request with the given bearer token."""


@dataclass(slots=True)
class _Token:
    value: str
    renew_at: float | None  # clock time after which the token is not reused; None: never


class TokenCache:
    """The run's OAuth2 tokens, keyed by :attr:`OAuth2Credentials.cache_key`.

    Args:
        clock: monotonic seconds (injectable so tests need no sleeping).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tokens: dict[tuple[str, str, str], _Token] = {}
        self._locks: dict[tuple[str, str, str], asyncio.Lock] = {}

    async def get(
        self, credentials: OAuth2Credentials, client: httpx.AsyncClient, timeout_s: float
    ) -> str:
        """A valid token for ``credentials``, requesting one (within ``timeout_s``) when none
        is cached.

        Raises:
            NodeError: the token request failed (see :func:`request_token`).
        """
        key = credentials.cache_key
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._tokens.get(key)
            if cached is not None and (cached.renew_at is None or self._clock() < cached.renew_at):
                return cached.value
            value, expires_in = await request_token(client, credentials, timeout_s)
            renew_at = None if expires_in is None else self._clock() + expires_in - EXPIRY_MARGIN_S
            self._tokens[key] = _Token(value, renew_at)
            return value

    def discard(self, credentials: OAuth2Credentials, value: str) -> None:
        """Forget ``value`` (the API refused it) unless another request already replaced it."""
        cached = self._tokens.get(credentials.cache_key)
        if cached is not None and cached.value == value:
            del self._tokens[credentials.cache_key]


def token_cache(context: RuntimeContext) -> TokenCache:
    """The run's token cache, created on first use."""
    cache = context.resources.get(TOKEN_CACHE_RESOURCE)
    if not isinstance(cache, TokenCache):
        cache = TokenCache()
        context.resources[TOKEN_CACHE_RESOURCE] = cache
    return cache


async def send_with_token(
    context: RuntimeContext, credentials: OAuth2Credentials, send: SendFn, *, timeout_s: float
) -> httpx.Response:
    """Send with a cached token; on a 401, renew the token and send once more.

    Args:
        context: the run's resources (token cache, HTTP client).
        credentials: the OAuth2 client.
        send: sends the API request with a given token.
        timeout_s: time allowed for a token request.

    Returns:
        The API response; a second 401 is returned as is (the caller reports it).
    """
    cache = token_cache(context)
    token = await cache.get(credentials, context.http, timeout_s)
    response = await send(token)
    if response.status_code != 401:
        return response
    cache.discard(credentials, token)
    token = await cache.get(credentials, context.http, timeout_s)
    return await send(token)


# ------------------------------------------------------------------------ the token request


def _request_parts(credentials: OAuth2Credentials) -> tuple[dict[str, str], dict[str, str]]:
    """(form fields, headers) of the token request."""
    form = {"grant_type": "client_credentials"}
    if credentials.scope:
        form["scope"] = credentials.scope
    headers = {"Accept": "application/json"}
    if credentials.client_auth == "body":
        form |= {"client_id": credentials.client_id, "client_secret": credentials.client_secret}
    else:
        headers["Authorization"] = basic_credentials(
            quote_plus(credentials.client_id), quote_plus(credentials.client_secret)
        )
    return form, headers


async def request_token(
    client: httpx.AsyncClient, credentials: OAuth2Credentials, timeout_s: float
) -> tuple[str, float | None]:
    """Ask the token endpoint for a token: ``(access_token, expires_in seconds or None)``.

    Raises:
        NodeError: ``http.connect``/``http.read``/``timeout.attempt`` (retryable) when the
            endpoint cannot be reached; ``auth.token`` (retryable for 429/5xx) when it refuses;
            ``auth.token`` (not retryable) for a reply without ``access_token``.
    """
    import httpx

    form, headers = _request_parts(credentials)
    url = credentials.token_url
    try:
        async with asyncio.timeout(timeout_s):
            response = await client.post(
                url, data=form, headers=headers, timeout=httpx.Timeout(timeout_s)
            )
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise timeout_error("POST", url, timeout_s * 1000) from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise _scrubbed(translate_transport_error(exc, "POST", url), credentials) from exc
    if not 200 <= response.status_code <= 299:
        raise _refused(response, credentials)
    return _grant(response, credentials)


def _grant(response: httpx.Response, credentials: OAuth2Credentials) -> tuple[str, float | None]:
    data = _json_object(response)
    token = data.get("access_token") if data is not None else None
    if not isinstance(token, str) or not token:
        raise _token_error(
            credentials,
            f"the token endpoint {credentials.token_url} answered without an access_token",
            retryable=False,
            status=response.status_code,
        )
    return token, _expires_in(data.get("expires_in") if data is not None else None)


def _expires_in(value: Any) -> float | None:
    """Seconds from ``expires_in`` (a number or numeric string); ``None`` when absent/unreadable."""
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds == seconds else None


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        data = json.loads(response.text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _provider_text(response: httpx.Response) -> str:
    """The provider's ``error``/``error_description`` (RFC 6749 §5.2), else a body excerpt."""
    data = _json_object(response)
    if data is not None and (data.get("error") or data.get("error_description")):
        parts = [str(data.get(name)) for name in ("error", "error_description") if data.get(name)]
        text = ": ".join(parts)
    else:
        text = " ".join(response.text.split())
    return text[:_ERROR_TEXT_CHARS]


def _refused(response: httpx.Response, credentials: OAuth2Credentials) -> NodeError:
    status = response.status_code
    text = _provider_text(response)
    message = f"the token endpoint {credentials.token_url} refused client {credentials.client_id!r}"
    message += f" with HTTP {status}" + (f": {text}" if text else "")
    return _token_error(
        credentials,
        message,
        retryable=is_retryable_status(status),
        status=status,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )


def _token_error(
    credentials: OAuth2Credentials,
    message: str,
    *,
    retryable: bool,
    status: int | None = None,
    retry_after: float | None = None,
) -> NodeError:
    details: dict[str, Any] = {"tokenUrl": credentials.token_url, "clientId": credentials.client_id}
    if status is not None:
        details["status"] = status
    if retry_after is not None:
        details["retryAfter"] = retry_after
    error = NodeError(
        "auth.token",
        message,
        retryable=retryable,
        status=status,
        retry_after=retry_after,
        details=details,
    )
    return _scrubbed(error, credentials)


def _scrubbed(error: NodeError, credentials: OAuth2Credentials) -> NodeError:
    """Mask the client secret should a provider or a library echo it into the message."""
    secret = credentials.client_secret
    if secret and secret in error.message:
        error.message = error.message.replace(secret, "***")
        error.args = (error.message,)
    return error
