"""Persistence on vs off (execution.md §9.2): a 1,000-deep chain and a 2,000-node fan-out.

The baseline is the same run without persistence, measured in the same process; the ratio is
what durable state costs. Per-node persistence cost is shown at two run sizes to show it is
flat (no whole-state rewrite per node).
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _common import Row
from generate import chain_workflow, fan_out_workflow

from flowscript.execution import ExecutionOptions, create_execution_state, execute
from flowscript.parser import parse
from flowscript.planning import build_execution_plan

_FOLDER = tempfile.TemporaryDirectory(prefix="flowscript-bench-")
"""Run folders go here; they are deleted at exit, outside the timed runs."""


def _runner(text: str, *, persist: bool, sync_every_node: bool = False) -> Callable[[], None]:
    plan = build_execution_plan(parse(text, "bench.flow.md"))
    runs = itertools.count()

    def run() -> None:
        # A new run folder each time (created by the store, as in the CLI's first run).
        path = Path(_FOLDER.name) / f"run-{next(runs)}-{id(plan)}" / "state.json"
        options = ExecutionOptions(
            persistence_path=path if persist else None, sync_every_node=sync_every_node
        )
        state = create_execution_state(plan.workflow.name)
        asyncio.run(execute(plan, state, options))

    return run


def _interleaved(*runs: Callable[[], None], repeat: int = 11) -> list[float]:
    """The best time of each run, the runs taking turns so that a slow spell of the machine
    (or a garbage collection) does not land on one side of a ratio only. Only the persisted
    side waits on the disk, so a spell of slow fsyncs (another process writing) lands on it
    alone: eleven turns rather than seven make the best time robust to one."""
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for index, run in enumerate(runs):
            gc.collect()
            start = time.perf_counter()
            run()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def run() -> list[Row]:
    """Ratios of persistence on to off, and the per-node persistence cost at two sizes."""
    rows = []
    for label, text in (
        ("1,000-deep chain", chain_workflow(1000)),
        ("2,000-node fan-out", fan_out_workflow(2000)),
    ):
        off, on, strict = _interleaved(
            _runner(text, persist=False),
            _runner(text, persist=True),
            _runner(text, persist=True, sync_every_node=True),
        )
        rows.append(Row(f"persistence on, {label}", on, "s", off, "persistence off", "≤ 1.3×"))
        rows.append(
            Row(
                f"persistence on + fsync every node, {label}",
                strict,
                "s",
                off,
                "persistence off",
                "(reported)",
            )
        )
    for depth in (1000, 4000):
        text = chain_workflow(depth)
        off, on = _interleaved(_runner(text, persist=False), _runner(text, persist=True))
        extra = on - off
        rows.append(
            Row(
                f"persistence cost per node, {depth:,}-deep chain",
                extra / depth * 1e6,
                "µs",
                None,
                "-",
                "flat",
            )
        )
    return rows
