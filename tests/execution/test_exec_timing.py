"""``<delay>``, ``<timeout>`` and the run deadline, driven by a manual clock."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from flowscript.execution import ManualClock, RunStatus


async def test_delay_sleeps_on_the_clock_and_passes_input_through(
    run_flow: Any, clock: ManualClock
) -> None:
    task = asyncio.create_task(
        run_flow(
            """
            <transform id="a" type="echo" value="payload"/>
            <delay id="wait" duration="2s" input="a"/>
            <transform id="b" type="echo" input="wait"/>
            """
        )
    )
    await clock.wait_for_sleepers(1)
    assert not task.done()
    clock.advance(1.5)
    for _ in range(20):
        await asyncio.sleep(0)
    assert not task.done()
    clock.advance(0.5)
    run = await task
    assert run.output("wait") == "payload"
    assert run.output("b") == "payload"
    assert run.state.node_results["wait"].duration == 2000


async def test_delay_duration_may_be_a_template(run_flow: Any, clock: ManualClock) -> None:
    task = asyncio.create_task(
        run_flow('<delay id="wait" duration="{{ $config.ms }}"/>', config={"ms": 250})
    )
    await clock.wait_for_sleepers(1)
    clock.advance(0.25)
    assert (await task).state.node_results["wait"].duration == 250


async def test_invalid_delay_duration_fails_the_node(run_flow: Any) -> None:
    run = await run_flow('<delay id="wait" duration="{{ \'soon\' }}"/>')
    assert run.error is not None
    assert (run.error.type, run.error.node) == ("config.invalid", "wait")


TIMEOUT_FLOW = """
<timeout id="guard" duration="5s" {handler}>
  <transform id="slow" type="gate" value="slow"/>
  <transform id="next" type="echo" input="slow"/>
</timeout>
<transform id="fallback-answer" type="echo" value="late: {{{{ input }}}}"/>
<transform id="after" type="echo" input="guard"/>
"""


async def test_timeout_cancels_the_running_child_and_runs_the_handler(
    run_flow: Any, journal: Any, clock: ManualClock, until: Any
) -> None:
    body = TIMEOUT_FLOW.format(handler='on-timeout="fallback-answer"')
    task = asyncio.create_task(run_flow(body, input="in"))
    await until(lambda: journal.waiting == ["slow"])
    await clock.wait_for_sleepers(1)
    clock.advance(5)
    run = await task
    assert run.error is None
    assert journal.cancelled == ["slow"]
    assert "effect:slow" not in journal.log  # the side effect never happened
    assert run.state.node_results["slow"].details == {"cancelled": True, "reason": "timeout"}
    assert run.status("slow") == "skipped"
    assert run.status("next") is None
    assert run.output("fallback-answer") == "late: in"
    assert run.output("guard") == "late: in"
    assert run.output("after") == "late: in"


async def test_timeout_without_handler_fails_with_timeout(
    run_flow: Any, journal: Any, clock: ManualClock, until: Any
) -> None:
    task = asyncio.create_task(run_flow(TIMEOUT_FLOW.format(handler="")))
    await until(lambda: journal.waiting == ["slow"])
    await clock.wait_for_sleepers(1)
    clock.advance(5)
    run = await task
    assert run.error is not None
    assert run.error.type == "TIMEOUT"
    assert run.error.node == "guard"
    assert journal.cancelled == ["slow"]


async def test_body_finishing_in_time_gives_its_output(
    run_flow: Any, journal: Any, clock: ManualClock, until: Any
) -> None:
    body = TIMEOUT_FLOW.format(handler='on-timeout="fallback-answer"')
    task = asyncio.create_task(run_flow(body))
    await until(lambda: journal.waiting == ["slow"])
    journal.open("slow")
    run = await task
    assert run.output("guard") == "slow"
    assert "fallback-answer" not in run.state.node_results  # a handler never runs on its own
    assert clock.sleepers == 0  # the deadline watcher is gone


async def test_run_deadline_cancels_running_nodes_and_fails(
    run_flow: Any, journal: Any, clock: ManualClock, until: Any
) -> None:
    body = """
    <transform id="slow" type="gate"/>
    <transform id="after" type="echo" input="slow"/>
    """
    task = asyncio.create_task(run_flow(body, timeout=30))
    await until(lambda: journal.waiting == ["slow"])
    await clock.wait_for_sleepers(1)
    clock.advance(30)
    run = await task
    assert run.error is not None
    assert run.error.type == "WORKFLOW_TIMEOUT"
    assert run.state.status is RunStatus.FAILED
    assert run.state.error is not None and run.state.error["type"] == "WORKFLOW_TIMEOUT"
    assert journal.cancelled == ["slow"]
    slow = run.state.node_results["slow"]
    assert slow.status.value == "failed"
    assert slow.error is not None and slow.error["type"] == "WORKFLOW_TIMEOUT"
    assert run.status("after") is None


async def test_run_deadline_from_the_frontmatter(
    run_flow: Any, journal: Any, clock: ManualClock, until: Any
) -> None:
    task = asyncio.create_task(
        run_flow('<transform id="slow" type="gate"/>', front="runtime:\n  timeout: 2s\n")
    )
    await until(lambda: journal.waiting == ["slow"])
    await clock.wait_for_sleepers(1)
    clock.advance(2)
    run = await task
    assert run.error is not None and "2s" in run.error.message


async def test_cancelling_execute_marks_the_run_cancelled(
    registry: Any, journal: Any, until: Any
) -> None:
    from flowscript.execution import ExecutionOptions, create_execution_state, execute
    from flowscript.parser import parse
    from flowscript.planning import build_execution_plan

    text = "---\nname: c\nversion: '1'\n---\n<workflow><transform id='g' type='gate'/></workflow>"
    plan = build_execution_plan(parse(text, "c.flow.md"))
    state = create_execution_state("c")
    task = asyncio.create_task(execute(plan, state, ExecutionOptions(runtimes=registry)))
    await until(lambda: journal.waiting == ["g"])
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert state.status is RunStatus.CANCELLED
    assert state.node_results["g"].error is not None
    assert state.node_results["g"].error["type"] == "cancelled"
    assert journal.cancelled == ["g"]
