"""Usage through the engine: node results, the run total, the state file, the execution log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fake_llm import FakeLLM, text, usage

from flowscript.execution import ExecutionOptions, arun_file, create_execution_state, execute
from flowscript.runtimes.base import (
    NodeRequest,
    RuntimeContext,
    RuntimeOutput,
    RuntimeRegistry,
)

FLOW = """---
name: ai-log
version: "1.0"
---
<workflow>
  <ai id="a" model="m" prompt="one"/>
  <ai id="b" model="m" prompt="two {{ a }}"/>
</workflow>
"""


async def test_usage_reaches_the_state_file_and_the_execution_log(
    llm: FakeLLM, tmp_path: Path
) -> None:
    llm.script(text("x", used=usage(100, 20, cost=0.25)), text("y", used=usage(50, 5, cost=0.5)))
    path = tmp_path / "ai-log.flow.md"
    path.write_text(FLOW)
    state_file = tmp_path / "state.json"
    state = await arun_file(
        path,
        options=ExecutionOptions(
            ai_base_url=llm.base_url, log_path=path, persistence_path=state_file
        ),
    )
    assert state.node_results["b"].usage == {
        "promptTokens": 50,
        "completionTokens": 5,
        "totalTokens": 55,
        "cost": 0.5,
        "requests": 1,
        "cached": 0,
    }
    saved = json.loads(state_file.read_text())
    results = dict(saved["nodeResults"])
    assert results["a"]["usage"]["totalTokens"] == 120
    log = path.read_text()
    assert "**AI Usage:** 175 tokens (150 prompt, 25 completion), cost 0.75, 2 requests\n" in log
    assert log.index("**Waves:**") < log.index("**AI Usage:**") < log.index("### Node Results")


class _Metered:
    """A custom runtime reporting usage through ``RuntimeOutput``."""

    kind = "transform:metered"
    raw_fields: frozenset[str] = frozenset()

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        used = {"promptTokens": 3, "completionTokens": 4, "totalTokens": 7, "cost": None}
        return RuntimeOutput({"seen": context.usage.total_tokens}, used)


async def test_any_runtime_may_report_usage_and_the_run_ledger_grows() -> None:
    from flowscript.parser import parse
    from flowscript.planning import build_execution_plan

    workflow = parse(
        "---\nname: m\nversion: '1.0'\n---\n<workflow>\n"
        '<transform id="one" type="metered"/>\n'
        '<transform id="two" type="metered" input="one"/>\n'
        "</workflow>\n"
    )
    registry = RuntimeRegistry.default()
    registry.register(_Metered())
    state = create_execution_state(workflow.name)
    await execute(build_execution_plan(workflow), state, ExecutionOptions(runtimes=registry))
    assert state.node_results["one"].output == {"seen": 0}
    assert state.node_results["two"].output == {"seen": 7}
    assert state.node_results["two"].usage == {
        "promptTokens": 3,
        "completionTokens": 4,
        "totalTokens": 7,
        "cost": None,
    }
