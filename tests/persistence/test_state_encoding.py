"""How records and snapshots are encoded: one copy of each output, JS number text in the state
file, and data the fast encoder refuses (huge integers, lone surrogates) still written."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from journals import journal_lines

from flowscript.execution.state import ExecutionState, NodeResult, NodeStatus, RunStatus
from flowscript.expressions.values import json_bytes, to_json
from flowscript.persistence import StateStore, load_state
from flowscript.persistence.paths import journal_path


def _state() -> ExecutionState:
    state = ExecutionState(workflow_id="wf", run_id="run-1", status=RunStatus.RUNNING)
    state.started_at = 1_000
    return state


def _succeed(state: ExecutionState, node_id: str, output: object) -> None:
    state.node_results[node_id] = NodeResult(status=NodeStatus.SUCCESS, output=output)
    state.node_context[node_id] = {"output": output}


def _records(path: Path) -> list[dict[str, object]]:
    lines = journal_lines(path)
    return [json.loads(line) for line in lines]


async def test_an_output_is_journaled_once_and_its_context_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    state = _state()
    store = StateStore(path)
    await store.open(state)
    _succeed(state, "a", {"rows": [1, 2, 3]})
    await store.record_node(state, "a")
    state.node_results["b"] = NodeResult(status=NodeStatus.SUCCESS, output=5)
    state.node_context["b"] = {"output": 5, "extra": "kept"}  # not the usual shape
    await store.record_node(state, "b")
    await store.close()

    first, second = _records(path)
    assert first["nodeContextIsOutput"] is True and "nodeContext" not in first
    assert second["nodeContext"] == {"output": 5, "extra": "kept"}
    loaded = await load_state(path)
    assert loaded.node_context == {
        "a": {"output": {"rows": [1, 2, 3]}},
        "b": {"output": 5, "extra": "kept"},
    }


async def test_records_are_fsynced_after_the_interval_without_a_checkpoint(
    tmp_path: Path,
) -> None:
    store = StateStore(tmp_path / "run.json", sync_interval=0)
    state = _state()
    await store.open(state)
    synced_at_open = store.stats.fsyncs
    _succeed(state, "a", 1)
    await store.record_node(state, "a")
    assert store.stats.fsyncs == synced_at_open  # written, not yet fsynced
    for _ in range(100):  # the timed fsync runs in a worker thread
        if store.stats.fsyncs > synced_at_open:
            break
        await asyncio.sleep(0.01)
    assert store.stats.fsyncs == synced_at_open + 1
    await store.close()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (2.5e16, "25000000000000000"),
        (2**70, "1.1805916207174113e+21"),
        (-(2**64), "-18446744073709551616"),
        (0.1 + 0.2, "0.30000000000000004"),
        (float("nan"), "null"),
    ],
    ids=["1e21", "1e-7", "1e-6", "big-float", "int-beyond-64-bits", "negative-huge", "sum", "nan"],
)
def test_numbers_are_written_as_javascript_writes_them(value: object, text: str) -> None:
    assert to_json({"n": value}) == '{"n":' + text + "}"
    assert json_bytes([value], 2) == b"[\n  " + text.encode() + b"\n]"


def test_a_lone_surrogate_survives_encoding() -> None:
    assert json_bytes("a\ud800b") == '"a\ud800b"'.encode("utf-8", "surrogatepass")
    assert to_json({"k": "é\ud800"}) == '{"k":"é\ud800"}'


async def test_state_files_keep_huge_integers_and_lone_surrogates(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    state = _state()
    store = StateStore(path)
    await store.open(state)
    _succeed(state, "big", 2**70)
    _succeed(state, "text", "bad \ud800 text")
    await store.record_node(state, "big")
    await store.record_node(state, "text")
    await store.close()  # journal only: replayed on load
    journal_path(path).read_bytes().decode("utf-8")  # always valid UTF-8 on disk
    replayed = await load_state(path)
    assert replayed.output_of("big") == 2**70
    assert replayed.output_of("text") == "bad ? text"  # UTF-8 cannot hold the surrogate

    store = StateStore(path)
    await store.open(replayed)  # a snapshot of both
    await store.close()
    path.read_bytes().decode("utf-8")
    snapshot = await load_state(path)
    assert snapshot.output_of("big") == 2**70
    assert snapshot.output_of("text") == "bad ? text"


async def test_the_runs_ai_usage_survives_journal_and_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    state = _state()
    store = StateStore(path)
    await store.open(state)
    _succeed(state, "ask", "answer")
    state.usage = {"promptTokens": 10, "completionTokens": 5, "totalTokens": 15, "cost": 0.25}
    await store.record_node(state, "ask")
    await store.close()
    replayed = await load_state(path)  # from the journal
    assert replayed.usage == state.usage
    store = StateStore(path)
    await store.open(replayed)  # a snapshot
    await store.close()
    assert (await load_state(path)).usage == state.usage
    assert json.loads(path.read_text())["usage"]["totalTokens"] == 15
