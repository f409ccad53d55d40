"""The Dask hop: per-node cost of a dispatched node vs the local executor.

A fan-out of N file-source nodes (each reads a small JSON file) runs with the local executor
and with ``DaskExecutor("dask-local")`` (an in-process cluster, one worker with 10 threads;
started once and held open, so cluster start-up is not counted). The per-node figure is the
run's wall time divided by N, best of 3; the ratio is the cost of sending each node's work
through the scheduler and a worker thread (task build, secret sealing, Dask round trip, a
fresh event loop and runtime context on the worker). Measured on this machine only; no
scaling claim (one process, two cores).
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import Row

from flowscript.execution import ExecutionOptions, create_execution_state, execute
from flowscript.parser import parse
from flowscript.planning import build_execution_plan

WIDTH = 200


def _workflow(width: int) -> str:
    nodes = "\n".join(
        f'<source id="read{i}" type="file" path="data/{i % 10}.json"/>' for i in range(width)
    )
    return f"---\nname: bench-dask\nversion: 1.0.0\n---\n<workflow>\n{nodes}\n</workflow>\n"


async def _run(text: str, root: Path, executor: Any) -> float:
    plan = build_execution_plan(parse(text, str(root / "bench.flow.md")))
    state = create_execution_state(plan.workflow.name)
    start = time.perf_counter()
    await execute(plan, state, ExecutionOptions(executor=executor, root=root))
    elapsed = time.perf_counter() - start
    if state.status.value != "completed":
        raise SystemExit(f"benchmark run did not complete: {state.error}")
    return elapsed


async def _measure(width: int, root: Path) -> tuple[float, float]:
    from flowscript.execution.executors import DaskExecutor

    text = _workflow(width)
    local = min([await _run(text, root, None) for _ in range(3)])
    async with DaskExecutor("dask-local") as executor:
        await _run(text, root, executor)  # warm-up: start the cluster, import on the worker
        dask = min([await _run(text, root, executor) for _ in range(3)])
    return local / width, dask / width


def run() -> list[Row]:
    """Per-node milliseconds of a dispatched file source vs the local executor."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "data").mkdir()
        for i in range(10):
            (root / "data" / f"{i}.json").write_text(json.dumps({"i": i, "items": list(range(20))}))
        local, dask = asyncio.run(_measure(WIDTH, root))
    return [
        Row(
            name=f"dask-local: per-node cost, fan-out of {WIDTH} file sources",
            value=dask * 1000,
            unit="ms/node",
            baseline=local * 1000,
            baseline_name="local executor",
            target="report only (the Dask hop)",
        )
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for row in run():
        print(f"{row.name}: {row.value:.3f} {row.unit} vs {row.baseline:.3f} ({row.ratio:.1f}×)")
