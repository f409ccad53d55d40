"""The email sink through SendGrid's v3 API (runtimes.md §5), with the real local HTTP server
(tests/conftest.py) as the endpoint."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.runtimes.base import NodeRequest, RuntimeContext
from flowscript.runtimes.coerce import coerce_config
from flowscript.runtimes.email import EmailSinkRuntime

API_KEY = "SG.test-key-7f3a9"


async def send(context: RuntimeContext, server: Any, input_value: Any = None, **config: Any) -> Any:
    base = {
        "provider": "sendgrid",
        "api-key": API_KEY,
        "endpoint": f"{server.url}/v3/mail/send",
        "from": "Flow Bot <bot@example.com>",
        "to": "ann@example.com",
    }
    coerced = coerce_config("email:sink", {**base, **config})
    request = NodeRequest(node_id="mail", kind="email:sink", config=coerced, input=input_value)
    return await EmailSinkRuntime().run(request, context)


def accept(server: Any, message_id: str = "msg-abc-123") -> None:
    server.route("/v3/mail/send", status=202, headers={"X-Message-Id": message_id})


async def test_payload_headers_and_output(http_server, context, tmp_path) -> None:
    accept(http_server)
    (tmp_path / "data.csv").write_bytes(b"id\n1\n")
    result = await send(
        context,
        http_server,
        to="Ann <ann@example.com>, bob@example.com",
        cc="carol@example.com",
        bcc="dave@example.com",
        subject="Report",
        text="plain body",
        html="<p>html body</p>",
        attachments="data.csv",
    )
    assert result == {
        "provider": "sendgrid",
        "messageId": "msg-abc-123",
        "accepted": ["ann@example.com", "bob@example.com", "carol@example.com", "dave@example.com"],
    }
    [request] = http_server.requests
    assert (request.method, request.path) == ("POST", "/v3/mail/send")
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {
        "personalizations": [
            {
                "to": [{"email": "ann@example.com", "name": "Ann"}, {"email": "bob@example.com"}],
                "cc": [{"email": "carol@example.com"}],
                "bcc": [{"email": "dave@example.com"}],
            }
        ],
        "from": {"email": "bot@example.com", "name": "Flow Bot"},
        "subject": "Report",
        "content": [
            {"type": "text/plain", "value": "plain body"},
            {"type": "text/html", "value": "<p>html body</p>"},
        ],
        "attachments": [
            {
                "content": base64.b64encode(b"id\n1\n").decode(),
                "filename": "data.csv",
                "type": "text/csv",
                "disposition": "attachment",
            }
        ],
    }


async def test_minimal_payload_leaves_out_empty_lists(http_server, context) -> None:
    accept(http_server)
    await send(context, http_server, {"n": 1})
    assert http_server.requests[0].json() == {
        "personalizations": [{"to": [{"email": "ann@example.com"}]}],
        "from": {"email": "bot@example.com", "name": "Flow Bot"},
        "content": [{"type": "text/plain", "value": '{\n  "n": 1\n}'}],
    }


@pytest.mark.parametrize(
    ("reply", "error_type", "retryable", "message"),
    [
        (
            {"status": 401, "body": {"errors": [{"message": "The provided authorization grant "
                                                 "is invalid, expired, or revoked"}]}},
            "email.auth", False,
            "SendGrid refused the API key with HTTP 401: The provided authorization grant is "
            "invalid, expired, or revoked",
        ),
        ({"status": 403, "body": {"errors": [{"message": "access forbidden"}]}},
         "email.auth", False, "SendGrid refused the API key with HTTP 403: access forbidden"),
        (
            {"status": 400, "body": {"errors": [
                {"message": "Does not contain a valid address.", "field": "from.email"},
                {"message": "The subject is required."}]}},
            "email.provider", False,
            "SendGrid refused the message with HTTP 400: Does not contain a valid address. "
            "(from.email); The subject is required.",
        ),
        ({"status": 500, "body": "upstream exploded"}, "email.provider", True,
         "SendGrid refused the message with HTTP 500: upstream exploded"),
    ],
    ids=["401", "403", "400-with-fields", "500"],
)  # fmt: skip
async def test_errors_are_classified(
    http_server, context, reply, error_type, retryable, message
) -> None:
    http_server.route("/v3/mail/send", **reply)
    with pytest.raises(NodeError) as info:
        await send(context, http_server, text="x")
    error = info.value
    assert (error.type, error.retryable, error.message) == (error_type, retryable, message)
    assert error.status == reply["status"]
    assert API_KEY not in error.message + str(error.details)


async def test_429_is_retryable_with_retry_after(http_server, context) -> None:
    http_server.route("/v3/mail/send", status=429, headers={"Retry-After": "12"}, body="slow down")
    with pytest.raises(NodeError) as info:
        await send(context, http_server, text="x")
    error = info.value
    assert (error.type, error.retryable, error.retry_after) == ("email.provider", True, 12.0)
    assert error.details == {"status": 429, "endpoint": f"{http_server.url}/v3/mail/send",
                             "retryAfter": 12.0}  # fmt: skip


async def test_an_api_key_echoed_by_the_provider_is_masked(http_server, context) -> None:
    http_server.route("/v3/mail/send", status=400, body=f"unknown key {API_KEY}")
    with pytest.raises(NodeError) as info:
        await send(context, http_server, text="x")
    assert info.value.message.endswith("unknown key ***")


async def test_an_unreachable_endpoint_is_email_connect(context, closed_port_url) -> None:
    class Closed:
        url = closed_port_url.rstrip("/")

    with pytest.raises(NodeError) as info:
        await send(context, Closed(), text="x")
    error = info.value
    assert (error.type, error.retryable) == ("email.connect", True)
    assert error.message.startswith(f"could not reach SendGrid at {closed_port_url}v3/mail/send")
