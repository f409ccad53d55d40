"""``<if>`` and ``<branch>``: the chosen body runs, the others are skipped."""

from __future__ import annotations

from typing import Any

import pytest

IF_FLOW = """
<if id="check" condition="$input.n > 2">
  <then>
    <transform id="big" type="echo" value="big {{ $input.n }}"/>
    <transform id="big2" type="echo" input="big"/>
  </then>
  <else>
    <transform id="small" type="echo" value="small"/>
  </else>
</if>
<transform id="after" type="echo" input="check"/>
"""


@pytest.mark.parametrize(
    ("n", "output", "ran", "skipped"),
    [
        pytest.param(5, "big 5", {"big", "big2"}, {"small"}, id="then"),
        pytest.param(1, "small", {"small"}, {"big", "big2"}, id="else"),
    ],
)
async def test_if_runs_one_body_and_skips_the_other(
    run_flow: Any, n: int, output: str, ran: set[str], skipped: set[str]
) -> None:
    run = await run_flow(IF_FLOW, input={"n": n})
    assert run.error is None
    assert run.output("check") == output
    assert run.output("after") == output
    assert {node for node in ran if run.status(node) == "success"} == ran
    assert {node for node in skipped if run.status(node) == "skipped"} == skipped
    assert run.state.node_results[next(iter(skipped))].details == {"reason": "branch not taken"}


async def test_if_without_else_outputs_null_when_false(run_flow: Any) -> None:
    run = await run_flow(
        """
        <if id="check" condition="false">
          <then><transform id="t" type="echo" value="x"/></then>
        </if>
        """
    )
    assert run.output("check") is None
    assert run.status("t") == "skipped"


async def test_if_body_nodes_see_the_if_input(run_flow: Any) -> None:
    run = await run_flow(
        """
        <transform id="src" type="echo" value="from-src"/>
        <if id="check" input="src" condition="input == 'from-src'">
          <then><transform id="t" type="echo"/></then>
        </if>
        """
    )
    assert run.output("t") == "from-src"


async def test_condition_error_fails_the_if(run_flow: Any) -> None:
    run = await run_flow(
        '<if id="check" condition="1 +"><then><transform id="t" type="echo"/></then></if>'
    )
    assert run.error is not None
    assert run.error.type == "expression.eval"
    assert run.error.node == "check"
    assert "condition" in run.error.message


async def test_failure_inside_a_body_fails_the_if_with_the_inner_error(run_flow: Any) -> None:
    run = await run_flow(
        """
        <if id="check" condition="true">
          <then><transform id="inner" type="fail" message="inner broke"/></then>
        </if>
        """
    )
    assert run.error is not None
    assert run.error.node == "inner"  # execute raises the original failure
    outer = run.state.node_results["check"].error
    assert outer["type"] == "test.failed"
    assert outer["message"] == "inner broke"
    assert outer["details"] == {"failedNode": "inner"}
    assert outer["cause"]["node"] == "inner"


BRANCH_FLOW = """
<branch id="route">
  <case when="$input.kind == 'a'"><transform id="is-a" type="echo" value="A"/></case>
  <case when="$input.kind == 'b'"><transform id="is-b" type="echo" value="B"/></case>
  <default><transform id="other" type="echo" value="other"/></default>
</branch>
"""


@pytest.mark.parametrize(
    ("kind", "output", "taken"),
    [
        pytest.param("a", "A", "is-a", id="first-case"),
        pytest.param("b", "B", "is-b", id="second-case"),
        pytest.param("z", "other", "other", id="default"),
    ],
)
async def test_branch_runs_the_first_truthy_case(
    run_flow: Any, kind: str, output: str, taken: str
) -> None:
    run = await run_flow(BRANCH_FLOW, input={"kind": kind})
    assert run.output("route") == output
    statuses = {node: run.status(node) for node in ("is-a", "is-b", "other")}
    assert statuses == {n: ("success" if n == taken else "skipped") for n in statuses}


async def test_branch_first_match_wins_even_if_later_cases_match(run_flow: Any) -> None:
    run = await run_flow(
        """
        <branch id="route">
          <case when="true"><transform id="first" type="echo" value="1"/></case>
          <case when="true"><transform id="second" type="echo" value="2"/></case>
        </branch>
        """
    )
    assert run.output("route") == "1"
    assert run.status("second") == "skipped"


@pytest.mark.parametrize(
    ("value", "output"),
    [
        pytest.param("red", "warm", id="equal-as-strings"),
        pytest.param("blue", "cool", id="regex"),
        pytest.param("BLUISH", "cool", id="regex-flags"),
        pytest.param(42, "answer", id="number-as-string"),
        pytest.param("grey", "none", id="otherwise"),
    ],
)
async def test_branch_match_patterns_against_the_on_value(
    run_flow: Any, value: Any, output: str
) -> None:
    run = await run_flow(
        """
        <branch id="route" on="$input.v">
          <match pattern="red"><transform id="w" type="echo" value="warm"/></match>
          <match pattern="/^blu/i"><transform id="c" type="echo" value="cool"/></match>
          <match pattern="{{ 40 + 2 }}"><transform id="n" type="echo" value="answer"/></match>
          <otherwise><transform id="o" type="echo" value="none"/></otherwise>
        </branch>
        """,
        input={"v": value},
    )
    assert run.error is None
    assert run.output("route") == output


async def test_branch_without_match_or_default_outputs_null(run_flow: Any) -> None:
    run = await run_flow(
        """
        <branch id="route">
          <case when="false"><transform id="x" type="echo" value="x"/></case>
        </branch>
        """
    )
    assert run.output("route") is None
    assert run.status("x") == "skipped"


async def test_nested_nodes_of_an_untaken_body_are_skipped_too(run_flow: Any) -> None:
    run = await run_flow(
        """
        <if id="outer" condition="false">
          <then>
            <foreach id="each" collection="[1]">
              <transform id="deep" type="echo"/>
            </foreach>
          </then>
        </if>
        """
    )
    assert (run.status("each"), run.status("deep")) == ("skipped", "skipped")
