"""HTTP auth (runtimes.md §2): api-key forms and the OAuth2 client-credentials grant, against
the real local HTTP server standing in for both the token endpoint and the API."""

from __future__ import annotations

import asyncio
import base64
from typing import Any
from urllib.parse import parse_qs

import pytest

from flowscript.errors import NodeError
from flowscript.runtimes._auth import OAuth2Credentials, StaticAuth, parse_auth
from flowscript.runtimes._oauth2 import TOKEN_CACHE_RESOURCE, TokenCache
from flowscript.runtimes.base import NodeRequest, RuntimeContext
from flowscript.runtimes.coerce import coerce_config
from flowscript.runtimes.http import HttpSinkRuntime, HttpSourceRuntime

SECRET = "s3cr3t:+/value"  # characters that RFC 6749 §2.3.1 form-encodes before base64
CLIENT = {"client_id": "c", "client_secret": "s"}


class SequencedRoutes(dict[str, Any]):
    """The server's route table, where a path can answer a sequence of responses (the last
    one repeats). The handler only calls ``routes.get(path)``."""

    def __init__(self, routes: dict[str, Any]) -> None:
        super().__init__(routes)
        self.queues: dict[str, list[Any]] = {}

    def get(self, path: str, default: Any = None) -> Any:  # type: ignore[override]
        queue = self.queues.get(path)
        if queue:
            return queue.pop(0) if len(queue) > 1 else queue[0]
        return super().get(path, default)


def respond_in_turn(server: Any, path: str, *responses: dict[str, Any]) -> None:
    """Make ``path`` answer ``responses`` (``route()`` keyword sets) one after the other."""
    if not isinstance(server.routes, SequencedRoutes):
        server.routes = SequencedRoutes(server.routes)
    built = []
    for response in responses:
        server.route(path, **response)
        built.append(server.routes[path])
    server.routes.queues[path] = built


def token_reply(token: str, expires_in: Any = 3600) -> dict[str, Any]:
    body: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
    if expires_in is not None:
        body["expires_in"] = expires_in
    return {"body": body}


def oauth2(server: Any, **extra: Any) -> dict[str, Any]:
    return {
        "type": "oauth2",
        "token_url": f"{server.url}/token",
        "client_id": "flow-client",
        "client_secret": SECRET,
        **extra,
    }


async def fetch(context: RuntimeContext, server: Any, auth: Any, path: str = "/api") -> Any:
    config = coerce_config("http:source", {"url": f"{server.url}{path}", "auth": auth})
    request = NodeRequest(node_id="fetch", kind="http:source", config=config, input=None)
    return await HttpSourceRuntime().run(request, context)


def paths(server: Any) -> list[str]:
    return [r.path for r in server.requests]


def api_tokens(server: Any) -> list[str]:
    return [r.headers["authorization"] for r in server.requests if r.path != "/token"]


# ------------------------------------------------------------------------------ api-key


async def test_api_key_in_the_query_string(http_server, context) -> None:
    auth = {"type": "api-key", "query": "appid", "value": "k-123456"}
    await fetch(context, http_server, auth, "/weather?q=Oslo")
    assert http_server.requests[0].query == {"q": ["Oslo"], "appid": ["k-123456"]}
    assert "x-api-key" not in http_server.requests[0].headers


async def test_api_key_in_the_query_is_masked_in_status_errors(http_server, context) -> None:
    http_server.route("/weather", status=403, body="forbidden")
    auth = {"type": "api-key", "query": "appid", "value": "k-123456"}
    with pytest.raises(NodeError) as info:
        await fetch(context, http_server, auth, "/weather?q=Oslo")
    assert info.value.message == (
        f"GET {http_server.url}/weather?q=Oslo&appid=*** returned HTTP 403 Forbidden: forbidden"
    )
    assert "k-123456" not in str(info.value.details)


async def test_api_key_header_defaults_to_x_api_key(http_server, context) -> None:
    await fetch(context, http_server, {"type": "api-key", "value": "k-9"})
    assert http_server.requests[0].headers["x-api-key"] == "k-9"


@pytest.mark.parametrize(
    ("auth", "match"),
    [
        (
            {"type": "api-key", "header": "X-Key", "query": "key", "value": "v"},
            "either in a 'header' or in a 'query'",
        ),
        ({"type": "oauth2", "token_url": "http://x"}, "oauth2 needs client_id, client_secret"),
        ({**CLIENT, "type": "oauth2"}, "oauth2 needs token_url"),
        ({**CLIENT, "type": "oauth2", "token_url": "http://x", "client_auth": "jwt"},
         "client_auth 'jwt' is not one of basic, body"),
        ("just text", "Key: value lines"),
    ],
    ids=["api-key-both-places", "oauth2-missing-client", "oauth2-missing-url", "bad-client-auth",
         "not-a-map"],
)  # fmt: skip
async def test_bad_auth_fails_before_any_request(http_server, context, auth, match) -> None:
    with pytest.raises(NodeError, match=match) as info:
        await fetch(context, http_server, auth)
    assert info.value.type == "config.invalid"
    assert http_server.requests == []


@pytest.mark.parametrize(
    "keys",
    [
        ("token_url", "client_id", "client_secret"),
        ("token-url", "client-id", "client-secret"),
        ("tokenUrl", "clientId", "clientSecret"),
    ],
    ids=["snake", "kebab", "camel"],
)
def test_oauth2_keys_match_across_spellings(keys: tuple[str, str, str]) -> None:
    parsed = parse_auth(
        dict(zip(("type", *keys), ("OAuth2", "https://t", "id", "pw"), strict=True))
    )
    assert parsed == OAuth2Credentials(token_url="https://t", client_id="id", client_secret="pw")


def test_oauth2_scope_list_is_space_joined_and_secret_not_in_repr() -> None:
    parsed = parse_auth(
        {"type": "oauth2", "token_url": "u", "client_id": "i", "client_secret": SECRET,
         "scope": ["read", "write  admin"]}
    )  # fmt: skip
    assert isinstance(parsed, OAuth2Credentials)
    assert parsed.scope == "read write admin"
    assert SECRET not in repr(parsed)


def test_static_auth_repr_hides_credentials() -> None:
    parsed = parse_auth({"type": "bearer", "token": "tok-secret-1"})
    assert isinstance(parsed, StaticAuth)
    assert "tok-secret-1" not in repr(parsed)


# ------------------------------------------------------------------------- OAuth2 grant


async def test_token_request_form_and_basic_client_auth(http_server, context) -> None:
    http_server.route("/token", **token_reply("tok-1"))
    http_server.route("/api", body={"ok": True})
    data = await fetch(context, http_server, oauth2(http_server, scope="items.read items.write"))
    assert data == {"ok": True}
    token_request, api_request = http_server.requests
    assert (token_request.method, token_request.path) == ("POST", "/token")
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(token_request.body.decode()) == {
        "grant_type": ["client_credentials"],
        "scope": ["items.read items.write"],
    }
    expected = base64.b64encode(b"flow-client:s3cr3t%3A%2B%2Fvalue").decode()
    assert token_request.headers["authorization"] == f"Basic {expected}"
    assert api_request.headers["authorization"] == "Bearer tok-1"


async def test_client_auth_body_sends_the_credentials_in_the_form(http_server, context) -> None:
    http_server.route("/token", **token_reply("tok-1"))
    await fetch(context, http_server, oauth2(http_server, client_auth="body"))
    token_request = http_server.requests[0]
    assert "authorization" not in token_request.headers
    assert parse_qs(token_request.body.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["flow-client"],
        "client_secret": [SECRET],
    }


async def test_one_token_request_for_every_node_of_the_run(http_server, context) -> None:
    http_server.route("/token", **token_reply("tok-1"))
    auth = oauth2(http_server)
    await asyncio.gather(*(fetch(context, http_server, auth, f"/api/{n}") for n in range(5)))
    await fetch(context, http_server, auth, "/api/later")
    assert paths(http_server).count("/token") == 1
    assert api_tokens(http_server) == ["Bearer tok-1"] * 6


async def test_a_sink_shares_the_source_token(http_server, context) -> None:
    http_server.route("/token", **token_reply("tok-1"))
    await fetch(context, http_server, oauth2(http_server))
    config = coerce_config(
        "http:sink", {"url": f"{http_server.url}/api/out", "auth": oauth2(http_server)}
    )
    request = NodeRequest(node_id="send", kind="http:sink", config=config, input={"a": 1})
    result = await HttpSinkRuntime().run(request, context)
    assert result["status"] == 200
    assert paths(http_server) == ["/token", "/api", "/api/out"]


async def test_a_different_scope_gets_its_own_token(http_server, context) -> None:
    respond_in_turn(http_server, "/token", token_reply("tok-read"), token_reply("tok-write"))
    await fetch(context, http_server, oauth2(http_server, scope="read"))
    await fetch(context, http_server, oauth2(http_server, scope="write"))
    await fetch(context, http_server, oauth2(http_server, scope="read"))
    assert api_tokens(http_server) == ["Bearer tok-read", "Bearer tok-write", "Bearer tok-read"]


@pytest.mark.parametrize(
    ("expires_in", "token_requests"),
    [(3600, 1), ("3600", 1), (None, 1), (60, 2), (30, 2)],
    ids=["an-hour", "numeric-string", "no-expiry-lasts-the-run", "at-the-margin", "short"],
)
async def test_a_token_is_renewed_60s_before_it_expires(
    http_server, context, expires_in, token_requests
) -> None:
    respond_in_turn(
        http_server, "/token", token_reply("tok-1", expires_in), token_reply("tok-2", expires_in)
    )
    await fetch(context, http_server, oauth2(http_server))
    await fetch(context, http_server, oauth2(http_server))
    assert paths(http_server).count("/token") == token_requests


async def test_expiry_follows_the_cache_clock(http_server, context) -> None:
    now = [1000.0]
    context.resources[TOKEN_CACHE_RESOURCE] = TokenCache(clock=lambda: now[0])
    respond_in_turn(http_server, "/token", token_reply("tok-1", 600), token_reply("tok-2", 600))
    await fetch(context, http_server, oauth2(http_server))
    now[0] += 539  # 600 s token, renewed from 540 s on
    await fetch(context, http_server, oauth2(http_server))
    now[0] += 1
    await fetch(context, http_server, oauth2(http_server))
    assert api_tokens(http_server) == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


async def test_a_401_renews_the_token_and_retries_once(http_server, context) -> None:
    respond_in_turn(http_server, "/token", token_reply("tok-old"), token_reply("tok-new"))
    respond_in_turn(http_server, "/api", {"status": 401}, {"body": {"items": [1]}})
    data = await fetch(context, http_server, oauth2(http_server))
    assert data == {"items": [1]}
    assert paths(http_server) == ["/token", "/api", "/token", "/api"]
    assert api_tokens(http_server) == ["Bearer tok-old", "Bearer tok-new"]
    await fetch(context, http_server, oauth2(http_server))  # the new token is the cached one
    assert api_tokens(http_server)[-1] == "Bearer tok-new"


async def test_a_second_401_fails_the_request(http_server, context) -> None:
    respond_in_turn(http_server, "/token", token_reply("tok-1"), token_reply("tok-2"))
    http_server.route("/api", status=401, body="bad token")
    with pytest.raises(NodeError) as info:
        await fetch(context, http_server, oauth2(http_server))
    error = info.value
    assert (error.type, error.status, error.retryable) == ("http.status", 401, False)
    assert paths(http_server) == ["/token", "/api", "/token", "/api"]
    assert "tok-1" not in error.message and "tok-2" not in error.message


# --------------------------------------------------------------- token endpoint failures


@pytest.mark.parametrize(
    ("reply", "retryable", "message"),
    [
        ({"status": 500, "body": "down"}, True, "refused client 'flow-client' with HTTP 500: down"),
        ({"status": 503, "body": {"error": "temporarily_unavailable"}}, True,
         "with HTTP 503: temporarily_unavailable"),
        ({"status": 400, "body": {"error": "invalid_client",
                                  "error_description": "Client authentication failed"}},
         False, "with HTTP 400: invalid_client: Client authentication failed"),
        ({"status": 401, "body": {"error": "invalid_client"}}, False,
         "with HTTP 401: invalid_client"),
        ({"status": 403, "body": ""}, False, "refused client 'flow-client' with HTTP 403"),
        ({"body": {"token_type": "Bearer"}}, False, "answered without an access_token"),
        ({"body": "not json"}, False, "answered without an access_token"),
    ],
    ids=["500", "503", "400-invalid-client", "401", "403-no-body", "no-access-token",
         "not-json"],
)  # fmt: skip
async def test_token_endpoint_failures_are_classified(
    http_server, context, reply, retryable, message
) -> None:
    http_server.route("/token", **reply)
    with pytest.raises(NodeError) as info:
        await fetch(context, http_server, oauth2(http_server))
    error = info.value
    assert (error.type, error.retryable) == ("auth.token", retryable)
    assert message in error.message
    assert error.details["tokenUrl"] == f"{http_server.url}/token"
    assert SECRET not in error.message + str(error.details)
    assert paths(http_server) == ["/token"]  # the API is never called without a token


async def test_a_429_from_the_token_endpoint_carries_retry_after(http_server, context) -> None:
    http_server.route("/token", status=429, headers={"Retry-After": "7"})
    with pytest.raises(NodeError) as info:
        await fetch(context, http_server, oauth2(http_server))
    error = info.value
    assert (error.type, error.retryable, error.retry_after) == ("auth.token", True, 7.0)
    assert error.details["retryAfter"] == 7.0


async def test_a_provider_echoing_the_secret_is_masked(http_server, context) -> None:
    http_server.route("/token", status=400, body={"error": f"bad secret {SECRET}"})
    with pytest.raises(NodeError) as info:
        await fetch(context, http_server, oauth2(http_server))
    assert info.value.message.endswith("with HTTP 400: bad secret ***")


async def test_an_unreachable_token_endpoint_is_http_connect(
    http_server, context, closed_port_url
) -> None:
    auth = {**oauth2(http_server), "token_url": f"{closed_port_url}token"}
    with pytest.raises(NodeError) as info:
        await fetch(context, http_server, auth)
    error = info.value
    assert (error.type, error.retryable) == ("http.connect", True)
    assert error.message.startswith(f"POST {closed_port_url}token could not connect")
    assert http_server.requests == []


async def test_a_failed_token_request_is_not_cached(http_server, context) -> None:
    respond_in_turn(http_server, "/token", {"status": 500}, token_reply("tok-1"))
    with pytest.raises(NodeError, match="HTTP 500"):
        await fetch(context, http_server, oauth2(http_server))
    assert await fetch(context, http_server, oauth2(http_server)) is not None
    assert api_tokens(http_server) == ["Bearer tok-1"]
