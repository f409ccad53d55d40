"""``<parallel>``: wait all/any/n(N), real cancellation of losers, merge strategies."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from flowscript.execution import NodeFailed


def race(wait: str, merge: str = "") -> str:
    merge_attr = f' merge="{merge}"' if merge else ""
    return f"""
    <parallel id="par" wait="{wait}"{merge_attr}>
      <branch><transform id="one" type="gate" value="r1"/></branch>
      <branch><transform id="two" type="gate" value="r2"/></branch>
      <branch><transform id="three" type="gate" value="r3"/></branch>
    </parallel>
    <transform id="after" type="echo" input="par"/>
    """


async def test_wait_all_merges_results_in_branch_order(
    run_flow: Any, journal: Any, until: Any
) -> None:
    task = asyncio.create_task(run_flow(race("all")))
    await until(lambda: len(journal.waiting) == 3)
    journal.open("three")
    journal.open("one")
    journal.open("two")
    run = await task
    assert run.error is None
    assert run.output("par") == ["r1", "r2", "r3"]
    assert run.output("after") == ["r1", "r2", "r3"]


async def test_wait_any_first_success_wins_and_losers_are_cancelled(
    run_flow: Any, journal: Any, until: Any
) -> None:
    task = asyncio.create_task(run_flow(race("any")))
    await until(lambda: len(journal.waiting) == 3)
    journal.open("two")
    run = await task
    assert run.error is None
    assert run.output("par") == ["r2"]
    assert sorted(journal.cancelled) == ["one", "three"]  # the runtime saw CancelledError
    assert "effect:one" not in journal.log and "effect:three" not in journal.log
    for loser in ("one", "three"):
        result = run.state.node_results[loser]
        assert result.status.value == "skipped"
        assert result.details == {"cancelled": True, "reason": "parallel"}


async def test_wait_n_keeps_completion_order(run_flow: Any, journal: Any, until: Any) -> None:
    task = asyncio.create_task(run_flow(race("n(2)")))
    await until(lambda: len(journal.waiting) == 3)
    journal.open("three")
    await until(lambda: journal.ended("three"))
    journal.open("one")
    run = await task
    assert run.output("par") == ["r3", "r1"]
    assert journal.cancelled == ["two"]


async def test_wait_any_tolerates_failing_branches(run_flow: Any) -> None:
    run = await run_flow(
        """
        <parallel id="par" wait="any">
          <branch><transform id="bad" type="fail"/></branch>
          <branch><transform id="good" type="echo" value="ok"/></branch>
        </parallel>
        <transform id="after" type="echo" input="par"/>
        """
    )
    assert run.error is None
    assert run.output("par") == ["ok"]
    assert run.status("bad") == "failed"
    assert run.output("after") == ["ok"]


async def test_wait_any_fails_when_every_branch_fails(run_flow: Any) -> None:
    run = await run_flow(
        """
        <parallel id="par" wait="any">
          <branch><transform id="b1" type="fail" message="first"/></branch>
          <branch><transform id="b2" type="fail" message="second"/></branch>
        </parallel>
        """
    )
    assert run.error is not None
    assert run.error.type == "parallel.failed"
    assert run.error.node == "par"
    assert "2 of 2 branches failed" in run.error.message
    assert run.error.cause is not None and run.error.cause.node in ("b1", "b2")


async def test_wait_n_fails_once_success_is_impossible(
    run_flow: Any, journal: Any, until: Any
) -> None:
    body = """
    <parallel id="par" wait="n(2)">
      <branch><transform id="b1" type="fail"/></branch>
      <branch><transform id="b2" type="fail"/></branch>
      <branch>
        <transform id="b3" type="gate"/>
        <transform id="b3-next" type="echo" input="b3"/>
      </branch>
    </parallel>
    """
    events: list[Any] = []
    task = asyncio.create_task(run_flow(body, observers=[events.append]))
    await until(lambda: sum(isinstance(e, NodeFailed) for e in events) == 2)
    assert journal.waiting == ["b3"]
    journal.open("b3")
    run = await task
    assert run.error is not None and run.error.type == "parallel.failed"
    assert run.status("b3") == "success"  # running: it finished
    assert run.status("b3-next") is None  # halted: nothing new started in that branch


async def test_wait_all_branch_failure_fails_the_parallel(run_flow: Any) -> None:
    run = await run_flow(
        """
        <parallel id="par">
          <branch><transform id="ok" type="echo" value="1"/></branch>
          <branch><transform id="bad" type="fail" message="nope"/></branch>
        </parallel>
        """
    )
    assert run.error is not None and run.error.node == "bad"
    assert run.status("par") == "failed"


@pytest.mark.parametrize(
    ("merge", "expected"),
    [
        pytest.param("array", [[1, 2], {"b": 2}, "x"], id="array"),
        pytest.param("concat", [1, 2, {"b": 2}, "x"], id="concat"),
        pytest.param("object", {"b": 2, "first": [1, 2], "third": "x"}, id="object"),
        pytest.param("length($branches)", 3, id="expression"),
        pytest.param("$branches[2] + '!'", "x!", id="expression-index"),
    ],
)
async def test_merge_strategies(run_flow: Any, merge: str, expected: Any) -> None:
    run = await run_flow(
        f"""
        <parallel id="par" merge="{merge}">
          <branch><transform id="first" type="echo" value="{{{{ [1, 2] }}}}"/></branch>
          <branch><transform id="second" type="echo" value='{{{{ {{"b": 2}} }}}}'/></branch>
          <branch><transform id="third" type="echo" value="x"/></branch>
        </parallel>
        """
    )
    assert run.error is None, run.error
    assert run.output("par") == expected


async def test_branch_index_is_bound(run_flow: Any) -> None:
    run = await run_flow(
        """
        <parallel id="par">
          <branch><transform id="a" type="echo" value="{{ $branch }}"/></branch>
          <branch><transform id="b" type="echo" value="{{ $branch }}"/></branch>
        </parallel>
        """
    )
    assert run.output("par") == [0, 1]


async def test_parallel_concurrency_bounds_branches(
    run_flow: Any, journal: Any, until: Any
) -> None:
    body = """
    <parallel id="par" concurrency="1">
      <branch><transform id="a" type="gate"/></branch>
      <branch><transform id="b" type="gate"/></branch>
    </parallel>
    """
    task = asyncio.create_task(run_flow(body))
    await until(lambda: journal.waiting == ["a"])
    for _ in range(30):
        await asyncio.sleep(0)
    assert journal.waiting == ["a"]
    journal.open("a")
    await until(lambda: journal.waiting == ["b"])
    journal.open("b")
    assert (await task).output("par") == ["a", "b"]
    assert journal.max_active == 1


async def test_loser_control_nodes_are_cancelled_with_their_bodies(
    run_flow: Any, journal: Any, until: Any
) -> None:
    body = """
    <parallel id="par" wait="any">
      <branch>
        <loop id="spin" max="3"><transform id="slow" type="gate"/></loop>
      </branch>
      <branch><transform id="fast" type="gate" value="fast"/></branch>
    </parallel>
    """
    task = asyncio.create_task(run_flow(body))
    await until(lambda: sorted(journal.waiting) == ["fast", "slow"])
    journal.open("fast")
    run = await task
    assert run.output("par") == ["fast"]
    assert journal.cancelled == ["slow"]
    assert run.status("spin") == "skipped"
    assert run.status("slow") == "skipped"
