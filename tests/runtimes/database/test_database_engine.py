"""Database nodes run by the engine: retry policy, secrets, shared resources, cancellation."""

from __future__ import annotations

import asyncio
from typing import Any

from flowscript.execution import ManualClock, RunStatus, SystemClock

SAFETY = 30  # seconds: a bound on waiting for real I/O, never a timing assertion

FRONT = "secrets: [DATABASE_URL]\n"


async def test_unreachable_database_is_retried_by_the_node_policy(
    run_flow: Any, closed_port: int, drive_retries: Any
) -> None:
    url = f"postgresql://flowscript:pg-S3cret-pw@127.0.0.1:{closed_port}/app"
    clock = ManualClock()
    body = """
    <source id="read" type="database" connection="{{ $secrets.DATABASE_URL }}"
            query="SELECT 1">
      <on-error><retry max="2" delay="1s"/></on-error>
    </source>
    """
    task = asyncio.ensure_future(
        run_flow(body, front=FRONT, secrets={"DATABASE_URL": url}, clock=clock)
    )
    outcome = await asyncio.wait_for(drive_retries(task, clock), SAFETY)
    assert outcome.error is not None
    assert outcome.error.type == "database.connect"
    result = outcome.state.node_results["read"]
    assert result.attempts == 3
    assert "pg-S3cret-pw" not in str(result.error)
    assert outcome.state.status is RunStatus.FAILED


async def test_source_then_sink_with_secret_connection(run_flow: Any, db: Any) -> None:
    db.execute("CREATE TABLE src (id INTEGER, name TEXT)")
    db.execute("CREATE TABLE dst (id INTEGER, name TEXT, tag TEXT)")
    mark = db.placeholder()
    for row in [(1, "a"), (2, "b"), (3, "c")]:
        db.execute(f"INSERT INTO src VALUES ({mark}, {mark})", *row)
    body = """
    <source id="read" type="database" connection="{{ $secrets.DATABASE_URL }}">
      <query>SELECT id, name FROM src WHERE id >= {{ $input.from }} ORDER BY id</query>
    </source>
    <transform id="tag" type="map" input="read" expression="({...item, tag: 'x' + item.id})"/>
    <sink id="write" type="database" input="tag" connection="{{ $secrets.DATABASE_URL }}"
          table="dst" batch="1"/>
    """
    outcome = await run_flow(body, front=FRONT, secrets={"DATABASE_URL": db.url}, input={"from": 2})
    assert outcome.error is None
    assert outcome.output("write") == {"rowsAffected": 2, "batches": 2}
    assert db.table("dst") == [(2, "b", "x2"), (3, "c", "x3")]


async def test_memory_database_lives_for_the_run(run_flow: Any) -> None:
    body = """
    <source id="create" type="database" connection="sqlite::memory:"
            query="CREATE TABLE m (id INTEGER, v TEXT)"/>
    <transform id="rows" type="template" input="create"
               template='[{"id": 1, "v": "a"}, {"id": 2}]'/>
    <sink id="fill" type="database" input="rows" connection="sqlite::memory:" table="m"/>
    <source id="read" type="database" input="fill" connection="sqlite::memory:"
            query="SELECT * FROM m ORDER BY id"/>
    """
    outcome = await run_flow(body)
    assert outcome.error is None
    assert outcome.output("fill") == {"rowsAffected": 2, "batches": 1}
    assert outcome.output("read") == [{"id": 1, "v": "a"}, {"id": 2, "v": None}]


async def test_attempt_timeout_interrupts_a_running_query(run_flow: Any, pg_db: Any) -> None:
    body = f"""
    <source id="slow" type="database" connection="{pg_db.url}" timeout="300ms"
            query="SELECT pg_sleep(60)"/>
    """
    outcome = await asyncio.wait_for(run_flow(body, clock=SystemClock()), SAFETY)
    assert outcome.error is not None
    assert outcome.error.type == "timeout.attempt"
    rows = pg_db.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' "
        "AND state = 'active'"
    )
    assert rows == [(0,)]  # the server is no longer running it
