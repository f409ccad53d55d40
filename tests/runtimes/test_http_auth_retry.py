"""OAuth2 token failures under the engine's retry policy (execution.md §6.2): a token endpoint
500 is retried by the node's ``<retry>``, a refused client (401) is not. Whole ``.flow.md``
files run with ``run_file`` against the real local HTTP server, on an instant fake clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.execution import ExecutionOptions, RunStatus, run_file

SECRET = "client-secret-0042"

FLOW = """---
name: oauth2-retry
version: '1.0'
config:
  base:
    type: string
    required: true
secrets: [CLIENT_SECRET]
---
<workflow>
  <source id="items" type="http" url="{{ $config.base }}/api/items">
    <auth>
      type: oauth2
      token_url: "{{ $config.base }}/token"
      client_id: flow-client
      client_secret: "{{ $secrets.CLIENT_SECRET }}"
    </auth>
    <on-error><retry max="2" backoff="fixed" delay="1s"/></on-error>
  </source>
  <source id="more" type="http" input="items" url="{{ $config.base }}/api/more">
    <auth>
      type: oauth2
      token_url: "{{ $config.base }}/token"
      client_id: flow-client
      client_secret: "{{ $secrets.CLIENT_SECRET }}"
    </auth>
  </source>
</workflow>
"""


class InstantClock:
    """Sleeping returns at once after calling ``on_sleep`` (the world changes "meanwhile")."""

    def __init__(self, on_sleep: Callable[[float], None] = lambda seconds: None) -> None:
        self.slept: list[float] = []
        self.on_sleep = on_sleep
        self._elapsed = 0.0

    def now(self) -> int:
        return 1_700_000_000_000 + round(self._elapsed * 1000)

    def monotonic(self) -> float:
        return self._elapsed

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.on_sleep(seconds)
        self._elapsed += seconds
        await asyncio.sleep(0)


def _run(tmp_path: Path, server: Any, clock: InstantClock) -> Any:
    flow = tmp_path / "oauth2.flow.md"
    flow.write_text(FLOW, encoding="utf-8")
    env_file = tmp_path / "secrets.env"
    env_file.write_text(f"CLIENT_SECRET={SECRET}\n", encoding="utf-8")
    options = ExecutionOptions(clock=clock)
    return run_file(
        flow, config={"base": server.url}, options=options, root=tmp_path, env_file=env_file
    )


def test_a_token_endpoint_500_is_retried_by_the_node_policy(
    tmp_path: Path, http_server: Any
) -> None:
    http_server.route("/token", status=500, body="maintenance")
    http_server.route("/api/items", body={"items": [1, 2]})
    http_server.route("/api/more", body={"more": True})

    def recover(seconds: float) -> None:
        http_server.route("/token", body={"access_token": "tok-1", "expires_in": 3600})

    clock = InstantClock(on_sleep=recover)
    state = _run(tmp_path, http_server, clock)
    assert state.status is RunStatus.COMPLETED
    items = state.node_results["items"]
    assert (items.attempts, items.output) == (2, {"items": [1, 2]})
    assert state.node_results["more"].output == {"more": True}
    assert clock.slept == [pytest.approx(1, rel=0.2)]
    # two token requests for the first node (500, then 200); the second node reuses the token
    assert [r.path for r in http_server.requests] == ["/token", "/token", "/api/items", "/api/more"]


def test_a_refused_client_is_not_retried(tmp_path: Path, http_server: Any) -> None:
    http_server.route("/token", status=401, body={"error": "invalid_client"})
    clock = InstantClock()
    with pytest.raises(NodeError) as info:
        _run(tmp_path, http_server, clock)
    error = info.value
    assert (error.node, error.type, error.retryable) == ("items", "auth.token", False)
    assert error.message == (
        f"the token endpoint {http_server.url}/token refused client 'flow-client' "
        "with HTTP 401: invalid_client"
    )
    assert clock.slept == []
    assert [r.path for r in http_server.requests] == ["/token"]
