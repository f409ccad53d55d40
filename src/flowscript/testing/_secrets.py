"""Which secrets a test case needs: those read by nodes that run for real."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from flowscript.errors import ExpressionError

if TYPE_CHECKING:
    from flowscript.graph import WorkflowGraph
    from flowscript.model import NodeSpec, Workflow

__all__ = ["secrets_used"]


def _node_secrets(node: NodeSpec, graph: WorkflowGraph) -> set[str] | None:
    """The ``$secrets.X`` names ``node``'s own texts read; ``None`` for a dynamic read."""
    from flowscript.graph import node_texts

    names: set[str] = set()
    for _, text, role in node_texts(node):
        try:
            uses = graph.texts.names(text.value, role)
        except ExpressionError:
            continue  # the validator reports texts that do not parse
        for use in uses:
            if use.name != "$secrets":
                continue
            if use.member is None:
                return None
            names.add(use.member)
    return names


def secrets_used(
    workflow: Workflow, graph: WorkflowGraph, mocked: Collection[str]
) -> tuple[set[str] | None, set[str]]:
    """The secrets read by nodes that run, and those read only by mocked nodes.

    Returns:
        ``(real, mocked_only)``: ``real`` is ``None`` when a running node reads
        ``$secrets[…]`` dynamically (then every declared secret is needed).
    """
    real: set[str] | None = set()
    by_mocks: set[str] = set()
    for node in workflow.walk():
        names = _node_secrets(node, graph)
        if node.id in mocked:
            by_mocks |= names if names is not None else set(workflow.secrets)
        elif names is None:
            real = None
        elif real is not None:
            real |= names
    return real, by_mocks - (real or set())
