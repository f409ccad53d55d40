"""``--executor`` on ``flowscript run``: address checks (exit 2), a real scheduler reached over
a non-loopback address with ``--insecure``, and no Dask import at start-up."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

FLOW = """---
name: copy
version: 1.0.0
---
<workflow>
<source id="read" type="file" path="in.json"/>
<transform id="double" type="map" input="read" expression="item * 2"/>
<sink id="write" type="file" path="out.json" input="double"/>
</workflow>
"""


def _flowscript(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flowscript", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_COLOR="1"),
        timeout=120,
        check=False,
    )


@pytest.fixture
def flow(tmp_path: Path) -> Path:
    (tmp_path / "in.json").write_text("[1, 2, 3]")
    path = tmp_path / "copy.flow.md"
    path.write_text(FLOW)
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--executor", "tcp://10.20.30.40:8786"], "Dask's wire format is pickle"),
        (["--executor", "dask://10.20.30.40"], "Use tls://HOST:PORT"),
        (["--executor", "ftp://x"], "unknown executor 'ftp://x'"),
        (["--executor", "tls://127.0.0.1:8786"], "needs --tls-ca and --tls-cert"),
        (["--executor", "dask-local", "--tls-ca", "ca.pem"], "need a tls://HOST:PORT executor"),
        (["--dispatch", "gpu"], "'gpu' is not one of"),
    ],
    ids=["plain-tcp", "dask-alias", "unknown-scheme", "tls-no-certs", "certs-no-tls", "dispatch"],
)
def test_refused_executor_flags_exit_2(flow: Path, args: list[str], message: str) -> None:
    result = _flowscript(flow.parent, "run", flow.name, "--no-state", *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert not (flow.parent / "out.json").exists()


def test_dask_local_runs_the_flow(flow: Path) -> None:
    result = _flowscript(
        flow.parent, "run", flow.name, "--no-state", "--format", "json", "--executor", "dask-local"
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["status"] == "completed"
    assert json.loads((flow.parent / "out.json").read_text()) == [2, 4, 6]


def _outward_address() -> str:
    """This machine's address on its network (not loopback)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.255.255.255", 9))  # no packet is sent: this only picks a route
        address = str(probe.getsockname()[0])
    if address.startswith("127."):
        pytest.fail(f"this machine has no non-loopback address (got {address})")
    return address


@pytest.fixture
def open_scheduler() -> Iterator[str]:
    """A real scheduler listening on every interface, in a thread of this process."""
    import dask
    import distributed

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(
            processes=False,
            n_workers=1,
            threads_per_worker=2,
            protocol="tcp",
            host="0.0.0.0",
            dashboard_address=None,
        )
    port = cluster.scheduler_address.rsplit(":", 1)[1]
    try:
        yield port
    finally:
        cluster.close()


def test_insecure_allows_a_non_loopback_scheduler(flow: Path, open_scheduler: str) -> None:
    address = f"tcp://{_outward_address()}:{open_scheduler}"
    refused = _flowscript(flow.parent, "run", flow.name, "--no-state", "--executor", address)
    assert refused.returncode == 2
    result = _flowscript(
        flow.parent, "run", flow.name, "--no-state", "--format", "json",
        "--executor", address, "--insecure",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "completed"
    assert json.loads((flow.parent / "out.json").read_text()) == [2, 4, 6]


def test_resume_accepts_the_executor_flags(flow: Path) -> None:
    result = _flowscript(flow.parent, "resume", "--help")
    assert result.returncode == 0
    for flag in ("--executor", "--insecure", "--tls-ca", "--tls-cert", "--tls-key", "--dispatch"):
        assert flag in result.stdout


def test_start_up_does_not_import_dask() -> None:
    code = (
        "import sys, flowscript, flowscript.cli.app, flowscript.execution.executors;"
        "from flowscript.cli.commands import run_cmd;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
