"""Fallback nodes (execution.md §6.4): run after retries are exhausted, with the primary's error
in scope; success makes the primary ``recovered``, failure becomes the primary's ``cause``."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.execution import ManualClock, NodeCompleted, NodeFailed, RunWarning
from flowscript.execution.events import Event
from flowscript.reporting.log import format_execution_log
from flowscript.runtimes.base import NodeRequest, RuntimeContext, RuntimeRegistry


@dataclass
class FlakyRuntime:
    """Fails ``fails`` times (retryable), then returns ``value`` (or ``"ok"``)."""

    kind: str = "transform:flaky"
    raw_fields: frozenset[str] = frozenset()
    counts: Counter[str] = field(default_factory=Counter)

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        self.counts[request.node_id] += 1
        await asyncio.sleep(0)
        if self.counts[request.node_id] <= int(str(request.config.get("fails", "2"))):
            message = str(request.config.get("message", f"{request.node_id} failed"))
            raise NodeError("test.flaky", message, retryable=True, status=503)
        return request.config.get("value", "ok")


@pytest.fixture
def flaky(registry: RuntimeRegistry) -> FlakyRuntime:
    runtime = FlakyRuntime()
    registry.register(runtime)
    return runtime


async def drive(clock: ManualClock, task: asyncio.Future[Any]) -> Any:
    """Advance the clock to each pending sleeper until ``task`` finishes."""
    while not task.done():
        waiter = asyncio.ensure_future(clock.wait_for_sleepers(1))
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if not task.done():
            clock.advance_to_next()
    return task.result()


PRIMARY_WITH_FALLBACK = """
<transform id="primary" type="flaky" fails="9" message="upstream down">
  <on-error>
    <retry max="2" delay="1s"/>
    <fallback node="cached"/>
  </on-error>
</transform>
<transform id="cached" type="echo" value="VALUE"/>
<transform id="after" type="echo" input="primary"/>
""".replace(
    "VALUE",
    "{{ $primaryError }} | {{ $primaryInput.q }} | {{ $error.type }} | {{ $error.attempts }}"
    " | {{ $error.node }}",
)


async def test_fallback_runs_after_retries_with_the_primary_error_in_scope(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime, journal: Any
) -> None:
    events: list[Event] = []
    task = asyncio.ensure_future(
        run_flow(PRIMARY_WITH_FALLBACK, input={"q": "why"}, observers=[events.append])
    )
    run = await drive(clock, task)
    assert run.error is None
    assert flaky.counts["primary"] == 3  # every retry happened before the fallback ran
    expected = "upstream down | why | test.flaky | 3 | primary"
    primary = run.state.node_results["primary"]
    assert (primary.status.value, primary.output, primary.fallback) == (
        "recovered",
        expected,
        "cached",
    )
    assert primary.attempts == 3 and primary.error is None
    cached = run.state.node_results["cached"]
    assert (cached.status.value, cached.output, cached.fallback) == ("success", expected, "primary")
    assert cached.details == {"fallbackFor": "primary"}
    assert run.output("after") == expected
    assert journal.calls() == ["cached", "after"]  # the handler ran once
    completed = [(e.node_id, e.status) for e in events if isinstance(e, NodeCompleted)]
    assert completed == [("cached", "success"), ("primary", "recovered"), ("after", "success")]


async def test_a_fallback_never_runs_when_its_primary_succeeds(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime, journal: Any
) -> None:
    body = PRIMARY_WITH_FALLBACK.replace('fails="9"', 'fails="1"')
    run = await drive(clock, asyncio.ensure_future(run_flow(body, input={"q": 1})))
    assert run.status("primary") == "success"
    assert run.status("cached") is None
    assert journal.calls() == ["after"]


async def test_the_fallback_uses_its_own_input_when_it_has_one(run_flow: Any) -> None:
    run = await run_flow(
        """
        <transform id="source" type="echo" value="from source"/>
        <transform id="primary" type="fail" input="source">
          <on-error><fallback node="rescue"/></on-error>
        </transform>
        <transform id="rescue" type="echo" input="source"/>
        <transform id="plain" type="echo" value="{{ $primaryInput }}"/>
        """,
    )
    assert run.error is None
    assert run.output("primary") == "from source"
    assert run.output("rescue") == "from source"


async def test_the_fallback_without_input_gets_the_primarys_input(
    run_flow: Any, journal: Any
) -> None:
    run = await run_flow(
        """
        <transform id="source" type="echo" value="{{ [1, 2] }}"/>
        <transform id="primary" type="fail" input="source">
          <on-error><fallback node="rescue"/></on-error>
        </transform>
        <transform id="rescue" type="echo"/>
        """,
    )
    assert run.output("primary") == [1, 2]
    assert journal.inputs["rescue"] == [1, 2]


async def test_a_failing_fallback_becomes_the_primarys_cause(run_flow: Any) -> None:
    run = await run_flow(
        """
        <transform id="primary" type="fail" error-type="http.status" message="HTTP 500">
          <on-error><fallback node="rescue"/></on-error>
        </transform>
        <transform id="rescue" type="fail" error-type="file.not_found" message="no cache"/>
        <transform id="after" type="echo" input="primary"/>
        """,
    )
    assert run.error is not None
    assert (run.error.type, run.error.message, run.error.node) == (
        "http.status",
        "HTTP 500",
        "primary",
    )
    assert run.error.cause is not None
    assert (run.error.cause.type, run.error.cause.node) == ("file.not_found", "rescue")
    primary = run.state.node_results["primary"]
    assert primary.status.value == "failed"
    assert primary.error is not None
    assert primary.error["details"] == {"fallback": "rescue"}
    assert primary.error["cause"]["type"] == "file.not_found"
    assert primary.error["cause"]["message"] == "no cache"
    rescue = run.state.node_results["rescue"]
    assert (rescue.status.value, rescue.fallback) == ("failed", "primary")
    assert run.status("after") is None
    assert run.state.error is not None and run.state.error["node"] == "primary"


async def test_fallback_chains_run_in_order(run_flow: Any, journal: Any) -> None:
    events: list[Event] = []
    run = await run_flow(
        """
        <transform id="primary" type="fail"><on-error><fallback node="second"/></on-error>
        </transform>
        <transform id="second" type="fail"><on-error><fallback node="third"/></on-error></transform>
        <transform id="third" type="echo" value="last resort: {{ $primaryError }}"/>
        """,
        observers=[events.append],
    )
    assert run.error is None
    # The innermost handler sees the error of the node it directly serves.
    assert run.output("primary") == "last resort: second failed"
    results = run.state.node_results
    assert (results["primary"].status.value, results["primary"].fallback) == ("recovered", "second")
    assert (results["second"].status.value, results["second"].fallback) == ("recovered", "third")
    assert results["second"].details == {"fallbackFor": "primary"}
    assert (results["third"].status.value, results["third"].fallback) == ("success", "second")
    assert journal.calls() == ["primary", "second", "third"]
    assert not [e for e in events if isinstance(e, NodeFailed)]
    log = format_execution_log(run.state, workflow_name="test-flow")
    rows = [line.split("|")[1].strip() for line in log.splitlines() if line.startswith("| ")]
    assert rows[1:4] == ["primary", "second", "third"]  # each rescued node, then its fallback


async def test_a_fallback_with_its_own_retries(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime
) -> None:
    body = """
    <transform id="primary" type="fail"><on-error><fallback node="rescue"/></on-error></transform>
    <transform id="rescue" type="flaky" fails="2" value="second wind">
      <on-error><retry max="2"/></on-error>
    </transform>
    """
    run = await drive(clock, asyncio.ensure_future(run_flow(body)))
    assert run.output("primary") == "second wind"
    assert flaky.counts["rescue"] == 3
    assert run.state.node_results["rescue"].attempts == 3


async def test_a_handler_never_runs_twice_for_one_failure(run_flow: Any, journal: Any) -> None:
    events: list[Event] = []
    # A fallback cycle is a validation error; the executor still stays finite without it.
    run = await run_flow(
        """
        <transform id="p" type="fail"><on-error><fallback node="a"/></on-error></transform>
        <transform id="a" type="fail"><on-error><fallback node="b"/></on-error></transform>
        <transform id="b" type="fail"><on-error><fallback node="a"/></on-error></transform>
        """,
        observers=[events.append],
    )
    assert journal.calls() == ["p", "a", "b"]
    assert run.error is not None and run.error.node == "p"
    assert run.error.cause is not None and run.error.cause.node == "a"
    assert run.error.cause.cause is not None and run.error.cause.cause.node == "b"
    warnings = [e.message for e in events if isinstance(e, RunWarning)]
    assert warnings == ["fallback 'a' of 'b' is already handling this failure; not run"]


async def test_an_unknown_fallback_is_a_warning_and_the_node_fails(run_flow: Any) -> None:
    events: list[Event] = []
    run = await run_flow(
        '<transform id="a" type="fail"><on-error><fallback node="ghost"/></on-error></transform>',
        observers=[events.append],
    )
    assert run.error is not None and (run.error.node, run.error.cause) == ("a", None)
    assert [e.message for e in events if isinstance(e, RunWarning)] == [
        "fallback 'ghost' of 'a' does not exist; not run"
    ]


async def test_fallbacks_work_inside_foreach_bodies(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        """
        <foreach id="each" collection="[1, 2, 3]">
          <transform id="work" type="fail" message="item {{ item }} broke">
            <on-error><fallback node="spare"/></on-error>
          </transform>
          <transform id="spare" type="echo" value="{{ item }}: {{ $primaryError }}"/>
          <transform id="next" type="echo" input="work"/>
        </foreach>
        """,
    )
    assert run.error is None
    assert run.output("each") == ["1: item 1 broke", "2: item 2 broke", "3: item 3 broke"]
    assert journal.calls().count("spare") == 3
    assert run.status("work") == "recovered"


async def test_a_fallback_does_not_deadlock_on_a_single_slot(run_flow: Any) -> None:
    run = await run_flow(
        """
        <transform id="a" type="fail"><on-error><fallback node="b"/></on-error></transform>
        <transform id="b" type="echo" value="spare"/>
        <transform id="c" type="echo" input="a"/>
        """,
        max_concurrency=1,
    )
    assert run.error is None and run.output("c") == "spare"


async def test_control_nodes_can_fall_back_and_be_fallbacks(run_flow: Any) -> None:
    run = await run_flow(
        """
        <loop id="attempts" max="2">
          <on-error><fallback node="recover"/></on-error>
          <transform id="inner" type="fail" message="inner broke"/>
        </loop>
        <if id="recover" condition="$error.node == 'attempts'">
          <then>
            <transform id="nested" type="echo" value="nested sees: {{ $primaryError }}"/>
          </then>
        </if>
        <transform id="after" type="echo" input="attempts"/>
        """,
    )
    assert run.error is None
    assert run.output("attempts") == "nested sees: inner broke"
    assert run.output("after") == "nested sees: inner broke"
    assert run.status("inner") == "failed"
    assert run.state.node_results["recover"].fallback == "attempts"
