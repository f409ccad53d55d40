"""The live progress bar counts the nodes a run will run (a resumed run keeps some)."""

from __future__ import annotations

from pathlib import Path

from flowscript.execution.run import prepare_run
from flowscript.execution.state import NodeResult, NodeStatus

FLOW = """---
name: five
version: "1.0"
---
<workflow>
  <transform id="a" type="template" template="{{ 1 }}"/>
  <transform id="b" type="template" template="{{ 2 }}"/>
  <transform id="c" type="template" template="{{ 3 }}"/>
  <transform id="d" type="template" template="{{ 4 }}"/>
  <transform id="e" type="template" template="{{ 5 }}"/>
</workflow>
"""


def test_a_new_run_runs_every_node(tmp_path: Path) -> None:
    path = tmp_path / "five.flow.md"
    path.write_text(FLOW)
    assert prepare_run(path).nodes_to_run == 5


def test_a_resumed_run_leaves_out_the_nodes_it_keeps(tmp_path: Path) -> None:
    path = tmp_path / "five.flow.md"
    path.write_text(FLOW)
    prepared = prepare_run(path)
    statuses = {
        "a": NodeStatus.SUCCESS,
        "b": NodeStatus.SKIPPED,
        "c": NodeStatus.RECOVERED,
        "d": NodeStatus.FAILED,
        "e": NodeStatus.PENDING,
    }
    for node_id, status in statuses.items():
        prepared.state.node_results[node_id] = NodeResult(status=status)
    assert prepared.nodes_to_run == 2
