"""The execution-log footer: exact layout, replacement in the file, locking (format.md §4)."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from flowscript.errors import ExecutionLogError
from flowscript.execution.state import ExecutionState, NodeResult, NodeStatus, RunStatus
from flowscript.reporting import (
    RecentRun,
    append_execution_log,
    format_execution_log,
)

START = 1_714_557_600_000  # 2024-05-01T10:00:00.000Z
SECRET = "sk-live-abcdef"

WORKFLOW = """\
---
name: demo
description: "mentions </workflow> and ## Execution Log"
---
<workflow>
  <transform id="render" type="template"><![CDATA[
---

## Execution Log
</workflow>
  ]]></transform>
  <!-- </workflow> in a comment -->
</workflow>

Notes for humans stay here.
"""


def node(
    status: NodeStatus,
    output: object = None,
    *,
    at: int,
    duration: int,
    error: str | None = None,
    fallback: str | None = None,
) -> NodeResult:
    return NodeResult(
        status=status,
        output=output,
        error=None if error is None else {"type": "x", "message": error, "retryable": False},
        started_at=START + at,
        completed_at=START + at + duration,
        duration=duration,
        fallback=fallback,
    )


def completed_state() -> ExecutionState:
    state = ExecutionState(
        workflow_id="demo",
        run_id="run-ok",
        status=RunStatus.COMPLETED,
        current_wave=1,
        started_at=START,
        completed_at=START + 2_345,
    )
    state.node_results.update(
        # recorded out of start order: the table is ordered by start time
        render=node(NodeStatus.SUCCESS, "a | b\nc", at=300, duration=125),
        fetch=node(NodeStatus.SUCCESS, {"items": [1, 2.5, "ü"]}, at=0, duration=1_005),
        gate=node(NodeStatus.SKIPPED, at=200, duration=0),
        big=node(NodeStatus.SUCCESS, list(range(40)), at=400, duration=59_999),
    )
    return state


COMPLETED_LOG = """\
---

## Execution Log

**Run ID:** `run-ok`
**Workflow:** Demo Flow
**Timestamp:** 2024-05-01T10:00:00.000Z
**Duration:** 2.35s
**Status:** completed
**Waves:** 2

### Node Results

| Node | Status | Duration | Output |
|------|--------|----------|--------|
| fetch | success | 1.00s | {"items":[1,2.5,"ü"]} |
| gate | skipped | 0.00s | - |
| render | success | 0.13s | "a \\| b\\nc" |
| big | success | 60.00s | [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18... |

### Recent Runs

| Run ID | Timestamp | Status | Duration |
|--------|-----------|--------|----------|
| run-ok | 2024-05-01T10:00:00.000Z | completed | 2.35s |
"""


def test_completed_run_layout_is_exact() -> None:
    text = format_execution_log(completed_state(), workflow_name="Demo Flow", waves=2)
    assert text == COMPLETED_LOG


def failed_state() -> ExecutionState:
    state = ExecutionState(
        workflow_id="demo",
        run_id="run-bad",
        status=RunStatus.FAILED,
        current_wave=2,
        started_at=START + 60_000,
        completed_at=START + 61_500,
        error={"type": "http.status", "message": "HTTP 503 from\nupstream", "node": "send"},
    )
    state.node_results.update(
        fetch=node(NodeStatus.RECOVERED, {"cached": True}, at=0, duration=40, fallback="cache"),
        parse=node(NodeStatus.SUCCESS, 3, at=10, duration=5),
        cache=node(NodeStatus.SUCCESS, {"cached": True}, at=30, duration=10, fallback="fetch"),
        send=node(NodeStatus.FAILED, at=50, duration=1_000, error="HTTP 503 from\nupstream"),
        notify=node(NodeStatus.PENDING, at=60, duration=0),
    )
    return state


FAILED_LOG = """\
---

## Execution Log

**Run ID:** `run-bad`
**Workflow:** demo
**Timestamp:** 2024-05-01T10:01:00.000Z
**Duration:** 1.50s
**Status:** failed
**Waves:** 3
**Error:** HTTP 503 from upstream

### Node Results

| Node | Status | Duration | Output |
|------|--------|----------|--------|
| fetch | recovered | 0.04s | {"cached":true} |
| cache | success | 0.01s | {"cached":true} |
| parse | success | 0.01s | 3 |
| send | failed | 1.00s | Error: HTTP 503 from upstream |
| notify | pending | 0.00s | - |

### Recent Runs

| Run ID | Timestamp | Status | Duration |
|--------|-----------|--------|----------|
| run-bad | 2024-05-01T10:01:00.000Z | failed | 1.50s |
| run-ok | 2024-05-01T10:00:00.000Z | completed | 2.35s |
"""


def test_failed_run_layout_is_exact() -> None:
    earlier = RecentRun(
        run_id="run-ok", timestamp="2024-05-01T10:00:00.000Z", status="completed", duration="2.35s"
    )
    assert format_execution_log(failed_state(), recent_runs=[earlier]) == FAILED_LOG


@pytest.mark.parametrize(
    ("milliseconds", "shown"),
    [
        pytest.param(0, "0.00s", id="zero"),
        pytest.param(125, "0.13s", id="exact-tie-rounds-up"),
        pytest.param(1_005, "1.00s", id="binary-below-half"),
        pytest.param(1_234, "1.23s", id="plain"),
        pytest.param(59_999, "60.00s", id="carry"),
    ],
)
def test_durations_match_javascript_to_fixed(milliseconds: int, shown: str) -> None:
    state = ExecutionState(workflow_id="w", run_id="r", started_at=START)
    state.completed_at = START + milliseconds
    assert f"**Duration:** {shown}\n" in format_execution_log(state)


def test_a_rescue_chain_keeps_each_fallback_after_its_node() -> None:
    state = ExecutionState(workflow_id="w", run_id="r", started_at=START)
    state.node_results.update(
        late=node(NodeStatus.SUCCESS, 1, at=5, duration=1),
        primary=node(NodeStatus.RECOVERED, 2, at=0, duration=1, fallback="first"),
        first=node(NodeStatus.RECOVERED, 2, at=8, duration=1, fallback="second"),
        second=node(NodeStatus.SUCCESS, 2, at=9, duration=1, fallback="first"),
    )
    rows = [line.split(" | ")[0][2:] for line in format_execution_log(state).splitlines()[15:19]]
    assert rows == ["primary", "first", "second", "late"]


def write_workflow(tmp_path: Path, text: str = WORKFLOW) -> Path:
    path = tmp_path / "demo.flow.md"
    path.write_bytes(text.encode())
    return path


async def test_append_to_a_file_without_a_log(tmp_path: Path) -> None:
    path = write_workflow(tmp_path)
    state = completed_state()
    await append_execution_log(path, state, workflow_name="Demo Flow", waves=2)
    assert path.read_text() == WORKFLOW + "\n" + COMPLETED_LOG


async def test_an_existing_section_is_replaced_and_the_text_before_kept(tmp_path: Path) -> None:
    before = WORKFLOW + "\n"
    old_section = COMPLETED_LOG + "\nA note someone typed under the log.\n"
    path = write_workflow(tmp_path, before + old_section)
    await append_execution_log(path, failed_state())
    assert path.read_text() == before + FAILED_LOG


async def test_an_html_placeholder_marks_the_section(tmp_path: Path) -> None:
    before = WORKFLOW + "\n"
    path = write_workflow(
        tmp_path, before + "<!--\n## Execution Log (written by FlowScript)\n-->\n"
    )
    await append_execution_log(path, completed_state(), workflow_name="Demo Flow", waves=2)
    assert path.read_text() == before + COMPLETED_LOG


async def test_a_self_closing_workflow_has_a_footer_too(tmp_path: Path) -> None:
    before = "---\nname: demo\n---\n<workflow/>\n"
    path = write_workflow(tmp_path, before + "\n" + COMPLETED_LOG)
    await append_execution_log(path, failed_state())
    assert path.read_text() == before + "\n" + FAILED_LOG


def recent_run_ids(text: str) -> list[str]:
    section = text[text.index("### Recent Runs") :]
    return re.findall(r"^\| (run-[\w-]+) \|", section, flags=re.M)


async def test_recent_runs_are_carried_over_newest_first_and_capped(tmp_path: Path) -> None:
    path = write_workflow(tmp_path)
    for number in range(12):
        state = completed_state()
        state.run_id = f"run-{number}"
        await append_execution_log(path, state)
    assert recent_run_ids(path.read_text()) == [f"run-{n}" for n in range(11, 1, -1)]
    resumed = failed_state()
    resumed.run_id = "run-5"
    await append_execution_log(path, resumed)
    text = path.read_text()
    expected = ["run-5", "run-11", "run-10", "run-9", "run-8", "run-7", "run-6", "run-4"]
    assert recent_run_ids(text) == [*expected, "run-3", "run-2"]
    assert "| run-5 | 2024-05-01T10:01:00.000Z | failed | 1.50s |" in text
    assert text.count("## Execution Log") == 3  # frontmatter, CDATA template, the log
    assert text.startswith(WORKFLOW)


async def test_a_log_in_the_first_flowscript_layout_is_carried_over(tmp_path: Path) -> None:
    old = (
        "---\n\n## Execution Log\n\n**Run ID:** `ts-run`\n**Workflow:** demo\n"
        "**Timestamp:** 2023-01-02T03:04:05.678Z\n**Duration:** 0.50s\n**Status:** completed\n"
        "**Waves:** 1\n\n### Node Results\n\n| Node | Status | Duration | Output |\n"
        "|------|--------|----------|--------|\n| a | success | 0.50s | 1 |\n"
    )
    path = write_workflow(tmp_path, WORKFLOW + "\n" + old)
    await append_execution_log(path, failed_state())
    assert path.read_text().endswith(
        "| run-bad | 2024-05-01T10:01:00.000Z | failed | 1.50s |\n"
        "| ts-run | 2023-01-02T03:04:05.678Z | completed | 0.50s |\n"
    )


async def test_crlf_files_get_a_crlf_section(tmp_path: Path) -> None:
    crlf = WORKFLOW.replace("\n", "\r\n")
    path = write_workflow(tmp_path, crlf)
    await append_execution_log(path, completed_state(), workflow_name="Demo Flow", waves=2)
    assert path.read_bytes() == (crlf + "\r\n" + COMPLETED_LOG.replace("\n", "\r\n")).encode()
    await append_execution_log(path, failed_state())
    assert path.read_bytes().startswith(crlf.encode() + b"\r\n---\r\n")
    assert recent_run_ids(path.read_bytes().decode()) == ["run-bad", "run-ok"]


async def test_file_mode_and_symlink_are_preserved(tmp_path: Path) -> None:
    real = write_workflow(tmp_path)
    real.chmod(0o640)
    link = tmp_path / "link.flow.md"
    link.symlink_to(real)
    await append_execution_log(link, completed_state())
    assert link.is_symlink()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert "## Execution Log\n\n**Run ID:** `run-ok`" in real.read_text()
    assert (tmp_path / ".demo.flow.md.lock").exists()


async def test_secret_values_never_reach_the_file(tmp_path: Path) -> None:
    path = write_workflow(tmp_path)
    state = failed_state()
    state.secrets = {"API_KEY": SECRET}
    state.node_results["parse"] = node(NodeStatus.SUCCESS, {"k": SECRET}, at=10, duration=5)
    state.error = {"type": "x", "message": f"denied for {SECRET}"}
    await append_execution_log(path, state, workflow_name=f"demo {SECRET}")
    text = path.read_text()
    assert SECRET not in text
    assert "**Error:** denied for ***\n" in text
    assert '| parse | success | 0.01s | {"k":"***"} |' in text
    assert "**Workflow:** demo ***\n" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            None, r"could not write the execution log: no file .*demo\.flow\.md", id="none"
        ),
        pytest.param(
            "---\nname: x\n---\n<workflow>\n",
            r"could not write the execution log to .*demo\.flow\.md: could not find the end of "
            r"the <workflow> element",
            id="no-end",
        ),
    ],
)
async def test_failures_raise_execution_log_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "demo.flow.md"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ExecutionLogError, match=message):
        await append_execution_log(path, completed_state())
    if content is not None:
        assert path.read_text() == content


APPENDER = """
import asyncio, sys
from flowscript.execution.state import ExecutionState, RunStatus
from flowscript.reporting import append_execution_log

async def main(path, prefix, count):
    print("ready", flush=True)
    sys.stdin.readline()  # wait for the parent's "go", so both processes run at once
    for number in range(count):
        state = ExecutionState(workflow_id="demo", run_id=f"run-{prefix}{number}",
                               status=RunStatus.COMPLETED, started_at=1, completed_at=2)
        await append_execution_log(path, state)

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


def test_concurrent_processes_never_lose_each_others_rows(tmp_path: Path) -> None:
    path = write_workflow(tmp_path)
    script = tmp_path / "appender.py"
    script.write_text(APPENDER)
    children = [
        subprocess.Popen(
            [sys.executable, str(script), str(path), prefix, "5"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for prefix in ("a", "b")
    ]
    for child in children:
        assert child.stdout is not None
        assert child.stdout.readline() == b"ready\n"
    for child in children:
        assert child.stdin is not None
        child.stdin.write(b"go\n")
        child.stdin.flush()
    for child in children:
        _, err = child.communicate(timeout=60)
        assert child.returncode == 0, err.decode()
    text = path.read_text()
    assert text.startswith(WORKFLOW + "\n---\n\n## Execution Log\n")
    assert sorted(recent_run_ids(text)) == [f"run-{p}{n}" for p in "ab" for n in range(5)]
    leftovers = [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]
    assert leftovers == []


def test_public_names_are_exported() -> None:
    import flowscript.reporting as reporting

    names = {"MAX_RECENT_RUNS", "RecentRun", "append_execution_log", "format_execution_log"}
    assert names <= set(reporting.__all__)
