"""Every offline example gives the same JSON document with ``--executor dask-local`` as with
the local executor (outputs, results, node statuses, attempts, errors), minus timings and ids,
and writes the same execution log (minus run ids, times and durations)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORDER_DEPENDENT = {"http-enrich": ("user-posts",)}
"""Nodes inside a concurrent ``foreach`` whose record is the iteration that finished last: the
order in which dispatched iterations finish is not fixed (with any executor), so only their
status is compared; the ``foreach`` output itself is in iteration order and compared whole."""

OFFLINE = [
    "composition",
    "control-flow-tour",
    "hello",
    "json-report",
    "parallel-fan-out",
    "resilient-orders",
]

pytestmark = pytest.mark.slow


def _run(workdir: Path, name: str, *extra: str) -> dict[str, Any]:
    command = ["run", f"examples/{name}.flow.md", "--format", "json", "--no-state", *extra]
    result = subprocess.run(
        [sys.executable, "-m", "flowscript", *command],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_COLOR="1"),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    document.pop("runId")
    document.pop("durationMs")
    for node in document["nodes"].values():
        node.pop("durationMs")
    return _without_dates(document)


def _without_dates(value: Any) -> Any:
    """The document without HTTP ``date`` headers (the one thing a server changes per call)."""
    if isinstance(value, dict):
        return {k: _without_dates(v) for k, v in value.items() if k.lower() != "date"}
    if isinstance(value, list):
        return [_without_dates(item) for item in value]
    return value


_VOLATILE = (
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "RUN-ID"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"), "TIME"),
    (re.compile(r"\b\d+(\.\d+)?(ms|s)\b"), "DURATION"),
)


def _file_content(path: Path) -> Any:
    """A written file; a workflow's execution log without its run ids, times and durations,
    and with its lines sorted (node rows come in start order, which concurrency does not fix)."""
    raw = path.read_bytes()
    if not path.name.endswith(".flow.md") or b"## Execution Log" not in raw:
        return raw
    text = raw.decode()
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return sorted(text.splitlines())


def _files(folder: Path) -> dict[str, Any]:
    return {str(p.relative_to(folder)): _file_content(p) for p in folder.rglob("*") if p.is_file()}


def _compare(tmp_path: Path, name: str, *extra: str, together: bool = True) -> None:
    logged = "--no-log" not in extra
    for folder in ("local", "dask"):
        shutil.copytree(ROOT / "examples", tmp_path / folder / "examples")
    with ThreadPoolExecutor(2 if together else 1) as pool:
        local = pool.submit(_run, tmp_path / "local", name, *extra)
        dask = pool.submit(_run, tmp_path / "dask", name, *extra, "--executor", "dask-local")
        documents = [local.result(), dask.result()]
    for node_id in ORDER_DEPENDENT.get(name, ()):
        for document in documents:
            document["outputs"].pop(node_id)
    assert documents[0]["status"] == "completed"
    assert documents[1] == documents[0]
    written = _files(tmp_path / "local")
    assert _files(tmp_path / "dask") == written  # outputs (and execution logs) written alike
    assert logged == isinstance(written[f"examples/{name}.flow.md"], list)


@pytest.mark.parametrize("name", OFFLINE)
def test_dask_local_gives_the_local_result(tmp_path: Path, name: str) -> None:
    _compare(tmp_path, name)


@pytest.fixture
def api() -> Iterator[Any]:
    spec = importlib.util.spec_from_file_location("serve_api", ROOT / "examples/serve_api.py")
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = module.start(0)
    yield server
    server.shutdown()
    server.server_close()


def test_http_enrich_gives_the_local_result(tmp_path: Path, api: Any) -> None:
    base = f"base_url=http://127.0.0.1:{api.server_address[1]}"
    # No log here: user-posts (see ORDER_DEPENDENT) shows in its output column.
    _compare(tmp_path, "http-enrich", "-c", base, "--no-log", together=False)
