"""One chat-completion call over the run's HTTP client, through the record/replay cache.

No SDK: a POST of JSON to ``{base_url}/chat/completions`` with ``Authorization: Bearer``.
The engine owns retries, so a call is made exactly once; failures become node errors in
:mod:`._errors`. An endpoint that answers 400/422 about tools raises :class:`ToolsRejected`,
so the caller can retry the same call in JSON mode.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flowscript.runtimes.ai._errors import (
    malformed_response,
    rejects_tools,
    status_error,
    transport_error,
)
from flowscript.runtimes.ai.cache import cache_key, read_cached, write_cached

if TYPE_CHECKING:
    import httpx

    from flowscript.runtimes.ai.conversation import AiCall
    from flowscript.runtimes.base import RuntimeContext

__all__ = ["Completion", "ToolsRejected", "complete"]


class ToolsRejected(Exception):
    """The endpoint refused a request with ``tools`` (it cannot call functions)."""


@dataclass(frozen=True, slots=True)
class Completion:
    """A chat-completion response body and whether it was replayed from the cache."""

    data: dict[str, Any]
    cached: bool


async def complete(call: AiCall, body: Mapping[str, Any], context: RuntimeContext) -> Completion:
    """Answer ``body`` from the cache, else over HTTP (recording the answer when caching).

    Raises:
        ToolsRejected: the endpoint rejected ``tools``.
        NodeError: ``ai.auth``, ``ai.rate_limited``, ``ai.server``, ``ai.request``,
            ``ai.response``, ``ai.connect``, ``ai.read`` or ``timeout.attempt``.
    """
    key = cache_key(call.base_url, body) if call.cache_dir else None
    if key is not None and call.cache_dir is not None:
        recorded = await asyncio.to_thread(read_cached, call.cache_dir, key)
        if recorded is not None:
            return Completion(recorded, cached=True)
    response = await _post(call, body, context)
    if not response.is_success:
        if "tools" in body and rejects_tools(response):
            raise ToolsRejected(response.text)
        raise status_error(response, call.url)
    data = _decode(response, call.url)
    if key is not None and call.cache_dir is not None:
        try:
            await asyncio.to_thread(write_cached, call.cache_dir, key, call.base_url, data)
        except OSError as exc:
            context.warn(f"node {call.node_id}: could not record the AI response: {exc}")
    return Completion(data, cached=False)


def _headers(call: AiCall) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if call.api_key:
        headers["Authorization"] = f"Bearer {call.api_key}"
    return headers


async def _post(call: AiCall, body: Mapping[str, Any], context: RuntimeContext) -> httpx.Response:
    import httpx

    content = json.dumps(body, ensure_ascii=False).encode()
    seconds = call.timeout_ms / 1000
    try:
        async with asyncio.timeout(seconds):
            return await context.http.post(
                call.url,
                content=content,
                headers=_headers(call),
                timeout=httpx.Timeout(seconds),
            )
    except (TimeoutError, httpx.HTTPError, httpx.InvalidURL) as exc:
        raise transport_error(exc, call.url, call.timeout_ms) from exc


def _decode(response: httpx.Response, url: str) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as exc:
        raise malformed_response(url, f"the body is not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise malformed_response(url, "the body is not a JSON object")
    return data
