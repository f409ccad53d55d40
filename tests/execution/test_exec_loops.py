"""``<loop>``, ``<while>``, ``<break>`` and loop feedback."""

from __future__ import annotations

from typing import Any

import pytest


async def test_loop_runs_max_iterations_with_iteration_bound(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        """
        <loop id="rep" max="3">
          <transform id="step" type="echo" value="i{{ $iteration }}"/>
        </loop>
        <transform id="after" type="echo" input="rep" value="{{ $iteration }}"/>
        """
    )
    assert run.error is None
    assert journal.calls() == ["step", "step", "step", "after"]
    assert run.output("rep") == "i2"
    assert run.output("step") == "i2"  # the latest run of a nested node
    assert run.output("after") == 2  # $iteration keeps the loop's last value


async def test_loop_max_is_an_expression_evaluated_once(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        """
        <loop id="rep" max="$config.times + 1">
          <transform id="step" type="echo" value="{{ $iteration }}"/>
        </loop>
        """,
        config={"times": 1},
    )
    assert run.output("rep") == 1
    assert len(journal.calls()) == 2


async def test_loop_defaults_to_100_iterations(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        '<loop id="rep"><transform id="s" type="echo" value="{{ $iteration }}"/></loop>'
    )
    assert run.output("rep") == 99
    assert len(journal.calls()) == 100


async def test_break_expression_is_checked_after_each_iteration(run_flow: Any) -> None:
    run = await run_flow(
        """
        <loop id="rep" max="10" break="step >= 3">
          <transform id="step" type="echo" value="{{ $iteration + 1 }}"/>
        </loop>
        """
    )
    assert run.output("rep") == 3


async def test_error_in_break_fails_the_loop(run_flow: Any) -> None:
    run = await run_flow(
        """
        <loop id="rep" max="3" break="nope(">
          <transform id="step" type="echo" value="x"/>
        </loop>
        """
    )
    assert run.error is not None
    assert (run.error.type, run.error.node) == ("expression.eval", "rep")


async def test_loop_feedback_reads_the_previous_iteration(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        """
        <loop id="refine" max="3">
          <transform id="draft" type="echo" input="critique"
                     value="{{ input == undefined ? 'v0' : input + '+' }}"/>
          <transform id="critique" type="echo" input="draft"/>
        </loop>
        """
    )
    assert run.error is None
    assert run.output("refine") == "v0++"
    assert journal.inputs["draft"] == "v0+"  # the last iteration read iteration 1's critique


async def test_while_checks_its_condition_before_each_iteration(run_flow: Any) -> None:
    run = await run_flow(
        """
        <set id="init" var="count" value="0"/>
        <while id="w" condition="count &lt; 3">
          <set id="bump" var="count" value="{{ count + 1 }}"/>
        </while>
        <transform id="after" type="echo" value="{{ count }}"/>
        """
    )
    assert run.error is None
    assert run.output("w") == 3
    assert run.output("after") == 3
    assert run.state.global_context == {"count": 3}


async def test_while_false_at_start_runs_nothing(run_flow: Any, journal: Any) -> None:
    run = await run_flow('<while id="w" condition="false"><transform id="s" type="echo"/></while>')
    assert run.output("w") is None
    assert journal.calls() == []


async def test_while_hitting_the_default_cap_fails(run_flow: Any, journal: Any) -> None:
    run = await run_flow('<while id="w" condition="true"><transform id="s" type="echo"/></while>')
    assert run.error is not None
    assert run.error.type == "LOOP_LIMIT_EXCEEDED"
    assert run.error.node == "w"
    assert len(journal.calls()) == 1000


async def test_while_with_explicit_max_stops_there(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        """
        <while id="w" condition="true" max="4">
          <transform id="s" type="echo" value="{{ $iteration }}"/>
        </while>
        """
    )
    assert run.error is None
    assert run.output("w") == 3
    assert len(journal.calls()) == 4


async def test_break_leaves_the_innermost_loop(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        """
        <loop id="outer" max="2">
          <loop id="inner" max="5">
            <transform id="step" type="echo" value="{{ $iteration }}"/>
            <break when="step == 1"/>
          </loop>
        </loop>
        """
    )
    assert run.error is None
    assert journal.calls() == ["step"] * 4  # 2 per inner loop, inner loop twice
    assert run.output("inner") == 1
    assert run.output("outer") == 1


async def test_break_with_loop_name_leaves_that_loop(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        """
        <loop id="outer" max="3">
          <loop id="inner" max="5">
            <transform id="step" type="echo" value="{{ $iteration }}"/>
            <break loop="outer" when="step == 2"/>
          </loop>
        </loop>
        """
    )
    assert run.error is None
    assert len(journal.calls()) == 3
    assert run.output("outer") == 2


async def test_break_inside_an_if_stops_the_rest_of_the_iteration(
    run_flow: Any, journal: Any
) -> None:
    run = await run_flow(
        """
        <loop id="rep" max="5">
          <transform id="a" type="echo" value="{{ $iteration }}"/>
          <if id="done" condition="a == 2">
            <then><break/></then>
          </if>
          <transform id="b" type="echo" input="done" value="b{{ a }}"/>
        </loop>
        """
    )
    assert run.error is None
    assert journal.calls() == ["a", "b", "a", "b", "a"]
    # the last completed output of the last iteration: `a`; the `if` holding the break
    # produced no output and is transparent
    assert run.output("rep") == 2
    assert run.output("done") is None
    assert run.output("b") == "b1"


@pytest.mark.parametrize("kind", ["loop", "while"])
async def test_failure_in_a_loop_body_fails_the_loop(run_flow: Any, kind: str) -> None:
    condition = ' condition="true"' if kind == "while" else ""
    run = await run_flow(
        f"""
        <{kind} id="rep" max="3"{condition}>
          <transform id="f" type="fail" message="no"/>
        </{kind}>
        <transform id="after" type="echo" input="rep"/>
        """
    )
    assert run.error is not None
    assert run.error.node == "f"
    assert run.status("rep") == "failed"
    assert run.status("after") is None
