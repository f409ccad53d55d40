"""Plain-data description of a plan for ``--dry-run`` and ``inspect`` (no I/O)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowscript.planning._plan import ExecutionPlan, ScopePlan

__all__ = ["describe_plan"]


def describe_plan(plan: ExecutionPlan) -> dict[str, Any]:
    """``{workflow, waves, nodes, scopes, handlers}`` as JSON-compatible data.

    ``nodes`` maps every scheduled node id (nested ones too) to ``{kind, scope, wave,
    dependencies}``; ``scopes`` maps each non-root scope key to ``{owner, body, waves}``.
    """
    nodes: dict[str, Any] = {}
    scopes: dict[str, Any] = {}
    for key, scope in plan.scopes.items():
        nodes.update(_scope_nodes(scope))
        if scope.owner is not None:
            scopes[key] = {
                "owner": scope.owner,
                "body": scope.body,
                "waves": [list(wave) for wave in scope.waves],
            }
    handlers = {
        handler_id: {
            "kind": node.kind,
            "serves": [use.serves for use in plan.graph.handlers.get(handler_id, ())],
        }
        for handler_id, node in plan.handlers.items()
    }
    return {
        "workflow": plan.workflow.name,
        "waves": plan.waves,
        "nodes": nodes,
        "scopes": scopes,
        "handlers": handlers,
    }


def _scope_nodes(scope: ScopePlan) -> dict[str, Any]:
    return {
        node.id: {
            "kind": node.kind,
            "scope": scope.key,
            "wave": scope.wave_of.get(node.id),
            "dependencies": list(scope.deps[node.id]),
        }
        for node in scope.nodes
    }
