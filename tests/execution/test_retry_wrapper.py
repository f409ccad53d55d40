"""``execute_with_retry`` (execution.md §6.2, §6.3, §11): the public retry wrapper, driven by a
manual clock (nothing sleeps for real)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.execution import (
    ManualClock,
    NodeRetrying,
    RetryConfig,
    execute_with_retry,
    is_retryable_error,
)


class Flaky:
    """Fails ``failures`` times with ``error``, then returns ``"ok"``; records attempt numbers."""

    def __init__(self, failures: int, error: Exception | None = None) -> None:
        self.failures = failures
        self.error = error or NodeError("http.status", "HTTP 503", retryable=True, status=503)
        self.attempts: list[int] = []

    async def __call__(self, attempt: int) -> str:
        self.attempts.append(attempt)
        await asyncio.sleep(0)
        if len(self.attempts) <= self.failures:
            raise self.error
        return "ok"


async def drive(clock: ManualClock, call: Awaitable[Any]) -> Any:
    """Run ``call``, advancing the clock to each sleeper until it finishes."""
    task = asyncio.ensure_future(call)
    while not task.done():
        waiter = asyncio.ensure_future(clock.wait_for_sleepers(1))
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if not task.done():
            clock.advance_to_next()
    return task.result()


async def test_fails_twice_then_succeeds_after_three_calls() -> None:
    clock = ManualClock()
    events: list[NodeRetrying] = []
    fn = Flaky(2)
    result = await drive(
        clock,
        execute_with_retry(
            fn, RetryConfig(max_retries=3), clock=clock, on_retry=events.append, node_id="n"
        ),
    )
    assert result == "ok"
    assert fn.attempts == [1, 2, 3]
    assert [event.attempt for event in events] == [1, 2]
    assert [event.node_id for event in events] == ["n", "n"]
    assert events[0].error == {
        "type": "http.status",
        "message": "HTTP 503",
        "retryable": True,
        "node": "n",
        "attempts": 1,
        "status": 503,
    }
    assert 0 <= events[0].delay <= 1.0
    assert 0 <= events[1].delay <= 2.0


async def test_backoff_waits_the_computed_delay_on_the_clock() -> None:
    clock = ManualClock()
    fn = Flaky(2)
    config = RetryConfig(backoff="fixed", delay=10, max_delay=60)
    result = await drive(clock, execute_with_retry(fn, config, clock=clock, rng=lambda: 0.5))
    assert result == "ok"
    assert clock.monotonic() == 20.0  # two waits of exactly 10 s (jitter factor 1.0)


async def test_exhausted_retries_raise_the_last_error_unchanged() -> None:
    clock = ManualClock()
    fn = Flaky(10)
    with pytest.raises(NodeError, match="HTTP 503") as caught:
        await drive(clock, execute_with_retry(fn, RetryConfig(max_retries=2), clock=clock))
    assert caught.value is fn.error
    assert fn.attempts == [1, 2, 3]


async def test_non_retryable_errors_are_not_retried() -> None:
    fn = Flaky(5, NodeError("http.status", "HTTP 404", retryable=False, status=404))
    with pytest.raises(NodeError, match="HTTP 404"):
        await execute_with_retry(fn, RetryConfig(max_retries=3), clock=ManualClock())
    assert fn.attempts == [1]


async def test_zero_retries_calls_once() -> None:
    fn = Flaky(1)
    with pytest.raises(NodeError):
        await execute_with_retry(fn, RetryConfig(max_retries=0), clock=ManualClock())
    assert fn.attempts == [1]


async def test_when_always_retries_foreign_exceptions() -> None:
    clock = ManualClock()
    fn = Flaky(1, ValueError("flaky bug"))
    config = RetryConfig(when="always", max_retries=1)
    assert await drive(clock, execute_with_retry(fn, config, clock=clock)) == "ok"
    assert fn.attempts == [1, 2]


async def test_when_expression_decides_with_error_bound() -> None:
    clock = ManualClock()
    fn = Flaky(1, NodeError("http.status", "HTTP 404", retryable=False, status=404))
    config = RetryConfig(when="$error.status == 404", max_retries=2)
    assert await drive(clock, execute_with_retry(fn, config, clock=clock)) == "ok"
    assert fn.attempts == [1, 2]


async def test_when_expression_error_stops_and_warns() -> None:
    warnings: list[str] = []
    fn = Flaky(1)
    config = RetryConfig(when="nope($error)")
    with pytest.raises(NodeError, match="HTTP 503"):
        await execute_with_retry(fn, config, clock=ManualClock(), on_warning=warnings.append)
    assert fn.attempts == [1]
    assert len(warnings) == 1 and "unknown function `nope`" in warnings[0]


async def test_retry_after_is_honoured_and_capped() -> None:
    clock = ManualClock()
    events: list[NodeRetrying] = []
    slow_down = NodeError("http.status", "HTTP 429", retryable=True, status=429, retry_after=7)
    too_long = NodeError("http.status", "HTTP 503", retryable=True, status=503, retry_after=900)
    errors = iter([slow_down, too_long])

    async def fn(attempt: int) -> str:
        error = next(errors, None)
        if error is not None:
            raise error
        return "done"

    config = RetryConfig(max_retries=3, max_delay=60)
    result = await drive(clock, execute_with_retry(fn, config, clock=clock, on_retry=events.append))
    assert result == "done"
    assert [event.delay for event in events] == [7, 60]
    assert clock.monotonic() == 67


async def test_on_fallback_receives_the_final_error_and_its_result_is_returned() -> None:
    fn = Flaky(5, NodeError("http.status", "HTTP 404", retryable=False))
    seen: list[Exception] = []

    def fallback(error: Exception) -> str:
        seen.append(error)
        return "cached"

    assert await execute_with_retry(fn, RetryConfig(), fallback, clock=ManualClock()) == "cached"
    assert seen == [fn.error]


async def test_an_async_on_fallback_is_awaited() -> None:
    async def fallback(error: Exception) -> str:
        return f"fallback for {error}"

    fn = Flaky(5, ValueError("bug"))
    result = await execute_with_retry(fn, RetryConfig(), fallback, clock=ManualClock())
    assert result == "fallback for bug"


async def test_the_attempt_timeout_cancels_the_attempt_and_retries() -> None:
    clock = ManualClock()
    release = asyncio.Event()
    seen: list[str] = []

    async def fn(attempt: int) -> str:
        if attempt == 1:
            try:
                await release.wait()
            except asyncio.CancelledError:
                seen.append("cancelled")
                raise
            seen.append("side effect")  # never reached: the attempt was cancelled
        return f"attempt {attempt}"

    events: list[NodeRetrying] = []
    config = RetryConfig(max_retries=1, timeout=5, backoff="fixed", delay=1)
    task = asyncio.ensure_future(
        execute_with_retry(fn, config, clock=clock, on_retry=events.append, rng=lambda: 0.5)
    )
    await clock.wait_for_sleepers(1)
    clock.advance(5)  # the first attempt's deadline passes
    await clock.wait_for_sleepers(1)  # the backoff
    assert seen == ["cancelled"]
    clock.advance_to_next()
    assert await task == "attempt 2"
    assert events[0].error["type"] == "timeout.attempt"
    assert events[0].error["retryable"] is True


async def test_an_attempt_timeout_without_retries_fails_with_timeout_attempt() -> None:
    clock = ManualClock()

    async def fn(attempt: int) -> str:
        await asyncio.Event().wait()
        return "never"

    task = asyncio.ensure_future(
        execute_with_retry(fn, RetryConfig(max_retries=0, timeout=2), clock=clock)
    )
    await clock.wait_for_sleepers(1)
    clock.advance(2)
    with pytest.raises(NodeError, match="attempt 1 did not finish within 2s") as caught:
        await task
    assert (caught.value.type, caught.value.retryable) == ("timeout.attempt", True)
    assert is_retryable_error(caught.value)


async def test_an_attempts_own_timeout_error_is_not_mistaken_for_the_deadline() -> None:
    async def fn(attempt: int) -> str:
        raise TimeoutError("upstream timed out")

    with pytest.raises(TimeoutError, match="upstream timed out"):
        await execute_with_retry(fn, RetryConfig(max_retries=0, timeout=10), clock=ManualClock())


async def test_cancellation_during_the_backoff_propagates_at_once() -> None:
    clock = ManualClock()
    fn = Flaky(5)
    task = asyncio.ensure_future(execute_with_retry(fn, RetryConfig(), clock=clock))
    await clock.wait_for_sleepers(1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert fn.attempts == [1]


async def test_a_custom_sleep_replaces_the_clock_sleep() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    fn = Flaky(2)
    config = RetryConfig(backoff="linear", delay=1)
    sleeper: Callable[[float], Awaitable[None]] = sleep
    assert await execute_with_retry(fn, config, sleep=sleeper, rng=lambda: 0.5) == "ok"
    assert waits == [1.0, 2.0]
