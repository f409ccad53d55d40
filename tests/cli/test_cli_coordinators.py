"""Coordinators sharing runs through a real PostgreSQL: ``submit``, ``serve``, ``answer``,
``runs --state``, ``run``/``resume --state``, with real processes killed, stopped and signalled.

Every node makes a request to the local HTTP test server, which counts requests per path:
a node that ran again shows up there; the database shows how often each node's completion
was recorded.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
WriteFlow = Callable[[str, str], Path]

FRONT = """---
name: {name}
version: "1.0"
config:
  base:
    type: string
input:
  k:
    type: string
    default: one
---
"""

THREE = """<workflow>
  <source id="first" type="http" url="{{ $config.base }}/first/{{ $input.k }}"/>
  <source id="second" type="http" url="{{ $config.base }}/second/{{ $input.k }}" input="first"/>
  <sink id="save" type="http" url="{{ $config.base }}/save/{{ $input.k }}" input="second"/>
</workflow>
"""

SLOW = """<workflow>
  <source id="first" type="http" url="{{ $config.base }}/first"/>
  <source id="slow" type="http" url="{{ $config.base }}/slow" input="first"/>
  <sink id="save" type="http" url="{{ $config.base }}/save" input="slow"/>
</workflow>
"""

CHECKPOINT = """<workflow>
  <source id="draft" type="http" url="{{ $config.base }}/draft"/>
  <checkpoint id="ok" prompt="Ship it?" input="draft"/>
  <sink id="ship" type="http" url="{{ $config.base }}/ship" input="draft"/>
</workflow>
"""

FAST = ("--lease", "2s", "--poll", "0.05s")
"""For the takeover tests: a lease that a crashed coordinator loses quickly."""
STEADY = ("--lease", "30s", "--poll", "0.05s")
"""For every other test: a lease that never runs out, however loaded the machine (a 2 s lease
can expire while a starved coordinator is mid-node, and its heir then runs the node again)."""


def _serve(tmp_path: Path, url: str, name: str, *extra: str) -> tuple[subprocess.Popen[str], Path]:
    log = tmp_path / f"{name}.log"
    with log.open("w") as stderr:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "flowscript", "serve", "--state", url, *extra],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
            env=dict(os.environ, NO_COLOR="1"),
        )
    return process, log


def _wait_for(predicate: Callable[[], bool], what: str, timeout: float = 40) -> None:
    """Poll until ``predicate()`` holds (a condition, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


def _query(url: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return list(conn.execute(sql, args).fetchall())  # type: ignore[arg-type]


def _statuses(url: str) -> list[str]:
    return [row[0] for row in _query(url, "SELECT status FROM flowscript_runs ORDER BY id")]


def _requests(server: Any) -> Counter[str]:
    return Counter(request.path for request in list(server.requests))


def _recorded(url: str, run_id: str) -> list[tuple[str, str, int]]:
    return _query(
        url,
        "SELECT node, status, epoch FROM flowscript_node_results WHERE run_id = %s ORDER BY seq",
        run_id,
    )


def _submit(flowscript: CliRunner, url: str, flow: str, base: str, k: str = "one") -> str:
    done = flowscript(
        "submit", flow, "-c", f"base={base}", "--input", json.dumps({"k": k}),
        "--state", url, "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    run_id: str = json.loads(done.stdout)["runId"]
    return run_id


def test_several_coordinators_share_a_queue(
    flowscript: CliRunner,
    write_flow: WriteFlow,
    tmp_path: Path,
    http_server: Any,
    postgres_url: str,
) -> None:
    write_flow("three.flow.md", FRONT.format(name="three") + THREE)
    first = _submit(flowscript, postgres_url, "three.flow.md", http_server.url, "k0")
    from flowscript.coordination import prepare_submission  # the rest through the API: faster

    runs = [first]
    for index in range(1, 12):
        submission = prepare_submission(
            tmp_path / "three.flow.md", config={"base": http_server.url}, input={"k": f"k{index}"}
        )
        runs.append(_submit_api(postgres_url, submission))
    coordinators = [
        _serve(tmp_path, postgres_url, f"c{i}", *STEADY, "--max-runs", "2") for i in range(3)
    ]
    _wait_for(lambda: _statuses(postgres_url) == ["completed"] * 12, "every run to complete")
    assert [_stop(process) for process, _ in coordinators] == [0, 0, 0]
    counts = _requests(http_server)
    for index in range(12):
        for node in ("first", "second", "save"):
            assert counts[f"/{node}/k{index}"] == 1
    per_node = _query(
        postgres_url,
        "SELECT run_id, node, count(*) FROM flowscript_node_results GROUP BY run_id, node",
    )
    assert len(per_node) == 36 and {row[2] for row in per_node} == {1}
    owners = _query(
        postgres_url, "SELECT DISTINCT owner FROM flowscript_run_events WHERE kind = 'claimed'"
    )
    assert len(owners) >= 2  # the queue really was shared
    listed = flowscript("runs", "--state", postgres_url, "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert sorted(row["runId"] for row in rows) == sorted(runs)
    assert {row["status"] for row in rows} == {"completed"}
    assert all("pg-S3cret-pw" not in row["statePath"] for row in rows)
    assert rows[0]["statePath"].startswith("postgresql://flowscript:***@127.0.0.1:")


def _submit_api(url: str, submission: Any) -> str:
    import asyncio

    from flowscript.coordination import submit_run
    from flowscript.persistence.postgres import Database

    async def go() -> str:
        async with Database(url, max_size=1) as database:
            return await submit_run(database, submission)

    return asyncio.run(go())


def _held_run(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path, http_server: Any, url: str
) -> tuple[str, subprocess.Popen[str], Path]:
    """A submitted run whose first coordinator is inside its slow node (the server holds the
    request): the run id, that coordinator process and its log."""
    write_flow("slow.flow.md", FRONT.format(name="slow") + SLOW)
    http_server.route("/slow", body={"slow": True}, slow=True)
    run_id = _submit(flowscript, url, "slow.flow.md", http_server.url)
    process, log = _serve(tmp_path, url, "first", *FAST)
    _wait_for(lambda: _requests(http_server)["/slow"] == 1, "the slow request")
    return run_id, process, log


def test_a_killed_coordinators_run_is_taken_over_without_rerunning_nodes(
    flowscript: CliRunner,
    write_flow: WriteFlow,
    tmp_path: Path,
    http_server: Any,
    postgres_url: str,
) -> None:
    run_id, dying, _ = _held_run(flowscript, write_flow, tmp_path, http_server, postgres_url)
    dying.kill()
    assert dying.wait(timeout=30) == -9
    http_server.release.set()  # the slow endpoint answers from now on
    heir, _ = _serve(tmp_path, postgres_url, "heir", *FAST)
    _wait_for(lambda: _statuses(postgres_url) == ["completed"], "the run to complete")
    assert _stop(heir) == 0
    counts = _requests(http_server)
    assert (counts["/first"], counts["/slow"], counts["/save"]) == (1, 2, 1)
    assert _recorded(postgres_url, run_id) == [
        ("first", "success", 1), ("slow", "success", 2), ("save", "success", 2),
    ]  # fmt: skip
    taken = _query(
        postgres_url,
        "SELECT epoch, detail::text FROM flowscript_run_events WHERE kind = 'claimed' ORDER BY id",
    )
    assert [epoch for epoch, _ in taken] == [1, 2]
    assert json.loads(taken[1][1])["was"] == "running"


def test_a_coordinator_paused_past_its_lease_has_its_late_writes_refused(
    flowscript: CliRunner,
    write_flow: WriteFlow,
    tmp_path: Path,
    http_server: Any,
    postgres_url: str,
) -> None:
    run_id, sleeper, sleeper_log = _held_run(
        flowscript, write_flow, tmp_path, http_server, postgres_url
    )
    sleeper.send_signal(signal.SIGSTOP)
    try:
        expired = "SELECT count(*) FROM flowscript_runs WHERE lease_expires < now()"
        _wait_for(lambda: _query(postgres_url, expired) == [(1,)], "the lease to expire")
        heir, _ = _serve(tmp_path, postgres_url, "heir", *FAST)
        _wait_for(lambda: _requests(http_server)["/slow"] == 2, "the heir's slow request")
        http_server.release.set()
        _wait_for(lambda: _statuses(postgres_url) == ["completed"], "the heir to finish")
    finally:
        sleeper.send_signal(signal.SIGCONT)
    _wait_for(lambda: "lost the lease of run" in sleeper_log.read_text(), "the sleeper to notice")
    assert (_stop(sleeper), _stop(heir)) == (0, 0)
    counts = _requests(http_server)
    assert (counts["/first"], counts["/slow"], counts["/save"]) == (1, 2, 1)
    assert _recorded(postgres_url, run_id) == [
        ("first", "success", 1), ("slow", "success", 2), ("save", "success", 2),
    ]  # fmt: skip
    assert _query(postgres_url, "SELECT status, lease_epoch, lease_owner FROM flowscript_runs") == [
        ("completed", 2, None)
    ]


def test_a_paused_run_is_answered_and_finished_by_another_coordinator(
    flowscript: CliRunner,
    write_flow: WriteFlow,
    tmp_path: Path,
    http_server: Any,
    postgres_url: str,
) -> None:
    flow = write_flow("gate.flow.md", FRONT.format(name="gate") + CHECKPOINT)
    run_id = _submit(flowscript, postgres_url, "gate.flow.md", http_server.url)
    first, _ = _serve(tmp_path, postgres_url, "first", *STEADY)
    _wait_for(lambda: _statuses(postgres_url) == ["paused"], "the run to pause")
    assert _stop(first) == 0
    assert _query(postgres_url, "SELECT lease_owner FROM flowscript_runs") == [(None,)]
    wrong = flowscript("answer", run_id, "ship=approve", "--state", postgres_url)
    assert wrong.returncode == 2
    assert "waits at checkpoint 'ok', not 'ship'" in wrong.stderr
    answered = flowscript("answer", run_id[:8], "ok=approve", "--state", postgres_url)
    assert answered.returncode == 0, answered.stderr
    assert answered.stdout == f"answered ok of run {run_id}: queued again for a coordinator\n"
    second, _ = _serve(tmp_path, postgres_url, "second", *STEADY, "--log")
    _wait_for(lambda: _statuses(postgres_url) == ["completed"], "the run to complete")
    assert _stop(second) == 0
    counts = _requests(http_server)
    assert (counts["/draft"], counts["/ship"]) == (1, 1)
    assert _recorded(postgres_url, run_id) == [
        ("draft", "success", 1), ("ok", "pending", 1), ("ok", "success", 2), ("ship", "success", 2),
    ]  # fmt: skip
    assert "**Status:** completed" in flow.read_text(encoding="utf-8")  # --log, file is here
    shown = flowscript("runs", "--state", postgres_url, run_id, "--log")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("---\n\n## Execution Log\n\n**Run ID:** `" + run_id + "`")
    assert "| ship | success |" in shown.stdout


def test_sigterm_cancels_and_releases_the_runs_in_progress(
    flowscript: CliRunner,
    write_flow: WriteFlow,
    tmp_path: Path,
    http_server: Any,
    postgres_url: str,
) -> None:
    write_flow("slow.flow.md", FRONT.format(name="slow") + SLOW)
    http_server.route("/slow", body={"slow": True}, slow=True)
    _submit(flowscript, postgres_url, "slow.flow.md", http_server.url)
    server, log = _serve(tmp_path, postgres_url, "server", *STEADY)
    _wait_for(lambda: _requests(http_server)["/slow"] == 1, "the slow request")
    assert _stop(server) == 0
    assert _query(
        postgres_url, "SELECT status, lease_owner, lease_expires FROM flowscript_runs"
    ) == [("cancelled", None, None)]
    assert "serve: stopped (1 cancelled)" in log.read_text()


def test_run_and_resume_on_the_shared_store(
    flowscript: CliRunner, write_flow: WriteFlow, http_server: Any, postgres_url: str
) -> None:
    write_flow("gate.flow.md", FRONT.format(name="gate") + CHECKPOINT)
    paused = flowscript(
        "run", "gate.flow.md", "-c", f"base={http_server.url}", "--state", postgres_url,
        "--non-interactive", "--format", "json",
    )  # fmt: skip
    assert paused.returncode == 3, paused.stderr
    document = json.loads(paused.stdout)
    run_id = document["runId"]
    assert document["statePath"] is None
    assert "pg-S3cret-pw" not in paused.stdout + paused.stderr
    assert _query(postgres_url, "SELECT status, lease_owner FROM flowscript_runs") == [
        ("paused", None)
    ]
    local = flowscript("answer", run_id, "ok=approve")
    assert local.returncode == 2
    assert f"flowscript resume {run_id} --answer ok=approve" in local.stderr
    resumed = flowscript(
        "resume", run_id, "--state", postgres_url, "--answer", "ok=approve", "--format", "json"
    )
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["status"] == "completed"
    again = flowscript("resume", run_id, "--state", postgres_url)
    assert again.returncode == 2
    assert "completed; there is nothing to resume" in again.stderr
    counts = _requests(http_server)
    assert (counts["/draft"], counts["/ship"]) == (1, 1)


def test_run_on_the_shared_store_holds_the_run_for_its_lease(
    write_flow: WriteFlow, tmp_path: Path, http_server: Any, postgres_url: str
) -> None:
    write_flow("slow.flow.md", FRONT.format(name="slow") + SLOW)
    http_server.route("/slow", body={"slow": True}, slow=True)
    command = [
        sys.executable, "-m", "flowscript", "run", "slow.flow.md", "-c",
        f"base={http_server.url}", "--input", '{"k": "x"}', "--state", postgres_url,
        "--lease", "7s", "--no-log",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for(lambda: _requests(http_server)["/slow"] == 1, "the slow request")
        ((owner, left),) = _query(
            postgres_url,
            "SELECT lease_owner, extract(epoch FROM lease_expires - now())::float8"
            " FROM flowscript_runs",
        )
        assert owner.startswith("run:")
        assert 0 < left <= 7  # not the 30 s default
    finally:
        http_server.release.set()
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert _query(postgres_url, "SELECT status, lease_owner FROM flowscript_runs") == [
        ("completed", None)
    ]
