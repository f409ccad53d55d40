"""The scheduler of one scope instance (execution.md §4).

Eager by default: a node starts as soon as every dependency in its scope succeeded; ready
nodes start in (wave, document order). ``schedule="waves"`` starts a wave only when the
previous one has finished. Every node runs as a task of the instance's ``TaskGroup``; outcomes
come back through a queue, so the loop below is the only code that changes scheduling state.

A dependency that was skipped skips its dependents. A failure halts the failure domain
(fail-fast): nothing new starts, running nodes finish. Gotos (execution.md §5) are applied
here once the node holding them has finished.
"""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final

from flowscript.errors import NodeError
from flowscript.execution._instance import BodyResult, Jump, ScopeInstance
from flowscript.execution._lifecycle import NodeOutcome, run_node
from flowscript.execution.state import NodeStatus
from flowscript.graph import ROOT
from flowscript.model import NodeSpec

if TYPE_CHECKING:
    from flowscript.execution._context import FlowContext

__all__ = ["run_scope"]

_PENDING: Final = "pending"
_READY: Final = "ready"
_RUNNING: Final = "running"
_SUCCESS: Final = "success"
_SKIPPED: Final = "skipped"
_FAILED: Final = "failed"
_INTERRUPTED: Final = "interrupted"
_NOT_DONE: Final = frozenset({_PENDING, _READY, _RUNNING})
_TERMINAL_OK: Final = frozenset({_SUCCESS, _SKIPPED})

_OUTCOME_STATE: Final = {
    NodeStatus.SUCCESS: _SUCCESS,
    NodeStatus.RECOVERED: _SUCCESS,
    NodeStatus.SKIPPED: _SKIPPED,
    NodeStatus.FAILED: _FAILED,
    NodeStatus.PENDING: _INTERRUPTED,
}


async def run_scope(flow: FlowContext, instance: ScopeInstance) -> BodyResult:
    """Run every node of ``instance`` that can run and report how the scope ended."""
    return await _ScopeRunner(flow, instance).run()


class _ScopeRunner:
    def __init__(self, flow: FlowContext, instance: ScopeInstance) -> None:
        plan = instance.plan
        self.flow = flow
        self.instance = instance
        self.plan = plan
        self.nodes = {node.id: node for node in plan.nodes}
        self.state = dict.fromkeys(plan.ids, _PENDING)
        self.waiting = {node_id: len(plan.deps[node_id]) for node_id in plan.ids}
        self.heap: list[tuple[int, int, str]] = []
        self.running = 0
        self.failure: NodeError | None = None
        self.queue: asyncio.Queue[tuple[str, NodeOutcome]] = asyncio.Queue()
        self.waves = flow.run.waves
        self.wave_left = [len(wave) for wave in plan.waves]
        self.wave_pointer = 0
        self.track_waves = instance.parent is None and flow.prefix == "" and plan.key == ROOT
        for node_id in plan.ids:
            if self.waiting[node_id] == 0:
                self._make_ready(node_id)

    async def run(self) -> BodyResult:
        if self.plan.nodes:
            async with asyncio.TaskGroup() as group:
                self._launch(group)
                while self.running:
                    node_id, outcome = await self.queue.get()
                    self.running -= 1
                    self._settle(node_id, outcome)
                    self._maybe_jump()
                    self._launch(group)
                    # Skips and gotos just applied (and so each wave's end) become durable.
                    if self.flow.run.durability.behind:
                        await self.flow.run.durability.flush()
        return self._result()

    # -- launching --------------------------------------------------------------------------

    def _make_ready(self, node_id: str) -> None:
        self.state[node_id] = _READY
        entry = (self.plan.wave_of[node_id], self.plan.position[node_id], node_id)
        heapq.heappush(self.heap, entry)

    def _current_wave(self) -> int:
        while self.wave_pointer < len(self.wave_left) and self.wave_left[self.wave_pointer] == 0:
            self.wave_pointer += 1
        return self.wave_pointer

    def _launch(self, group: asyncio.TaskGroup) -> None:
        if self.instance.jump is not None or self.instance.stopped():
            return
        while self.heap:
            wave, _, node_id = self.heap[0]
            if self.waves and wave > self._current_wave():
                return
            heapq.heappop(self.heap)
            if self.state[node_id] != _READY:
                continue  # a stale entry: skipped or reset since it was queued
            self.state[node_id] = _RUNNING
            self.running += 1
            if self.track_waves and wave > self.flow.run.state.current_wave:
                self.flow.run.state.current_wave = wave
            group.create_task(self._run(self.nodes[node_id]))

    async def _run(self, node: NodeSpec) -> None:
        outcome = await run_node(self.flow, self.instance, node)
        self.queue.put_nowait((node.id, outcome))

    # -- outcomes ---------------------------------------------------------------------------

    def _settle(self, node_id: str, outcome: NodeOutcome) -> None:
        if not outcome.started:
            self._make_ready(node_id)  # stopped while waiting for a slot: still not run
            return
        new_state = _OUTCOME_STATE[outcome.status]
        self._set_terminal(node_id, new_state)
        if new_state == _SUCCESS:
            for dependent in self.plan.dependents[node_id]:
                if self.state[dependent] == _PENDING:
                    self.waiting[dependent] -= 1
                    if self.waiting[dependent] == 0:
                        self._make_ready(dependent)
        elif new_state == _SKIPPED:
            self._skip_dependents(node_id)
        elif new_state == _FAILED and self.failure is None:
            self.failure = outcome.error

    def _set_terminal(self, node_id: str, new_state: str) -> None:
        if self.state[node_id] in _NOT_DONE:
            self.wave_left[self.plan.wave_of[node_id]] -= 1
        self.state[node_id] = new_state

    def _skip(self, node_id: str, reason: str) -> None:
        self._set_terminal(node_id, _SKIPPED)
        self.flow.record_skipped(self.instance, self.nodes[node_id], reason)
        self._skip_dependents(node_id)

    def _skip_dependents(self, node_id: str) -> None:
        queue = deque([node_id])
        while queue:
            for dependent in self.plan.dependents[queue.popleft()]:
                if self.state[dependent] in (_PENDING, _READY):
                    self._set_terminal(dependent, _SKIPPED)
                    self.flow.record_skipped(
                        self.instance, self.nodes[dependent], "dependency skipped"
                    )
                    queue.append(dependent)

    # -- goto -------------------------------------------------------------------------------

    def _maybe_jump(self) -> None:
        jump = self.instance.jump
        if jump is None or self.state.get(jump.via) in _NOT_DONE:
            return
        position = self.plan.position
        if self.state.get(jump.via) != _SUCCESS or jump.target not in position:
            self.instance.jump = None  # the node holding the goto did not succeed
            return
        forward = position[jump.target] > position[jump.via]
        if forward:
            self.instance.jump = None
            self._jump_forward(jump)
            return
        span = self._between(jump.target, jump.via)
        if any(self.state[node_id] == _RUNNING for node_id in span):
            return  # re-run only once the nodes to reset have finished
        self.instance.jump = None
        self._jump_back(span)

    def _between(self, first: str, last: str) -> list[str]:
        start, end = self.plan.position[first], self.plan.position[last]
        return [n for n in self.plan.ids if start <= self.plan.position[n] <= end]

    def _jump_forward(self, jump: Jump) -> None:
        """Skip the nodes between the goto and its target, except what the target needs."""
        needed = _ancestors(jump.target, self.plan.deps)
        start, end = self.plan.position[jump.via], self.plan.position[jump.target]
        for node_id in self.plan.ids:
            inside = start < self.plan.position[node_id] < end
            if inside and node_id not in needed and self.state[node_id] in (_PENDING, _READY):
                self._skip(node_id, "goto")

    def _jump_back(self, span: list[str]) -> None:
        """Reset the target and every node up to the goto; they run again."""
        for node_id in span:
            self.state[node_id] = _PENDING
        self.heap.clear()
        for index, wave in enumerate(self.plan.waves):
            self.wave_left[index] = sum(1 for n in wave if self.state[n] in _NOT_DONE)
        self.wave_pointer = 0
        for node_id in self.plan.ids:
            if self.state[node_id] not in (_PENDING, _READY):
                continue
            deps = self.plan.deps[node_id]
            if any(self.state[d] == _SKIPPED for d in deps):
                self._skip(node_id, "dependency skipped")
                continue
            self.waiting[node_id] = sum(1 for d in deps if self.state[d] != _SUCCESS)
            if self.waiting[node_id] == 0:
                self._make_ready(node_id)
            else:
                self.state[node_id] = _PENDING

    # -- result -----------------------------------------------------------------------------

    def _result(self) -> BodyResult:
        output, last = self._last_output()
        if self.failure is not None:
            return BodyResult("failed", output, last, self.failure, self.instance)
        if all(state in _TERMINAL_OK for state in self.state.values()):
            return BodyResult("completed", output, last, None, self.instance)
        interrupted = any(state == _INTERRUPTED for state in self.state.values())
        if interrupted or self.instance.halted():
            return BodyResult("halted", output, last, None, self.instance)
        return BodyResult("stopped", output, last, None, self.instance)

    def _last_output(self) -> tuple[object, str | None]:
        from flowscript.expressions.values import UNDEFINED

        silent = self.instance.silent
        for node in reversed(self.plan.nodes):
            if node.id not in silent and self.state[node.id] == _SUCCESS:
                entry = self.instance.outputs.get(node.id)
                return (entry[1] if entry is not None else UNDEFINED), node.id
        return UNDEFINED, None


def _ancestors(node_id: str, deps: Mapping[str, Sequence[str]]) -> set[str]:
    """Every node ``node_id`` waits for, transitively."""
    seen: set[str] = set()
    queue = deque([node_id])
    while queue:
        for dep in deps.get(queue.popleft(), ()):
            if dep not in seen:
                seen.add(dep)
                queue.append(dep)
    return seen
