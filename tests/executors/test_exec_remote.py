"""``flowscript.remote.run_node`` called directly: the worker side of a dispatched attempt."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

import flowscript
from flowscript.execution.executors._sealing import Sealer
from flowscript.remote import TASK_FORMAT, run_node


def _task(tmp_path: Path, **changes: Any) -> dict[str, Any]:
    task: dict[str, Any] = {
        "format": TASK_FORMAT,
        "version": flowscript.__version__,
        "kind": "file:source",
        "nodeId": "read",
        "node": None,
        "config": {"path": "data.json"},
        "input": None,
        "context": {},
        "runId": "run-1",
        "nodePath": "read",
        "attempt": 1,
        "idempotencyKey": "k",
        "deadline": None,
        "root": str(tmp_path),
        "workflowDir": str(tmp_path),
        "secretNames": [],
        "requiredSecrets": [],
        "tokens": {},
        "cancelEvent": None,
    }
    task.update(changes)
    return task


def test_a_file_source_runs_and_reports_its_output(tmp_path: Path) -> None:
    (tmp_path / "data.json").write_text('[1, {"a": 2}]')
    outcome = run_node(_task(tmp_path))
    assert (outcome["ok"], outcome["output"], outcome["usage"]) == (True, [1, {"a": 2}], None)
    assert outcome["warnings"] == []
    assert outcome["timings"]["worker"] is None  # not inside a Dask worker
    assert outcome["timings"]["durationMs"] >= 0


def test_the_runtime_error_comes_back_as_data(tmp_path: Path) -> None:
    outcome = run_node(_task(tmp_path, config={"path": "missing.json"}))
    assert outcome["ok"] is False
    error = outcome["error"]
    assert (error["type"], error["retryable"]) == ("file.not_found", False)
    assert error["message"] == "missing.json: file not found"


def test_another_version_is_refused(tmp_path: Path) -> None:
    outcome = run_node(_task(tmp_path, version="0.0.0-other"))
    assert outcome["error"]["type"] == "executor.version_mismatch"
    assert outcome["error"]["retryable"] is False
    assert "'0.0.0-other'" in outcome["error"]["message"]


@pytest.mark.parametrize("task", [{}, {"version": 3}, None], ids=["empty", "garbage", "none"])
def test_run_node_never_raises(task: Any) -> None:
    outcome = run_node(task if task is None else {**task})
    assert outcome["ok"] is False
    assert outcome["error"]["type"] in ("executor.version_mismatch", "executor.worker_error")


def test_a_bad_task_is_a_worker_error(tmp_path: Path) -> None:
    outcome = run_node(_task(tmp_path, tokens=None))
    assert outcome["error"]["type"] == "executor.worker_error"
    assert outcome["error"]["message"].startswith("the worker could not run node 'read'")


def test_secrets_come_from_the_worker_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "token.json").write_text('{"v": 1}')
    sealer = Sealer(["FILE_NAME"], nonce="t")
    sealed = sealer.sealing({"FILE_NAME": "token.json"}).apply({"path": "token.json"})
    monkeypatch.setenv("FILE_NAME", "token.json")
    task = _task(
        tmp_path,
        config=sealed,
        secretNames=["FILE_NAME"],
        requiredSecrets=["FILE_NAME"],
        tokens=sealer.to_task(),
    )
    assert sealed == {"path": "@@fs-secret-t-0-raw@@"}
    assert run_node(task)["output"] == {"v": 1}


def test_a_secret_missing_on_the_worker_fails_the_attempt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FS_TEST_ABSENT", raising=False)
    sealer = Sealer(["FS_TEST_ABSENT"], nonce="t")
    outcome = run_node(
        _task(
            tmp_path,
            secretNames=["FS_TEST_ABSENT"],
            requiredSecrets=["FS_TEST_ABSENT"],
            tokens=sealer.to_task(),
        )
    )
    assert outcome["error"]["type"] == "executor.secret_missing"
    assert outcome["error"]["details"] == {"secrets": ["FS_TEST_ABSENT"]}


def test_the_worker_seals_its_secret_values_in_the_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FS_TEST_TOKEN", "tok-123456")
    (tmp_path / "data.json").write_text(json.dumps({"echo": "Bearer tok-123456"}))
    sealer = Sealer(["FS_TEST_TOKEN"], nonce="t")
    outcome = run_node(_task(tmp_path, secretNames=["FS_TEST_TOKEN"], tokens=sealer.to_task()))
    assert outcome["output"] == {"echo": "Bearer @@fs-secret-t-0-raw@@"}
    assert "tok-123456" not in json.dumps(outcome)


def test_an_unknown_kind_names_the_registration_variable(tmp_path: Path) -> None:
    outcome = run_node(_task(tmp_path, kind="nope:source"))
    assert outcome["error"]["type"] == "runtime.unknown"
    assert "FLOWSCRIPT_RUNTIMES=module:factory" in outcome["error"]["message"]


def test_custom_runtimes_load_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWSCRIPT_RUNTIMES", "dask_probe:ProbeSource")
    outcome = run_node(_task(tmp_path, kind="probe:source", config={"mode": "echo"}, input=[7]))
    assert outcome["output"]["input"] == [7]
    assert outcome["output"]["path"] == "read"
    assert outcome["warnings"] == ["probe read ran"]


def test_a_broken_runtime_list_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWSCRIPT_RUNTIMES", "no_such_module_xyz:Thing")
    outcome = run_node(_task(tmp_path))
    assert outcome["error"]["type"] == "executor.runtimes_invalid"
    assert "ModuleNotFoundError" in outcome["error"]["message"]


def test_a_crashing_runtime_is_a_runtime_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWSCRIPT_RUNTIMES", "dask_probe:ProbeSource")
    outcome = run_node(_task(tmp_path, kind="probe:source", config={"mode": "crash"}))
    assert outcome["error"]["type"] == "runtime.crash"
    assert outcome["error"]["message"] == (
        "runtime 'probe:source' crashed: ValueError: probe crashed"
    )


def test_a_passed_deadline_is_an_attempt_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWSCRIPT_RUNTIMES", "dask_probe:ProbeSource")
    task = _task(tmp_path, kind="probe:source", config={"mode": "block"}, deadline=time.time())
    outcome = run_node(task)
    assert (outcome["error"]["type"], outcome["error"]["retryable"]) == ("timeout.attempt", True)


def test_the_node_spec_travels_as_plain_data(tmp_path: Path) -> None:
    from flowscript.execution.executors._worker import node_spec, node_spec_data
    from flowscript.parser import parse

    workflow = parse(
        '---\nname: t\nversion: 1.0.0\n---\n<workflow>\n<source id="s" type="http" '
        'url="http://x/{{ 1 }}" timeout="5s" dispatch="cluster"/>\n</workflow>\n',
        str(tmp_path / "t.flow.md"),
    )
    original = workflow.nodes[0]
    data = node_spec_data(original)  # type: ignore[arg-type]
    assert json.loads(json.dumps(data)) == data
    rebuilt = node_spec(data)
    assert rebuilt is not None
    assert (rebuilt.id, rebuilt.kind, rebuilt.span) == (original.id, original.kind, original.span)
    assert rebuilt.timeout is not None and rebuilt.timeout.value == "5s"
    assert {k: e.value for k, e in rebuilt.config.items()} == {
        k: e.value
        for k, e in original.config.items()  # type: ignore[attr-defined]
    }
