"""``<foreach>``: per-item bodies, item/index names, concurrency, failures, break."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from flowscript.execution import NodeFailed


async def test_foreach_outputs_last_body_node_per_item_in_item_order(run_flow: Any) -> None:
    run = await run_flow(
        """
        <foreach id="each" collection="$input.items">
          <transform id="double" type="echo" value="{{ item * 2 }}"/>
          <transform id="label" type="echo" value="{{ index }}:{{ double }}"/>
        </foreach>
        """,
        input={"items": [1, 2, 3]},
    )
    assert run.error is None
    assert run.output("each") == ["0:2", "1:4", "2:6"]
    assert run.output("label") == "2:6"  # latest run


async def test_custom_item_and_index_names_and_aliases(run_flow: Any) -> None:
    run = await run_flow(
        """
        <foreach id="each" collection="['a', 'b']" item="letter" index="i">
          <transform id="t" type="echo" value="{{ letter }}{{ i }}{{ $item }}{{ $index }}"/>
        </foreach>
        """
    )
    assert run.output("each") == ["a0a0", "b1b1"]


@pytest.mark.parametrize(
    ("collection", "expected"),
    [
        pytest.param("null", [], id="null-is-empty"),
        pytest.param("undefined", [], id="undefined-is-empty"),
        pytest.param("'solo'", ["<solo>"], id="scalar-is-one-item"),
        pytest.param("{a: 1}", ['<{"a":1}>'], id="object-is-one-item"),
        pytest.param("[]", [], id="empty-array"),
    ],
)
async def test_collection_coercion(run_flow: Any, collection: str, expected: list[Any]) -> None:
    run = await run_flow(
        f"""
        <foreach id="each" collection="{collection}">
          <transform id="t" type="echo" value="<{{{{ item }}}}>"/>
        </foreach>
        """.replace("<{{", "&lt;{{")
    )
    assert run.error is None
    assert run.output("each") == expected


async def test_items_run_one_at_a_time_by_default(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        """
        <foreach id="each" collection="[1, 2, 3]">
          <transform id="a" type="echo" value="{{ item }}"/>
          <transform id="b" type="echo" input="a"/>
        </foreach>
        """
    )
    assert run.error is None
    assert journal.calls() == ["a", "b", "a", "b", "a", "b"]
    assert journal.max_active == 1


async def test_concurrent_items_each_read_their_own_body_outputs(
    run_flow: Any, journal: Any, until: Any
) -> None:
    body = """
    <foreach id="each" collection="[1, 2, 3]" concurrency="3">
      <transform id="wait" type="gate" key="k{{ item }}" value="{{ item }}"/>
      <transform id="use" type="echo" input="wait" value="{{ wait }}/{{ input }}/{{ item }}"/>
    </foreach>
    """
    task = asyncio.create_task(run_flow(body))
    await until(lambda: len(journal.waiting) == 3)
    journal.open("k3")
    await until(lambda: journal.log.count("end:use") == 1)
    journal.open("k1")
    await until(lambda: journal.log.count("end:use") == 2)
    journal.open("k2")
    run = await task
    assert run.error is None
    assert journal.max_active == 3
    assert run.output("each") == ["1/1/1", "2/2/2", "3/3/3"]


async def test_concurrency_attribute_bounds_items(run_flow: Any, journal: Any, until: Any) -> None:
    body = """
    <foreach id="each" collection="[1, 2, 3, 4, 5]" concurrency="{{ $config.c }}">
      <transform id="g" type="gate" key="k{{ item }}"/>
    </foreach>
    """
    task = asyncio.create_task(run_flow(body, config={"c": 2}))
    for expected in (["k1", "k2"], ["k3", "k4"], ["k5"]):
        await until(lambda expected=expected: sorted(journal.waiting) == expected)
        journal.open(*expected)
    assert (await task).output("each") == ["k1", "k2", "k3", "k4", "k5"]
    assert journal.max_active == 2


async def test_first_item_failure_fails_foreach_running_items_finish(
    run_flow: Any, journal: Any, until: Any
) -> None:
    body = """
    <foreach id="each" collection="[1, 2, 3, 4]" concurrency="2">
      <branch id="pick">
        <case when="item == 2"><transform id="bad" type="fail" message="item 2"/></case>
        <default><transform id="ok" type="gate" key="k{{ item }}"/></default>
      </branch>
    </foreach>
    <transform id="after" type="echo" input="each"/>
    """
    events: list[Any] = []
    task = asyncio.create_task(run_flow(body, observers=[events.append]))
    await until(lambda: any(isinstance(e, NodeFailed) and e.node_id == "bad" for e in events))
    assert journal.waiting == ["k1"]
    journal.open("k1", "k3", "k4")
    run = await task
    assert run.error is not None
    assert run.error.node == "bad"
    assert run.status("each") == "failed"
    assert run.status("after") is None
    assert journal.calls() == ["ok", "bad"]  # items 3 and 4 never started
    assert "effect:k1" in journal.log  # the running item finished


async def test_break_stops_new_items(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        """
        <foreach id="each" collection="[1, 2, 3, 4]">
          <transform id="t" type="echo" value="{{ item }}"/>
          <break when="item == 2"/>
        </foreach>
        """
    )
    assert run.error is None
    assert run.output("each") == [1, 2]
    assert journal.calls() == ["t", "t"]


async def test_foreach_body_reads_outer_nodes(run_flow: Any) -> None:
    run = await run_flow(
        """
        <transform id="prefix" type="echo" value="n="/>
        <foreach id="each" collection="[1, 2]">
          <transform id="t" type="echo" value="{{ prefix }}{{ item }}"/>
        </foreach>
        """
    )
    assert run.state.node_results["each"].output == ["n=1", "n=2"]
