"""``<context>``, ``<set>`` and ``<phase>``: variables, their scopes and outputs."""

from __future__ import annotations

from typing import Any

import pytest


async def test_context_sets_variables_and_outputs_them(run_flow: Any) -> None:
    run = await run_flow(
        """
        <context id="vars">
          <set key="threshold" value="10"/>
          <set key="label" value="run {{ $input.n }}"/>
          <set var="flags" value="[1, 2]"/>
        </context>
        <transform id="use" type="echo"
                   value="{{ label }}/{{ threshold * 2 }}/{{ $context.flags }}"/>
        """,
        input={"n": 7},
    )
    assert run.error is None
    assert run.output("vars") == {"threshold": 10, "label": "run 7", "flags": [1, 2]}
    assert run.output("use") == "run 7/20/[1,2]"
    assert run.state.global_context == {"threshold": 10, "label": "run 7", "flags": [1, 2]}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("0", 0, id="number"),
        pytest.param("true", True, id="boolean"),
        pytest.param("hello", "hello", id="text"),
        pytest.param('{"a": 1}', {"a": 1}, id="json-object"),
        pytest.param("{{ 2 * 3 }}", 6, id="template-native"),
        pytest.param("n={{ 2 * 3 }}", "n=6", id="template-text"),
    ],
)
async def test_set_value_is_typed(run_flow: Any, value: str, expected: Any) -> None:
    run = await run_flow(f"<set id='s' var='v' value='{value}'/>")
    assert run.output("s") == expected
    assert run.state.global_context == {"v": expected}


async def test_set_without_id_is_identified_by_its_variable(run_flow: Any) -> None:
    run = await run_flow(
        """
        <set var="greeting" value="hi"/>
        <transform id="use" type="echo" value="{{ greeting }}!"/>
        """
    )
    assert run.output("greeting") == "hi"
    assert run.output("use") == "hi!"


async def test_phases_run_in_order_and_share_their_variables(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        """
        <phase name="gather">
          <set id="s1" var="found" value="3"/>
          <transform id="g" type="echo" value="gathered"/>
        </phase>
        <phase name="report">
          <transform id="r" type="echo" value="{{ found }} items"/>
        </phase>
        <transform id="outside" type="echo" value="{{ found ?? 'not visible' }}"/>
        """
    )
    assert run.error is None
    assert run.output("gather") == "gathered"  # last node of the phase in document order
    assert run.output("report") == "3 items"
    assert journal.calls().index("g") < journal.calls().index("r")
    assert run.state.phase_context == {"found": 3}
    assert run.state.global_context == {}
    assert run.output("outside") == "not visible"


async def test_context_inside_a_loop_accumulates_in_the_enclosing_scope(run_flow: Any) -> None:
    run = await run_flow(
        """
        <set id="init" var="total" value="0"/>
        <foreach id="each" collection="[1, 2, 3]">
          <set id="add" var="total" value="{{ total + item }}"/>
        </foreach>
        <transform id="sum" type="echo" input="each" value="{{ total }}"/>
        """
    )
    assert run.output("each") == [1, 3, 6]
    assert run.output("sum") == 6


async def test_set_value_error_fails_the_node(run_flow: Any) -> None:
    run = await run_flow("<set id='s' var='v' value='{{ 1 + }}'/>")
    assert run.error is not None
    assert (run.error.type, run.error.node) == ("expression.eval", "s")
    assert run.state.global_context == {}
