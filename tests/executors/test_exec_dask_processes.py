"""The Dask executor with real worker processes: a killed worker, retried by the node's own
policy on another worker; custom runtimes and secrets from the workers' environment."""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from conftest import HERE, FlowRunner, eventually
from flowscript.execution.executors import DaskExecutor

pytestmark = pytest.mark.slow


@pytest.fixture
async def process_cluster(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    """Two single-threaded worker processes; they inherit this environment at start."""
    import dask
    import distributed

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("FLOWSCRIPT_RUNTIMES", "dask_probe:ProbeSource")
    monkeypatch.setenv("PROBE_SECRET", "worker-side-value")
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = await distributed.LocalCluster(
            processes=True,
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            asynchronous=True,
        )
    try:
        yield cluster
    finally:
        await cluster.close()


async def test_a_killed_worker_is_retried_on_another(
    run_flow: FlowRunner, process_cluster: Any, http_server: Any, tmp_path: Path
) -> None:
    http_server.route("/slow", body={"ok": 1}, slow=True)
    body = f"""
<source id="fetch" type="http" url="{http_server.url}/slow">
  <retry max="2" delay="10ms"/>
</source>
"""
    executor = DaskExecutor(process_cluster.scheduler_address)
    pids: dict[str, int] = {}
    retries: list[Any] = []

    async def kill_when_requested() -> None:
        assert await eventually(http_server.received.is_set), "the request never arrived"
        http_server.route("/slow", body={"ok": 2})  # the next attempt gets an answer
        workers = await executor._connection._client.run(os.getpid)
        processing = await executor._connection._client.processing()
        busy = [address for address, keys in processing.items() if keys]
        assert len(busy) == 1
        pids["killed"] = workers[busy[0]]
        os.kill(pids["killed"], signal.SIGKILL)

    import asyncio

    async with asyncio.TaskGroup() as group:
        run = group.create_task(run_flow(body, executor=executor, observers=[retries.append]))
        group.create_task(kill_when_requested())
    outcome = run.result()
    assert outcome.error is None, outcome.error
    result = outcome.state.node_results["fetch"]
    assert (result.status.value, result.attempts, result.output) == ("success", 2, {"ok": 2})
    assert len(http_server.requests) == 2
    lost = [event.error for event in retries if type(event).__name__ == "NodeRetrying"]
    assert [(error["type"], error["retryable"]) for error in lost] == [
        ("executor.worker_lost", True)
    ]
    assert pids["killed"] not in (await _worker_pids(process_cluster))


async def _worker_pids(cluster: Any) -> list[int]:
    import distributed

    async with distributed.Client(cluster, asynchronous=True) as client:
        return list((await client.run(os.getpid)).values())


async def test_worker_processes_use_their_registry_and_environment(
    run_flow: FlowRunner, process_cluster: Any, tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    body = f"""
<source id="echo" type="probe" token="{{{{ $secrets.PROBE_SECRET }}}}"/>
<parallel id="race" wait="any">
  <branch><source id="slow" type="probe" mode="block" marker="{markers}"/></branch>
  <branch><transform id="fast" type="template" template="done" input="echo"/></branch>
</parallel>
"""
    executor = DaskExecutor(process_cluster.scheduler_address)
    outcome = await run_flow(
        body,
        front="secrets: [PROBE_SECRET]\n",
        secrets={"PROBE_SECRET": "worker-side-value"},
        executor=executor,
    )
    assert outcome.error is None, outcome.error
    echo = outcome.output("echo")
    assert echo["pid"] != os.getpid()  # ran in a worker process
    assert echo["config"]["token"] == "worker-side-value"  # opened from the worker's env
    assert echo["secrets"] == ["PROBE_SECRET"]
    if (markers / "started-slow").exists():  # the loser may be cancelled before it starts
        assert await eventually((markers / "cancelled-slow").exists)
