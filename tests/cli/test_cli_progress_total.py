"""The live progress bar counts the nodes a run will report on (a resumed run keeps some)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flowscript.cli.commands.run_cmd import _nodes_to_report
from flowscript.execution.state import NodeResult, NodeStatus


def _prepared(results: dict[str, NodeStatus]) -> Any:
    return SimpleNamespace(
        plan=SimpleNamespace(node_ids=("a", "b", "c", "d", "e")),
        state=SimpleNamespace(
            node_results={key: NodeResult(status=status) for key, status in results.items()}
        ),
    )


def test_a_new_run_reports_every_node() -> None:
    assert _nodes_to_report(_prepared({})) == 5


def test_a_resumed_run_leaves_out_the_nodes_it_keeps() -> None:
    kept = {"a": NodeStatus.SUCCESS, "b": NodeStatus.SKIPPED, "c": NodeStatus.RECOVERED}
    rerun = {"d": NodeStatus.FAILED, "e": NodeStatus.PENDING}
    assert _nodes_to_report(_prepared({**kept, **rerun})) == 2
