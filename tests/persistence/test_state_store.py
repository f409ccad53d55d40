"""The journal + snapshot store: durability, replay, compaction, failures."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import pytest
from journals import journal_lines

from flowscript.errors import StateError, StateWriteError
from flowscript.execution.state import ExecutionState, NodeResult, NodeStatus, RunStatus
from flowscript.persistence import (
    StateStore,
    get_state_path,
    journal_path,
    load_state,
    save_state,
    state_from_data,
)
from flowscript.persistence._writer import DiskWriter

SECRET = "s3cret-value-42"


def new_state() -> ExecutionState:
    state = ExecutionState(workflow_id="wf", run_id="run-1", secrets={"KEY": SECRET})
    state.status = RunStatus.RUNNING
    state.started_at = 1_000
    return state


def complete(state: ExecutionState, node_id: str, output: object, *, at: int = 0) -> None:
    """What the executor does when a node succeeds."""
    state.node_results[node_id] = NodeResult(
        status=NodeStatus.SUCCESS, output=output, started_at=at, completed_at=at + 2, duration=2
    )
    state.node_context[node_id] = {"output": output}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return get_state_path("wf", "run-1", tmp_path / "runs")


async def test_open_writes_a_loadable_snapshot(path: Path) -> None:
    state = new_state()
    store = StateStore(path)
    await store.open(state)
    assert path.is_file()
    assert journal_lines(path) == []  # started with the snapshot, ready for records
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert await load_state(path, secrets=state.secrets) == state
    await store.close()
    assert not journal_path(path).exists()  # never used: not left behind


async def test_records_are_replayed_over_the_snapshot(path: Path) -> None:
    state = new_state()
    store = StateStore(path)
    await store.open(state)
    for index in range(5):
        complete(state, f"n{index}", {"i": index, "text": "ünï"}, at=index)
        state.current_wave = index
        await store.record_node(state, f"n{index}")
    journal = journal_lines(path)
    assert len(journal) == 5
    assert json.loads(journal[2])["node"] == "n2"
    snapshot_only = state_from_data(json.loads(path.read_bytes()), path=path)
    assert snapshot_only.node_results == {}
    assert await load_state(path, secrets=state.secrets) == state
    await store.close()


async def test_context_changes_and_removals_are_journaled(path: Path) -> None:
    state = new_state()
    state.global_context = {"keep": 1, "drop": 2, "items": [1]}
    store = StateStore(path)
    await store.open(state)
    state.global_context["items"].append(2)  # mutated in place
    del state.global_context["drop"]
    state.phase_context["extract"] = {"rows": 3}
    complete(state, "a", 1)
    await store.record_node(state, "a")
    (line,) = journal_lines(path)
    record = json.loads(line)
    assert record["globalContext"] == {"items": [1, 2]}
    assert record["globalContextRemoved"] == ["drop"]
    assert record["phaseContext"] == {"extract": {"rows": 3}}
    assert "phaseContextRemoved" not in record
    loaded = await load_state(path)
    assert loaded.global_context == {"keep": 1, "items": [1, 2]}
    assert loaded.phase_context == {"extract": {"rows": 3}}
    await store.close()


async def test_true_replacing_one_is_a_change(path: Path) -> None:
    """``True == 1`` in Python, yet ``true`` and ``1`` are different JSON values."""
    state = new_state()
    state.global_context = {"flag": 1, "nested": {"items": [0, 1]}}
    store = StateStore(path)
    await store.open(state)
    state.global_context = {"flag": True, "nested": {"items": [False, 1]}}
    complete(state, "a", 1)
    await store.record_node(state, "a")
    loaded = await load_state(path)
    assert loaded.global_context == {"flag": True, "nested": {"items": [False, 1]}}
    assert loaded.global_context["flag"] is True
    assert loaded.global_context["nested"]["items"][0] is False
    await store.close()


async def test_a_removed_result_is_replayed_as_removed(path: Path) -> None:
    state = new_state()
    store = StateStore(path)
    await store.open(state)
    complete(state, "a", 1)
    await store.record_node(state, "a")
    del state.node_results["a"]
    del state.node_context["a"]
    await store.record_node(state, "a")
    loaded = await load_state(path)
    assert loaded.node_results == {}
    assert loaded.node_context == {}
    await store.close()


@pytest.mark.parametrize(
    "tail",
    [
        pytest.param(b'{"gen": "x", "seq": 3, "node": "n', id="torn-record"),
        pytest.param(b"\x00\x00\x00\x00\n" + b'{"gen": "x"}\n', id="garbage-then-line"),
        pytest.param(b"[1, 2]\n", id="complete-non-record"),
    ],
)
async def test_a_torn_tail_is_ignored(path: Path, tail: bytes) -> None:
    state = new_state()
    store = StateStore(path)
    await store.open(state)
    for node_id in ("a", "b"):
        complete(state, node_id, node_id)
        await store.record_node(state, node_id)
    await store.close()
    with journal_path(path).open("ab") as journal:
        journal.write(tail)
    loaded = await load_state(path)
    assert list(loaded.node_results) == ["a", "b"]


async def test_records_of_an_older_generation_are_skipped(path: Path) -> None:
    """A crash between writing a snapshot and removing the journal leaves stale records."""
    state = new_state()
    store = StateStore(path)
    await store.open(state)
    complete(state, "a", 1)
    await store.record_node(state, "a")
    stale = journal_path(path).read_bytes()
    state.status = RunStatus.COMPLETED
    state.global_context["late"] = True
    await store.checkpoint(state)
    await store.close()
    journal_path(path).write_bytes(stale)
    loaded = await load_state(path)
    assert loaded.status is RunStatus.COMPLETED
    assert loaded.global_context == {"late": True}


async def test_a_record_out_of_sequence_is_a_state_error(path: Path) -> None:
    state = new_state()
    store = StateStore(path)
    await store.open(state)
    for node_id in ("a", "b"):
        complete(state, node_id, node_id)
        await store.record_node(state, node_id)
    await store.close()
    journal = journal_path(path)
    first, second = journal.read_bytes().splitlines()
    journal.write_bytes(second + b"\n" + first + b"\n")
    pattern = r"invalid run state .*run-1\.journal: line 1: record 2 out of sequence"
    with pytest.raises(StateError, match=pattern):
        await load_state(path)


async def test_final_checkpoint_removes_the_journal(path: Path) -> None:
    state = new_state()
    store = StateStore(path)
    await store.open(state)
    for index in range(3):
        complete(state, f"n{index}", index)
        await store.record_node(state, f"n{index}")
    assert journal_path(path).exists()
    state.status = RunStatus.COMPLETED
    state.completed_at = 5_000
    await store.checkpoint(state)
    await store.close()
    assert not journal_path(path).exists()
    alone = state_from_data(json.loads(path.read_bytes()), path=path, secrets=state.secrets)
    assert alone == state


async def test_records_after_a_checkpoint_start_a_new_journal(path: Path) -> None:
    """Workflow error handlers run after the failure state was persisted."""
    state = new_state()
    store = StateStore(path)
    await store.open(state)
    state.status = RunStatus.FAILED
    await store.checkpoint(state)
    complete(state, "notify", "sent")
    await store.record_node(state, "notify")
    await store.close()
    assert journal_path(path).exists()
    loaded = await load_state(path)
    assert loaded.status is RunStatus.FAILED
    assert loaded.output_of("notify") == "sent"


async def test_total_bytes_written_stay_linear_in_the_final_size(path: Path) -> None:
    state = new_state()
    store = StateStore(path, compact_min_bytes=4096)
    await store.open(state)
    count = 5000
    for index in range(count):
        complete(state, f"node_{index}", {"index": index, "payload": "x" * 40}, at=index)
        await store.record_node(state, f"node_{index}")
    state.status = RunStatus.COMPLETED
    await store.checkpoint(state)
    await store.close()
    final_size = path.stat().st_size
    stats = store.stats
    # Rewriting the whole state per node would write about count/2 = 2500 × the final size.
    assert stats.bytes_written < 5 * final_size
    assert stats.snapshots < 20
    assert stats.records + stats.snapshots > count / 2
    loaded = await load_state(path)
    assert len(loaded.node_results) == count


async def test_concurrent_records_are_all_durable(path: Path) -> None:
    state = new_state()
    store = StateStore(path)
    await store.open(state)

    async def finish(node_id: str) -> None:
        complete(state, node_id, node_id)
        await store.record_node(state, node_id)

    async with asyncio.TaskGroup() as group:
        for index in range(50):
            group.create_task(finish(f"n{index}"))
    loaded = await load_state(path)
    assert sorted(loaded.node_results) == sorted(f"n{index}" for index in range(50))
    assert store.stats.fsyncs <= store.stats.records == 50
    await store.close()


def test_a_batch_of_records_shares_one_fsync(tmp_path: Path) -> None:
    writer = DiskWriter(tmp_path / "s.json", tmp_path / "s.journal")
    tickets = [writer.submit("append", b"{}\n") for _ in range(10)]
    writer.drain()
    writer.close()
    assert (writer.stats.records, writer.stats.fsyncs) == (10, 1)
    assert all(writer.is_durable(ticket) for ticket in tickets)
    assert (tmp_path / "s.journal").read_bytes() == b"{}\n" * 10


async def test_secrets_never_reach_the_disk(path: Path) -> None:
    state = new_state()
    store = StateStore(path)
    await store.open(state)
    complete(state, "leak", {"header": f"Bearer {SECRET}"})
    state.global_context["token"] = SECRET
    await store.record_node(state, "leak")
    journal = journal_path(path).read_bytes()
    await store.checkpoint(state)
    await store.close()
    assert SECRET.encode() not in journal
    assert b"Bearer ***" in journal
    assert SECRET.encode() not in path.read_bytes()
    assert (await load_state(path)).output_of("leak") == {"header": "Bearer ***"}


async def test_a_write_failure_raises_and_the_next_call_recovers(path: Path) -> None:
    state = new_state()
    store = StateStore(path)
    await store.open(state)
    await store.checkpoint(state)  # the journal is gone; the next record opens a new one
    journal_path(path).mkdir()  # the journal cannot be opened: a real I/O error
    complete(state, "a", 1)
    with pytest.raises(StateWriteError, match=r"could not write run state .*run-1\.json"):
        await store.record_node(state, "a")
    journal_path(path).rmdir()
    assert (await load_state(path)).node_results == {}  # still the complete earlier state
    complete(state, "b", 2)
    await store.record_node(state, "b")  # writes a full snapshot
    assert list((await load_state(path)).node_results) == ["a", "b"]
    await store.close()


async def test_misuse_raises_value_error(path: Path) -> None:
    store = StateStore(path)
    with pytest.raises(ValueError, match="not open"):
        await store.record_node(new_state(), "a")
    await store.open(new_state())
    await store.close()
    await store.close()
    with pytest.raises(ValueError, match="closed"):
        await store.checkpoint(new_state())


async def test_resume_reopens_a_crashed_run(path: Path) -> None:
    state = new_state()
    store = StateStore(path)
    await store.open(state)
    complete(state, "a", 1)
    await store.record_node(state, "a")
    # no close, no checkpoint: as after kill -9
    resumed = await load_state(path)
    second = StateStore(path)
    await second.open(resumed)
    assert journal_lines(path) == []  # the crashed run's records are in the new snapshot
    complete(resumed, "b", 2)
    await second.record_node(resumed, "b")
    await second.close()
    assert list((await load_state(path)).node_results) == ["a", "b"]
    await store.close()


async def test_save_state_writes_one_complete_file(tmp_path: Path) -> None:
    state = new_state()
    complete(state, "a", [1, 2])
    target = tmp_path / "deep" / "er" / "state.json"
    await save_state(state, target)
    assert not journal_path(target).exists()
    assert await load_state(target, secrets=state.secrets) == state
    assert target.read_text().startswith('{\n  "schemaVersion": 1,\n  "workflowId": "wf",\n')


async def test_save_state_failure_is_a_state_write_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StateWriteError, match=r"could not write run state"):
        await save_state(new_state(), blocker / "state.json")


async def test_finish_writes_the_final_snapshot_and_closes(path: Path) -> None:
    state = new_state()
    store = StateStore(path)
    await store.open(state)
    complete(state, "fetch", {"rows": 2})
    await store.record_node(state, "fetch")
    assert journal_path(path).exists()
    state.status = RunStatus.COMPLETED
    await store.finish(state)
    assert not journal_path(path).exists()  # the snapshot holds everything
    loaded = await load_state(path)
    assert loaded.status is RunStatus.COMPLETED and loaded.output_of("fetch") == {"rows": 2}
    with pytest.raises(ValueError, match="closed"):
        await store.record_node(state, "fetch")
