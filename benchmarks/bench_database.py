"""Database sink throughput: 100,000 rows through a ``database:sink`` node (batch 500) into
SQLite and PostgreSQL, against a direct driver loop doing the same inserts in one
transaction (sqlite3 / psycopg ``executemany`` in batches of 500).

The engine run includes everything a workflow pays: parsing nothing (the plan is built
once), the run itself, config rendering, building and checking the statement, converting
100,000 row objects to parameter tuples, and the transaction. PostgreSQL runs on a
throwaway local server (``tests/support/pgserver.py``).
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import Row

ROWS = 100_000
BATCH = 500
TABLE = "CREATE TABLE bench (id INTEGER PRIMARY KEY, name TEXT, score REAL, active BOOLEAN)"
INSERT = "INSERT INTO bench (id, name, score, active) VALUES ({marks})"

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))


def _rows() -> list[dict[str, Any]]:
    return [
        {"id": i, "name": f"name-{i}", "score": i * 0.5, "active": i % 2 == 0} for i in range(ROWS)
    ]


def _flow(connection: str) -> str:
    return (
        "---\nname: bench-db\nversion: '1.0'\n---\n<workflow>\n"
        f'  <sink id="save" type="database" connection="{connection}" table="bench"'
        f' batch="{BATCH}"/>\n</workflow>\n'
    )


def _engine(connection: str, rows: list[dict[str, Any]], reset: Any) -> float:
    from flowscript.execution import ExecutionOptions, create_execution_state, execute
    from flowscript.parser import parse
    from flowscript.planning import build_execution_plan

    plan = build_execution_plan(parse(_flow(connection), "bench.flow.md"))

    async def once() -> None:
        state = create_execution_state(plan.workflow.name, input=rows)
        result = await execute(plan, state, ExecutionOptions())
        output = result.node_results["save"].output
        assert output == {"rowsAffected": ROWS, "batches": -(-ROWS // BATCH)}, output

    return _best(reset, lambda: asyncio.run(once()))


def _best(reset: Any, work: Any, repeat: int = 5) -> float:
    """The fastest of ``repeat`` runs of ``work``, each after ``reset`` (not timed)."""
    times = []
    for _ in range(repeat):
        reset()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def _tuples(batch: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["id"], r["name"], r["score"], r["active"]) for r in batch]


def _sqlite_direct(path: Path, rows: list[dict[str, Any]]) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    sql = INSERT.format(marks="?, ?, ?, ?")
    connection.execute("BEGIN IMMEDIATE")
    for start in range(0, len(rows), BATCH):
        connection.executemany(sql, _tuples(rows[start : start + BATCH]))
    connection.execute("COMMIT")
    connection.close()


def _sqlite_reset(path: Path) -> None:
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    connection.execute(TABLE)
    connection.commit()
    connection.close()


def _sqlite_rows(rows: list[dict[str, Any]]) -> Row:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        engine = _engine(f"sqlite:///{path}", rows, lambda: _sqlite_reset(path))

        baseline = _best(lambda: _sqlite_reset(path), lambda: _sqlite_direct(path, rows))
    _report("SQLite", engine, baseline)
    return Row(
        f"database sink, {ROWS:,} rows, SQLite",
        engine, "s", baseline, "sqlite3 executemany", "≤ 1.5×",
    )  # fmt: skip


def _postgres_rows(rows: list[dict[str, Any]]) -> Row:
    import psycopg
    from pgserver import PostgresServer

    server = PostgresServer().start()
    try:
        url = server.database_url("postgres")

        def reset() -> None:
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute("DROP TABLE IF EXISTS bench")
                connection.execute(TABLE)

        engine = _engine(url, rows, reset)

        def direct() -> None:
            sql = INSERT.format(marks="%s, %s, %s, %s")
            with psycopg.connect(url) as connection, connection.transaction():
                cursor = connection.cursor()
                for start in range(0, len(rows), BATCH):
                    cursor.executemany(sql, _tuples(rows[start : start + BATCH]))

        baseline = _best(reset, direct)
    finally:
        server.stop()
    _report("PostgreSQL", engine, baseline)
    return Row(
        f"database sink, {ROWS:,} rows, PostgreSQL",
        engine, "s", baseline, "psycopg executemany", "≤ 1.5×",
    )  # fmt: skip


def _report(name: str, engine: float, baseline: float) -> None:
    print(
        f"{name}: engine {ROWS / engine:,.0f} rows/s, direct {ROWS / baseline:,.0f} rows/s, "
        f"ratio {engine / baseline:.2f}×",
        file=sys.stderr,
    )


def run() -> list[Row]:
    """Seconds to insert 100,000 rows through the engine vs the direct driver loop."""
    rows = _rows()
    return [_sqlite_rows(rows), _postgres_rows(rows)]


if __name__ == "__main__":
    for row in run():
        print(row)
