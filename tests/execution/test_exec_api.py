"""The public API of ``flowscript.execution``: names, options, state, clock, node executor."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.execution import (
    ExecutionOptions,
    ExecutionState,
    LocalExecutor,
    ManualClock,
    NodeExecutor,
    NodeResult,
    NodeStatus,
    RunStatus,
    SystemClock,
    create_execution_state,
    execute,
)
from flowscript.execution.attempt import run_attempt
from flowscript.execution.state import error_to_dict
from flowscript.runtimes.base import NodeRequest, RuntimeContext


def test_create_execution_state_defaults() -> None:
    state = create_execution_state("flow", config={"a": 1}, secrets={"K": "v"}, input=[1])
    assert re.fullmatch(r"[0-9a-f-]{36}", state.run_id)
    assert state.status is RunStatus.PENDING
    assert (state.workflow_id, state.config, state.secrets, state.input) == (
        "flow",
        {"a": 1},
        {"K": "v"},
        [1],
    )
    assert state.node_results == {} and state.current_wave == -1
    assert create_execution_state("flow", run_id="fixed").run_id == "fixed"
    assert create_execution_state("a").run_id != create_execution_state("a").run_id


def test_create_execution_state_rejects_a_non_string_id() -> None:
    with pytest.raises(TypeError, match="workflow_id"):
        create_execution_state(42)  # type: ignore[arg-type]


def test_status_enums_are_strings() -> None:
    assert [s.value for s in RunStatus] == [
        "pending",
        "running",
        "paused",
        "completed",
        "failed",
        "cancelled",
    ]
    assert NodeStatus.RECOVERED.succeeded and not NodeStatus.SKIPPED.succeeded
    assert NodeStatus("success") == "success"


def test_error_to_dict_includes_optional_fields() -> None:
    inner = NodeError("http.connect", "refused", retryable=True, node="a")
    error = NodeError(
        "http.status", "503", retryable=True, node="b", status=503, details={"x": 1}, cause=inner
    )
    assert error_to_dict(error, attempts=3) == {
        "type": "http.status",
        "message": "503",
        "retryable": True,
        "node": "b",
        "attempts": 3,
        "status": 503,
        "details": {"x": 1},
        "cause": {
            "type": "http.connect",
            "message": "refused",
            "retryable": True,
            "node": "a",
            "attempts": 3,
        },
    }


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        pytest.param({"max_concurrency": 0}, ValueError, "max_concurrency", id="zero-limit"),
        pytest.param({"max_concurrency": True}, ValueError, "max_concurrency", id="bool-limit"),
        pytest.param({"schedule": "fast"}, ValueError, "schedule", id="bad-schedule"),
        pytest.param({"timeout": -1}, ValueError, "positive", id="negative-timeout"),
        pytest.param({"timeout": [1]}, TypeError, "timeout", id="timeout-type"),
    ],
)
def test_options_are_validated(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        ExecutionOptions(**kwargs)


def test_options_are_frozen_and_keyword_only() -> None:
    options = ExecutionOptions(max_concurrency=3, schedule="waves", timeout="5m")
    with pytest.raises(AttributeError):
        options.max_concurrency = 4  # type: ignore[misc]
    with pytest.raises(TypeError):
        ExecutionOptions(3)  # type: ignore[misc]


async def test_execute_rejects_wrong_argument_types() -> None:
    with pytest.raises(TypeError, match="ExecutionPlan"):
        await execute("plan", create_execution_state("x"))  # type: ignore[arg-type]


async def test_manual_clock_wakes_sleepers_in_deadline_order() -> None:
    clock = ManualClock(start_ms=1000)
    woke: list[str] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append(name)

    tasks = [asyncio.create_task(sleeper("late", 2)), asyncio.create_task(sleeper("soon", 1))]
    await clock.wait_for_sleepers(2)
    assert clock.advance_to_next() == 1
    await asyncio.sleep(0)
    assert woke == ["soon"]
    assert clock.now() == 2000
    clock.advance(1)
    await asyncio.gather(*tasks)
    assert woke == ["soon", "late"]
    assert clock.monotonic() == 2
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)


def test_system_clock_reads_real_time() -> None:
    clock = SystemClock()
    assert clock.now() > 1_600_000_000_000
    assert clock.monotonic() <= clock.monotonic()


class _Recording:
    def __init__(self) -> None:
        self.seen: list[str] = []

    async def run(self, runtime: Any, request: NodeRequest, context: RuntimeContext) -> Any:
        self.seen.append(request.node_id)
        return await LocalExecutor().run(runtime, request, context)


async def test_node_work_goes_through_the_node_executor(run_flow: Any) -> None:
    executor = _Recording()
    assert isinstance(executor, NodeExecutor)
    run = await run_flow(
        """
        <transform id="a" type="echo" value="1"/>
        <if id="i" condition="true"><then><transform id="b" type="echo" value="2"/></then></if>
        """,
        executor=executor,
    )
    assert run.error is None
    assert sorted(executor.seen) == ["a", "b"]  # leaf work only; control nodes run here


async def test_run_attempt_turns_foreign_exceptions_into_runtime_crash() -> None:
    class Broken:
        kind = "x:y"
        raw_fields: frozenset[str] = frozenset()

        async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
            raise KeyError("missing")

    request = NodeRequest(node_id="n", kind="x:y", config={}, input=None)
    context = RuntimeContext(root=Path("."), workflow_dir=Path("."))
    with pytest.raises(NodeError, match="crashed: KeyError") as caught:
        await run_attempt(LocalExecutor(), Broken(), request, context)
    assert caught.value.type == "runtime.crash"
    assert caught.value.retryable is False


async def test_run_attempt_lets_cancellation_through() -> None:
    class Slow:
        kind = "x:y"
        raw_fields: frozenset[str] = frozenset()

        async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
            await asyncio.Event().wait()

    request = NodeRequest(node_id="n", kind="x:y", config={}, input=None)
    context = RuntimeContext(root=Path("."), workflow_dir=Path("."))
    task = asyncio.create_task(run_attempt(LocalExecutor(), Slow(), request, context))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_node_result_and_state_helpers() -> None:
    state = ExecutionState(workflow_id="w")
    state.node_results["a"] = NodeResult(status=NodeStatus.SUCCESS, output=5)
    state.node_results["b"] = NodeResult(status=NodeStatus.FAILED, output=None)
    assert (state.output_of("a"), state.output_of("b"), state.output_of("c")) == (5, None, None)
    assert state.duration == 0
    state.started_at, state.completed_at = 1000, 1250
    assert state.duration == 250
