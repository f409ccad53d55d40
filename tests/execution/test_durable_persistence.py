"""Persistence during ``execute`` (execution.md §1, §9.2) and the execution log (§10)."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from journals import journal_lines

from flowscript.errors import StateWriteError
from flowscript.execution import (
    ExecutionOptions,
    RunStatus,
    RunWarning,
    create_execution_state,
    execute,
    load_state,
)
from flowscript.execution.events import Event
from flowscript.parser import parse
from flowscript.persistence import journal_path, state_to_data
from flowscript.planning import build_execution_plan

WAVES = """
<transform id="a" type="echo" value="{{ 1 }}"/>
<transform id="b" type="echo" value="{{ a + 1 }}"/>
<transform id="c" type="echo" value="{{ a + 2 }}"/>
<transform id="d" type="echo" input="b, c"/>
"""


async def started(journal: Any, node_id: str) -> None:
    """Wait until the fake runtime of ``node_id`` runs (the run persists in real threads, so
    this waits on an event instead of spinning the loop)."""
    await asyncio.wait_for(journal.started(node_id).wait(), timeout=30)


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "run.json"


async def test_a_multi_wave_run_leaves_a_state_file_equal_to_the_final_state(
    run_flow: Any, state_path: Path
) -> None:
    run = await run_flow(WAVES, persistence_path=state_path)
    assert run.error is None
    loaded = await load_state(state_path)
    assert state_to_data(loaded) == state_to_data(run.state)
    assert loaded.status is RunStatus.COMPLETED
    assert loaded.current_wave == 2
    assert loaded.output_of("d") == {"b": 2, "c": 3}
    assert not journal_path(state_path).exists()  # the final snapshot holds everything


async def test_a_failing_run_leaves_status_failed(run_flow: Any, state_path: Path) -> None:
    run = await run_flow(
        """
        <transform id="a" type="echo" value="ok"/>
        <transform id="boom" type="fail" input="a" message="it broke"/>
        <transform id="after" type="echo" input="boom"/>
        """,
        persistence_path=state_path,
    )
    assert run.error is not None
    loaded = await load_state(state_path)
    assert loaded.status is RunStatus.FAILED
    assert loaded.error is not None and loaded.error["message"] == "it broke"
    assert {key: result.status.value for key, result in loaded.node_results.items()} == {
        "a": "success",
        "boom": "failed",
    }


async def test_many_concurrent_nodes_are_all_persisted(run_flow: Any, state_path: Path) -> None:
    body = "\n".join(f'<transform id="n{i}" type="echo" value="{i}"/>' for i in range(40))
    run = await run_flow(body, persistence_path=state_path, max_concurrency=8)
    loaded = await load_state(state_path)
    assert [loaded.output_of(f"n{i}") for i in range(40)] == [str(i) for i in range(40)]
    assert state_to_data(loaded) == state_to_data(run.state)


async def _start(
    text: str, tmp_path: Path, registry: Any, clock: Any, **options: Any
) -> tuple[asyncio.Task[Any], Any]:
    workflow = parse(text if text.startswith("---") else _flow(text), str(tmp_path / "f.flow.md"))
    state = create_execution_state(workflow.name, secrets=options.pop("secrets", None))
    opts = ExecutionOptions(runtimes=registry, clock=clock, root=tmp_path, **options)
    task = asyncio.create_task(execute(build_execution_plan(workflow), state, opts))
    return task, state


def _flow(body: str) -> str:
    return f"---\nname: test-flow\nversion: '1.0'\n---\n<workflow>\n{body}\n</workflow>\n"


async def test_each_result_is_durable_before_its_dependents_start(
    tmp_path: Path, registry: Any, clock: Any, journal: Any, state_path: Path
) -> None:
    body = '<transform id="a" type="echo" value="A"/>\n<transform id="b" type="gate" input="a"/>'
    task, _ = await _start(body, tmp_path, registry, clock, persistence_path=state_path)
    await started(journal, "b")
    on_disk = await load_state(state_path)  # what a crash now would leave
    assert on_disk.status is RunStatus.RUNNING
    assert on_disk.output_of("a") == "A"
    assert "b" not in on_disk.node_results
    journal.open("b")
    await task


async def test_results_are_journaled_not_rewritten_per_node_or_wave(
    tmp_path: Path, registry: Any, clock: Any, journal: Any, state_path: Path
) -> None:
    chain = [f'<transform id="n{i}" type="echo" value="{i}"/>' for i in range(30)]
    for i in range(1, 30):
        chain[i] = chain[i].replace("/>", f' input="n{i - 1}"/>')
    body = "\n".join([*chain, '<transform id="wait" type="gate" input="n29"/>'])
    task, _ = await _start(body, tmp_path, registry, clock, persistence_path=state_path)
    await started(journal, "wait")
    snapshot = json.loads(state_path.read_bytes())
    assert snapshot["nodeResults"] == []  # still the snapshot written when the run started
    lines = journal_lines(state_path)
    assert [json.loads(line)["node"] for line in lines] == [f"n{i}" for i in range(30)]
    journal.open("wait")
    await task
    assert json.loads(state_path.read_bytes())["status"] == "completed"


async def test_secrets_are_never_written(
    tmp_path: Path, registry: Any, clock: Any, journal: Any, state_path: Path
) -> None:
    body = (
        '<transform id="a" type="echo" value="token={{ $secrets.TOKEN }}"/>\n'
        '<transform id="b" type="gate" input="a"/>'
    )
    task, state = await _start(
        body, tmp_path, registry, clock, persistence_path=state_path, secrets={"TOKEN": "s3cr3t"}
    )
    await started(journal, "b")
    during = state_path.read_bytes() + journal_path(state_path).read_bytes()
    journal.open("b")
    await task
    assert state.output_of("a") == "token=s3cr3t"  # in memory only
    assert b"s3cr3t" not in during
    assert b"s3cr3t" not in state_path.read_bytes()
    assert (await load_state(state_path)).output_of("a") == "token=***"


async def test_a_cancelled_run_is_persisted_as_cancelled(
    tmp_path: Path, registry: Any, clock: Any, journal: Any, state_path: Path
) -> None:
    body = '<transform id="a" type="echo" value="A"/>\n<transform id="b" type="gate" input="a"/>'
    task, _ = await _start(body, tmp_path, registry, clock, persistence_path=state_path)
    await started(journal, "b")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    loaded = await load_state(state_path)
    assert loaded.status is RunStatus.CANCELLED
    assert loaded.output_of("a") == "A"
    assert loaded.node_results["b"].status.value == "failed"
    assert loaded.node_results["b"].error is not None
    assert loaded.node_results["b"].error["type"] == "cancelled"


async def test_a_paused_run_is_persisted_with_its_pending_checkpoint(
    run_flow: Any, state_path: Path
) -> None:
    run = await run_flow(
        '<transform id="a" type="echo" value="A"/>\n<checkpoint id="review" prompt="ok?"/>',
        persistence_path=state_path,
        interactive=False,
    )
    assert run.state.status is RunStatus.PAUSED
    loaded = await load_state(state_path)
    assert loaded.status is RunStatus.PAUSED
    assert loaded.pending_checkpoint is not None
    assert loaded.pending_checkpoint["node"] == "review"


async def test_a_state_file_that_cannot_be_created_stops_the_run_before_it_starts(
    run_flow: Any, tmp_path: Path, journal: Any
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(StateWriteError, match="not-a-folder"):
        await run_flow(WAVES, persistence_path=blocker / "run.json")
    assert journal.log == []


async def test_a_state_write_failure_during_the_run_is_a_warning(
    run_flow: Any, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowscript.persistence._journal_file import MappedJournal, PlainJournal

    def broken(self: object, data: bytes) -> None:
        raise OSError(28, "disk full")  # every journal append fails; snapshots still work

    monkeypatch.setattr(MappedJournal, "append", broken)
    monkeypatch.setattr(PlainJournal, "append", broken)
    events: list[Event] = []
    run = await run_flow(WAVES, persistence_path=state_path, observers=[events.append])
    assert run.error is None and run.state.status is RunStatus.COMPLETED
    warnings = [e.message for e in events if isinstance(e, RunWarning)]
    assert warnings and all("disk full" in message for message in warnings)
    assert (await load_state(state_path)).output_of("d") == {"b": 2, "c": 3}  # final snapshot


# -- the execution log --------------------------------------------------------------------


@pytest.fixture
def flow_file(tmp_path: Path) -> Path:
    return tmp_path / "logged.flow.md"


async def _run_logged(run_flow: Any, flow_file: Path, body: str, **options: Any) -> Any:
    text = _flow(body)
    flow_file.write_text(text, encoding="utf-8")
    return await run_flow(text, path=flow_file, log_path=flow_file, **options)


async def test_a_successful_run_writes_the_log_and_node_table(
    run_flow: Any, flow_file: Path
) -> None:
    run = await _run_logged(run_flow, flow_file, WAVES)
    text = flow_file.read_text(encoding="utf-8")
    assert text.startswith(_flow(WAVES))  # the workflow itself is kept byte for byte
    log = text[text.index("## Execution Log") :]
    assert f"**Run ID:** `{run.state.run_id}`" in log
    assert "**Status:** completed" in log
    assert "**Waves:** 3" in log
    assert "| a | success | 0.00s | 1 |" in log
    assert '| d | success | 0.00s | {"b":2,"c":3} |' in log
    assert f"| {run.state.run_id} |" in log


async def test_a_failed_run_logs_failed_with_its_error(run_flow: Any, flow_file: Path) -> None:
    await _run_logged(run_flow, flow_file, '<transform id="x" type="fail" message="nope"/>')
    log = flow_file.read_text(encoding="utf-8")
    assert "**Status:** failed" in log
    assert "**Error:** nope" in log
    assert "| x | failed | 0.00s | Error: nope |" in log


async def test_a_log_failure_is_a_warning_and_never_replaces_the_result(
    run_flow: Any, tmp_path: Path
) -> None:
    events: list[Event] = []
    missing = tmp_path / "gone.flow.md"
    run = await run_flow(WAVES, log_path=missing, observers=[events.append])
    assert run.error is None and run.state.status is RunStatus.COMPLETED
    warnings = [e.message for e in events if isinstance(e, RunWarning)]
    assert warnings == [f"could not write the execution log: no file {missing}"]


async def test_a_log_failure_of_a_failed_run_keeps_the_run_error(
    run_flow: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="flowscript.execution"):
        run = await run_flow(
            '<transform id="x" type="fail" message="nope"/>', log_path=tmp_path / "gone.md"
        )
    assert run.error is not None and run.error.message == "nope"
    assert [r.getMessage() for r in caplog.records] == [
        f"could not write the execution log: no file {tmp_path / 'gone.md'}"
    ]
