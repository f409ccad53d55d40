"""Fixtures for executor tests: a flow runner with the probe runtime, and Dask clusters."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.execution import ExecutionOptions, ExecutionState, create_execution_state, execute
from flowscript.runtimes.base import RuntimeRegistry

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))  # dask_probe, importable in worker processes too

from dask_probe import ProbeSource  # noqa: E402


@dataclass
class Outcome:
    """A finished run: its state and the error it raised (if any)."""

    state: ExecutionState
    error: NodeError | None

    def output(self, node_id: str) -> Any:
        return self.state.node_results[node_id].output

    def status(self, node_id: str) -> str:
        return self.state.node_results[node_id].status.value


FlowRunner = Callable[..., Awaitable[Outcome]]


def flow_text(body: str, front: str = "") -> str:
    """A workflow file around ``body``."""
    return f"---\nname: t\nversion: 1.0.0\n{front}---\n<workflow>\n{body}\n</workflow>\n"


@pytest.fixture
def probe() -> ProbeSource:
    return ProbeSource()


@pytest.fixture
def run_flow(tmp_path: Path, probe: ProbeSource) -> FlowRunner:
    """``await run_flow(body, executor=…, secrets=…, front=…, **options) -> Outcome``."""

    async def run(
        body: str,
        *,
        front: str = "",
        secrets: dict[str, str] | None = None,
        run_id: str | None = None,
        **options: Any,
    ) -> Outcome:
        from flowscript.parser import parse
        from flowscript.planning import build_execution_plan

        workflow = parse(flow_text(body, front), str(tmp_path / "test.flow.md"))
        plan = build_execution_plan(workflow)
        state = create_execution_state(workflow.name, secrets=secrets, run_id=run_id)
        registry = RuntimeRegistry.default()
        registry.register(probe)
        opts = {"runtimes": registry, "root": tmp_path, **options}
        try:
            await execute(plan, state, ExecutionOptions(**opts))
        except NodeError as error:
            return Outcome(state, error)
        return Outcome(state, None)

    return run


@pytest.fixture
async def scheduler_cluster() -> AsyncIterator[Any]:
    """An in-process cluster reached by address (no bridge: workers read the environment)."""
    import dask
    import distributed

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = await distributed.LocalCluster(
            processes=False,
            n_workers=1,
            threads_per_worker=4,
            protocol="tcp",
            host="127.0.0.1",
            dashboard_address=None,
            asynchronous=True,
        )
    try:
        yield cluster
    finally:
        await cluster.close()


async def eventually(condition: Callable[[], bool], seconds: float = 15.0) -> bool:
    """Wait (polling the loop) until ``condition()`` holds; False if it never did."""
    import asyncio

    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while not condition():
        if loop.time() > end:
            return False
        await asyncio.sleep(0.02)
    return True
