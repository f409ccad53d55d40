"""Workflow-level error handling (execution.md §6.6): ``<on-workflow-error>`` nodes and the
``error_handler`` callback run once when a run fails; ``execute`` still raises the original
error."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.execution import (
    ExecutionState,
    ManualClock,
    NodeCompleted,
    RetryConfig,
    RunStatus,
    RunWarning,
)
from flowscript.execution.events import Event

FAILING_FLOW = """
<transform id="ok" type="echo" value="fine"/>
<transform id="fetch" type="fail" error-type="http.status" message="HTTP 500" input="ok"/>
<transform id="never" type="echo" input="fetch"/>
<on-workflow-error>
  <transform id="notify" type="echo"
      value="{{ $error.node }}: {{ $error.message }} ({{ $error.type }}) after {{ ok }}"/>
  <transform id="notified" type="echo" input="notify"/>
</on-workflow-error>
"""


async def test_on_workflow_error_nodes_run_with_error_bound(run_flow: Any) -> None:
    events: list[Event] = []
    run = await run_flow(FAILING_FLOW, observers=[events.append])
    assert run.error is not None
    assert (run.error.type, run.error.node, run.error.message) == (
        "http.status",
        "fetch",
        "HTTP 500",
    )
    assert run.state.status is RunStatus.FAILED
    assert run.output("notify") == "fetch: HTTP 500 (http.status) after fine"
    assert run.output("notified") == "fetch: HTTP 500 (http.status) after fine"
    assert run.status("never") is None
    assert run.state.error is not None and run.state.error["node"] == "fetch"
    completed = [e.node_id for e in events if isinstance(e, NodeCompleted)]
    assert completed == ["ok", "notify", "notified"]


async def test_on_workflow_error_nodes_do_not_run_on_success(run_flow: Any, journal: Any) -> None:
    run = await run_flow(FAILING_FLOW.replace('type="fail"', 'type="echo"'))
    assert run.error is None
    assert "notify" not in run.state.node_results
    assert journal.calls() == ["ok", "fetch", "never"]


async def test_a_failing_handler_node_is_a_warning_and_keeps_the_error(run_flow: Any) -> None:
    events: list[Event] = []
    run = await run_flow(
        """
        <transform id="fetch" type="fail" message="first problem"/>
        <on-workflow-error>
          <transform id="alert" type="fail" error-type="smtp.down" message="cannot alert"/>
          <transform id="after-alert" type="echo" input="alert"/>
        </on-workflow-error>
        """,
        observers=[events.append],
    )
    assert run.error is not None
    assert (run.error.node, run.error.message) == ("fetch", "first problem")
    assert run.state.error is not None and run.state.error["message"] == "first problem"
    assert run.status("alert") == "failed"
    assert run.status("after-alert") is None
    warnings = [(e.node_id, e.message) for e in events if isinstance(e, RunWarning)]
    assert warnings == [
        (
            "alert",
            "<on-workflow-error> node 'alert' failed: cannot alert (the run's error is unchanged)",
        )
    ]


async def test_error_dict_carries_attempts_of_the_failing_node(
    run_flow: Any, clock: ManualClock
) -> None:
    body = """
    <transform id="fetch" type="fail" message="down"/>
    <on-workflow-error>
      <transform id="notify" type="echo" value="{{ $error.attempts }} {{ $error.retryable }}"/>
    </on-workflow-error>
    """
    default = RetryConfig(max_retries=2, when="always", backoff="fixed", delay=1)
    task = asyncio.ensure_future(run_flow(body, default_retry_config=default))
    for _ in range(2):
        await clock.wait_for_sleepers(1)
        clock.advance_to_next()
    run = await task
    assert run.output("notify") == "3 false"
    assert run.state.error is not None and run.state.error["attempts"] == 3


async def test_error_handler_is_called_once_with_the_error_and_the_state(run_flow: Any) -> None:
    calls: list[tuple[NodeError, ExecutionState, str, bool]] = []

    def handler(error: NodeError, state: ExecutionState) -> None:
        calls.append((error, state, state.status.value, "notify" in state.node_results))

    run = await run_flow(FAILING_FLOW, error_handler=handler)
    assert run.error is not None
    [(error, state, status, handlers_ran)] = calls
    assert error is run.error
    assert state is run.state
    assert status == "failed"
    assert handlers_ran  # <on-workflow-error> nodes run first, then the callback


async def test_an_async_error_handler_is_awaited(run_flow: Any) -> None:
    seen: list[str] = []

    async def handler(error: NodeError, state: ExecutionState) -> None:
        await asyncio.sleep(0)
        seen.append(f"{error.node}:{state.status.value}")

    run = await run_flow('<transform id="a" type="fail"/>', error_handler=handler)
    assert run.error is not None and seen == ["a:failed"]


async def test_an_error_handler_that_raises_is_logged_and_ignored(
    run_flow: Any, caplog: pytest.LogCaptureFixture
) -> None:
    events: list[Event] = []

    def handler(error: NodeError, state: ExecutionState) -> None:
        raise RuntimeError("pager is down")

    with caplog.at_level(logging.ERROR, logger="flowscript.execution"):
        run = await run_flow(
            '<transform id="a" type="fail" message="real problem"/>',
            error_handler=handler,
            observers=[events.append],
        )
    assert run.error is not None and run.error.message == "real problem"
    assert run.state.status is RunStatus.FAILED
    assert "error_handler" in caplog.text and "pager is down" in caplog.text
    assert [e.message for e in events if isinstance(e, RunWarning)] == [
        "error_handler raised RuntimeError: pager is down (ignored)"
    ]


async def test_the_error_handler_is_not_called_on_success(run_flow: Any) -> None:
    calls: list[NodeError] = []
    run = await run_flow(
        '<transform id="a" type="echo"/>', error_handler=lambda e, s: calls.append(e)
    )
    assert run.error is None and calls == []


async def test_a_run_deadline_failure_runs_the_handlers_without_a_node(
    run_flow: Any, clock: ManualClock, journal: Any, until: Any
) -> None:
    errors: list[NodeError] = []
    body = """
    <transform id="slow" type="gate"/>
    <on-workflow-error>
      <transform id="notify" type="echo" value="{{ $error.type }} {{ $error.node === null }}"/>
    </on-workflow-error>
    """
    task = asyncio.ensure_future(
        run_flow(body, timeout=3, error_handler=lambda e, s: errors.append(e))
    )
    await until(lambda: journal.waiting == ["slow"])
    await clock.wait_for_sleepers(1)
    clock.advance(3)
    run = await task
    assert run.error is not None and run.error.type == "WORKFLOW_TIMEOUT"
    assert run.output("notify") == "WORKFLOW_TIMEOUT true"
    assert errors == [run.error]


async def test_secret_values_are_masked_in_error(run_flow: Any) -> None:
    run = await run_flow(
        """
        <transform id="a" type="fail" message="bad key {{ $secrets.KEY }}"/>
        <on-workflow-error>
          <transform id="notify" type="echo" value="{{ $error.message }}"/>
        </on-workflow-error>
        """,
        secrets={"KEY": "hunter2"},
    )
    assert run.output("notify") == "bad key ***"
    assert run.state.error is not None and run.state.error["message"] == "bad key ***"


async def test_a_recovered_failure_does_not_trigger_workflow_handlers(run_flow: Any) -> None:
    calls: list[NodeError] = []
    run = await run_flow(
        """
        <transform id="a" type="fail"><on-error><fallback node="b"/></on-error></transform>
        <transform id="b" type="echo" value="rescued"/>
        <on-workflow-error>
          <transform id="notify" type="echo" value="should not run"/>
        </on-workflow-error>
        """,
        error_handler=lambda e, s: calls.append(e),
    )
    assert run.error is None and calls == []
    assert "notify" not in run.state.node_results
