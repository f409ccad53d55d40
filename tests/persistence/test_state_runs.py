"""State paths, listing runs and finding a run by id."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flowscript.errors import StateError
from flowscript.execution.state import ExecutionState, NodeResult, NodeStatus, RunStatus
from flowscript.persistence import (
    RunSummary,
    find_run,
    get_state_path,
    journal_path,
    list_runs,
    save_state,
)
from flowscript.persistence.paths import safe_file_name


def test_default_state_path_is_under_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert (
        get_state_path("daily", "abc") == tmp_path / ".flowscript" / "runs" / "daily" / "abc.json"
    )


def test_state_dir_replaces_the_default_folder(tmp_path: Path) -> None:
    assert get_state_path("daily", "abc", tmp_path) == tmp_path / "daily" / "abc.json"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("daily-report_v1.2", "daily-report_v1.2", id="kept"),
        pytest.param("my flow/v2", "my_flow_v2", id="space-slash"),
        pytest.param("../../etc", ".._.._etc", id="traversal"),
        pytest.param("..", "__", id="parent"),
        pytest.param("", "_", id="empty"),
        pytest.param("résumé", "r_sum_", id="non-ascii"),
    ],
)
def test_names_are_made_safe_file_names(name: str, expected: str) -> None:
    assert safe_file_name(name) == expected


def test_journal_sits_beside_the_state_file() -> None:
    assert journal_path(Path("runs/wf/abc.json")) == Path("runs/wf/abc.journal")
    assert journal_path(Path("runs/state")) == Path("runs/state.journal")


def _state(run_id: str, workflow: str, started: int, status: RunStatus) -> ExecutionState:
    state = ExecutionState(workflow_id=workflow, run_id=run_id, status=status, started_at=started)
    if status is not RunStatus.RUNNING:
        state.completed_at = started + 1500
    return state


@pytest.fixture
async def state_dir(tmp_path: Path) -> Path:
    base = tmp_path / "runs"
    done = _state("aaaa-1111", "daily", 1_000, RunStatus.COMPLETED)
    failed = _state("bbbb-2222", "daily", 3_000, RunStatus.FAILED)
    failed.node_results["fetch"] = NodeResult(
        status=NodeStatus.FAILED, error={"type": "x", "message": "no", "retryable": False}
    )
    paused = _state("cccc-3333", "weekly", 2_000, RunStatus.PAUSED)
    paused.pending_checkpoint = {"node": "approve", "prompt": "Ship it?"}
    crashed = _state("aaab-4444", "weekly", 4_000, RunStatus.RUNNING)
    for state in (done, failed, paused, crashed):
        await save_state(state, get_state_path(state.workflow_id, state.run_id, base))
    return base


def test_list_runs_newest_first_with_summaries(state_dir: Path) -> None:
    runs = list_runs(state_dir)
    assert [run.run_id for run in runs] == ["aaab-4444", "bbbb-2222", "cccc-3333", "aaaa-1111"]
    assert runs[1] == RunSummary(
        run_id="bbbb-2222",
        workflow="daily",
        status="failed",
        started_at=3_000,
        duration_ms=1500,
        failed_node="fetch",
        pending_checkpoint=None,
        state_path=state_dir / "daily" / "bbbb-2222.json",
    )
    assert runs[0].duration_ms is None
    assert runs[2].pending_checkpoint == "approve"
    assert runs[2].to_json() == {
        "runId": "cccc-3333",
        "workflow": "weekly",
        "status": "paused",
        "startedAt": 2_000,
        "durationMs": 1500,
        "failedNode": None,
        "pendingCheckpoint": "approve",
        "statePath": str(state_dir / "weekly" / "cccc-3333.json"),
    }


def test_list_runs_of_one_workflow(state_dir: Path) -> None:
    assert [run.run_id for run in list_runs(state_dir, workflow="weekly")] == [
        "aaab-4444",
        "cccc-3333",
    ]


def test_an_unreadable_state_is_listed_as_invalid(state_dir: Path) -> None:
    broken = state_dir / "daily" / "eeee-5555.json"
    broken.write_text("{ not json")
    invalid = [run for run in list_runs(state_dir) if run.status == "invalid"]
    assert [(run.run_id, run.workflow, run.state_path) for run in invalid] == [
        ("eeee-5555", "daily", broken)
    ]
    assert invalid[0].problem is not None
    assert "not valid JSON" in invalid[0].problem
    assert invalid[0].to_json()["problem"] == invalid[0].problem


def test_list_runs_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert list_runs(tmp_path / "nothing") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("bbbb-2222", "daily/bbbb-2222.json", id="full-id"),
        pytest.param("cccc", "weekly/cccc-3333.json", id="unique-prefix"),
    ],
)
def test_find_run_by_id(state_dir: Path, query: str, expected: str) -> None:
    assert find_run(query, state_dir) == state_dir / expected


def test_find_run_by_path(state_dir: Path) -> None:
    path = state_dir / "daily" / "aaaa-1111.json"
    assert find_run(str(path), state_dir / "elsewhere") == path


def test_find_run_unknown_or_ambiguous(state_dir: Path) -> None:
    with pytest.raises(StateError, match=r"no run 'zzzz' in .*runs"):
        find_run("zzzz", state_dir)
    with pytest.raises(
        StateError, match=r"run id 'aaa' is ambiguous in .*runs: daily/aaaa-1111, weekly/aaab-4444"
    ):
        find_run("aaa", state_dir)


def test_public_api_is_pinned() -> None:
    import flowscript.persistence as persistence

    assert persistence.__all__ == [
        "SCHEMA_VERSION",
        "RunStore",
        "RunSummary",
        "StateStore",
        "StoreStats",
        "default_state_dir",
        "find_run",
        "get_state_path",
        "journal_path",
        "list_runs",
        "load_state",
        "read_state",
        "save_state",
        "state_from_data",
        "state_to_data",
    ]


def test_importing_persistence_does_not_load_the_executor() -> None:
    """flowscript.execution re-exports save_state/load_state: a module-level import back from
    here would form a cycle whenever flowscript.persistence is imported first."""
    code = (
        "import sys, flowscript.persistence\n"
        "print(sorted(m for m in sys.modules if m.startswith('flowscript.execution')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"
