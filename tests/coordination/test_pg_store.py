"""PostgresRunStore against a real PostgreSQL: round trip, resume, and the lease fence."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowscript.coordination import (
    Lease,
    RunSettings,
    claim_next,
    execute_leased,
    insert_run,
    prepare_submission,
    run_claimed,
)
from flowscript.execution.run import prepare_run
from flowscript.execution.state import (
    NodeResult,
    NodeStatus,
    RunStatus,
    create_execution_state,
)
from flowscript.persistence import state_to_data
from flowscript.persistence.postgres import (
    Database,
    LeaseLost,
    PostgresRunStore,
    load_run_state,
)

WriteFlow = Callable[[str, str], Path]

CHAIN = """---
name: chain
version: "1.0"
input:
  n:
    type: number
    default: 2
---
<workflow>
  <context id="defaults">
    <set key="factor" value="{{ 10 }}"/>
  </context>
  <transform id="double" type="template">
    <template>{"b": {{ $input.n * 2 }}, "a": "x\\u0000y"}</template>
  </transform>
  <set var="total" value="{{ double.b * factor }}"/>
  <transform id="show" type="template" input="double" template="{{ total }}"/>
</workflow>
"""


async def _count(database: Database, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    async with database.connection() as conn:
        cursor = await conn.execute(sql, args)  # type: ignore[arg-type]
        return list(await cursor.fetchall())


async def _hosted_run(database: Database, path: Path, owner: str = "test") -> tuple[Lease, Any]:
    submission = prepare_submission(path, input={"n": 3})
    async with database.connection() as conn:
        lease = await insert_run(conn, submission, holder=(owner, 30.0))
    assert lease is not None
    prepared = prepare_run(path, input={"n": 3})
    prepared.state.run_id = lease.run_id
    from flowscript.execution.options import ExecutionOptions

    state = await execute_leased(database, lease, prepared.execute, ExecutionOptions())
    return lease, state


async def test_state_round_trips_through_the_database(
    database: Database, write_flow: WriteFlow
) -> None:
    lease, state = await _hosted_run(database, write_flow("chain.flow.md", CHAIN))
    loaded = await load_run_state(database, lease.run_id)
    assert state_to_data(loaded) == state_to_data(state)
    assert list(loaded.output_of("double")) == ["b", "a"]  # key order survives (json, not jsonb)
    assert loaded.output_of("double")["a"] == "x\x00y"
    rows = await _count(database, "SELECT status, lease_owner, lease_expires FROM flowscript_runs")
    assert rows == [("completed", None, None)]
    nodes = await _count(database, "SELECT node, epoch FROM flowscript_node_results ORDER BY seq")
    assert nodes == [("defaults", 1), ("double", 1), ("total", 1), ("show", 1)]


async def test_records_after_the_snapshot_are_replayed(database: Database) -> None:
    state = create_execution_state("w", run_id="r1", secrets={"TOKEN": "tok-123"})
    async with database.connection() as conn:
        await conn.execute(
            "INSERT INTO flowscript_runs (id, workflow, status, lease_epoch) VALUES"
            " ('r1', 'w', 'running', 4)"
        )
    store = PostgresRunStore(database, "r1", 4)
    await store.open(state)
    state.node_results["a"] = NodeResult(status=NodeStatus.SUCCESS, output={"z": 1, "k": "tok-123"})
    state.node_context["a"] = {"output": state.node_results["a"].output}
    state.global_context["v"] = [1, 2]
    first = store.append_node(state, "a")
    state.node_results["b"] = NodeResult(
        status=NodeStatus.FAILED,
        error={"type": "http.status", "message": "boom", "retryable": True},
    )
    second = store.append_node(state, "b")
    assert (first, second) == (1, 2)
    await store.wait(second)
    assert store.commits == 2  # open + ONE transaction for both records (group commit)
    loaded = await load_run_state(database, "r1")
    assert loaded.output_of("a") == {"z": 1, "k": "***"}  # secrets never stored
    assert loaded.node_results["b"].error == {
        "type": "http.status",
        "message": "boom",
        "retryable": True,
    }
    assert loaded.global_context == {"v": [1, 2]}
    text = await _count(database, "SELECT record::text FROM flowscript_node_results")
    assert all("tok-123" not in row[0] for row in text)


async def test_a_store_whose_lease_was_taken_over_writes_nothing(database: Database) -> None:
    state = create_execution_state("w", run_id="r2")
    state.status = RunStatus.RUNNING
    async with database.connection() as conn:
        await conn.execute(
            "INSERT INTO flowscript_runs (id, workflow, status, lease_epoch, lease_owner) VALUES"
            " ('r2', 'w', 'running', 1, 'a')"
        )
    lost: list[bool] = []
    store = PostgresRunStore(database, "r2", 1, on_lost=lambda: lost.append(True))
    await store.open(state)
    state.node_results["a"] = NodeResult(status=NodeStatus.SUCCESS, output=1)
    await store.wait(store.append_node(state, "a") or 0)
    async with database.connection() as conn:  # another coordinator claims the run
        await conn.execute("UPDATE flowscript_runs SET lease_epoch = 2, lease_owner = 'b'")
    state.node_results["b"] = NodeResult(status=NodeStatus.SUCCESS, output=2)
    ticket = store.append_node(state, "b")
    with pytest.raises(LeaseLost, match="lost the lease of run r2 \\(epoch 1\\)"):
        await store.wait(ticket or 0)
    assert lost == [True]
    assert store.lost
    state.status = RunStatus.COMPLETED
    await store.checkpoint(state)  # refused without a word: nothing is written any more
    assert store.append_node(state, "c") is None
    rows = await _count(database, "SELECT node FROM flowscript_node_results")
    assert rows == [("a",)]
    runs = await _count(database, "SELECT status, snapshot::json->>'status' FROM flowscript_runs")
    assert runs == [("running", "running")]


async def test_a_claimed_run_resumes_without_rerunning_completed_nodes(
    database: Database, write_flow: WriteFlow
) -> None:
    path = write_flow("chain.flow.md", CHAIN)
    submission = prepare_submission(path, input={"n": 3})
    async with database.connection() as conn:
        lease = await insert_run(conn, submission, holder=("dead", 30.0))
    assert lease is not None
    prepared = prepare_run(path, input={"n": 3})
    prepared.state.run_id = lease.run_id
    store = PostgresRunStore(database, lease.run_id, lease.epoch)
    state = prepared.state
    state.status, state.started_at = RunStatus.RUNNING, 1_700_000_000_000  # as execute does
    await store.open(state)
    state.node_results["double"] = NodeResult(status=NodeStatus.SUCCESS, output={"b": 6, "a": "q"})
    state.node_context["double"] = {"output": {"b": 6, "a": "q"}}
    await store.wait(store.append_node(state, "double") or 0)
    async with database.connection() as conn:  # the coordinator died: its lease expired
        await conn.execute("UPDATE flowscript_runs SET lease_expires = now() - interval '1s'")
    taken = await claim_next(database, "second", 30.0)
    assert taken is not None and (taken.epoch, taken.was) == (2, "running")
    status = await run_claimed(database, taken, RunSettings())
    assert status == "completed"
    final = await load_run_state(database, lease.run_id)
    assert final.output_of("double") == {"b": 6, "a": "q"}  # kept: not run again
    assert final.output_of("show") == 60
    rows = await _count(database, "SELECT node, epoch FROM flowscript_node_results ORDER BY seq")
    assert rows == [("double", 1), ("defaults", 2), ("total", 2), ("show", 2)]
