"""``flowscript resume``, ``flowscript runs`` and signals, through the real command."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import StateError
from flowscript.persistence import read_state

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
WriteFlow = Callable[[str, str], Path]

FLOW = """---
name: files
version: "1.0"
config:
  path:
    type: string
    default: missing.json
---
<workflow>
  <transform id="first" type="template"><template>first</template></transform>
  <source id="data" type="file" path="{{ $config.path }}"/>
  <transform id="total" type="template" input="data">
    <template>{{ data.n * 2 }}</template>
  </transform>
  <transform id="report" type="template" input="total">
    <template>total={{ total }}</template>
  </transform>
</workflow>
"""

SLOW = """---
name: slow
version: "1.0"
config:
  wait:
    type: string
    default: 60s
---
<workflow>
  <transform id="a" type="template"><template>A</template></transform>
  <delay id="pause" duration="{{ $config.wait }}" input="a"/>
  <transform id="b" type="template" input="pause"><template>{{ a }}B</template></transform>
</workflow>
"""


@pytest.fixture
def failed_run(flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path) -> str:
    """A failed run of FLOW (``data`` failed); ``present.json`` lets it finish. Its run id."""
    write_flow("files.flow.md", FLOW)
    (tmp_path / "present.json").write_text('{"n": 21}', encoding="utf-8")
    result = flowscript("run", "files.flow.md", "--format", "json")
    assert result.returncode == 1, result.stderr
    run_id: str = json.loads(result.stdout)["runId"]
    return run_id


def _state_path(tmp_path: Path, workflow: str, run_id: str) -> Path:
    return tmp_path / ".flowscript" / "runs" / workflow / f"{run_id}.json"


@pytest.mark.parametrize("ref", ["id", "prefix", "path"])
def test_resume_finishes_a_failed_run(
    flowscript: CliRunner, failed_run: str, tmp_path: Path, ref: str
) -> None:
    state_path = _state_path(tmp_path, "files", failed_run)
    run = {"id": failed_run, "prefix": failed_run[:6], "path": str(state_path)}[ref]
    result = flowscript("resume", run, "-c", "path=present.json")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        f"Resuming run {failed_run} of files (was failed): 1 node(s) kept, 3 to run\n"
        "  run  data    (failed)\n"
        "  run  total   (not started)\n"
        "  run  report  (not started)\n"
    )
    assert "✓ files completed" in result.stdout
    assert 'result: "total=42"' in result.stdout
    state = read_state(state_path)
    assert (state.status.value, state.run_id, state.config) == (
        "completed",
        failed_run,
        {"path": "present.json"},
    )
    log = (tmp_path / "files.flow.md").read_text(encoding="utf-8")
    assert log.count(f"| {failed_run} |") == 1
    assert "**Status:** completed" in log


def test_resume_json_has_the_plan_and_the_state_path(
    flowscript: CliRunner, failed_run: str, tmp_path: Path
) -> None:
    result = flowscript("resume", failed_run, "-c", "path=present.json", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["statePath"] == str(_state_path(tmp_path, "files", failed_run))
    assert document["resume"] == {
        "kept": ["first"],
        "run": [
            {"node": "data", "reason": "failed"},
            {"node": "total", "reason": "not started"},
            {"node": "report", "reason": "not started"},
        ],
        "changes": [],
    }
    assert document["result"] == "total=42"
    assert "Resuming run" in result.stderr


def test_a_completed_run_is_refused(flowscript: CliRunner, failed_run: str) -> None:
    assert flowscript("resume", failed_run, "-c", "path=present.json").returncode == 0
    again = flowscript("resume", failed_run)
    assert again.returncode == 2
    assert "error[RESUME_REFUSED]" in again.stderr
    assert "completed; there is nothing to resume" in again.stderr


def test_an_unknown_or_ambiguous_run_is_a_usage_error(
    flowscript: CliRunner, failed_run: str, tmp_path: Path
) -> None:
    state_path = _state_path(tmp_path, "files", failed_run)
    shutil.copy(state_path, state_path.with_name(failed_run[:8] + "-copy.json"))
    unknown = flowscript("resume", "nope")
    ambiguous = flowscript("resume", failed_run[:8])
    assert (unknown.returncode, ambiguous.returncode) == (2, 2)
    assert "error[STATE_INVALID]: no run 'nope'" in unknown.stderr
    assert "is ambiguous" in ambiguous.stderr


def test_from_reruns_a_node_and_what_follows(
    flowscript: CliRunner, failed_run: str, tmp_path: Path
) -> None:
    unknown = flowscript("resume", failed_run, "--from", "frist")
    assert unknown.returncode == 2
    assert "no node 'frist' (did you mean 'first'?)" in unknown.stderr
    result = flowscript("resume", failed_run, "--from", "first", "-c", "path=present.json")
    assert result.returncode == 0, result.stderr
    assert "  run  first   (forced by --from)\n" in result.stdout
    assert "  run  data    (failed)\n" in result.stdout


def test_a_changed_file_is_refused_until_forced(
    flowscript: CliRunner, failed_run: str, tmp_path: Path
) -> None:
    flow = tmp_path / "files.flow.md"
    flow.write_text(flow.read_text().replace("first</template>", "1st</template>"))
    refused = flowscript("resume", failed_run, "-c", "path=present.json")
    assert refused.returncode == 2
    assert "changed since run" in refused.stderr
    assert "first (changed); resume with --force" in refused.stderr
    forced = flowscript("resume", failed_run, "-c", "path=present.json", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "the workflow file changed (--force): first (changed)" in forced.stdout


def test_runs_lists_runs_newest_first(
    flowscript: CliRunner, failed_run: str, write_flow: WriteFlow, tmp_path: Path
) -> None:
    write_flow("slow.flow.md", SLOW)
    newer = json.loads(
        flowscript("run", "slow.flow.md", "-c", "wait=1ms", "--format", "json").stdout
    )
    listing = json.loads(flowscript("runs", "--format", "json").stdout)
    assert [entry["runId"] for entry in listing] == [newer["runId"], failed_run]
    old = listing[1]
    assert old == {
        "runId": failed_run,
        "workflow": "files",
        "status": "failed",
        "startedAt": old["startedAt"],
        "durationMs": old["durationMs"],
        "failedNode": "data",
        "pendingCheckpoint": None,
        "statePath": str(_state_path(tmp_path, "files", failed_run)),
    }
    text = flowscript("runs").stdout.splitlines()
    assert text[0].split() == [
        "RUN",
        "ID",
        "WORKFLOW",
        "STATUS",
        "STARTED",
        "(UTC)",
        "DURATION",
        "NODE",
    ]
    assert text[1].split()[:3] == [newer["runId"], "slow", "completed"]
    assert text[2].split()[:3] == [failed_run, "files", "failed"]
    assert text[2].split()[-1] == "data"
    only = json.loads(flowscript("runs", "files.flow.md", "--format", "json").stdout)
    assert [entry["runId"] for entry in only] == [failed_run]


def test_runs_without_runs(flowscript: CliRunner, tmp_path: Path) -> None:
    result = flowscript("runs", "--state-dir", "empty")
    assert result.returncode == 0
    assert result.stdout == "No runs in empty\n"
    assert json.loads(flowscript("runs", "--format", "json").stdout) == []


def _wait_for(predicate: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _node_done(state_dir: Path, node: str) -> Callable[[], bool]:
    def done() -> bool:
        for path in state_dir.glob("*/*.json"):
            try:
                if read_state(path).output_of(node) is not None:
                    return True
            except StateError:
                return False
        return False

    return done


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_cancels_persists_and_the_run_resumes(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path, signum: int
) -> None:
    flow = write_flow("slow.flow.md", SLOW)
    process = subprocess.Popen(
        [sys.executable, "-m", "flowscript", "run", "slow.flow.md"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, NO_COLOR="1"),
    )
    _wait_for(_node_done(tmp_path / ".flowscript" / "runs", "a"), "node a")
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    [state_path] = (tmp_path / ".flowscript" / "runs" / "slow").glob("*.json")
    state = read_state(state_path)
    assert state.status.value == "cancelled"
    assert state.node_results["pause"].status.value == "failed"
    assert f"interrupted by {signal.Signals(signum).name}: run {state.run_id}" in err
    assert f"resume it with: flowscript resume {state.run_id}" in err
    assert "**Status:** cancelled" in flow.read_text(encoding="utf-8")
    resumed = flowscript("resume", state.run_id, "-c", "wait=1ms")
    assert resumed.returncode == 0, resumed.stderr
    assert "  run  pause  (cancelled)\n" in resumed.stdout
    final = read_state(state_path)
    assert (final.status.value, final.output_of("b")) == ("completed", "AB")
    assert final.node_results["a"].completed_at == state.node_results["a"].completed_at


def test_a_paused_run_exits_3_and_resumes_with_an_answer(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path
) -> None:
    write_flow(
        "review.flow.md",
        """---
name: review
version: "1.0"
---
<workflow>
  <transform id="draft" type="template"><template>draft</template></transform>
  <checkpoint id="approve-it" prompt="Ship {{ draft }}?" input="draft"/>
  <transform id="ship" type="template" input="draft">
    <template>shipped {{ draft }}</template>
  </transform>
</workflow>
""",
    )
    paused = flowscript("run", "review.flow.md", "--non-interactive", "--format", "json")
    assert paused.returncode == 3, paused.stderr
    run_id = json.loads(paused.stdout)["runId"]
    resumed = flowscript(
        "resume", run_id[:8], "--answer", "approve-it=approve", "--non-interactive"
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "  run  approve-it  (interrupted)\n" in resumed.stdout
    state: Any = read_state(_state_path(tmp_path, "review", run_id))
    assert state.output_of("ship") == "shipped draft"


SIGNAL_SCRIPT = """
import asyncio, sys
from flowscript.cli._signals import RunInterrupted, run_interruptible

async def main():
    try:
        print("running", flush=True)
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        print("cleaning up", flush=True)
        if sys.argv[1] == "slow":
            await asyncio.sleep(3600)  # a cleanup that never ends
        raise

try:
    run_interruptible(main())
except RunInterrupted as interrupted:
    print(f"interrupted by {interrupted.signal_name}", flush=True)
    sys.exit(5)
"""


def _signal_script(cleanup: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SIGNAL_SCRIPT, cleanup],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_the_first_signal_lets_the_run_clean_up() -> None:
    process = _signal_script("quick")
    assert process.stdout is not None
    assert process.stdout.readline() == "running\n"
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=60)
    assert (process.returncode, out) == (5, "cleaning up\ninterrupted by SIGINT\n")


def test_a_second_signal_exits_at_once() -> None:
    process = _signal_script("slow")
    assert process.stdout is not None
    assert process.stdout.readline() == "running\n"
    process.send_signal(signal.SIGTERM)
    assert process.stdout.readline() == "cleaning up\n"
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=60)
    assert (process.returncode, out) == (130, "")
