"""Failure handling against a real local HTTP server (execution.md §6): a 500 then a 200,
``Retry-After``, an in-flight request cancelled by its attempt timeout, and whole
``.flow.md`` files run end to end with ``run_file`` (retry, fallback, on-workflow-error)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.execution import (
    ExecutionOptions,
    ExecutionState,
    ManualClock,
    NodeRetrying,
    RunStatus,
    run_file,
)
from flowscript.execution.events import Event
from flowscript.runtimes.base import RuntimeRegistry

SAFETY = 10  # seconds: a bound on waiting for real I/O, never a timing assertion


async def wait_for_backoff(clock: ManualClock) -> None:
    await asyncio.wait_for(clock.wait_for_sleepers(1), SAFETY)


async def test_an_http_500_then_200_is_retried_until_it_succeeds(
    run_flow: Any, clock: ManualClock, http_server: Any
) -> None:
    http_server.route("/items", status=500, body={"error": "boom"})
    events: list[Event] = []
    body = f"""
    <source id="api" type="http" url="{http_server.url}/items">
      <on-error><retry max="2" delay="1s"/></on-error>
    </source>
    """
    task = asyncio.ensure_future(
        run_flow(body, runtimes=RuntimeRegistry.default(), observers=[events.append])
    )
    await wait_for_backoff(clock)
    http_server.route("/items", status=200, body={"items": [1, 2]})
    clock.advance_to_next()
    run = await asyncio.wait_for(task, SAFETY)
    assert run.error is None
    assert run.output("api") == {"items": [1, 2]}
    assert run.state.node_results["api"].attempts == 2
    assert [r.path for r in http_server.requests] == ["/items", "/items"]
    [retry] = [e for e in events if isinstance(e, NodeRetrying)]
    assert (retry.error["type"], retry.error["status"]) == ("http.status", 500)


async def test_retry_after_from_a_503_sets_the_wait(
    run_flow: Any, clock: ManualClock, http_server: Any
) -> None:
    http_server.route("/busy", status=503, headers={"Retry-After": "7"})
    events: list[Event] = []
    body = f"""
    <source id="api" type="http" url="{http_server.url}/busy">
      <on-error><retry max="1"/></on-error>
    </source>
    """
    task = asyncio.ensure_future(
        run_flow(body, runtimes=RuntimeRegistry.default(), observers=[events.append])
    )
    await wait_for_backoff(clock)
    http_server.route("/busy", body="ready")
    assert clock.advance_to_next() == 7
    run = await asyncio.wait_for(task, SAFETY)
    assert run.output("api") == "ready"
    assert [e.delay for e in events if isinstance(e, NodeRetrying)] == [7]


async def test_the_attempt_timeout_interrupts_an_in_flight_request(
    run_flow: Any, clock: ManualClock, http_server: Any
) -> None:
    http_server.route("/slow", slow=True, body="late")
    body = f"""
    <source id="api" type="http" url="{http_server.url}/slow" timeout="5s">
      <on-error><retry max="1" backoff="fixed" delay="1s"/></on-error>
    </source>
    """
    task = asyncio.ensure_future(run_flow(body, runtimes=RuntimeRegistry.default()))
    assert await asyncio.to_thread(http_server.received.wait, SAFETY)
    await asyncio.wait_for(clock.wait_for_sleepers(1), SAFETY)
    clock.advance(5)  # the request is still in flight: the attempt is cancelled
    http_server.route("/slow", body="fast now")
    await wait_for_backoff(clock)
    clock.advance_to_next()
    run = await asyncio.wait_for(task, SAFETY)
    assert run.output("api") == "fast now"
    assert run.state.node_results["api"].attempts == 2


class InstantClock:
    """A fake clock for synchronous ``run_file`` tests: sleeping returns at once (time moves
    by the amount asked) and calls ``on_sleep`` first, so a test can change the world
    "while" the engine waits."""

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


RESILIENT_FLOW = """---
name: resilient
version: '1.0'
config:
  base:
    type: string
    required: true
---
<workflow>
  <source id="fetch" type="http" url="{{ $config.base }}/items">
    <on-error>
      <retry max="3" backoff="fixed" delay="2s"/>
    </on-error>
  </source>
  <source id="profile" type="http" url="{{ $config.base }}/profile">
    <on-error>
      <retry max="2"/>
      <fallback node="guest-profile"/>
    </on-error>
  </source>
  <transform id="guest-profile" type="template"
      template='{"name": "guest", "why": "{{ $primaryError }}", "status": {{ $error.status }}}'/>
  <transform id="summary" type="template" input="fetch, profile"
      template="{{ input.profile.name }} sees {{ length(input.fetch.items) }} items"/>
</workflow>

Notes for humans.
"""


def test_run_file_retries_and_falls_back_end_to_end(tmp_path: Path, http_server: Any) -> None:
    http_server.route("/items", status=500)
    http_server.route("/profile", status=404, body="no such profile")
    flow = tmp_path / "resilient.flow.md"
    flow.write_text(RESILIENT_FLOW, encoding="utf-8")

    def recover(seconds: float) -> None:
        http_server.route("/items", body={"items": ["a", "b", "c"]})

    clock = InstantClock(on_sleep=recover)
    options = ExecutionOptions(clock=clock, log_path=flow)
    state = run_file(flow, config={"base": http_server.url}, options=options)
    assert state.status is RunStatus.COMPLETED
    results = state.node_results
    assert results["summary"].output == "guest sees 3 items"
    assert (results["fetch"].status.value, results["fetch"].attempts) == ("success", 2)
    assert clock.slept == [pytest.approx(2, rel=0.2)]  # one fixed backoff before the retry
    profile = results["profile"]
    # 404 is not retryable: one attempt, then the fallback
    assert (profile.status.value, profile.attempts, profile.fallback) == (
        "recovered",
        1,
        "guest-profile",
    )
    assert profile.output["name"] == "guest" and profile.output["status"] == 404
    assert profile.output["why"] == (
        f"GET {http_server.url}/profile returned HTTP 404 Not Found: no such profile"
    )
    assert results["guest-profile"].fallback == "profile"
    assert [r.path for r in http_server.requests].count("/profile") == 1
    log = flow.read_text(encoding="utf-8")
    rows = [line.split("|")[1].strip() for line in log.splitlines() if line.startswith("| ")]
    assert "| profile | recovered |" in log
    assert rows.index("guest-profile") == rows.index("profile") + 1


FAILING_FLOW = """---
name: fragile
version: '1.0'
config:
  base:
    type: string
    required: true
runtime:
  retry: 1
---
<workflow>
  <source id="fetch" type="http" url="{{ $config.base }}/down"/>
  <on-workflow-error>
    <transform id="describe" type="template"
        template='{"node": "{{ $error.node }}", "type": "{{ $error.type }}",
                  "status": {{ $error.status }}, "attempts": {{ $error.attempts }}}'/>
    <sink id="report" type="file" path="error-report.json" input="describe"/>
  </on-workflow-error>
</workflow>
"""


def test_run_file_runs_workflow_error_handlers_and_still_raises(
    tmp_path: Path, http_server: Any
) -> None:
    http_server.route("/down", status=503)
    flow = tmp_path / "fragile.flow.md"
    flow.write_text(FAILING_FLOW, encoding="utf-8")
    seen: list[tuple[str | None, RunStatus]] = []

    def handler(error: NodeError, state: ExecutionState) -> None:
        seen.append((error.node, state.status))

    options = ExecutionOptions(clock=InstantClock(), error_handler=handler)
    with pytest.raises(NodeError, match="HTTP 503") as caught:
        run_file(flow, config={"base": http_server.url}, options=options, root=tmp_path)
    assert caught.value.node == "fetch"
    report = json.loads((tmp_path / "error-report.json").read_text(encoding="utf-8"))
    assert report == {"node": "fetch", "type": "http.status", "status": 503, "attempts": 2}
    assert seen == [("fetch", RunStatus.FAILED)]
    assert len(http_server.requests) == 2  # runtime.retry: 1 → two attempts
