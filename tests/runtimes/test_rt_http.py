"""HTTP source and sink runtimes against a real local HTTP server (tests/conftest.py)."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.runtimes._http_errors import parse_retry_after
from flowscript.runtimes.base import NodeRequest, RuntimeContext
from flowscript.runtimes.coerce import coerce_config
from flowscript.runtimes.http import HttpSinkRuntime, HttpSourceRuntime, parse_expect


def _request(kind: str, config: dict[str, Any], input_value: Any = None) -> NodeRequest:
    return NodeRequest(
        node_id="call", kind=kind, config=coerce_config(kind, config), input=input_value
    )


async def _source(context: RuntimeContext, **config: Any) -> Any:
    return await HttpSourceRuntime().run(_request("http:source", config), context)


async def _sink(context: RuntimeContext, input_value: Any, **config: Any) -> Any:
    return await HttpSinkRuntime().run(_request("http:sink", config, input_value), context)


@pytest.mark.parametrize(
    "method", ["GET", "POST", "PUT", "PATCH", "DELETE"], ids=lambda m: m.lower()
)
async def test_source_sends_each_method(http_server, context, method) -> None:
    data = await _source(context, url=f"{http_server.url}/items", method=method.lower())
    assert data["method"] == method
    assert data["path"] == "/items"
    assert [r.method for r in http_server.requests] == [method]


async def test_head_request_gives_null_body(http_server, context) -> None:
    result = await _sink(context, {"ignored": True}, url=f"{http_server.url}/h", method="HEAD")
    assert result["status"] == 200
    assert result["body"] is None
    assert http_server.requests[0].method == "HEAD"
    assert http_server.requests[0].body == b""


async def test_headers_from_yaml_style_map_and_params(http_server, context) -> None:
    await _source(
        context,
        url=f"{http_server.url}/search?fixed=1",
        headers="X-Trace: abc-123\nAccept: application/json",
        params={"q": "a b&c", "page": 2, "tag": ["x", "y"], "skip": None},
    )
    received = http_server.requests[0]
    assert received.headers["x-trace"] == "abc-123"
    assert received.headers["accept"] == "application/json"
    assert received.query == {"fixed": ["1"], "q": ["a b&c"], "page": ["2"], "tag": ["x", "y"]}


async def test_single_header_line_is_a_one_entry_map(http_server, context) -> None:
    await _source(context, url=http_server.url, headers="Authorization: Token t0k3n")
    assert http_server.requests[0].headers["authorization"] == "Token t0k3n"


async def test_json_body_from_map(http_server, context) -> None:
    await _source(context, url=http_server.url, method="POST", body={"n": 2.0, "ok": True})
    received = http_server.requests[0]
    assert received.body == b'{"n":2,"ok":true}'
    assert received.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("plain words", "text/plain; charset=utf-8"),
        ('{"already": "json"}', "application/json"),
    ],
    ids=["text", "json-text"],
)
async def test_string_body_sent_as_is(http_server, context, body, content_type) -> None:
    await _source(context, url=http_server.url, method="POST", body=body)
    assert http_server.requests[0].body == body.encode()
    assert http_server.requests[0].headers["content-type"] == content_type


async def test_explicit_content_type_wins(http_server, context) -> None:
    await _source(
        context,
        url=http_server.url,
        method="PUT",
        headers={"Content-Type": "application/x-custom"},
        body={"a": 1},
    )
    assert http_server.requests[0].headers["content-type"] == "application/x-custom"


async def test_sink_posts_its_input_by_default(http_server, context) -> None:
    http_server.route("/hook", status=201, body={"id": 7}, headers={"X-Req": "r1"})
    result = await _sink(context, [{"a": 1}, {"a": 2}], url=f"{http_server.url}/hook")
    assert http_server.requests[0].method == "POST"
    assert http_server.requests[0].json() == [{"a": 1}, {"a": 2}]
    assert result["status"] == 201
    assert result["body"] == {"id": 7}
    assert result["headers"]["x-req"] == "r1"
    assert result["headers"]["content-type"] == "application/json"


async def test_sink_explicit_body_replaces_input(http_server, context) -> None:
    await _sink(context, {"input": 1}, url=http_server.url, method="PUT", body="raw")
    assert http_server.requests[0].body == b"raw"


async def test_sink_body_rendering_to_undefined_sends_nothing(http_server, context) -> None:
    from flowscript.expressions.values import UNDEFINED

    await _sink(context, {"input": 1}, url=http_server.url, body=UNDEFINED)
    assert http_server.requests[0].body == b""


async def test_sink_null_body_is_json_null(http_server, context) -> None:
    await _sink(context, {"input": 1}, url=http_server.url, body=None)
    assert http_server.requests[0].body == b"null"


async def test_sink_get_does_not_send_input(http_server, context) -> None:
    await _sink(context, {"input": 1}, url=http_server.url, method="GET")
    assert http_server.requests[0].body == b""


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        ({"type": "bearer", "token": "tok-1"}, "Bearer tok-1"),
        (
            {"type": "basic", "username": "ann", "password": "p:w"},
            "Basic " + base64.b64encode(b"ann:p:w").decode(),
        ),
        ("type: bearer\ntoken: tok-2", "Bearer tok-2"),
    ],
    ids=["bearer", "basic", "bearer-yaml-lines"],
)
async def test_auth_header_received(http_server, context, auth, expected) -> None:
    await _source(context, url=http_server.url, auth=auth)
    assert http_server.requests[0].headers["authorization"] == expected


async def test_api_key_auth(http_server, context) -> None:
    auth = {"type": "api-key", "header": "X-Api-Key", "value": "k-9"}
    await _source(context, url=http_server.url, auth=auth)
    assert http_server.requests[0].headers["x-api-key"] == "k-9"


@pytest.mark.parametrize(
    ("auth", "match"),
    [
        ({"type": "oauth2", "token_url": "http://x"}, "oauth2 needs client_id, client_secret"),
        ({"type": "bearer"}, "needs its fields"),
        ({"type": "digest"}, "'digest' needs its fields"),
    ],
    ids=["oauth2", "bearer-without-token", "unknown-type"],
)
async def test_bad_auth_is_config_invalid(http_server, context, auth, match) -> None:
    with pytest.raises(NodeError, match=match) as info:
        await _source(context, url=http_server.url, auth=auth)
    assert info.value.type == "config.invalid"
    assert http_server.requests == []


async def test_extract_applies_jmespath(http_server, context) -> None:
    http_server.route("/list", body={"data": {"items": [{"id": 1}, {"id": 2}]}})
    data = await _source(context, url=f"{http_server.url}/list", extract="data.items[].id")
    assert data == [1, 2]


async def test_invalid_extract_is_config_invalid(http_server, context) -> None:
    with pytest.raises(NodeError, match="invalid JMESPath") as info:
        await _source(context, url=http_server.url, extract="data.[")
    assert info.value.type == "config.invalid"


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        ('{"a": 1}', {"Content-Type": "application/json"}, {"a": 1}),
        ("[1, 2]", {"Content-Type": "text/plain"}, [1, 2]),
        ("hello", {"Content-Type": "text/plain"}, "hello"),
        ("", {}, None),
    ],
    ids=["json-type", "parses-as-json", "text", "empty"],
)
async def test_response_decoding(http_server, context, body, headers, expected) -> None:
    http_server.route("/r", body=body, headers=headers)
    assert await _source(context, url=f"{http_server.url}/r") == expected


async def test_json_content_type_with_bad_body_warns(http_server, tmp_path) -> None:
    warnings: list[str] = []
    ctx = RuntimeContext(root=tmp_path, workflow_dir=tmp_path, warn=warnings.append)
    http_server.route("/bad", body="{nope", headers={"Content-Type": "application/json"})
    try:
        assert await _source(ctx, url=f"{http_server.url}/bad") == "{nope"
    finally:
        await ctx.aclose()
    assert len(warnings) == 1
    assert warnings[0].startswith("node call: the response says application/json")


async def test_expect_accepts_listed_statuses(http_server, context) -> None:
    http_server.route("/missing", status=404, body={"error": "nope"})
    data = await _source(context, url=f"{http_server.url}/missing", expect="200, 404")
    assert data == {"error": "nope"}


async def test_expect_rejects_unlisted_2xx(http_server, context) -> None:
    http_server.route("/created", status=201, body="made")
    with pytest.raises(NodeError, match="returned HTTP 201") as info:
        await _source(context, url=f"{http_server.url}/created", expect="[200]")
    assert info.value.type == "http.status"
    assert info.value.retryable is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ((200, 299),)),
        ("2xx", ((200, 299),)),
        (["2xx", "404"], ((200, 299), (404, 404))),
        ([200, 201], ((200, 200), (201, 201))),
        ("200-204, 3XX", ((200, 204), (300, 399))),
    ],
    ids=["default", "class", "mixed", "ints", "span-and-class"],
)
def test_parse_expect(value, expected) -> None:
    assert parse_expect(value) == expected


def test_parse_expect_rejects_garbage() -> None:
    with pytest.raises(NodeError, match="'abc' is not a status code"):
        parse_expect("abc")


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(400, False), (404, False), (408, True), (425, True), (429, True), (500, True), (503, True)],
    ids=str,
)
async def test_status_errors(http_server, context, status, retryable) -> None:
    http_server.route("/fail", status=status, body="x" * 600)
    with pytest.raises(NodeError) as info:
        await _source(context, url=f"{http_server.url}/fail")
    error = info.value
    assert error.type == "http.status"
    assert error.status == status
    assert error.retryable is retryable
    assert error.details["status"] == status
    assert error.details["body"] == "x" * 497 + "..."
    assert error.message.endswith("x" * 497 + "...")
    assert f"returned HTTP {status}" in error.message


async def test_status_error_carries_retry_after_seconds(http_server, context) -> None:
    http_server.route("/busy", status=429, body="slow down", headers={"Retry-After": "7"})
    with pytest.raises(NodeError, match="slow down") as info:
        await _source(context, url=f"{http_server.url}/busy")
    assert info.value.retry_after == 7.0
    assert info.value.details["retryAfter"] == 7.0


async def test_status_error_carries_retry_after_date(http_server, context) -> None:
    when = datetime.now(UTC) + timedelta(hours=1)
    http_server.route("/down", status=503, headers={"Retry-After": format_datetime(when, True)})
    with pytest.raises(NodeError) as info:
        await _source(context, url=f"{http_server.url}/down")
    assert info.value.retryable is True
    assert info.value.retry_after is not None
    assert 3500 < info.value.retry_after <= 3600


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 10.0),
        ("soon", None),
        (None, None),
    ],
    ids=["seconds", "zero", "past-date", "future-date", "garbage", "absent"],
)
def test_parse_retry_after(header, expected, request) -> None:
    base = datetime(2015, 10, 21, 7, 27, 50, tzinfo=UTC).timestamp()
    now = base if request.node.callspec.id == "future-date" else base + 3600
    assert parse_retry_after(header, now=lambda: now) == expected


async def test_connection_refused(context, closed_port_url) -> None:
    with pytest.raises(NodeError, match="could not connect") as info:
        await _source(context, url=closed_port_url)
    assert info.value.type == "http.connect"
    assert info.value.retryable is True
    assert isinstance(info.value.__cause__, Exception)


async def test_truncated_response_is_a_read_error(http_server, context) -> None:
    http_server.route("/cut", body="partial", truncated=True)
    with pytest.raises(NodeError, match="failed while reading the response") as info:
        await _source(context, url=f"{http_server.url}/cut")
    assert info.value.type == "http.read"
    assert info.value.retryable is True


async def test_timeout_on_slow_endpoint(http_server, context) -> None:
    http_server.route("/slow", slow=True, body="late")
    with pytest.raises(NodeError, match="did not complete within 50 ms") as info:
        await _source(context, url=f"{http_server.url}/slow", timeout="50ms")
    assert info.value.type == "timeout.attempt"
    assert info.value.retryable is True


@pytest.mark.parametrize(
    ("config_timeout", "expected_ms"),
    [(None, 40), ("30ms", 30)],
    ids=["node-timeout-attribute", "explicit-config-wins"],
)
async def test_node_timeout_attribute_sets_request_timeout(
    http_server, context, config_timeout, expected_ms
) -> None:
    from flowscript.model import ConfigEntry, DataNodeSpec, SourceSpan, Text

    span = SourceSpan("wf.flow.md", 3, 1)
    entries = {}
    config: dict[str, Any] = {"url": f"{http_server.url}/slow"}
    if config_timeout is not None:
        config["timeout"] = config_timeout
        entries["timeout"] = ConfigEntry(
            key="timeout", written_key="timeout", value=config_timeout, span=span, value_span=span
        )
    node = DataNodeSpec(
        id="call",
        tag="source",
        span=span,
        role="source",
        type="http",
        config=entries,
        timeout=Text("40ms", span),
    )
    http_server.route("/slow", slow=True)
    request = NodeRequest(
        node_id="call",
        kind="http:source",
        config=coerce_config("http:source", config),
        input=None,
        node=node,
    )
    with pytest.raises(NodeError, match=f"within {expected_ms} ms"):
        await HttpSourceRuntime().run(request, context)


async def test_cancellation_propagates(http_server, context) -> None:
    http_server.route("/slow", slow=True)
    task = asyncio.create_task(_source(context, url=f"{http_server.url}/slow"))
    assert await asyncio.to_thread(http_server.received.wait, 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_follow_redirects(http_server, context) -> None:
    http_server.route("/old", status=302, headers={"Location": "/new"})
    http_server.route("/new", body={"moved": True})
    assert await _source(context, url=f"{http_server.url}/old") == {"moved": True}
    assert [r.path for r in http_server.requests] == ["/old", "/new"]


async def test_redirect_not_followed_is_a_status_error(http_server, context) -> None:
    http_server.route("/old", status=302, headers={"Location": "/new"})
    with pytest.raises(NodeError, match="HTTP 302") as info:
        await _source(context, url=f"{http_server.url}/old", **{"follow-redirects": "no"})
    assert info.value.type == "http.status"
    assert [r.path for r in http_server.requests] == ["/old"]


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"url": ""}, "field 'url': a URL is required"),
        ({"url": "ftp://example.com/x"}, "unsupported scheme"),
        ({"url": "http://127.0.0.1:1/", "method": "TRACE"}, "field 'method' of http:source"),
        ({"url": "http://127.0.0.1:1/", "headers": "no colon here"}, "field 'headers'"),
    ],
    ids=["empty-url", "bad-scheme", "bad-method", "bad-headers"],
)
async def test_config_errors(context, config, match) -> None:
    with pytest.raises(NodeError, match=match) as info:
        await _source(context, **config)
    assert info.value.type == "config.invalid"
    assert info.value.retryable is False


async def test_one_connection_pool_is_reused(http_server, context) -> None:
    await _source(context, url=f"{http_server.url}/a")
    client = context.http
    await _source(context, url=f"{http_server.url}/b")
    assert context.http is client
    assert [r.path for r in http_server.requests] == ["/a", "/b"]
