"""Scheduling (execution.md §4): eager vs waves, the concurrency limit, fail-fast, isolation."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from flowscript.execution import NodeCompleted, NodeFailed, RunStatus

FAN = """
<transform id="a" type="gate"/>
<transform id="b" type="echo" value="b"/>
<transform id="c" type="echo" input="b"/>
<transform id="d" type="echo" input="a"/>
"""


async def test_eager_starts_a_node_as_soon_as_its_dependencies_succeeded(
    run_flow: Any, journal: Any, until: Any
) -> None:
    task = asyncio.create_task(run_flow(FAN))
    await until(lambda: journal.ended("c"))  # c ran although a (wave 0) is still running
    assert journal.calls() == ["a", "b", "c"]
    journal.open("a")
    run = await task
    assert run.error is None
    assert journal.log.index("end:c") < journal.log.index("end:a")
    assert journal.log.index("end:a") < journal.log.index("start:d")
    assert run.state.current_wave == 1


async def test_waves_mode_waits_for_the_whole_previous_wave(
    run_flow: Any, journal: Any, until: Any
) -> None:
    task = asyncio.create_task(run_flow(FAN, schedule="waves"))
    await until(lambda: journal.ended("b"))
    for _ in range(50):
        await asyncio.sleep(0)
    assert "start:c" not in journal.log  # wave 1 waits for a
    journal.open("a")
    run = await task
    assert run.error is None
    assert journal.log.index("end:a") < journal.log.index("start:c")
    assert journal.log.index("end:a") < journal.log.index("start:d")
    assert {n: run.output(n) for n in "abcd"} == {"a": "a", "b": "b", "c": "b", "d": "a"}


async def test_frontmatter_schedule_waves_is_used_unless_overridden(
    run_flow: Any, journal: Any, until: Any
) -> None:
    front = "runtime:\n  schedule: waves\n"
    task = asyncio.create_task(run_flow(FAN, front=front, schedule="eager"))
    await until(lambda: journal.ended("c"))  # the explicit option wins
    journal.open("a")
    assert (await task).error is None


@pytest.mark.parametrize("schedule", ["eager", "waves"])
async def test_both_modes_respect_every_dependency(
    run_flow: Any, journal: Any, schedule: str
) -> None:
    body = "\n".join(
        [
            '<transform id="n0" type="echo" value="0"/>',
            '<transform id="n1" type="echo" input="n0"/>',
            '<transform id="n2" type="echo" value="{{ n0 }}-{{ n1 }}"/>',
            '<transform id="n3" type="echo" value="x"/>',
            '<transform id="n4" type="echo" input="n2, n3"/>',
        ]
    )
    run = await run_flow(body, schedule=schedule)
    order = journal.calls("end:")
    for node, deps in {"n1": ["n0"], "n2": ["n0", "n1"], "n4": ["n2", "n3"]}.items():
        for dep in deps:
            assert order.index(dep) < journal.calls().index(node)
    assert run.output("n4") == {"n2": "0-0", "n3": "x"}


async def _drain_gates(journal: Any, until: Any, task: asyncio.Task[Any], limit: int) -> list[int]:
    """Open gates batch by batch; return how many gate calls were waiting at each step."""
    seen = []
    while not task.done():
        await until(lambda: task.done() or len(journal.waiting) >= limit or _quiet(journal))
        for _ in range(20):
            await asyncio.sleep(0)
        if task.done():
            break
        seen.append(len(journal.waiting))
        journal.open(*journal.waiting)
    return seen


def _quiet(journal: Any) -> bool:
    return bool(journal.waiting) and journal.active == len(journal.waiting)


async def test_concurrency_limit_holds_across_nested_bodies_without_deadlock(
    run_flow: Any, journal: Any, until: Any
) -> None:
    body = """
    <foreach id="outer" collection="[1, 2, 3]" item="o" concurrency="3">
      <parallel id="par">
        <branch>
          <foreach id="inner" collection="[1, 2]" concurrency="2">
            <transform id="leaf" type="gate" key="{{ o }}-{{ item }}"/>
          </foreach>
        </branch>
        <branch>
          <transform id="side" type="gate" key="{{ o }}-b"/>
        </branch>
      </parallel>
    </foreach>
    """
    task = asyncio.create_task(run_flow(body, max_concurrency=2))
    seen = await _drain_gates(journal, until, task, 2)
    run = await task
    assert run.error is None
    assert journal.max_active == 2
    assert seen == [2, 2, 2, 2, 1]  # 9 leaf calls, never more than 2 at once
    assert run.output("outer") == [
        [["1-1", "1-2"], "1-b"],
        [["2-1", "2-2"], "2-b"],
        [["3-1", "3-2"], "3-b"],
    ]


async def test_default_limit_comes_from_runtime_concurrency(
    run_flow: Any, journal: Any, until: Any
) -> None:
    body = "\n".join(f'<transform id="g{i}" type="gate"/>' for i in range(5))
    task = asyncio.create_task(run_flow(body, front="runtime:\n  concurrency: 3\n"))
    seen = await _drain_gates(journal, until, task, 3)
    assert (await task).error is None
    assert seen[0] == 3
    assert journal.max_active == 3


async def test_fail_fast_running_nodes_finish_nothing_new_starts(
    run_flow: Any, journal: Any, until: Any
) -> None:
    body = """
    <transform id="slow" type="gate"/>
    <transform id="boom" type="fail"/>
    <transform id="after-slow" type="echo" input="slow"/>
    <transform id="after-boom" type="echo" input="boom"/>
    """
    events: list[Any] = []
    task = asyncio.create_task(run_flow(body, observers=[events.append]))
    await until(lambda: any(isinstance(e, NodeFailed) for e in events))
    assert journal.waiting == ["slow"]
    for _ in range(20):
        await asyncio.sleep(0)
    journal.open("slow")
    run = await task
    assert run.error is not None and run.error.node == "boom"
    assert run.state.status is RunStatus.FAILED
    assert run.status("slow") == "success"  # it was running: it finished and was recorded
    assert run.status("boom") == "failed"
    assert run.status("after-slow") is None  # not started: stays pending
    assert run.status("after-boom") is None
    assert "start:after-slow" not in journal.log


async def test_snapshot_isolation_a_node_never_sees_newer_results(
    run_flow: Any, journal: Any, until: Any
) -> None:
    body = """
    <parallel id="par">
      <branch>
        <transform id="reader" type="gexpr" expr="[typeof(writer), note ?? 'unset']"/>
      </branch>
      <branch>
        <transform id="writer" type="echo" value="written"/>
        <set var="note" value="changed"/>
      </branch>
    </parallel>
    <transform id="late" type="echo" value="{{ [writer, note] }}"/>
    """
    events: list[Any] = []
    task = asyncio.create_task(run_flow(body, observers=[events.append]))
    await until(lambda: _completed(events, "writer") and _completed(events, "note"))
    journal.open("reader")
    run = await task
    assert run.error is None
    assert run.output("reader") == ["undefined", "unset"]
    assert run.output("late") == ["written", "changed"]


def _completed(events: list[Any], node_id: str) -> bool:
    return any(isinstance(e, NodeCompleted) and e.node_id == node_id for e in events)


async def test_control_node_stopped_by_a_failure_elsewhere_stays_pending(
    run_flow: Any, journal: Any, until: Any
) -> None:
    body = """
    <loop id="spin" max="3"><transform id="g" type="gate"/></loop>
    <transform id="boom" type="fail"/>
    """
    events: list[Any] = []
    task = asyncio.create_task(run_flow(body, observers=[events.append]))
    await until(lambda: any(isinstance(e, NodeFailed) for e in events))
    journal.open("g")
    run = await task
    assert run.error is not None and run.error.node == "boom"
    assert journal.calls().count("g") == 1  # the second iteration never started
    assert run.status("g") == "success"
    spin = run.state.node_results["spin"]
    assert spin.status.value == "pending"
    assert spin.details == {"interrupted": True}
    completed = [e for e in events if isinstance(e, NodeCompleted) and e.node_id == "spin"]
    assert [e.status for e in completed] == ["pending"]
