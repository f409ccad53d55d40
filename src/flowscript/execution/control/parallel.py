"""``<parallel>`` (execution.md §5): branches as concurrent scopes, ``wait`` and ``merge``.

``wait="all"`` (default): branches share the parallel's failure domain, so a branch failure
is an ordinary fail-fast failure. ``wait="any"``/``"n(N)"``: each branch is its own failure
domain (one failing branch stops only itself); once enough branches succeeded the others are
really cancelled (task cancellation; their running nodes end ``skipped`` with
``details.cancelled``), and once success is impossible the remaining branches are halted and
the parallel fails with ``parallel.failed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import NodeError
from flowscript.execution._activation import derived_error, plain
from flowscript.execution._instance import BodyResult, FailureDomain, NodeInterrupted, StopFlag
from flowscript.model import ParallelSpec

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation

__all__ = ["merge_results", "parse_wait", "run_parallel"]

_N_RE: Final = re.compile(r"\s*n\s*\(\s*(\d+)\s*\)\s*")
_SUCCEEDED: Final = frozenset({"completed", "stopped"})


def parse_wait(text: str | None, branches: int) -> tuple[str, int]:
    """``(mode, successes needed)`` for ``all``, ``any`` and ``n(N)``."""
    value = (text or "all").strip().lower()
    if value == "all":
        return "all", branches
    if value == "any":
        return "any", min(1, branches)
    match = _N_RE.fullmatch(value)
    if match is None:
        raise NodeError("config.invalid", f"wait must be all, any or n(N), not {text!r}")
    return "n", min(int(match.group(1)), branches)


class _Race:
    """Branch bookkeeping of one parallel run."""

    def __init__(self, act: Activation, node: ParallelSpec) -> None:
        self.act = act
        self.node = node
        self.count = len(node.branches)
        self.mode, self.needed = parse_wait(node.wait.value if node.wait else None, self.count)
        limit = act.count("concurrency", node.concurrency, 0, expression=False)
        self.gate = asyncio.Semaphore(limit) if limit > 0 else None
        isolated = self.mode != "all"
        parent = act.domain
        self.domains = [FailureDomain(parent) if isolated else parent for _ in node.branches]
        self.cancels = [StopFlag() for _ in node.branches]
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.results: dict[int, BodyResult] = {}
        self.finished: list[int] = []
        self.winners: list[int] = []

    async def branch(self, index: int) -> None:
        async with self.gate or contextlib.nullcontext():
            own = self.domains[index]
            flags = (self.cancels[index],) + ((own.flag,) if own is not self.act.domain else ())
            result = await self.act.run_body(
                self.act.body_plan(f"branch[{index}]"),
                bindings={"$branch": index},
                flags=flags,
                domain=own,
            )
        self.results[index] = result
        self.finished.append(index)
        if self.mode != "all":
            self._decide(index, result)

    def _decide(self, index: int, result: BodyResult) -> None:
        if result.state in _SUCCEEDED and len(self.winners) < self.needed:
            self.winners.append(index)
            if len(self.winners) == self.needed:
                self._cancel_others()
            return
        failed = sum(1 for r in self.results.values() if r.state not in _SUCCEEDED)
        if failed > self.count - self.needed:
            for j, domain in enumerate(self.domains):  # success is impossible: stop the rest
                if j not in self.results:
                    domain.flag.set("halt")

    def _cancel_others(self) -> None:
        for j, task in self.tasks.items():
            if j not in self.results and not task.done():
                self.cancels[j].set("parallel")
                task.cancel()

    def outcome(self) -> Any:
        if self.mode == "all":
            return self._all_outcome()
        if len(self.winners) >= self.needed:
            outputs = [(i, self.results[i]) for i in self.winners[: self.needed]]
            return merge_results(self.act, self.node, outputs)
        if self.act.instance.halted():
            raise NodeInterrupted(self.act.node.id)
        failures = [self.results[i] for i in self.finished if self.results[i].error is not None]
        cause = failures[0].error if failures else None
        raise NodeError(
            "parallel.failed",
            f"{self.node.id}: {self.count - len(self.winners)} of {self.count} branches failed "
            f"({self.needed} had to succeed)"
            + (f"; first error: {cause.message}" if cause is not None else ""),
            cause=cause,
        )

    def _all_outcome(self) -> Any:
        for index in self.finished:
            result = self.results[index]
            if result.state == "failed" and result.error is not None:
                raise derived_error(self.act.flow.prefix + self.node.id, result.error)
        if len(self.results) < self.count or any(
            r.state == "halted" for r in self.results.values()
        ):
            raise NodeInterrupted(self.node.id)
        return merge_results(self.act, self.node, sorted(self.results.items()))


async def run_parallel(act: Activation) -> Any:
    """Run every branch concurrently; wait for all, any, or N; merge the results."""
    node = act.node
    assert isinstance(node, ParallelSpec)
    race = _Race(act, node)
    async with asyncio.TaskGroup() as group:
        for index in range(race.count):
            race.tasks[index] = group.create_task(race.branch(index))
    return race.outcome()


def merge_results(
    act: Activation, node: ParallelSpec, results: list[tuple[int, BodyResult]]
) -> Any:
    """Merge branch results: ``array`` (default), ``concat``, ``object`` or an expression
    over ``$branches`` (the array)."""
    values = [plain(result.output) for _, result in results]
    mode = (node.merge.value.strip() if node.merge is not None else "") or "array"
    if mode == "array":
        return values
    if mode == "concat":
        merged: list[Any] = []
        for value in values:
            merged.extend(value if isinstance(value, list) else [value])
        return merged
    if mode == "object":
        combined: dict[str, Any] = {}
        for (index, result), value in zip(results, values, strict=True):
            if isinstance(value, dict):
                combined.update(value)
            else:
                combined[result.last_node or f"branch{index}"] = value
        return combined
    assert node.merge is not None
    return act.evaluate("merge", node.merge, act.make_scope(extras={"$branches": values}))
