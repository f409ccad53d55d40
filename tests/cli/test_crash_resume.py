"""Crash safety with real processes: ``kill -9`` a ``flowscript run``, then resume it.

After every kill the state file loads; ``flowscript resume`` finishes the run; and a node whose
completion was on disk at the moment of a kill never makes its request again (the local HTTP
server counts the requests of every path).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import StateError
from flowscript.execution import ExecutionState
from flowscript.persistence import read_state

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
WriteFlow = Callable[[str, str], Path]

FRONT = """---
name: {name}
version: "1.0"
config:
  base:
    type: string
  wait:
    type: string
    default: 60s
---
"""

DURING_A_NODE = """<workflow>
  <source id="first" type="http" url="{{ $config.base }}/first"/>
  <source id="slow" type="http" url="{{ $config.base }}/slow" input="first"/>
  <sink id="save" type="http" url="{{ $config.base }}/save" input="slow"/>
</workflow>
"""

BETWEEN_WAVES = """<workflow>
  <source id="first" type="http" url="{{ $config.base }}/first"/>
  <delay id="gap" duration="{{ $config.wait }}" input="first"/>
  <sink id="save" type="http" url="{{ $config.base }}/save" input="gap"/>
</workflow>
"""

MANY_NODES = 40


def _many_nodes() -> str:
    nodes = [
        f'  <source id="n{i}" type="http" url="{{{{ $config.base }}}}/n/{i}"/>'
        for i in range(MANY_NODES)
    ]
    return "<workflow>\n" + "\n".join(nodes) + "\n</workflow>\n"


def _start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "flowscript", *args],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, NO_COLOR="1"),
    )


def _wait_for(predicate: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Poll until ``predicate()`` holds (a condition, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def _kill(process: subprocess.Popen[str]) -> None:
    process.kill()  # SIGKILL: no cleanup of any kind
    process.wait(timeout=30)
    if process.stderr is not None:
        process.stderr.close()
    assert process.returncode == -9


def _the_state(tmp_path: Path, workflow: str) -> Path:
    files = list((tmp_path / ".flowscript" / "runs" / workflow).glob("*.json"))
    assert len(files) == 1, files
    return files[0]


def _loads(path: Path) -> ExecutionState | None:
    try:
        return read_state(path)
    except StateError:
        return None  # not there yet


def _reached(server: Any, target: int, process: subprocess.Popen[str]) -> bool:
    return len(server.requests) >= target or process.poll() is not None


def _requests(server: Any) -> Counter[str]:
    return Counter(request.path for request in list(server.requests))


def test_kill_during_a_node_then_resume(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path, http_server: Any
) -> None:
    flow = write_flow("crash.flow.md", FRONT.format(name="crash") + DURING_A_NODE)
    http_server.route("/slow", body={"slow": True}, slow=True)
    process = _start(tmp_path, "run", "crash.flow.md", "-c", f"base={http_server.url}")
    _wait_for(lambda: "/slow" in _requests(http_server), "the slow request")
    _kill(process)
    state_path = _the_state(tmp_path, "crash")
    on_disk = read_state(state_path)
    assert on_disk.status.value == "running"  # what a crash leaves
    assert on_disk.output_of("first") is not None
    assert "slow" not in on_disk.node_results
    assert "## Execution Log" not in flow.read_text(encoding="utf-8")
    http_server.release.set()  # the slow endpoint answers from now on
    resumed = flowscript("resume", on_disk.run_id)
    assert resumed.returncode == 0, resumed.stderr
    assert "(was running)" in resumed.stdout
    assert "  run  slow  (not started)\n" in resumed.stdout
    final = read_state(state_path)
    assert final.status.value == "completed"
    assert final.output_of("slow") == {"slow": True}
    counts = _requests(http_server)
    assert (counts["/first"], counts["/slow"], counts["/save"]) == (1, 2, 1)
    log = flow.read_text(encoding="utf-8")
    assert log.count(f"| {on_disk.run_id} |") == 1
    assert "**Status:** completed" in log


def test_kill_between_waves_then_resume(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path, http_server: Any
) -> None:
    write_flow("gap.flow.md", FRONT.format(name="gap") + BETWEEN_WAVES)
    process = _start(tmp_path, "run", "gap.flow.md", "-c", f"base={http_server.url}")
    state_dir = tmp_path / ".flowscript" / "runs" / "gap"

    def first_done() -> bool:
        states = [_loads(path) for path in state_dir.glob("*.json")]
        return any(state is not None and state.output_of("first") for state in states)

    _wait_for(first_done, "wave 0 to be on disk")
    _kill(process)
    state_path = _the_state(tmp_path, "gap")
    on_disk = read_state(state_path)
    assert sorted(on_disk.node_results) == ["first"]
    resumed = flowscript("resume", on_disk.run_id, "-c", "wait=1ms")
    assert resumed.returncode == 0, resumed.stderr
    assert "  run  gap   (not started)\n" in resumed.stdout
    assert read_state(state_path).status.value == "completed"
    counts = _requests(http_server)
    assert (counts["/first"], counts["/save"]) == (1, 1)


@pytest.mark.parametrize("seed", [7, 2024], ids=["seed-7", "seed-2024"])
def test_kills_at_random_moments_never_lose_or_repeat_completed_nodes(
    write_flow: WriteFlow, tmp_path: Path, http_server: Any, seed: int
) -> None:
    write_flow("many.flow.md", FRONT.format(name="many") + _many_nodes())
    rng = random.Random(seed)
    command = ["run", "many.flow.md", "-c", f"base={http_server.url}", "--concurrency", "4"]
    snapshots: list[tuple[set[str], Counter[str]]] = []
    for _ in range(4):
        target = len(http_server.requests) + rng.randint(1, 12)
        process = _start(tmp_path, *command)
        _wait_for(lambda p=process, t=target: _reached(http_server, t, p), "requests")
        if process.poll() is not None:
            process.communicate()
            break  # it finished before the kill
        _kill(process)
        state = read_state(_the_state(tmp_path, "many"))  # always a complete, loadable state
        done = {key for key, result in state.node_results.items() if result.status.succeeded}
        snapshots.append((done, _requests(http_server)))
        command = ["resume", state.run_id]
    if command[0] == "resume":
        finish = _start(tmp_path, *command)
        _, err = finish.communicate(timeout=120)
        assert finish.returncode == 0, err
    final = read_state(_the_state(tmp_path, "many"))
    assert final.status.value == "completed"
    counts = _requests(http_server)
    assert all(counts[f"/n/{i}"] >= 1 for i in range(MANY_NODES))
    assert snapshots, "no kill happened"
    for done, at_kill in snapshots:
        for node in done:
            path = f"/n/{node[1:]}"
            assert counts[path] == at_kill[path], f"{node} ran again after it completed"
