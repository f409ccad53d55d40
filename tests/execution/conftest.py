"""Fixtures for executor tests: fake runtimes that record what they saw, and a flow runner.

Fake runtimes (registered under ``transform:<type>``, so a test writes
``<transform id="a" type="echo" value="{{ 1 + 1 }}"/>``):

- ``echo``: returns its ``value`` config (rendered), or its input when there is none;
- ``gate``: waits until the test opens its gate (``journal.open(id)``); counts how many gate
  calls run at once and records cancellation;
- ``fail``: raises ``NodeError(error-type, message)``;
- ``crash``: raises ``ValueError`` (a runtime bug);
- ``expr``: evaluates its raw ``expr`` field against the node's scope when it runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.execution import (
    ExecutionOptions,
    ExecutionState,
    ManualClock,
    create_execution_state,
    execute,
)
from flowscript.runtimes.base import NodeRequest, RuntimeContext, RuntimeRegistry


@dataclass
class Journal:
    """What the fake runtimes saw, in order."""

    log: list[str] = field(default_factory=list)
    active: int = 0
    max_active: int = 0
    cancelled: list[str] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)
    waiting: list[str] = field(default_factory=list)
    _gates: dict[str, asyncio.Event] = field(default_factory=dict)
    _started: dict[str, asyncio.Event] = field(default_factory=dict)

    def gate(self, node_id: str) -> asyncio.Event:
        return self._gates.setdefault(node_id, asyncio.Event())

    def open(self, *node_ids: str) -> None:
        for node_id in node_ids:
            self.gate(node_id).set()

    def started(self, node_id: str) -> asyncio.Event:
        return self._started.setdefault(node_id, asyncio.Event())

    async def wait_started(self, *node_ids: str) -> None:
        for node_id in node_ids:
            await self.started(node_id).wait()

    def ended(self, node_id: str) -> bool:
        return f"end:{node_id}" in self.log

    def calls(self, prefix: str = "start:") -> list[str]:
        return [entry[len(prefix) :] for entry in self.log if entry.startswith(prefix)]


class _Fake:
    raw_fields: frozenset[str] = frozenset()
    kind = ""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        journal = self.journal
        journal.log.append(f"start:{request.node_id}")
        journal.inputs[request.node_id] = request.input
        journal.started(request.node_id).set()
        journal.active += 1
        journal.max_active = max(journal.max_active, journal.active)
        try:
            output = await self.work(request, context)
        except asyncio.CancelledError:
            journal.cancelled.append(request.node_id)
            raise
        finally:
            journal.active -= 1
        journal.log.append(f"end:{request.node_id}")
        return output

    async def work(self, request: NodeRequest, context: RuntimeContext) -> Any:
        raise NotImplementedError


class EchoRuntime(_Fake):
    kind = "transform:echo"

    async def work(self, request: NodeRequest, context: RuntimeContext) -> Any:
        await asyncio.sleep(0)  # a real suspension point, like any I/O
        return request.config.get("value", request.input)


class GateRuntime(_Fake):
    kind = "transform:gate"

    async def work(self, request: NodeRequest, context: RuntimeContext) -> Any:
        key = str(request.config.get("key", request.node_id))
        self.journal.waiting.append(key)
        try:
            await self.journal.gate(key).wait()
        finally:
            self.journal.waiting.remove(key)
        self.journal.log.append(f"effect:{key}")
        return request.config.get("value", key)


class GatedExprRuntime(_Fake):
    kind = "transform:gexpr"
    raw_fields = frozenset({"expr"})

    async def work(self, request: NodeRequest, context: RuntimeContext) -> Any:
        from flowscript.expressions import evaluate

        await self.journal.gate(request.node_id).wait()
        assert context.scope is not None
        return evaluate(str(request.config["expr"]), context.scope)


class FailRuntime(_Fake):
    kind = "transform:fail"

    async def work(self, request: NodeRequest, context: RuntimeContext) -> Any:
        await asyncio.sleep(0)
        raise NodeError(
            str(request.config.get("error-type", "test.failed")),
            str(request.config.get("message", f"{request.node_id} failed")),
            retryable=False,
        )


class CrashRuntime(_Fake):
    kind = "transform:crash"

    async def work(self, request: NodeRequest, context: RuntimeContext) -> Any:
        raise ValueError("unexpected bug")


class ExprRuntime(_Fake):
    kind = "transform:expr"
    raw_fields = frozenset({"expr"})

    async def work(self, request: NodeRequest, context: RuntimeContext) -> Any:
        from flowscript.expressions import evaluate

        await asyncio.sleep(0)
        assert context.scope is not None
        return evaluate(str(request.config["expr"]), context.scope)


FAKES = (EchoRuntime, GateRuntime, GatedExprRuntime, FailRuntime, CrashRuntime, ExprRuntime)


async def _until(predicate: Callable[[], bool], *, spins: int = 10_000) -> None:
    """Let other tasks run until ``predicate()`` holds (fails the test if it never does).

    Spins the event loop (``sleep(0)``) rather than waiting on wall-clock time: the
    executor and the fakes only wait on each other, never on real time.
    """
    for _ in range(spins):
        if predicate():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never became true")


def flow_text(body: str, front: str = "") -> str:
    """A complete ``.flow.md`` text around a ``<workflow>`` body."""
    return f"---\nname: test-flow\nversion: '1.0'\n{front}---\n<workflow>\n{body}\n</workflow>\n"


@dataclass
class Outcome:
    """The end of a test run: the state and the error ``execute`` raised, if any."""

    state: ExecutionState
    error: NodeError | None

    def output(self, node_id: str) -> Any:
        result = self.state.node_results[node_id]
        assert result.status.succeeded, f"{node_id} is {result.status}: {result.error}"
        return result.output

    def status(self, node_id: str) -> str | None:
        result = self.state.node_results.get(node_id)
        return None if result is None else result.status.value


Runner = Callable[..., Awaitable[Outcome]]


@pytest.fixture
def until() -> Callable[..., Awaitable[None]]:
    """``await until(lambda: …)``: spin the loop until the condition holds."""
    return _until


@pytest.fixture
def journal() -> Journal:
    return Journal()


@pytest.fixture
def registry(journal: Journal) -> RuntimeRegistry:
    registry = RuntimeRegistry()
    for fake in FAKES:
        registry.register(fake(journal))
    return registry


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def run_flow(registry: RuntimeRegistry, clock: ManualClock, tmp_path: Path) -> Runner:
    """``await run_flow(body_or_text, input=…, config=…, **options) -> Outcome``."""

    async def run(
        body: str,
        *,
        front: str = "",
        input: Any = None,
        config: dict[str, Any] | None = None,
        secrets: dict[str, str] | None = None,
        path: Path | None = None,
        run_id: str | None = None,
        **options: Any,
    ) -> Outcome:
        from flowscript.parser import parse
        from flowscript.planning import build_execution_plan

        text = body if body.startswith("---") else flow_text(body, front)
        workflow = parse(text, str(path or tmp_path / "test.flow.md"))
        plan = build_execution_plan(workflow)
        state = create_execution_state(
            workflow.name, config=config, secrets=secrets, input=input, run_id=run_id
        )
        opts = {"runtimes": registry, "clock": clock, "root": tmp_path, **options}
        try:
            await execute(plan, state, ExecutionOptions(**opts))
        except NodeError as error:
            return Outcome(state, error)
        return Outcome(state, None)

    return run
