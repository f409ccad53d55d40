"""The state file format: state ⇄ JSON data (execution.md §9.2)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import StateError
from flowscript.execution.state import ExecutionState, NodeResult, NodeStatus, RunStatus
from flowscript.expressions.values import UNDEFINED
from flowscript.persistence import read_state, state_from_data, state_to_data
from flowscript.persistence.codec import encode_json

SECRET = "tok-SECRET-123"


def full_state() -> ExecutionState:
    """A state using every field, nested outputs, unicode and fractional numbers."""
    state = ExecutionState(
        workflow_id="daily-report",
        run_id="6f1c2a9e-0000-4000-8000-000000000001",
        status=RunStatus.FAILED,
        current_wave=3,
        started_at=1_714_557_600_000,
        completed_at=1_714_557_601_234,
        global_context={"count": 3, "names": ["Zoë", "日本"], "ratio": 0.25},
        phase_context={"extract": {"done": True}},
        node_context={"fetch": {"output": {"rows": [{"id": 1, "v": 1.5}]}}},
        config={"limit": 10, "mode": "fast"},
        secrets={"API_KEY": SECRET},
        input={"date": "2024-05-01", "tags": ["a", "b"]},
        error={"type": "http.status", "message": "HTTP 503", "retryable": True, "node": "send"},
        pending_checkpoint={"node": "approve", "prompt": "OK?", "actions": ["approve"]},
        workflow_path="/flows/daily.flow.md",
        workflow_hash="ab" * 32,
    )
    state.node_results.update(
        fetch=NodeResult(
            status=NodeStatus.RECOVERED,
            output={"rows": [{"id": 1, "v": 1.5}], "note": "naïve ☃"},
            started_at=1_714_557_600_010,
            completed_at=1_714_557_600_110,
            duration=100,
            attempts=4,
            fallback="fetch_cache",
            usage={"promptTokens": 10, "completionTokens": 5, "totalTokens": 15, "cost": 0.0015},
        ),
        fetch_cache=NodeResult(
            status=NodeStatus.SUCCESS,
            output={"rows": []},
            started_at=1_714_557_600_100,
            completed_at=1_714_557_600_110,
            duration=10,
            fallback="fetch",
        ),
        send=NodeResult(
            status=NodeStatus.FAILED,
            error={
                "type": "http.status",
                "message": "HTTP 503 from https://api/x",
                "retryable": True,
                "status": 503,
                "node": "send",
                "attempts": 3,
                "details": {"url": "https://api/x"},
                "cause": {"type": "http.connect", "message": "refused", "retryable": True},
            },
            started_at=1_714_557_600_200,
            completed_at=1_714_557_601_200,
            duration=1000,
            attempts=3,
        ),
        skipped=NodeResult(
            status=NodeStatus.SKIPPED,
            started_at=1_714_557_601_200,
            completed_at=1_714_557_601_200,
            attempts=0,
            details={"reason": "condition false"},
        ),
    )
    return state


def test_round_trip_keeps_every_field() -> None:
    state = full_state()
    data = json.loads(encode_json(state_to_data(state)))
    restored = state_from_data(data, path="run.json", secrets={"API_KEY": SECRET})
    assert restored == state


def test_top_level_keys_in_order_and_no_secrets() -> None:
    data = state_to_data(full_state())
    assert list(data) == [
        "schemaVersion",
        "workflowId",
        "runId",
        "status",
        "currentWave",
        "startedAt",
        "completedAt",
        "nodeResults",
        "globalContext",
        "phaseContext",
        "nodeContext",
        "config",
        "input",
        "error",
        "pendingCheckpoint",
        "workflowPath",
        "workflowHash",
    ]
    assert data["schemaVersion"] == 1
    assert data["status"] == "failed"
    assert [pair[0] for pair in data["nodeResults"]] == ["fetch", "fetch_cache", "send", "skipped"]


def test_result_and_error_shapes() -> None:
    results = dict(state_to_data(full_state())["nodeResults"])
    assert results["fetch"]["fallback"] == "fetch_cache"
    assert "fallbackFor" not in results["fetch"]
    assert results["fetch_cache"]["fallbackFor"] == "fetch"
    assert results["skipped"] == {
        "status": "skipped",
        "output": None,
        "error": None,
        "startedAt": 1_714_557_601_200,
        "completedAt": 1_714_557_601_200,
        "duration": 0,
        "attempts": 0,
        "details": {"reason": "condition false"},
    }
    assert results["send"]["error"] == {
        "type": "http.status",
        "name": "NodeError",
        "message": "HTTP 503 from https://api/x",
        "code": "http.status",
        "retryable": True,
        "status": 503,
        "node": "send",
        "attempts": 3,
        "details": {"url": "https://api/x"},
        "cause": {
            "type": "http.connect",
            "name": "NodeError",
            "message": "refused",
            "code": "http.connect",
            "retryable": True,
        },
    }


def test_secret_values_are_masked_everywhere() -> None:
    state = full_state()
    state.node_results["fetch"] = NodeResult(status=NodeStatus.SUCCESS, output={"t": SECRET})
    state.global_context["header"] = f"Bearer {SECRET}"
    state.error = {"type": "x", "message": f"bad token {SECRET}", "retryable": False}
    text = encode_json(state_to_data(state)).decode()
    assert SECRET not in text
    assert '"Bearer ***"' in text
    assert '"bad token ***"' in text
    assert "secrets" not in json.loads(text)


def test_file_text_is_two_space_json_with_javascript_numbers() -> None:
    data = {"a": 1e-7, "b": 2.0, "c": [0.1, 1e21], "d": "é"}
    assert encode_json(data).decode() == (
        '{\n  "a": 1e-7,\n  "b": 2,\n  "c": [\n    0.1,\n    1e+21\n  ],\n  "d": "é"\n}\n'
    )
    assert encode_json(data, indent=None) == '{"a":1e-7,"b":2,"c":[0.1,1e+21],"d":"é"}'.encode()


def test_values_become_plain_json() -> None:
    state = ExecutionState(workflow_id="w", run_id="r")
    state.global_context = {"gone": UNDEFINED, "nan": math.nan, "pair": (1, 2), "two": 2.0}
    assert state_to_data(state)["globalContext"] == {"nan": None, "pair": [1, 2], "two": 2}


def test_config_overrides_apply_over_stored_config() -> None:
    data = state_to_data(full_state())
    state = state_from_data(data, path="p", config={"limit": 99})
    assert state.config == {"limit": 99, "mode": "fast"}
    assert state.secrets == {}


def _valid() -> dict[str, Any]:
    return json.loads(encode_json(state_to_data(full_state())))


def _mutate(change: Any) -> dict[str, Any]:
    data = _valid()
    change(data)
    return data


CORRUPT_DATA = [
    pytest.param([1, 2], r"top level: expected a JSON object", id="not-an-object"),
    pytest.param(
        _mutate(lambda d: d.pop("schemaVersion")),
        r"top level: missing key 'schemaVersion' \(not a FlowScript state file\)",
        id="no-version",
    ),
    pytest.param(
        _mutate(lambda d: d.update(schemaVersion=2)),
        r"schemaVersion: unsupported version 2 \(this FlowScript reads version 1\)",
        id="future-version",
    ),
    pytest.param(_mutate(lambda d: d.pop("runId")), r"top level: missing key 'runId'", id="no-run"),
    pytest.param(
        _mutate(lambda d: d.update(status="done")),
        r"status: expected one of pending, running, paused, completed, failed, cancelled, "
        r"got 'done'",
        id="bad-status",
    ),
    pytest.param(
        _mutate(lambda d: d.update(currentWave="3")),
        r"currentWave: expected an integer, got '3'",
        id="wave-string",
    ),
    pytest.param(
        _mutate(lambda d: d.update(nodeResults={"a": 1})),
        r"nodeResults: expected an array",
        id="results-object",
    ),
    pytest.param(
        _mutate(lambda d: d["nodeResults"].append(["x"])),
        r"nodeResults\[4\]: expected a \[nodeId, result\] pair",
        id="bad-pair",
    ),
    pytest.param(
        _mutate(lambda d: d["nodeResults"][1][1].pop("status")),
        r"nodeResults\[1\]\[1\]: missing key 'status'",
        id="result-no-status",
    ),
    pytest.param(
        _mutate(lambda d: d["nodeResults"][2][1]["error"].pop("type")),
        r"nodeResults\[2\]\[1\]\.error: missing key 'type'",
        id="error-no-type",
    ),
    pytest.param(
        _mutate(lambda d: d["nodeResults"][2][1]["error"].update(retryable="yes")),
        r"nodeResults\[2\]\[1\]\.error\.retryable: expected true or false, got 'yes'",
        id="error-retryable-string",
    ),
    pytest.param(
        _mutate(lambda d: d["nodeResults"].append(["send", d["nodeResults"][2][1]])),
        r"nodeResults\[4\]\[0\]: duplicate node id 'send'",
        id="duplicate-id",
    ),
    pytest.param(
        _mutate(lambda d: d["nodeContext"].update(fetch=[1])),
        r"nodeContext\.fetch: expected an object, got \[1\]",
        id="node-context-entry",
    ),
    pytest.param(
        _mutate(lambda d: d.update(workflowHash=5)),
        r"workflowHash: expected a string or null, got 5",
        id="hash-number",
    ),
]


@pytest.mark.parametrize(("data", "message"), CORRUPT_DATA)
def test_corrupt_data_is_rejected_naming_the_file(tmp_path: Path, data: Any, message: str) -> None:
    path = tmp_path / "run-1.json"
    path.write_text(json.dumps(data))
    with pytest.raises(StateError, match=rf"invalid run state {re.escape(str(path))}: {message}"):
        read_state(path)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(b'{"schemaVersion": 1,', r"file: not valid JSON \(Expecting", id="truncated"),
        pytest.param(b"", r"file: not valid JSON", id="empty"),
        pytest.param(b'{"a": "\xff"}', r"file: not UTF-8 text", id="not-utf8"),
        pytest.param(b"[" * 100_000, r"file: JSON nested too deeply", id="deep"),
    ],
)
def test_unparsable_files_are_rejected(tmp_path: Path, raw: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(raw)
    with pytest.raises(StateError, match=rf"invalid run state {re.escape(str(path))}: {message}"):
        read_state(path)


def test_missing_file_is_a_state_error(tmp_path: Path) -> None:
    with pytest.raises(StateError, match=r"run state file not found: .*nothing\.json"):
        read_state(tmp_path / "nothing.json")


def test_unknown_top_level_keys_are_ignored() -> None:
    data = _valid()
    data["addedLater"] = {"x": 1}
    assert state_from_data(data, path="p").run_id == full_state().run_id
