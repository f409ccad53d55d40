"""Fixtures for the database runtime tests: a real database of each backend, and helpers
that run a node through ``prepare`` + ``run`` or a whole workflow through the engine."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.execution import (
    ExecutionOptions,
    ExecutionState,
    ManualClock,
    create_execution_state,
    execute,
)
from flowscript.expressions import MapScope
from flowscript.runtimes.base import NodeRequest, RuntimeContext
from flowscript.runtimes.coerce import coerce_config
from flowscript.runtimes.database import DatabaseSinkRuntime, DatabaseSourceRuntime

SAFETY = 30  # seconds: a bound on waiting for real I/O, never a timing assertion


@dataclass
class Db:
    """A real, empty database and a direct driver connection to inspect it."""

    dialect: str
    url: str
    _execute: Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]

    def execute(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run one statement directly (``?`` placeholders for SQLite, ``%s`` for psycopg)."""
        return self._execute(sql, params)

    def table(self, name: str, order: str = "id") -> list[tuple[Any, ...]]:
        """Every row of ``name``, ordered."""
        return self.execute(f"SELECT * FROM {name} ORDER BY {order}")

    def placeholder(self) -> str:
        return "?" if self.dialect == "sqlite" else "%s"


def _sqlite_db(path: Path) -> Db:
    def run(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with sqlite3.connect(path) as connection:
            cursor = connection.execute(sql, params)
            rows = cursor.fetchall()
        connection.close()
        return rows

    return Db("sqlite", f"sqlite:///{path}", run)


def _postgres_db(url: str) -> Db:
    import psycopg

    def run(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with psycopg.connect(url, autocommit=True) as connection:
            cursor = connection.execute(sql, params or None)
            return cursor.fetchall() if cursor.description is not None else []

    return Db("postgresql", url, run)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Db:
    """A fresh database on each backend."""
    if request.param == "sqlite":
        return _sqlite_db(tmp_path / "test.db")
    return _postgres_db(request.getfixturevalue("postgres_url"))


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Db:
    return _sqlite_db(tmp_path / "test.db")


@pytest.fixture
def pg_db(postgres_url: str) -> Db:
    return _postgres_db(postgres_url)


@pytest.fixture
def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def _node(
    runtime: DatabaseSourceRuntime | DatabaseSinkRuntime,
    context: RuntimeContext,
    config: dict[str, Any],
    input_value: Any = None,
    variables: dict[str, Any] | None = None,
) -> Any:
    kind = runtime.kind
    config = {key.replace("_", "-"): value for key, value in config.items()}
    request = NodeRequest(
        node_id="db",
        kind=kind,
        config=coerce_config(kind, config, raw_fields=runtime.raw_fields),
        input=input_value,
    )
    ctx = replace(context, scope=MapScope(variables or {}))
    prepared = await runtime.prepare(request, ctx)
    return await runtime.run(prepared, ctx)


@pytest.fixture
def source(context: RuntimeContext) -> Callable[..., Any]:
    """``await source(connection=…, query=…, variables={…})``."""

    async def run(*, variables: dict[str, Any] | None = None, **config: Any) -> Any:
        return await _node(DatabaseSourceRuntime(), context, config, variables=variables)

    return run


@pytest.fixture
def sink(context: RuntimeContext) -> Callable[..., Any]:
    """``await sink(rows, connection=…, table=…, …)``."""

    async def run(rows: Any, **config: Any) -> Any:
        return await _node(DatabaseSinkRuntime(), context, config, rows)

    return run


@dataclass
class Outcome:
    state: ExecutionState
    error: NodeError | None

    def output(self, node_id: str) -> Any:
        result = self.state.node_results[node_id]
        assert result.status.succeeded, f"{node_id} is {result.status}: {result.error}"
        return result.output


def flow_text(body: str, front: str = "") -> str:
    return f"---\nname: db-flow\nversion: '1.0'\n{front}---\n<workflow>\n{body}\n</workflow>\n"


@pytest.fixture
def run_flow(tmp_path: Path) -> Callable[..., Any]:
    """``await run_flow(body, secrets=…, input=…, clock=…)`` → :class:`Outcome`."""

    async def run(
        body: str,
        *,
        front: str = "",
        secrets: dict[str, str] | None = None,
        input: Any = None,
        clock: ManualClock | None = None,
    ) -> Outcome:
        from flowscript.parser import parse
        from flowscript.planning import build_execution_plan

        plan = build_execution_plan(parse(flow_text(body, front), str(tmp_path / "t.flow.md")))
        state = create_execution_state(plan.workflow.name, secrets=secrets, input=input)
        options = ExecutionOptions(root=tmp_path, clock=clock or ManualClock())
        try:
            await execute(plan, state, options)
        except NodeError as error:
            return Outcome(state, error)
        return Outcome(state, None)

    return run


async def _drive_retries(task: asyncio.Future[Any], clock: ManualClock) -> Any:
    """Advance the manual clock through every backoff wait until ``task`` ends."""
    while not task.done():
        sleeper = asyncio.ensure_future(clock.wait_for_sleepers(1))
        await asyncio.wait({task, sleeper}, timeout=SAFETY, return_when=asyncio.FIRST_COMPLETED)
        if not sleeper.done():
            sleeper.cancel()
            continue
        clock.advance_to_next()
    return task.result()


@pytest.fixture
def drive_retries() -> Callable[..., Any]:
    """``await drive_retries(task, clock)``: run ``task`` to its end through its backoffs."""
    return _drive_retries
