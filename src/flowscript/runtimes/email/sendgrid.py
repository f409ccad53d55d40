"""Sending through SendGrid's v3 Mail Send API with the run's HTTP client (runtimes.md §5).

The payload follows https://docs.sendgrid.com/api-reference/mail-send/mail-send: one
personalization with ``to``/``cc``/``bcc`` (empty lists left out, as SendGrid refuses them),
``content`` with ``text/plain`` before ``text/html`` (the order SendGrid requires), and
attachments base64-encoded. The API key goes in ``Authorization: Bearer``; the message id is
SendGrid's ``X-Message-Id`` response header.

Failures: 401/403 → ``email.auth``; 429 and 5xx → ``email.provider`` (retryable, with
``retryAfter`` when SendGrid sends ``Retry-After``); any other status → ``email.provider`` with
SendGrid's error text; connection failures → ``email.connect`` (retryable).
"""

from __future__ import annotations

import asyncio
import base64
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import NodeError
from flowscript.runtimes._http_errors import is_retryable_status, parse_retry_after
from flowscript.runtimes.email.addresses import Mailbox
from flowscript.runtimes.email.message import EmailContent

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_ENDPOINT", "build_payload", "send_sendgrid"]

DEFAULT_ENDPOINT: Final = "https://api.sendgrid.com/v3/mail/send"
TIMEOUT_S: Final = 30.0  # like the HTTP runtime's default request timeout
_ERROR_TEXT_CHARS: Final = 500


def _mailbox(mailbox: Mailbox) -> dict[str, str]:
    entry = {"email": mailbox.address}
    if mailbox.name:
        entry["name"] = mailbox.name
    return entry


def _personalization(content: EmailContent) -> dict[str, Any]:
    lists = {"to": content.to, "cc": content.cc, "bcc": content.bcc}
    return {key: [_mailbox(m) for m in boxes] for key, boxes in lists.items() if boxes}


def build_payload(content: EmailContent) -> dict[str, Any]:
    """The v3 ``mail/send`` JSON body for ``content``."""
    body: list[dict[str, str]] = []
    if content.text is not None:
        body.append({"type": "text/plain", "value": content.text})
    if content.html is not None:
        body.append({"type": "text/html", "value": content.html})
    payload: dict[str, Any] = {
        "personalizations": [_personalization(content)],
        "from": _mailbox(content.sender),
        "content": body,
    }
    if content.subject is not None:
        payload["subject"] = content.subject
    if content.attachments:
        payload["attachments"] = [
            {
                "content": base64.b64encode(item.data).decode("ascii"),
                "filename": item.filename,
                "type": item.mime_type,
                "disposition": "attachment",
            }
            for item in content.attachments
        ]
    return payload


async def send_sendgrid(
    client: httpx.AsyncClient, content: EmailContent, *, api_key: str, endpoint: str
) -> str:
    """Send ``content`` and return SendGrid's message id (``""`` when none was returned).

    Raises:
        NodeError: ``email.connect``, ``email.auth`` or ``email.provider``.
    """
    import httpx

    headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
    try:
        async with asyncio.timeout(TIMEOUT_S):
            response = await client.post(
                endpoint,
                json=build_payload(content),
                headers=headers,
                timeout=httpx.Timeout(TIMEOUT_S),
            )
    except (TimeoutError, httpx.HTTPError, httpx.InvalidURL) as exc:
        raise _transport_error(exc, endpoint, api_key) from exc
    if not 200 <= response.status_code <= 299:
        raise _status_error(response, endpoint, api_key)
    return str(response.headers.get("x-message-id", ""))


def _scrub(text: str, api_key: str) -> str:
    return text.replace(api_key, "***") if api_key else text


def _transport_error(exc: Exception, endpoint: str, api_key: str) -> NodeError:
    import httpx

    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        message = f"field 'endpoint': {endpoint!r} is not a usable URL: {exc}"
        return NodeError("config.invalid", _scrub(message, api_key), retryable=False)
    reason = str(exc) or type(exc).__name__
    return NodeError(
        "email.connect",
        _scrub(f"could not reach SendGrid at {endpoint}: {reason}", api_key),
        retryable=True,
        details={"endpoint": endpoint, "exception": type(exc).__name__},
    )


def _provider_text(response: httpx.Response) -> str:
    """SendGrid's ``errors[].message`` (with the field), else a body excerpt."""
    try:
        data = response.json()
    except ValueError:
        data = None
    errors = data.get("errors") if isinstance(data, dict) else None
    if isinstance(errors, list) and errors:
        parts = []
        for item in errors:
            if isinstance(item, dict) and item.get("message"):
                field = f" ({item['field']})" if item.get("field") else ""
                parts.append(f"{item['message']}{field}")
        if parts:
            return "; ".join(parts)[:_ERROR_TEXT_CHARS]
    return " ".join(response.text.split())[:_ERROR_TEXT_CHARS]


def _status_error(response: httpx.Response, endpoint: str, api_key: str) -> NodeError:
    status = response.status_code
    text = _provider_text(response)
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    details: dict[str, Any] = {"status": status, "endpoint": endpoint}
    if retry_after is not None:
        details["retryAfter"] = retry_after
    if status in (401, 403):
        type_, retryable, what = "email.auth", False, "refused the API key"
    else:
        type_, retryable, what = (
            "email.provider",
            is_retryable_status(status),
            "refused the message",
        )
    message = f"SendGrid {what} with HTTP {status}" + (f": {text}" if text else "")
    return NodeError(
        type_,
        _scrub(message, api_key),
        retryable=retryable,
        status=status,
        retry_after=retry_after,
        details=details,
    )
