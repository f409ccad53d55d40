"""The Dask executor over TLS (mutual TLS with temporary certificates)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from conftest import FlowRunner
from flowscript.execution.executors import DaskExecutor, executor_from_url


@pytest.fixture
async def tls_cluster() -> AsyncIterator[tuple[Any, Any]]:
    import dask
    import distributed
    from distributed.security import Security

    security = Security.temporary()
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = await distributed.LocalCluster(
            processes=False,
            n_workers=1,
            threads_per_worker=2,
            protocol="tls",
            host="127.0.0.1",
            security=security,
            dashboard_address=None,
            asynchronous=True,
        )
    try:
        yield cluster, security
    finally:
        await cluster.close()


async def test_a_flow_runs_over_tls(
    run_flow: FlowRunner, tls_cluster: tuple[Any, Any], tmp_path: Path
) -> None:
    cluster, security = tls_cluster
    assert cluster.scheduler_address.startswith("tls://")
    (tmp_path / "in.json").write_text(json.dumps({"n": 3}))
    executor = DaskExecutor(cluster.scheduler_address, security=security)
    outcome = await run_flow(
        '<source id="read" type="file" path="in.json"/>\n'
        '<sink id="write" type="file" path="out.json" input="read"/>',
        executor=executor,
    )
    assert outcome.error is None, outcome.error
    assert executor.dispatched == 2
    assert json.loads((tmp_path / "out.json").read_text()) == {"n": 3}


async def test_tls_from_certificate_files(
    run_flow: FlowRunner,
    tls_cluster: tuple[Any, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cluster, security = tls_cluster
    monkeypatch.setenv("FLOWSCRIPT_RUNTIMES", "dask_probe:ProbeSource")
    files = {}
    for name, pem in (
        ("ca", security.tls_ca_file),
        ("cert", security.tls_client_cert),
        ("key", security.tls_client_key),
    ):
        files[name] = tmp_path / f"{name}.pem"
        files[name].write_text(pem)
    executor = executor_from_url(
        cluster.scheduler_address,
        tls_ca=files["ca"],
        tls_cert=files["cert"],
        tls_key=files["key"],
    )
    outcome = await run_flow('<source id="p" type="probe"/>', executor=executor)
    assert outcome.error is None, outcome.error
    assert outcome.output("p")["path"] == "p"
