"""Control-flow constructs nested in each other, and a large run."""

from __future__ import annotations

from typing import Any


async def test_foreach_with_if_inside(run_flow: Any) -> None:
    run = await run_flow(
        """
        <foreach id="each" collection="[1, 2, 3, 4]">
          <if id="even" condition="item % 2 == 0">
            <then><transform id="yes" type="echo" value="{{ item }} even"/></then>
            <else><transform id="no" type="echo" value="{{ item }} odd"/></else>
          </if>
        </foreach>
        """
    )
    assert run.error is None
    assert run.output("each") == ["1 odd", "2 even", "3 odd", "4 even"]
    assert (run.status("yes"), run.status("no")) == ("success", "skipped")  # latest item: 4


async def test_parallel_with_loops_inside(run_flow: Any) -> None:
    run = await run_flow(
        """
        <parallel id="par">
          <branch>
            <loop id="count" max="3">
              <transform id="c" type="echo" value="c{{ $iteration }}"/>
            </loop>
          </branch>
          <branch>
            <loop id="other" max="2" break="o == 'o0'">
              <transform id="o" type="echo" value="o{{ $iteration }}"/>
            </loop>
          </branch>
        </parallel>
        """
    )
    assert run.error is None
    assert run.output("par") == ["c2", "o0"]


async def test_phase_with_foreach_inside(run_flow: Any) -> None:
    run = await run_flow(
        """
        <phase name="prepare">
          <context><set key="unit" value="kg"/></context>
        </phase>
        <phase name="convert">
          <foreach id="each" collection="[1, 2]">
            <transform id="t" type="echo" value="{{ item }}{{ unit }}"/>
          </foreach>
        </phase>
        """
    )
    assert run.error is None
    assert run.output("convert") == ["1kg", "2kg"]


async def test_loop_feedback_with_a_nested_if(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        """
        <loop id="refine" max="5" break="review.ok">
          <transform id="draft" type="echo" input="review"
                     value="{{ (input.score ?? 0) + 1 }}"/>
          <if id="grade" condition="draft >= 3">
            <then>
              <transform id="pass" type="echo" value='{{ {"ok": true, "score": draft} }}'/>
            </then>
            <else>
              <transform id="fail" type="echo" value='{{ {"ok": false, "score": draft} }}'/>
            </else>
          </if>
          <transform id="review" type="echo" input="grade"/>
        </loop>
        """
    )
    assert run.error is None
    assert run.output("refine") == {"ok": True, "score": 3}
    assert journal.calls().count("draft") == 3


async def test_foreach_inside_foreach_with_custom_names(run_flow: Any) -> None:
    run = await run_flow(
        """
        <foreach id="rows" collection="[1, 2]" item="r">
          <foreach id="cols" collection="['a', 'b']" item="c">
            <transform id="cell" type="echo" value="{{ r }}{{ c }}"/>
          </foreach>
        </foreach>
        """
    )
    assert run.output("rows") == [["1a", "1b"], ["2a", "2b"]]


async def test_timeout_around_a_parallel_that_finishes(run_flow: Any) -> None:
    run = await run_flow(
        """
        <timeout id="guard" duration="1m">
          <parallel id="par" merge="concat">
            <branch><transform id="a" type="echo" value="{{ [1] }}"/></branch>
            <branch><transform id="b" type="echo" value="{{ [2, 3] }}"/></branch>
          </parallel>
        </timeout>
        """
    )
    assert run.output("guard") == [1, 2, 3]


async def test_thousands_of_nodes_run_once_each(run_flow: Any, journal: Any) -> None:
    count = 3000
    body = "\n".join(
        f'<transform id="n{i}" type="echo" value="{i}"'
        + (f' input="n{i - 100}"' if i >= 100 else "")
        + "/>"
        for i in range(count)
    )
    run = await run_flow(body, max_concurrency=25)
    assert run.error is None
    assert len(journal.calls()) == count
    assert len(set(journal.calls())) == count
    assert journal.max_active == 25
    assert run.state.current_wave == count // 100 - 1
    assert run.output(f"n{count - 1}") == str(count - 1)
