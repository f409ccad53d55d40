"""Control flow end to end through ``flowscript run`` in a subprocess, with golden results.

Nested combinations (phase > foreach > if, parallel > loop) and real cancellation: the
losing branch of a ``wait="any"`` race and the body of a timed-out ``<timeout>`` are stopped
while their HTTP request is in flight, so their follow-up side effect never reaches the server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "run"


def _run(flow: Path, cwd: Path, *extra: str) -> dict[str, Any]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flowscript",
            "run",
            str(flow),
            "--format",
            "json",
            "--no-log",
            *extra,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=dict(os.environ, NO_COLOR="1"),
    )
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.fixture
def golden(tmp_path: Path) -> Path:
    shutil.copytree(GOLDEN, tmp_path / "run")
    return tmp_path / "run"


def test_nested_phase_foreach_if_and_parallel_loop(golden: Path) -> None:
    document = _run(golden / "nested.flow.md", golden)
    expected = json.loads((golden / "nested.expected.json").read_text())
    assert document["result"] == expected
    assert document["nodes"]["even"]["status"] == "success"  # the latest item, 4, is even
    assert document["nodes"]["odd"]["status"] == "skipped"
    assert document["nodes"]["grow"]["status"] == "success"


def test_race_loser_and_timed_out_body_are_really_cancelled(golden: Path, http_server: Any) -> None:
    http_server.route("/slow", slow=True)
    document = _run(golden / "race.flow.md", golden, "-c", f"base_url={http_server.url}")
    expected = json.loads((golden / "race.expected.json").read_text())
    assert document["result"] == expected
    assert document["nodes"]["slow"]["status"] == "skipped"
    assert document["nodes"]["too-slow"]["status"] == "skipped"
    paths = [request.path for request in http_server.requests]
    # the 1 s head start and the 1 s deadline leave both slow requests in flight (reached the
    # server) even on a loaded machine ...
    assert paths.count("/slow") == 2
    assert "/side-effect" not in paths  # ... and nothing after them ever ran
