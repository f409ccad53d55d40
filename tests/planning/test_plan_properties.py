"""Property tests: for random DAG workflows, the plan puts every node in exactly one wave
after all its dependencies, and both scheduling modes run every node once, in dependency
order, with the same results."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flowscript.execution import (
    ExecutionOptions,
    NodeCompleted,
    NodeStarted,
    create_execution_state,
    execute,
)
from flowscript.parser import parse
from flowscript.planning import build_execution_plan


@st.composite
def dags(draw: st.DrawFn) -> dict[str, list[str]]:
    """Node id → ids it reads (always earlier nodes, so the graph is acyclic)."""
    count = draw(st.integers(min_value=1, max_value=14))
    graph: dict[str, list[str]] = {}
    for index in range(count):
        earlier = [f"n{j}" for j in range(index)]
        graph[f"n{index}"] = (
            draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else []
        )
    return graph


def flow_for(graph: dict[str, list[str]], order: list[str]) -> str:
    lines = []
    for node in order:
        reads = " ".join(f"{{{{ {dep} }}}}" for dep in graph[node])
        lines.append(f'<transform id="{node}" type="template" template="{node}[{reads}]"/>')
    body = "\n".join(lines)
    return f"---\nname: prop\nversion: '1.0'\n---\n<workflow>\n{body}\n</workflow>\n"


@settings(max_examples=150, deadline=None)
@given(graph=dags(), data=st.data())
def test_waves_respect_every_edge_and_hold_every_node_once(
    graph: dict[str, list[str]], data: Any
) -> None:
    order = data.draw(st.permutations(list(graph)))
    plan = build_execution_plan(parse(flow_for(graph, order), "prop.flow.md"))
    flat = [node for wave in plan.waves for node in wave]
    assert sorted(flat) == sorted(graph)
    wave_of = {node: i for i, wave in enumerate(plan.waves) for node in wave}
    for node, deps in graph.items():
        assert all(wave_of[dep] < wave_of[node] for dep in deps)
        if deps:
            assert wave_of[node] == 1 + max(wave_of[dep] for dep in deps)
        else:
            assert wave_of[node] == 0
    for wave in plan.waves:  # document order inside a wave
        assert list(wave) == sorted(wave, key=order.index)


@settings(max_examples=60, deadline=None)
@given(graph=dags(), concurrency=st.integers(min_value=1, max_value=4))
def test_eager_and_waves_run_every_node_once_after_its_dependencies(
    graph: dict[str, list[str]], concurrency: int
) -> None:
    outputs = {}
    for schedule in ("eager", "waves"):
        events: list[Any] = []
        workflow = parse(flow_for(graph, list(graph)), "prop.flow.md")
        state = create_execution_state(workflow.name)
        options = ExecutionOptions(
            schedule=schedule, max_concurrency=concurrency, observers=[events.append]
        )
        asyncio.run(execute(build_execution_plan(workflow), state, options))
        started = [e.node_id for e in events if isinstance(e, NodeStarted)]
        completed = [e.node_id for e in events if isinstance(e, NodeCompleted)]
        assert sorted(started) == sorted(graph) == sorted(completed)
        for node, deps in graph.items():
            assert all(completed.index(dep) < started.index(node) for dep in deps)
        outputs[schedule] = {node: state.output_of(node) for node in graph}
    assert outputs["eager"] == outputs["waves"]
