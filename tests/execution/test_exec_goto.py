"""``<goto>`` (execution.md §5): forward skips, backward re-runs, limits, leaving bodies."""

from __future__ import annotations

from typing import Any


async def test_forward_goto_skips_nodes_between_except_target_dependencies(
    run_flow: Any, journal: Any
) -> None:
    run = await run_flow(
        """
        <transform id="a" type="echo" value="a"/>
        <goto id="jump" node="d" when="a == 'a'"/>
        <transform id="b" type="echo" value="b"/>
        <transform id="c" type="echo" value="c"/>
        <transform id="d" type="echo" value="{{ c }}-d"/>
        <transform id="e" type="echo" value="e"/>
        """
    )
    assert run.error is None
    assert sorted(journal.calls()) == ["a", "c", "d", "e"]
    assert run.status("b") == "skipped"
    assert run.state.node_results["b"].details == {"reason": "goto"}
    assert run.output("d") == "c-d"
    assert run.output("e") == "e"  # after the target: unaffected
    assert run.output("jump") is None


async def test_goto_not_taken_changes_nothing(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        """
        <transform id="a" type="echo" value="a"/>
        <goto node="c" when="false"/>
        <transform id="b" type="echo" value="b"/>
        <transform id="c" type="echo" value="c"/>
        """
    )
    assert journal.calls() == ["a", "b", "c"]
    assert run.state.status.value == "completed"


async def test_backward_goto_reruns_from_the_target_through_the_goto(
    run_flow: Any, journal: Any
) -> None:
    run = await run_flow(
        """
        <set id="init" var="tries" value="0"/>
        <set id="bump" var="tries" value="{{ tries + 1 }}"/>
        <transform id="work" type="echo" value="attempt {{ tries }}"/>
        <goto id="again" node="bump" when="tries &lt; 3"/>
        <transform id="done" type="echo" input="work"/>
        """
    )
    assert run.error is None
    assert journal.calls() == ["work", "work", "work", "done"]
    assert run.output("done") == "attempt 3"
    assert run.output("bump") == 3  # results replaced by the re-runs
    assert run.state.global_context == {"tries": 3}


async def test_goto_limit_fails_the_run(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        """
        <transform id="x" type="echo" value="x"/>
        <goto id="forever" node="x"/>
        """
    )
    assert run.error is not None
    assert run.error.type == "GOTO_LIMIT_EXCEEDED"
    assert run.error.node == "forever"
    assert len(journal.calls()) == 1001


async def test_goto_from_a_nested_body_leaves_it_and_jumps_in_the_enclosing_scope(
    run_flow: Any, journal: Any
) -> None:
    run = await run_flow(
        """
        <transform id="a" type="echo" value="a"/>
        <if id="check" condition="true">
          <then>
            <transform id="inner" type="echo" value="inner"/>
            <goto node="end"/>
            <transform id="never" type="echo" value="never"/>
          </then>
        </if>
        <transform id="between" type="echo" input="check"/>
        <transform id="end" type="echo" value="end"/>
        """
    )
    assert run.error is None
    assert sorted(journal.calls()) == ["a", "end", "inner"]
    assert run.status("check") == "success"
    assert run.output("check") == "inner"
    assert run.status("between") == "skipped"
    assert run.status("never") is None


async def test_goto_out_of_a_loop_ends_the_loop(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        """
        <loop id="rep" max="5">
          <transform id="step" type="echo" value="{{ $iteration }}"/>
          <goto node="finish" when="step == 1"/>
        </loop>
        <transform id="skipped" type="echo" input="rep"/>
        <transform id="finish" type="echo" value="finish"/>
        """
    )
    assert run.error is None
    assert sorted(journal.calls()) == ["finish", "step", "step"]
    assert run.output("rep") == 1
    assert run.status("skipped") == "skipped"


async def test_goto_inside_a_loop_body_reruns_part_of_the_iteration(
    run_flow: Any, journal: Any
) -> None:
    run = await run_flow(
        """
        <loop id="rep" max="2">
          <transform id="a" type="echo" value="a{{ $iteration }}"/>
          <transform id="b" type="echo" value="b"/>
          <goto id="back" node="b" when="false"/>
          <transform id="c" type="echo" value="{{ a }}c"/>
        </loop>
        """
    )
    assert run.output("rep") == "a1c"
    assert journal.calls() == ["a", "b", "c", "a", "b", "c"]


async def test_break_outside_a_loop_fails(run_flow: Any) -> None:
    run = await run_flow('<break id="stop"/>')
    assert run.error is not None
    assert (run.error.type, run.error.node) == ("break.no_loop", "stop")


async def test_goto_to_a_node_outside_the_enclosing_scopes_fails(run_flow: Any) -> None:
    run = await run_flow(
        """
        <if id="a" condition="true"><then><transform id="x" type="echo"/></then></if>
        <goto id="jump" node="x"/>
        """
    )
    assert run.error is not None
    assert (run.error.type, run.error.node) == ("goto.invalid_target", "jump")
