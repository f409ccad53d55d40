"""Coordinators on PostgreSQL: runs/s with 1, 2 and 4 ``flowscript serve`` processes, and the
state store's write throughput with group commit vs one transaction per record.

Runs/s: 200 queued runs of a 5-node workflow (template nodes: the figure is the cost of
coordination — claim, lease, load, state writes, release — not of node work), drained by N
``serve`` processes (``--max-runs 4``), timed from the first claim to the last release as the
database recorded them (process start-up excluded). Baseline: the same 200 runs executed one
after another in one process with the local JSON state store. This machine has 2 cores, so
more coordinators mostly overlap database round trips; no CPU scaling is claimed.

Store throughput: 2,000 node records through ``PostgresRunStore``: 32 concurrent writers
(records share transactions: group commit) vs one writer (one transaction per record).
PostgreSQL runs on a throwaway local server with ``fsync=off`` (``tests/support/pgserver.py``),
so commit latency is a local round trip, not a disk flush.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import Row

RUNS = 200
RECORDS = 2_000
WRITERS = 32
FLOW = """---
name: bench-coord
version: "1.0"
input:
  k:
    type: number
    default: 1
---
<workflow>
  <transform id="a" type="template" template="{{ $input.k }}"/>
  <transform id="b" type="template" input="a" template="{{ a + 1 }}"/>
  <transform id="c" type="template" input="b" template="{{ b + 1 }}"/>
  <transform id="d" type="template" input="c" template="{{ c + 1 }}"/>
  <transform id="e" type="template" input="d" template="{{ d + 1 }}"/>
</workflow>
"""

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))


def _query(url: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(sql.encode())
        return list(cursor.fetchall()) if cursor.description is not None else []


def _queue(url: str, flow: Path) -> None:
    from flowscript.coordination import prepare_submission, submit_run
    from flowscript.persistence.postgres import Database

    async def go() -> None:
        async with Database(url, max_size=2) as database:
            for index in range(RUNS):
                submission = prepare_submission(flow, input={"k": index})
                await submit_run(database, submission)

    asyncio.run(go())


def _drain(url: str, flow: Path, coordinators: int) -> float:
    """Runs/s of ``coordinators`` serve processes on a fresh queue of RUNS runs."""
    _query(url, "DROP TABLE IF EXISTS flowscript_run_events, flowscript_node_results,"
                " flowscript_runs, flowscript_schema")  # fmt: skip
    _queue(url, flow)
    env = dict(os.environ, NO_COLOR="1")
    command = [sys.executable, "-m", "flowscript", "serve", "--state", url,
               "--max-runs", "4", "--poll", "0.05s"]  # fmt: skip
    processes = [
        subprocess.Popen(command, cwd=flow.parent, env=env, stderr=subprocess.DEVNULL)
        for _ in range(coordinators)
    ]
    try:
        done = "SELECT count(*) FROM flowscript_runs WHERE status = 'completed'"
        while _query(url, done)[0][0] < RUNS:
            time.sleep(0.05)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
    span = _query(
        url,
        "SELECT extract(epoch FROM max(at) - min(at)) FROM flowscript_run_events"
        " WHERE kind IN ('claimed', 'released')",
    )[0][0]
    return RUNS / float(span)


def _local_baseline(flow: Path) -> float:
    """Runs/s of the same runs, one after another, in one process (local state files)."""
    from flowscript.execution import ExecutionOptions
    from flowscript.execution.run import prepare_run

    async def go(folder: Path) -> None:
        for index in range(RUNS):
            prepared = prepare_run(flow, input={"k": index})
            path = folder / f"{prepared.state.run_id}.json"
            await prepared.execute(ExecutionOptions(persistence_path=path))

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        asyncio.run(go(Path(folder)))
        return RUNS / (time.perf_counter() - start)


def _store_throughput(url: str, writers: int) -> float:
    """Records/s through PostgresRunStore with ``writers`` concurrent writers."""
    from flowscript.execution.state import NodeResult, NodeStatus, RunStatus, create_execution_state
    from flowscript.persistence.postgres import Database, PostgresRunStore

    run_id = f"bench-{writers}"
    _query(url, f"INSERT INTO flowscript_runs (id, workflow, status, lease_epoch)"
                f" VALUES ('{run_id}', 'w', 'running', 1)")  # fmt: skip

    async def go() -> float:
        async with Database(url, max_size=4) as database:
            state = create_execution_state("w", run_id=run_id)
            state.status = RunStatus.RUNNING
            store = PostgresRunStore(database, run_id, 1)
            await store.open(state)

            async def writer(number: int) -> None:
                for index in range(RECORDS // writers):
                    key = f"n{number}-{index}"
                    state.node_results[key] = NodeResult(
                        status=NodeStatus.SUCCESS, output={"i": index, "text": "x" * 40}
                    )
                    await store.wait(store.append_node(state, key) or 0)

            start = time.perf_counter()
            await asyncio.gather(*(writer(n) for n in range(writers)))
            elapsed = time.perf_counter() - start
            print(f"  {writers} writer(s): {store.commits - 1} transactions", file=sys.stderr)
            return RECORDS / elapsed

    return asyncio.run(go())


def run() -> list[Row]:
    """Runs/s with 1, 2, 4 coordinators; store records/s with and without group commit."""
    from pgserver import PostgresServer

    server = PostgresServer().start()
    rows: list[Row] = []
    try:
        url = server.database_url("postgres")
        with tempfile.TemporaryDirectory() as folder:
            flow = Path(folder) / "bench.flow.md"
            flow.write_text(FLOW, encoding="utf-8")
            baseline = _local_baseline(flow)
            for count in (1, 2, 4):
                value = _drain(url, flow, count)
                print(f"{count} coordinator(s): {value:,.1f} runs/s", file=sys.stderr)
                rows.append(Row(
                    f"coordinators: {count} serve, {RUNS} runs × 5 nodes",
                    value, "runs/s", baseline, "1 process, local state", "measured",
                ))  # fmt: skip
        grouped = _store_throughput(url, WRITERS)
        single = _store_throughput(url, 1)
        rows.append(Row(
            f"PostgresRunStore writes, {WRITERS} concurrent (group commit)",
            grouped, "records/s", single, "1 transaction per record", "≥ 2×",
        ))  # fmt: skip
    finally:
        server.stop()
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
