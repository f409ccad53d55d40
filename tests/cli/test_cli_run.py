"""``flowscript run``: state persisted by default, ``--state-dir``, ``--no-state``, ``--no-log``."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from flowscript.persistence import read_state

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
WriteFlow = Callable[[str, str], Path]

FLOW = """---
name: greet
version: "1.0"
config:
  who:
    type: string
    default: world
---
<workflow>
  <transform id="hello" type="template"><template>hello {{ $config.who }}</template></transform>
  <transform id="shout" type="template" input="hello">
    <template>{{ upper(hello) }}!</template>
  </transform>
</workflow>
"""

FAILING = """---
name: broken
version: "1.0"
---
<workflow>
  <transform id="ok" type="template"><template>fine</template></transform>
  <source id="missing" type="file" path="nowhere.json"/>
</workflow>
"""


def _state_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/*.json"))


def test_a_run_persists_its_state_and_logs_into_the_file_by_default(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path
) -> None:
    flow = write_flow("greet.flow.md", FLOW)
    result = flowscript("run", "greet.flow.md")
    assert result.returncode == 0, result.stderr
    [state_path] = _state_files(tmp_path / ".flowscript" / "runs")
    assert state_path.parent.name == "greet"
    state = read_state(state_path)
    assert state.status.value == "completed"
    assert state.output_of("shout") == "HELLO WORLD!"
    assert state.workflow_path == str(flow)
    assert f"  state: {state_path}\n" in result.stdout
    assert f"(run {state.run_id})" in result.stdout
    text = flow.read_text(encoding="utf-8")
    assert text.startswith(FLOW)
    assert "## Execution Log" in text
    assert f"**Run ID:** `{state.run_id}`" in text
    assert "| shout | success |" in text


def test_json_output_names_the_state_file(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path
) -> None:
    write_flow("greet.flow.md", FLOW)
    result = flowscript("run", "greet.flow.md", "--format", "json", "-c", "who=cli")
    document = json.loads(result.stdout)
    state_path = Path(document["statePath"])
    assert state_path == tmp_path / ".flowscript" / "runs" / "greet" / f"{document['runId']}.json"
    assert read_state(state_path).config == {"who": "cli"}
    assert document["result"] == "HELLO CLI!"


def test_state_dir_moves_the_state_folder(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path
) -> None:
    write_flow("greet.flow.md", FLOW)
    result = flowscript("run", "greet.flow.md", "--state-dir", "elsewhere", "--format", "json")
    document = json.loads(result.stdout)
    assert Path(document["statePath"]).parent == tmp_path / "elsewhere" / "greet"
    assert Path(document["statePath"]).is_file()
    assert not (tmp_path / ".flowscript").exists()


def test_no_state_writes_no_state(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path
) -> None:
    flow = write_flow("greet.flow.md", FLOW)
    text = flowscript("run", "greet.flow.md", "--no-state")
    document = json.loads(
        flowscript("run", "greet.flow.md", "--no-state", "--format", "json").stdout
    )
    assert text.returncode == 0
    assert "state:" not in text.stdout
    assert document["statePath"] is None
    assert not (tmp_path / ".flowscript").exists()
    assert flow.read_text(encoding="utf-8").count("## Execution Log") == 1  # still logged


def test_no_log_leaves_the_file_untouched(flowscript: CliRunner, write_flow: WriteFlow) -> None:
    flow = write_flow("greet.flow.md", FLOW)
    result = flowscript("run", "greet.flow.md", "--no-log")
    assert result.returncode == 0
    assert flow.read_text(encoding="utf-8") == FLOW


def test_dry_run_writes_nothing(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path
) -> None:
    flow = write_flow("greet.flow.md", FLOW)
    result = flowscript("run", "greet.flow.md", "--dry-run")
    assert result.returncode == 0
    assert flow.read_text(encoding="utf-8") == FLOW
    assert not (tmp_path / ".flowscript").exists()


def test_a_failed_run_is_persisted_and_logged_as_failed(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path
) -> None:
    flow = write_flow("broken.flow.md", FAILING)
    result = flowscript("run", "broken.flow.md")
    assert result.returncode == 1
    [state_path] = _state_files(tmp_path / ".flowscript" / "runs")
    state = read_state(state_path)
    assert state.status.value == "failed"
    assert state.error is not None and state.error["node"] == "missing"
    assert f"  state: {state_path}\n" in result.stdout
    log = flow.read_text(encoding="utf-8")
    assert "**Status:** failed" in log
    assert "| missing | failed |" in log


def test_two_concurrent_runs_of_one_file_are_both_logged(
    write_flow: WriteFlow, tmp_path: Path
) -> None:
    flow = write_flow("greet.flow.md", FLOW)
    command = [sys.executable, "-m", "flowscript", "run", "greet.flow.md", "--format", "json"]
    processes = [
        subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    run_ids = []
    for process in processes:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        run_ids.append(json.loads(out)["runId"])
    text = flow.read_text(encoding="utf-8")
    assert text.startswith(FLOW)
    assert text.count("## Execution Log") == 1
    recent = text[text.index("### Recent Runs") :]
    assert all(f"| {run_id} |" in recent for run_id in run_ids)
    assert len(_state_files(tmp_path / ".flowscript" / "runs")) == 2
