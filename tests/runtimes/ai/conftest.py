"""Fixtures for the AI runtime: the fake chat-completions server and a flow runner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fake_llm import FakeLLM

from flowscript.errors import NodeError
from flowscript.execution import (
    ExecutionOptions,
    ExecutionState,
    ManualClock,
    create_execution_state,
    execute,
)


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    """A started fake endpoint, stopped after the test."""
    with FakeLLM() as fake:
        yield fake


@dataclass
class AiRun:
    """The end of a run: its state and the error ``execute`` raised, if any."""

    state: ExecutionState
    error: NodeError | None

    def output(self, node_id: str) -> Any:
        result = self.state.node_results[node_id]
        assert result.status.succeeded, f"{node_id} is {result.status}: {result.error}"
        return result.output

    def usage(self, node_id: str) -> dict[str, Any] | None:
        return self.state.node_results[node_id].usage


def flow(body: str, front: str = "") -> str:
    """A complete ``.flow.md`` text around a ``<workflow>`` body."""
    return f"---\nname: ai-test\nversion: '1.0'\n{front}---\n<workflow>\n{body}\n</workflow>\n"


RunAi = Callable[..., Awaitable[AiRun]]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def run_ai(llm: FakeLLM, tmp_path: Path, clock: ManualClock) -> RunAi:
    """``await run_ai(body, front=…, secrets=…, **options)``: run against the fake endpoint
    (its base URL is the run's ``ai_base_url`` unless given)."""

    async def run(
        body: str, *, front: str = "", secrets: dict[str, str] | None = None, **options: Any
    ) -> AiRun:
        from flowscript.parser import parse
        from flowscript.planning import build_execution_plan

        workflow = parse(flow(body, front), str(tmp_path / "ai.flow.md"))
        plan = build_execution_plan(workflow)
        state = create_execution_state(workflow.name, secrets=secrets)
        options.setdefault("ai_base_url", llm.base_url)
        options.setdefault("clock", clock)
        options.setdefault("root", tmp_path)
        try:
            await execute(plan, state, ExecutionOptions(**options))
        except NodeError as error:
            return AiRun(state, error)
        return AiRun(state, None)

    return run
