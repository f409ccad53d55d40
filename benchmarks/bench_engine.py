"""Engine throughput: fan-out/fan-in, per-node cost, memory, eager vs waves, HTTP fan-out.

Each figure is compared with a floor measured in the same run: plain asyncio doing the same
scheduling work (one task per node, each awaiting its dependencies' events and storing a
result), or, for HTTP, 50 keep-alive connections driven over raw asyncio streams.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from _common import Row, best_of
from generate import fan_out_workflow, http_fan_out_workflow, uneven_chains_workflow

from flowscript.execution import ExecutionOptions, create_execution_state, execute
from flowscript.parser import parse
from flowscript.planning import build_execution_plan


async def _floor_fan_out(width: int) -> None:
    """Plain asyncio: a seed task, ``width`` tasks waiting on it, one task waiting on all."""
    results: dict[str, Any] = {}
    seed_done = asyncio.Event()
    limit = asyncio.Semaphore(50)

    async def seed() -> None:
        results["seed"] = 1
        seed_done.set()

    async def node(i: int) -> None:
        await seed_done.wait()
        async with limit:
            results[f"n{i}"] = results["seed"] + i

    async with asyncio.TaskGroup() as group:
        group.create_task(seed())
        tasks = [group.create_task(node(i)) for i in range(width)]
    await asyncio.gather(*tasks)
    results["gather"] = len(results)


def _engine_run(text: str, **options: Any) -> None:
    plan = build_execution_plan(parse(text, "bench.flow.md"))
    state = create_execution_state(plan.workflow.name)
    asyncio.run(execute(plan, state, ExecutionOptions(**options)))
    if state.status.value != "completed":
        raise SystemExit(f"benchmark run did not complete: {state.error}")


def _execute_only(text: str) -> float:
    plan = build_execution_plan(parse(text, "bench.flow.md"))

    def run() -> None:
        state = create_execution_state(plan.workflow.name)
        asyncio.run(execute(plan, state, ExecutionOptions()))

    return best_of(run, repeat=3)


def _cli_wall(text: str, *extra: str) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fan.flow.md"
        path.write_text(text, encoding="utf-8")
        times = []
        for _ in range(3):
            path.write_text(text, encoding="utf-8")
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "flowscript", "run", str(path), *extra],
                cwd=folder,
                check=True,
                capture_output=True,
                env=dict(os.environ, NO_COLOR="1"),
            )
            times.append(time.perf_counter() - start)
        return min(times)


def fan_out_rows() -> list[Row]:
    """CLI wall for 2,000 nodes, and the marginal per-node cost from 1,000 to 20,000 nodes."""
    python = best_of(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), repeat=3)
    rows = [
        Row(
            "2,000-node fan-out + fan-in, CLI wall",
            _cli_wall(fan_out_workflow(2000)),
            "s",
            python,
            "`python -c pass`",
            "< 1 s",
        ),
    ]
    for width in (1_000, 5_000, 20_000):
        engine = _execute_only(fan_out_workflow(width))
        floor = best_of(lambda width=width: asyncio.run(_floor_fan_out(width)), repeat=3)
        rows.append(
            Row(
                f"execute, per node, {width:,}-node fan-out",
                engine / width * 1e6,
                "µs",
                floor / width * 1e6,
                "plain asyncio tasks",
                "< 150 µs, flat",
            )
        )
    return rows


def memory_rows() -> list[Row]:
    """Engine memory per node at 20,000 nodes (tracemalloc peak during execute)."""
    width = 20_000
    plan = build_execution_plan(parse(fan_out_workflow(width), "bench.flow.md"))
    state = create_execution_state(plan.workflow.name)
    tracemalloc.start()
    asyncio.run(execute(plan, state, ExecutionOptions()))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    tracemalloc.start()
    asyncio.run(_floor_fan_out(width))
    _, floor_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return [
        Row(
            "execute, peak memory per node, 20,000 nodes",
            peak / width / 1024,
            "KB",
            floor_peak / width / 1024,
            "plain asyncio tasks",
            "< 5 KB",
        )
    ]


def schedule_rows() -> list[Row]:
    """Eager vs waves on uneven chains (delays: 200 ms and 20 ms)."""
    text = uneven_chains_workflow(20, "200ms", "20ms")
    eager = best_of(lambda: _engine_run(text, schedule="eager"), repeat=3)
    waves = best_of(lambda: _engine_run(text, schedule="waves"), repeat=3)
    return [
        Row("uneven chains, eager (vs waves)", eager, "s", waves, "schedule=waves", "eager < waves")
    ]


class _SlowServer:
    """``slow_server.py`` in its own process (see its docstring for why)."""

    def __init__(self, delay_ms: int = 50) -> None:
        script = Path(__file__).with_name("slow_server.py")
        self.process = subprocess.Popen(
            [sys.executable, str(script), str(delay_ms)], stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


async def _floor_http(port: int, count: int) -> None:
    """The least any client must do: 50 keep-alive connections over plain asyncio streams, one
    request at a time on each (request line, head, ``Content-Length`` body, JSON)."""
    idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(50):
        idle.put_nowait(await asyncio.open_connection("127.0.0.1", port))

    async def one(i: int) -> None:
        reader, writer = await idle.get()
        writer.write(f"GET /item/{i} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        json.loads(await reader.readexactly(length))
        idle.put_nowait((reader, writer))

    await asyncio.gather(*(one(i) for i in range(count)))
    while not idle.empty():
        idle.get_nowait()[1].close()


def http_rows() -> list[Row]:
    """200 GETs to a local server answering in 50 ms, concurrency 50 (ideal: 0.2 s)."""
    server = _SlowServer()
    base = f"http://127.0.0.1:{server.port}"
    try:
        text = http_fan_out_workflow(200, base)
        engine = best_of(lambda: _engine_run(text), repeat=3)
        floor = best_of(lambda: asyncio.run(_floor_http(server.port, 200)), repeat=3)
    finally:
        server.stop()
    return [
        Row(
            "200 HTTP GETs (50 ms each), concurrency 50",
            engine,
            "s",
            floor,
            "raw asyncio sockets",
            "≤ 0.3 s (1.5× ideal 0.2 s)",
        )
    ]


def run() -> list[Row]:
    """All engine benchmarks."""
    return fan_out_rows() + memory_rows() + schedule_rows() + http_rows()
