"""A snapshot written after journal records is exactly what converting the state afresh gives:
every kind of result, JavaScript number text, secrets masked (even ones added after a record)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowscript.execution.state import ExecutionState, NodeResult, NodeStatus, RunStatus
from flowscript.persistence import StateStore, load_state, state_to_data

SECRET = "s3cr3t-value"

RESULTS = {
    "number": NodeResult(status=NodeStatus.SUCCESS, output=7, attempts=1),
    "text": NodeResult(status=NodeStatus.SUCCESS, output="é ok", attempts=1),
    "nan": NodeResult(status=NodeStatus.SUCCESS, output=float("nan")),
    "integral": NodeResult(status=NodeStatus.SUCCESS, output=2.0),
    "rows": NodeResult(status=NodeStatus.SUCCESS, output={"rows": [1, 2.5, "é"]}),
    "failed": NodeResult(
        status=NodeStatus.FAILED,
        error={"type": "http.status", "message": "boom", "retryable": True, "status": 503},
        attempts=3,
    ),
    "recovered": NodeResult(
        status=NodeStatus.RECOVERED, output="from fallback", fallback="backup", attempts=2
    ),
    "usage": NodeResult(
        status=NodeStatus.SUCCESS, output="answer", usage={"totalTokens": 7, "cost": 0.01}
    ),
    "skipped": NodeResult(status=NodeStatus.SKIPPED, details={"reason": "condition"}),
}


def _state(**secrets: str) -> ExecutionState:
    state = ExecutionState(workflow_id="wf", run_id="run-1", status=RunStatus.RUNNING)
    state.started_at = 1_000
    state.secrets = dict(secrets)
    return state


def _set(state: ExecutionState, node_id: str, result: NodeResult) -> None:
    state.node_results[node_id] = result
    if result.status.succeeded:
        state.node_context[node_id] = {"output": result.output}


async def _snapshot_after_records(path: Path, state: ExecutionState) -> str:
    store = StateStore(path)
    await store.open(_state(**state.secrets))
    for node_id in state.node_results:
        await store.record_node(state, node_id)
    await store.checkpoint(state)
    await store.close()
    return path.read_text(encoding="utf-8")


def _without_generation(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    del data["journalGeneration"]
    return data


async def test_a_snapshot_of_recorded_results_equals_a_fresh_conversion(tmp_path: Path) -> None:
    state = _state()
    for node_id, result in RESULTS.items():
        _set(state, node_id, result)
    written = await _snapshot_after_records(tmp_path / "run.json", state)
    assert _without_generation(written) == json.loads(json.dumps(state_to_data(state)))


async def test_a_result_replaced_after_its_record_is_converted_again(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    state = _state()
    _set(state, "a", NodeResult(status=NodeStatus.SUCCESS, output=1))
    store = StateStore(path)
    await store.open(state)
    await store.record_node(state, "a")
    _set(state, "a", NodeResult(status=NodeStatus.SUCCESS, output=2))  # never recorded
    await store.checkpoint(state)
    await store.close()
    assert (await load_state(path)).output_of("a") == 2


@pytest.mark.parametrize(
    ("output", "text"),
    [(1e21, "1e+21"), (1e-7, "1e-7"), (2.5e16, "25000000000000000")],
    ids=["1e21", "1e-7", "big-float"],
)
async def test_javascript_number_text_survives_reuse(
    tmp_path: Path, output: float, text: str
) -> None:
    state = _state()
    _set(state, "js", NodeResult(status=NodeStatus.SUCCESS, output=output))
    written = await _snapshot_after_records(tmp_path / "run.json", state)
    assert f'"output": {text}' in written


async def test_secrets_in_reused_results_are_masked(tmp_path: Path) -> None:
    state = _state(TOKEN=SECRET)
    _set(state, "a", NodeResult(status=NodeStatus.SUCCESS, output=f"Bearer {SECRET}"))
    written = await _snapshot_after_records(tmp_path / "run.json", state)
    assert SECRET not in written
    data = _without_generation(written)
    assert data["nodeResults"] == [["a", {**data["nodeResults"][0][1], "output": "Bearer ***"}]]
    assert data["nodeContext"]["a"] == {"output": "Bearer ***"}


async def test_a_secret_added_after_a_record_is_masked_in_the_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    state = _state()
    _set(state, "a", NodeResult(status=NodeStatus.SUCCESS, output=f"key={SECRET}"))
    store = StateStore(path)
    await store.open(state)
    await store.record_node(state, "a")  # converted while nothing was secret
    state.secrets["LATE"] = SECRET
    await store.checkpoint(state)
    await store.close()
    assert SECRET not in path.read_text(encoding="utf-8")
    assert (await load_state(path)).output_of("a") == "key=***"
