"""The Dask executor on an in-process cluster (``dask-local``): same results as local, the
dispatch policy, cancellation reaching the worker, secrets kept off the scheduler."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from dask_probe import ProbeSource

from conftest import FlowRunner
from flowscript.execution.events import RunWarning
from flowscript.execution.executors import DaskExecutor

FILE_FLOW = """
<source id="people" type="file" path="people.json"/>
<transform id="names" type="map" input="people" expression="item.name.toUpperCase()"/>
<transform id="greeting" type="template" template="hello {{ names.join(', ') }}"/>
<sink id="save" type="file" path="out/names.json" input="names"/>
"""


@pytest.fixture
def people(tmp_path: Path) -> Path:
    path = tmp_path / "people.json"
    path.write_text(json.dumps([{"name": "ada"}, {"name": "grace"}]))
    return path


def _summary(outcome: Any) -> dict[str, Any]:
    return {
        key: (result.status.value, result.output, result.error, result.attempts)
        for key, result in outcome.state.node_results.items()
    }


async def test_same_results_as_the_local_executor(run_flow: FlowRunner, people: Path) -> None:
    local = await run_flow(FILE_FLOW)
    executor = DaskExecutor("dask-local")
    remote = await run_flow(FILE_FLOW, executor=executor)
    assert remote.error is None and local.error is None
    assert _summary(remote) == _summary(local)
    assert remote.output("greeting") == "hello ADA, GRACE"
    assert executor.dispatched == 2  # the file source and sink; map and template stay here
    assert not executor._connection.connected  # closed with the run


@pytest.mark.parametrize(
    ("body", "mode", "dispatched"),
    [
        (
            FILE_FLOW.replace('path="people.json"', 'path="people.json" dispatch="local"'),
            "default",
            1,
        ),
        (FILE_FLOW, "local", 0),
        (FILE_FLOW.replace('input="people"', 'input="people" dispatch="local"'), "cluster", 2),
        (
            FILE_FLOW.replace('path="out/names.json"', 'path="out/names.json" dispatch="cluster"'),
            "local",
            1,
        ),
    ],
    ids=["node-local", "run-local", "run-cluster", "node-cluster-beats-run-local"],
)
async def test_dispatch_settings(
    run_flow: FlowRunner, people: Path, body: str, mode: Any, dispatched: int
) -> None:
    executor = DaskExecutor("dask-local", dispatch=mode)
    outcome = await run_flow(body, executor=executor)
    assert outcome.error is None
    assert outcome.output("names") == ["ADA", "GRACE"]
    assert executor.dispatched == dispatched


async def test_a_map_forced_to_the_cluster_fails_clearly(run_flow: FlowRunner) -> None:
    body = '<transform id="m" type="map" input="[1]" expression="item" dispatch="cluster"/>'
    outcome = await run_flow(body, executor=DaskExecutor("dask-local"))
    assert outcome.error is not None and outcome.error.type == "config.invalid"
    assert "evaluates expressions against the run's scope" in outcome.error.message


async def test_a_wait_any_loser_is_cancelled_on_the_worker(
    run_flow: FlowRunner, probe: ProbeSource
) -> None:
    body = """
<parallel id="race" wait="any">
  <branch><source id="slow" type="probe" mode="block"/></branch>
  <branch><source id="fast" type="probe" mode="after-start"/></branch>
</parallel>
"""
    outcome = await run_flow(body, executor=DaskExecutor("dask-local"))
    assert outcome.error is None
    assert outcome.output("race") == ["won"]
    assert probe.started.is_set()
    assert probe.cancelled.wait(10), "the worker-side body never saw the cancellation"
    assert outcome.status("slow") == "skipped"


async def test_a_timeout_node_cancels_the_work_on_the_worker(
    run_flow: FlowRunner, probe: ProbeSource
) -> None:
    # A <timeout> node gives the attempt no deadline of its own: only the coordinator's
    # cancellation event can stop the body on the worker.
    body = """
<timeout id="limit" duration="300ms">
  <source id="slow" type="probe" mode="block"/>
</timeout>
"""
    outcome = await run_flow(body, executor=DaskExecutor("dask-local"))
    assert probe.cancelled.wait(10), "the worker-side body never saw the cancellation"
    assert outcome.status("slow") != "success"


async def test_an_attempt_timeout_stops_the_worker_body(
    run_flow: FlowRunner, probe: ProbeSource
) -> None:
    body = '<source id="slow" type="probe" mode="block" timeout="300ms"/>'
    outcome = await run_flow(body, executor=DaskExecutor("dask-local"))
    assert outcome.error is not None
    assert (outcome.error.type, outcome.error.retryable) == ("timeout.attempt", True)
    assert probe.cancelled.wait(10)


async def test_worker_warnings_and_usage_reach_the_run(run_flow: FlowRunner) -> None:
    warnings: list[str] = []

    def observe(event: Any) -> None:
        if isinstance(event, RunWarning):
            warnings.append(event.message)

    body = '<source id="a" type="probe"/>\n<source id="u" type="probe" mode="usage"/>'
    outcome = await run_flow(body, executor=DaskExecutor("dask-local"), observers=[observe])
    assert outcome.error is None
    assert warnings == ["probe a ran"]
    assert outcome.output("u") == 1
    assert outcome.state.node_results["u"].usage is not None
    assert outcome.state.node_results["u"].usage["totalTokens"] == 5


async def test_node_paths_and_idempotency_keys(run_flow: FlowRunner) -> None:
    body = """
<foreach id="each" collection="[10, 20]" item="n">
  <source id="p" type="probe" value="{{ n }}"/>
</foreach>
"""
    outcome = await run_flow(body, executor=DaskExecutor("dask-local"), run_id="run-42")
    assert outcome.error is None
    seen = {item["path"]: item for item in outcome.output("each")}
    assert sorted(seen) == ["each[0]/p", "each[1]/p"]
    expected = hashlib.sha256(b"run-42\x1feach[1]/p").hexdigest()[:32]
    assert seen["each[1]/p"]["key"] == expected
    assert seen["each[1]/p"]["config"]["value"] == 20


async def test_a_worker_of_another_version_is_refused(
    run_flow: FlowRunner, people: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowscript.execution.executors import _task

    original = _task.RemoteCall.task

    def other_version(self: Any, **options: Any) -> dict[str, Any]:
        return {**original(self, **options), "version": "9.9.9"}

    monkeypatch.setattr(_task.RemoteCall, "task", other_version)
    outcome = await run_flow(FILE_FLOW, executor=DaskExecutor("dask-local"))
    assert outcome.error is not None
    assert (outcome.error.type, outcome.error.retryable) == ("executor.version_mismatch", False)
    assert "'9.9.9'" in outcome.error.message


async def test_a_held_executor_serves_several_runs(run_flow: FlowRunner, people: Path) -> None:
    async with DaskExecutor("dask-local") as executor:
        first = await run_flow(FILE_FLOW, executor=executor)
        assert executor._connection.connected  # held open between runs
        second = await run_flow(FILE_FLOW, executor=executor)
    assert first.error is None and second.error is None
    assert executor.dispatched == 4
    assert not executor._connection.connected


class _TaskRecorder:
    """A scheduler plugin keeping the pickled spec of every task the scheduler receives."""

    name = "flowscript-test-recorder"

    def __init__(self) -> None:
        self.payloads: list[bytes] = []

    def update_graph(self, scheduler: Any, *, keys: Any, **kwargs: Any) -> None:
        for key in keys:
            state = scheduler.tasks.get(key)
            if state is not None:
                self.payloads.append(pickle.dumps(state.run_spec))


async def test_secrets_never_reach_the_scheduler(
    run_flow: FlowRunner,
    scheduler_cluster: Any,
    http_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from distributed.diagnostics.plugin import SchedulerPlugin

    secret = "s3cr3t token/+="
    monkeypatch.setenv("API_TOKEN", secret)  # the worker's own environment
    recorder = type("Recorder", (_TaskRecorder, SchedulerPlugin), {})()
    scheduler_cluster.scheduler.add_plugin(recorder)
    body = f"""
<source id="call" type="http" url="{http_server.url}/echo?key={{{{ $secrets.API_TOKEN }}}}">
  <headers>
    Authorization: "Bearer {{{{ $secrets.API_TOKEN }}}}"
  </headers>
</source>
"""
    front = "secrets: [API_TOKEN]\n"
    executor = DaskExecutor(scheduler_cluster.scheduler_address)
    remote = await run_flow(body, front=front, secrets={"API_TOKEN": secret}, executor=executor)
    local = await run_flow(body, front=front, secrets={"API_TOKEN": secret})
    assert remote.error is None, remote.error
    assert executor.dispatched == 1
    received = http_server.requests[0]
    assert received.headers["authorization"] == f"Bearer {secret}"
    assert remote.output("call") == local.output("call")  # the echo, real value included
    assert recorder.payloads, "the plugin saw no task"
    forms = {secret, "s3cr3t%20token%2F%2B%3D", "s3cr3t+token%2F%2B%3D"}
    for payload in recorder.payloads:
        for form in forms:
            assert form.encode() not in payload
    assert b"API_TOKEN" in recorder.payloads[0]  # the name travels instead


async def test_cancellation_reaches_a_worker_through_the_dask_event(
    run_flow: FlowRunner,
    scheduler_cluster: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from conftest import eventually

    # Reached by address: no in-process bridge, the worker loads the probe itself and only
    # the attempt's Dask event can tell it to stop.
    monkeypatch.setenv("FLOWSCRIPT_RUNTIMES", "dask_probe:ProbeSource")
    markers = tmp_path / "markers"
    markers.mkdir()
    body = f"""
<timeout id="limit" duration="300ms">
  <source id="slow" type="probe" mode="block" marker="{markers}"/>
</timeout>
"""
    executor = DaskExecutor(scheduler_cluster.scheduler_address)
    outcome = await run_flow(body, executor=executor)
    assert outcome.status("slow") != "success"
    assert (markers / "started-slow").exists()
    assert await eventually((markers / "cancelled-slow").exists), "the body was not cancelled"
