"""Retries, backoff and attempt timeouts inside the executor (execution.md §6.2, §6.3).

The ``flaky`` fake runtime fails ``fails`` times (with ``error-type``, ``retryable``,
``status``, ``retry-after``), then returns ``value`` (or ``"ok"``); it records every attempt.
A manual clock drives every backoff and timeout: nothing sleeps for real.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.execution import ManualClock, NodeRetrying, RetryConfig, RunWarning
from flowscript.execution.events import Event
from flowscript.runtimes.base import NodeRequest, RuntimeContext, RuntimeRegistry


@dataclass
class FlakyRuntime:
    kind: str = "transform:flaky"
    raw_fields: frozenset[str] = frozenset()
    seen: list[tuple[str, int, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        self.seen.append((request.node_id, request.attempt, request.input))
        self.counts[request.node_id] += 1
        await asyncio.sleep(0)
        config = request.config
        if self.counts[request.node_id] <= int(str(config.get("fails", "2"))):
            retry_after = config.get("retry-after")
            raise NodeError(
                str(config.get("error-type", "test.flaky")),
                str(config.get("message", f"{request.node_id} failed")),
                retryable=str(config.get("retryable", "true")) == "true",
                status=int(str(config["status"])) if "status" in config else None,
                retry_after=float(str(retry_after)) if retry_after is not None else None,
            )
        return config.get("value", "ok")

    def attempts(self, node_id: str) -> list[int]:
        return [attempt for node, attempt, _ in self.seen if node == node_id]


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


async def run_driven(run_flow: Any, clock: ManualClock, body: str, **kwargs: Any) -> Any:
    return await drive(clock, asyncio.ensure_future(run_flow(body, **kwargs)))


RETRY_THREE = '<on-error><retry max="3" delay="1s"/></on-error>'


async def test_a_runtime_that_fails_twice_then_succeeds_runs_three_times(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime
) -> None:
    events: list[Event] = []
    run = await run_driven(
        run_flow,
        clock,
        f"""
        <transform id="f" type="flaky" fails="2">{RETRY_THREE}</transform>
        <transform id="after" type="echo" input="f"/>
        """,
        input={"q": 1},
        observers=[events.append],
    )
    assert run.error is None
    assert flaky.seen == [("f", 1, {"q": 1}), ("f", 2, {"q": 1}), ("f", 3, {"q": 1})]
    result = run.state.node_results["f"]
    assert (result.status.value, result.output, result.attempts) == ("success", "ok", 3)
    assert run.output("after") == "ok"
    retries = [e for e in events if isinstance(e, NodeRetrying)]
    assert [(e.node_id, e.attempt) for e in retries] == [("f", 1), ("f", 2)]
    assert retries[0].error["type"] == "test.flaky" and retries[0].error["node"] == "f"
    assert 0 <= retries[0].delay <= 1 and 0 <= retries[1].delay <= 2


async def test_exhausted_retries_fail_the_node_with_the_attempt_count(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime
) -> None:
    run = await run_driven(
        run_flow,
        clock,
        '<transform id="f" type="flaky" fails="9"><on-error><retry max="2"/></on-error>'
        "</transform>",
    )
    assert run.error is not None and run.error.type == "test.flaky"
    assert flaky.attempts("f") == [1, 2, 3]
    result = run.state.node_results["f"]
    assert (result.status.value, result.attempts) == ("failed", 3)
    assert result.error is not None and result.error["attempts"] == 3
    assert run.state.error is not None and run.state.error["attempts"] == 3


async def test_non_retryable_errors_are_not_retried(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime
) -> None:
    run = await run_flow(
        f'<transform id="f" type="flaky" fails="1" retryable="false">{RETRY_THREE}</transform>'
    )
    assert run.error is not None
    assert flaky.attempts("f") == [1]
    assert run.state.node_results["f"].attempts == 1


async def test_no_policy_means_a_single_attempt(run_flow: Any, flaky: FlakyRuntime) -> None:
    run = await run_flow('<transform id="f" type="flaky" fails="1"/>')
    assert run.error is not None
    assert flaky.attempts("f") == [1]


async def test_frontmatter_runtime_retry_applies_to_every_data_node(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime
) -> None:
    run = await run_driven(
        run_flow,
        clock,
        """
        <transform id="a" type="flaky" fails="2"/>
        <transform id="b" type="flaky" fails="1" input="a"/>
        """,
        front="runtime:\n  retry: 2\n",
    )
    assert run.error is None
    assert (flaky.attempts("a"), flaky.attempts("b")) == ([1, 2, 3], [1, 2])


async def test_the_callers_default_retry_config_applies_without_a_node_policy(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime
) -> None:
    default = RetryConfig(max_retries=1, backoff="fixed", delay=5)
    run = await run_driven(
        run_flow,
        clock,
        """
        <transform id="a" type="flaky" fails="1"/>
        <transform id="b" type="flaky" fails="1"><on-error><retry max="0"/></on-error></transform>
        """,
        default_retry_config=default,
    )
    assert flaky.attempts("a") == [1, 2]
    assert flaky.attempts("b") == [1]  # its own <retry> wins over the caller's default
    assert run.error is not None and run.error.node == "b"


async def test_frontmatter_retry_wins_over_the_callers_default(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime
) -> None:
    await run_driven(
        run_flow,
        clock,
        '<transform id="a" type="flaky" fails="5"/>',
        front="runtime:\n  retry: 1\n",
        default_retry_config=RetryConfig(max_retries=4),
    )
    assert flaky.attempts("a") == [1, 2]


async def test_compact_retry_form_is_read(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime
) -> None:
    events: list[Event] = []
    run = await run_driven(
        run_flow,
        clock,
        """
        <transform id="a" type="flaky" fails="1">
          <retry>
            maxRetries: 1
            backoffBase: 500
          </retry>
        </transform>
        """,
        observers=[events.append],
    )
    assert run.error is None and flaky.attempts("a") == [1, 2]
    [retry] = [e for e in events if isinstance(e, NodeRetrying)]
    assert 0 <= retry.delay <= 0.5  # 500 ms base, first exponential step


async def test_retry_fields_may_be_templates(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime
) -> None:
    events: list[Event] = []
    body = """
    <transform id="a" type="flaky" fails="9">
      <on-error>
        <retry max="{{ $config.retries }}" backoff="{{ $config.kind }}" delay="{{ $config.wait }}"
               max-delay="{{ $config.cap }}"/>
      </on-error>
    </transform>
    """
    config = {"retries": 2, "kind": "linear", "wait": "10s", "cap": "15s"}
    await run_driven(run_flow, clock, body, config=config, observers=[events.append])
    assert flaky.attempts("a") == [1, 2, 3]
    delays = [e.delay for e in events if isinstance(e, NodeRetrying)]
    assert 8 <= delays[0] <= 12 and 15 * 0.8 <= delays[1] <= 15  # linear 10 s, 20 s → cap 15 s


async def test_a_bad_backoff_value_fails_the_node(run_flow: Any, flaky: FlakyRuntime) -> None:
    body = """
    <transform id="a" type="flaky"><on-error><retry backoff="{{ 'soon' }}"/></on-error></transform>
    """
    run = await run_flow(body)
    assert run.error is not None and run.error.type == "config.invalid"
    assert "retry backoff must be exponential, linear or fixed, not 'soon'" in run.error.message
    assert flaky.seen == []


async def test_when_expression_sees_the_error(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime
) -> None:
    body = """
    <transform id="teapot" type="flaky" fails="1" retryable="false" status="418">
      <on-error><retry when="$error.status == 418 &amp;&amp; $error.node == 'teapot'"/></on-error>
    </transform>
    <transform id="other" type="flaky" fails="1" retryable="false" status="400">
      <on-error><retry when="$error.status == 418"/></on-error>
    </transform>
    """
    run = await run_driven(run_flow, clock, body)
    assert flaky.attempts("teapot") == [1, 2]
    assert flaky.attempts("other") == [1]
    assert run.status("teapot") == "success" and run.status("other") == "failed"


async def test_when_always_retries_non_retryable_errors(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime
) -> None:
    body = """
    <transform id="a" type="flaky" fails="2" retryable="false">
      <on-error><retry when="always" max="2"/></on-error>
    </transform>
    """
    run = await run_driven(run_flow, clock, body)
    assert run.error is None and flaky.attempts("a") == [1, 2, 3]


async def test_a_when_expression_that_fails_is_a_warning_and_no_retry(
    run_flow: Any, flaky: FlakyRuntime
) -> None:
    events: list[Event] = []
    body = """
    <transform id="a" type="flaky" fails="1">
      <on-error><retry when="nope($error)"/></on-error>
    </transform>
    """
    run = await run_flow(body, observers=[events.append])
    assert run.error is not None and run.error.type == "test.flaky"
    assert flaky.attempts("a") == [1]
    [warning] = [e for e in events if isinstance(e, RunWarning)]
    assert warning.node_id == "a"
    assert "retry `when` could not be evaluated, not retrying" in warning.message


async def test_retry_events_mask_secret_values(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime
) -> None:
    events: list[Event] = []
    message = "token {{ $secrets.KEY }} refused"
    body = f'<transform id="a" type="flaky" fails="1" message="{message}">{RETRY_THREE}</transform>'
    await run_driven(run_flow, clock, body, secrets={"KEY": "s3cr3t"}, observers=[events.append])
    [retry] = [e for e in events if isinstance(e, NodeRetrying)]
    assert retry.error["message"] == "token *** refused"


async def test_retry_after_from_the_error_sets_the_wait(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime
) -> None:
    events: list[Event] = []
    body = """
    <transform id="a" type="flaky" fails="2" status="429" retry-after="90">
      <on-error><retry max="3" max-delay="60s"/></on-error>
    </transform>
    <transform id="b" type="flaky" fails="1" status="503" retry-after="7">
      <on-error><retry/></on-error>
    </transform>
    """
    run = await run_driven(run_flow, clock, body, observers=[events.append])
    assert run.error is None
    delays = {(e.node_id, e.attempt): e.delay for e in events if isinstance(e, NodeRetrying)}
    assert delays == {("a", 1): 60, ("a", 2): 60, ("b", 1): 7}


async def test_backoff_lends_the_concurrency_slot_to_other_nodes(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime, journal: Any, until: Any
) -> None:
    body = """
    <transform id="slow" type="flaky" fails="1">
      <on-error><retry delay="30s" backoff="fixed"/></on-error>
    </transform>
    <transform id="quick" type="echo" value="done"/>
    """
    task = asyncio.ensure_future(run_flow(body, max_concurrency=1))
    await clock.wait_for_sleepers(1)  # "slow" waits out its backoff …
    await until(lambda: journal.ended("quick"))  # … and "quick" ran meanwhile, on its slot
    assert flaky.attempts("slow") == [1]
    clock.advance_to_next()
    run = await task
    assert run.error is None and flaky.attempts("slow") == [1, 2]
    assert run.output("quick") == "done"


async def test_the_run_deadline_cuts_a_backoff_sleep(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime
) -> None:
    body = """
    <transform id="a" type="flaky" fails="9">
      <on-error><retry delay="100s" backoff="fixed"/></on-error>
    </transform>
    """
    task = asyncio.ensure_future(run_flow(body, timeout=5))
    await clock.wait_for_sleepers(2)  # the run deadline and the backoff
    clock.advance(5)
    run = await task
    assert run.error is not None and run.error.type == "WORKFLOW_TIMEOUT"
    result = run.state.node_results["a"]
    assert result.status.value == "failed" and result.attempts == 1
    assert result.error is not None and result.error["type"] == "WORKFLOW_TIMEOUT"
    assert clock.monotonic() == 5


async def test_retries_work_inside_foreach_bodies(
    run_flow: Any, clock: ManualClock, flaky: FlakyRuntime
) -> None:
    body = """
    <foreach id="each" collection="[1, 2]">
      <transform id="item-work" type="flaky" fails="1" value="{{ item * 10 }}">
        <on-error><retry max="1"/></on-error>
      </transform>
    </foreach>
    """
    run = await run_driven(run_flow, clock, body)
    assert run.error is None
    assert run.output("each") == [10, 20]
    assert run.state.node_results["item-work"].attempts == 1  # the second item: first try
    assert flaky.attempts("item-work") == [1, 2, 1]


# -- attempt timeouts (execution.md §6.3) ---------------------------------------------------


async def test_an_attempt_timeout_cancels_the_attempt_and_retries(
    run_flow: Any, clock: ManualClock, journal: Any, until: Any
) -> None:
    events: list[Event] = []
    body = """
    <transform id="slow" type="gate" timeout="2s">
      <on-error><retry max="1" delay="1s"/></on-error>
    </transform>
    """
    task = asyncio.ensure_future(run_flow(body, observers=[events.append]))
    await until(lambda: journal.waiting == ["slow"])
    await clock.wait_for_sleepers(1)
    clock.advance(2)  # the first attempt's deadline
    await until(lambda: journal.cancelled == ["slow"])
    assert "effect:slow" not in journal.log  # in-flight work was cancelled, not finished
    journal.open("slow")
    await clock.wait_for_sleepers(1)  # the backoff
    clock.advance_to_next()
    run = await task
    assert run.error is None
    assert journal.calls() == ["slow", "slow"]
    assert journal.log.count("effect:slow") == 1
    assert run.state.node_results["slow"].attempts == 2
    [retry] = [e for e in events if isinstance(e, NodeRetrying)]
    assert retry.error["type"] == "timeout.attempt" and retry.error["retryable"] is True


async def test_an_attempt_timeout_without_retries_fails_the_node(
    run_flow: Any, clock: ManualClock, journal: Any, until: Any
) -> None:
    task = asyncio.ensure_future(run_flow('<transform id="slow" type="gate" timeout="500"/>'))
    await until(lambda: journal.waiting == ["slow"])
    await clock.wait_for_sleepers(1)
    clock.advance(0.5)
    run = await task
    assert run.error is not None
    assert (run.error.type, run.error.retryable, run.error.node) == (
        "timeout.attempt",
        True,
        "slow",
    )
    assert run.error.message == "attempt 1 did not finish within 0.5s"
    assert journal.cancelled == ["slow"] and "effect:slow" not in journal.log


async def test_the_retry_timeout_bounds_attempts_and_the_attribute_wins(
    run_flow: Any, clock: ManualClock, journal: Any, until: Any
) -> None:
    body = """
    <transform id="a" type="gate"><on-error><retry max="0" timeout="3s"/></on-error></transform>
    <transform id="b" type="gate" timeout="1s">
      <on-error><retry max="0" timeout="3s"/></on-error>
    </transform>
    """
    task = asyncio.ensure_future(run_flow(body))
    await until(lambda: sorted(journal.waiting) == ["a", "b"])
    await clock.wait_for_sleepers(2)
    clock.advance(1)
    await until(lambda: journal.cancelled == ["b"])
    clock.advance(2)
    run = await task
    assert sorted(journal.cancelled) == ["a", "b"]
    assert run.state.node_results["a"].error["message"] == "attempt 1 did not finish within 3s"  # type: ignore[index]
    assert run.state.node_results["b"].error["message"] == "attempt 1 did not finish within 1s"  # type: ignore[index]


async def test_a_control_nodes_timeout_attribute_bounds_its_run(
    run_flow: Any, clock: ManualClock, journal: Any, until: Any
) -> None:
    body = """
    <loop id="poll" max="3" timeout="4s">
      <transform id="wait-for-it" type="gate"/>
    </loop>
    """
    task = asyncio.ensure_future(run_flow(body))
    await until(lambda: journal.waiting == ["wait-for-it"])
    await clock.wait_for_sleepers(1)
    clock.advance(4)
    run = await task
    assert run.error is not None
    assert (run.error.type, run.error.node) == ("timeout.attempt", "poll")
    assert run.error.message == "poll: did not finish within its timeout of 4s"
    assert journal.cancelled == ["wait-for-it"]
    inner = run.state.node_results["wait-for-it"]
    assert inner.status.value == "skipped"
    assert inner.details == {"cancelled": True, "reason": "timeout"}


async def test_control_nodes_are_not_retried_and_say_so(run_flow: Any, journal: Any) -> None:
    events: list[Event] = []
    body = """
    <loop id="twice" max="2">
      <on-error><retry max="3"/></on-error>
      <transform id="inner" type="fail"/>
    </loop>
    """
    run = await run_flow(body, observers=[events.append])
    assert run.error is not None and run.error.node == "inner"
    assert run.status("twice") == "failed"
    assert journal.calls() == ["inner"]
    assert [(e.node_id, e.message) for e in events if isinstance(e, RunWarning)] == [
        ("twice", "<loop> 'twice' is not retried: <retry> applies to data nodes only")
    ]
