"""The HTTP source and sink runtimes (runtimes.md §2).

Requests go through the run's shared client (``context.http``: one connection pool per run).
The request is built from the coerced config (:func:`build_request`), sent under a total
deadline, and the response is decoded (JSON when it says or parses as JSON, else text).
httpx exceptions become node errors at exactly one boundary, :meth:`_HttpRuntime._send`.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import NodeError
from flowscript.expressions.values import UNDEFINED, to_json, to_string
from flowscript.runtimes._auth import OAuth2Credentials, StaticAuth, parse_auth
from flowscript.runtimes._http_errors import (
    status_error,
    timeout_error,
    translate_transport_error,
)
from flowscript.runtimes.base import NodeRequest, RuntimeContext

if TYPE_CHECKING:
    import httpx

__all__ = ["HttpRequestSpec", "HttpSinkRuntime", "HttpSourceRuntime", "build_request"]

DEFAULT_TIMEOUT_MS: Final = 30_000.0
_METHODS: Final = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"})
_BODYLESS: Final = frozenset({"GET", "HEAD"})
_STATUS_RANGE: Final = re.compile(r"([1-5])xx", re.IGNORECASE)
_STATUS_SPAN: Final = re.compile(r"(\d{3})\s*-\s*(\d{3})")


def _invalid(message: str) -> NodeError:
    return NodeError("config.invalid", message, retryable=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpRequestSpec:
    """One HTTP request, ready to send.

    Attributes:
        method: upper-case method.
        url: absolute URL.
        headers: request headers (auth included).
        params: query parameters as ``(name, value)`` pairs.
        content: body bytes, or ``None``.
        timeout_ms: total time allowed for the exchange.
        follow_redirects: follow 3xx responses.
        expect: accepted statuses as inclusive ranges.
        extract: JMESPath applied to the response data, or ``None``.
        oauth2: the OAuth2 client whose token authorises the request, or ``None``.
        masked_params: query parameters holding credentials (masked in messages).
    """

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    params: tuple[tuple[str, str], ...] = ()
    content: bytes | None = None
    timeout_ms: float = DEFAULT_TIMEOUT_MS
    follow_redirects: bool = True
    expect: tuple[tuple[int, int], ...] = ((200, 299),)
    extract: str | None = None
    oauth2: OAuth2Credentials | None = field(default=None, repr=False)
    masked_params: frozenset[str] = frozenset()

    def accepts(self, status: int) -> bool:
        """True when ``status`` is one of the accepted codes."""
        return any(low <= status <= high for low, high in self.expect)


# ------------------------------------------------------------------------- request building


def _scalar_text(value: Any) -> str:
    if isinstance(value, list | dict):
        return to_json(value)
    return to_string(value)


def _headers(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _invalid("field 'headers': expected a map of header names to values")
    return {
        str(k): _scalar_text(v) for k, v in value.items() if v is not None and v is not UNDEFINED
    }


def _params(value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise _invalid("field 'params': expected a map of parameter names to values")
    pairs: list[tuple[str, str]] = []
    for key, item in value.items():
        items = item if isinstance(item, list) else [item]
        pairs.extend(
            (str(key), _scalar_text(v)) for v in items if v is not None and v is not UNDEFINED
        )
    return pairs


def _expect_item(item: Any) -> tuple[int, int]:
    if isinstance(item, int) and not isinstance(item, bool):
        return (item, item)
    text = str(item).strip()
    if match := _STATUS_RANGE.fullmatch(text):
        low = int(match.group(1)) * 100
        return (low, low + 99)
    if match := _STATUS_SPAN.fullmatch(text):
        return (int(match.group(1)), int(match.group(2)))
    if text.isdigit() and len(text) == 3:
        return (int(text), int(text))
    raise _invalid(f"field 'expect': {text!r} is not a status code, a range like 2xx, or 200-204")


def parse_expect(value: Any) -> tuple[tuple[int, int], ...]:
    """Accepted statuses from ``expect``: codes, ``2xx``-style classes or ``200-204`` spans."""
    if value is None:
        return ((200, 299),)
    items = value if isinstance(value, list) else str(value).split(",")
    ranges = tuple(_expect_item(item) for item in items if str(item).strip())
    return ranges or ((200, 299),)


def _body(value: Any, headers: dict[str, str]) -> bytes | None:
    """Encode the body; sets a content type unless the headers already have one."""
    if value is UNDEFINED:
        return None
    has_type = any(name.lower() == "content-type" for name in headers)
    if isinstance(value, str):
        if not has_type:
            headers["Content-Type"] = _text_content_type(value)
        return value.encode()
    if not has_type:
        headers["Content-Type"] = "application/json"
    return to_json(value).encode()


def _text_content_type(text: str) -> str:
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            json.loads(stripped)
        except ValueError:
            pass
        else:
            return "application/json"
    return "text/plain; charset=utf-8"


def _timeout_ms(request: NodeRequest) -> float:
    """The config ``timeout``; when the node only has a per-attempt ``timeout`` attribute, that
    one, so a node allowed 60 s is not cut at the 30 s request default."""
    node = request.node
    explicit = node is None or "timeout" in node.config
    if not explicit and node is not None and node.timeout is not None:
        from flowscript.model.durations import parse_duration

        try:
            return float(parse_duration(node.timeout.value))
        except ValueError:
            pass
    value = request.config.get("timeout", DEFAULT_TIMEOUT_MS)
    return float(value) if isinstance(value, int | float) else DEFAULT_TIMEOUT_MS


def build_request(request: NodeRequest, *, default_method: str, sink: bool) -> HttpRequestSpec:
    """Turn a node's coerced config (and, for sinks, its input) into a request.

    Raises:
        NodeError: ``config.invalid`` for a missing URL, an unknown method, bad auth or expect.
    """
    config = request.config
    url = config.get("url")
    if not isinstance(url, str) or not url.strip():
        raise _invalid("field 'url': a URL is required")
    method = str(config.get("method") or default_method).upper()
    if method not in _METHODS:
        raise _invalid(f"field 'method': {method!r} is not one of {', '.join(sorted(_METHODS))}")
    auth = parse_auth(config.get("auth"))
    static = auth if isinstance(auth, StaticAuth) else StaticAuth()
    headers = {**_headers(config.get("headers")), **static.headers}
    if sink and request.run_id and not any(k.lower() == "idempotency-key" for k in headers):
        # The same for every attempt of this node in this run: a receiver can drop repeats.
        headers["Idempotency-Key"] = request.idempotency_key
    if "body" in config:
        body = config["body"]  # an explicit body that rendered to undefined sends none
    elif sink and method not in _BODYLESS:
        body = request.input
    else:
        body = UNDEFINED
    extract = config.get("extract")
    return HttpRequestSpec(
        method=method,
        url=url.strip(),
        headers=headers,
        params=(*_params(config.get("params")), *static.params),
        content=_body(body, headers),
        timeout_ms=_timeout_ms(request),
        follow_redirects=config.get("follow-redirects", True) is not False,
        expect=parse_expect(config.get("expect")),
        extract=extract if isinstance(extract, str) and extract.strip() else None,
        oauth2=auth if isinstance(auth, OAuth2Credentials) else None,
        masked_params=frozenset(name for name, _ in static.params),
    )


# ------------------------------------------------------------------------------- responses


def decode_body(response: httpx.Response, warn: Callable[[str], None] | None = None) -> Any:
    """JSON when the content type says so or the body parses as JSON, else the text.

    An empty body is ``None``. A body declared as JSON that does not parse is returned as
    text, with a warning through ``warn``.
    """
    text = response.text
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        content_type = response.headers.get("content-type", "").lower()
        if warn is not None and "json" in content_type:
            warn(f"the response says {content_type} but is not valid JSON ({exc}); kept as text")
        return text


@lru_cache(maxsize=256)
def _compiled_jmespath(expression: str) -> Any:
    import jmespath

    return jmespath.compile(expression)


def apply_extract(data: Any, expression: str | None) -> Any:
    """Apply the ``extract`` JMESPath expression (``config.invalid`` when it is malformed)."""
    if expression is None:
        return data
    import jmespath.exceptions

    try:
        return _compiled_jmespath(expression).search(data)
    except jmespath.exceptions.JMESPathError as exc:
        raise _invalid(f"field 'extract': invalid JMESPath {expression!r}: {exc}") from exc


class _HttpRuntime:
    """Shared behaviour of the HTTP source and sink."""

    kind = ""
    default_method = "GET"
    is_sink = False
    raw_fields: frozenset[str] = frozenset()

    async def _send(
        self, spec: HttpRequestSpec, context: RuntimeContext, token: str | None = None
    ) -> httpx.Response:
        import httpx

        bearer = {} if token is None else {"Authorization": f"Bearer {token}"}
        headers = {**spec.headers, **bearer}
        try:
            async with asyncio.timeout(spec.timeout_ms / 1000):
                url = httpx.URL(spec.url)
                if spec.params:
                    # Added to the URL's own query (same names replaced), not replacing it.
                    url = url.copy_merge_params(spec.params)
                return await context.http.request(
                    spec.method,
                    url,
                    headers=headers,
                    content=spec.content,
                    follow_redirects=spec.follow_redirects,
                    timeout=httpx.Timeout(spec.timeout_ms / 1000),
                )
        except TimeoutError as exc:
            raise timeout_error(spec.method, spec.url, spec.timeout_ms) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise translate_transport_error(exc, spec.method, spec.url) from exc

    async def _send_authorized(
        self, spec: HttpRequestSpec, context: RuntimeContext
    ) -> httpx.Response:
        """Send, with an OAuth2 token when the request uses oauth2 (renewed once on a 401)."""
        credentials = spec.oauth2
        if credentials is None:
            return await self._send(spec, context)
        from flowscript.runtimes._oauth2 import send_with_token

        async def send(token: str) -> httpx.Response:
            return await self._send(spec, context, token)

        timeout_s = spec.timeout_ms / 1000
        return await send_with_token(context, credentials, send, timeout_s=timeout_s)

    async def _exchange(
        self, request: NodeRequest, context: RuntimeContext
    ) -> tuple[httpx.Response, Any]:
        spec = build_request(request, default_method=self.default_method, sink=self.is_sink)
        response = await self._send_authorized(spec, context)
        if not spec.accepts(response.status_code):
            url = _masked_url(response.request.url, spec.masked_params)
            raise status_error(response, spec.method, url)
        data = decode_body(response, lambda text: context.warn(f"node {request.node_id}: {text}"))
        return response, apply_extract(data, spec.extract)


class HttpSourceRuntime(_HttpRuntime):
    """``<source type="http">``: the output is the response data (after ``extract``)."""

    kind = "http:source"
    default_method = "GET"

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        """Send the request and return the decoded response body."""
        _, data = await self._exchange(request, context)
        return data


class HttpSinkRuntime(_HttpRuntime):
    """``<sink type="http">``: sends the input by default; output ``{status, headers, body}``."""

    kind = "http:sink"
    default_method = "POST"
    is_sink = True

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        """Send the request and return status, headers and the decoded body."""
        response, data = await self._exchange(request, context)
        return {"status": response.status_code, "headers": _header_map(response), "body": data}


def _header_map(response: httpx.Response) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def _masked_url(url: httpx.URL, masked: frozenset[str]) -> str:
    """The URL as shown in messages: credential parameters (an api-key in the query) masked."""
    if not masked or not any(name in masked for name in url.params):
        return str(url)
    from urllib.parse import quote

    pairs = [
        f"{quote(name, safe='')}={'***' if name in masked else quote(value, safe='')}"
        for name, value in url.params.multi_items()
    ]
    return str(url.copy_with(query="&".join(pairs).encode()))
