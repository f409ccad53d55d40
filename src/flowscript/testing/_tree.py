"""Naming nodes of ``<include>``/``<call>`` children in test cases: ``call-id/node-id``.

A child's nodes run inside the parent's run and are recorded under the calling node's id —
``score-order/score`` in the state, the events and the execution log (execution.md §9.1) — so
test cases name them the same way, at any depth (``outer/inner/node``). Only children whose
``workflow`` path is literal are known before the run (they are loaded with the workflow under
test); a child loaded from a ``{{ }}`` path cannot be named.

:class:`WorkflowTree` resolves such names against the loaded children, turns a runtime
request's ``node_path`` (``each[2]/score-order/score``) back into the name, and lists the nodes
a failure passes through on its way up (for ``expect-error``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from flowscript.model import CallSpec, IncludeSpec

if TYPE_CHECKING:
    from flowscript.model import NodeSpec, Workflow
    from flowscript.planning import ExecutionPlan

__all__ = ["SEPARATOR", "UnknownNode", "WorkflowTree"]

SEPARATOR: Final = "/"
"""Between a calling node's id and a child node's id (as in the run state)."""

_INDEX: Final = re.compile(r"\[[^\[\]]*\]$")
"""The loop/foreach/parallel index of a ``node_path`` segment (``each[2]``)."""


class UnknownNode(LookupError):
    """A qualified id names no node; ``str()`` says why, ``hints`` what exists."""

    def __init__(self, message: str, hints: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.hints = hints


@dataclass(slots=True)
class _Level:
    """One workflow of the tree: its nodes, its folder and its loaded children."""

    workflow: Workflow
    base_dir: Path
    children: dict[str, ExecutionPlan]
    nodes: dict[str, NodeSpec] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, plan: ExecutionPlan, base_dir: Path) -> _Level:
        level = cls(plan.workflow, base_dir, dict(plan.children), plan.workflow.node_index())
        for node in plan.workflow.walk():
            for scope in node.scopes():
                for child in scope:
                    level.parents.setdefault(child.id, node.id)
        return level

    def child(self, node: NodeSpec) -> _Level | None:
        """The level of the workflow ``node`` includes or calls (``None``: not loaded)."""
        from flowscript.execution.control.composition import child_key

        if not isinstance(node, IncludeSpec | CallSpec) or "{{" in node.workflow.value:
            return None
        key = child_key(self.base_dir, node.workflow.value.strip())
        plan = self.children.get(key)
        return _Level.of(plan, Path(key).parent) if plan is not None else None


class WorkflowTree:
    """The workflow under test with the ``<include>``/``<call>`` children loaded for it.

    Args:
        plan: the workflow's plan, its ``children`` loaded (``load_child_plans``); a plan
            without children makes only the workflow's own nodes known.
    """

    def __init__(self, plan: ExecutionPlan) -> None:
        from flowscript.execution.control.composition import workflow_dir

        self.root = _Level.of(plan, workflow_dir(plan.workflow, Path.cwd()))
        self._levels: dict[tuple[str, ...], _Level | None] = {(): self.root}

    def _level(self, calls: tuple[str, ...]) -> _Level | None:
        """The workflow reached through the chain of calling node ids (``None``: unknown)."""
        if calls not in self._levels:
            parent = self._level(calls[:-1])
            node = parent.nodes.get(calls[-1]) if parent is not None else None
            child = None
            if parent is not None and node is not None:
                child = parent.child(node)
            self._levels[calls] = child
        return self._levels[calls]

    def find(self, name: str) -> NodeSpec:
        """The node a (qualified) id names.

        Raises:
            UnknownNode: no such node (the message names the part that is wrong).
        """
        *calls, node_id = name.split(SEPARATOR)
        level = self.root
        for depth, call_id in enumerate(calls):
            level = self._step(level, tuple(calls[: depth + 1]), call_id, name)
        node = level.nodes.get(node_id) if node_id else None
        if node is None:
            raise _no_node(name, tuple(calls), node_id, level)
        return node

    def _step(self, level: _Level, calls: tuple[str, ...], call_id: str, name: str) -> _Level:
        node = level.nodes.get(call_id)
        if node is None:
            raise _no_node(name, calls[:-1], call_id, level)
        if not isinstance(node, IncludeSpec | CallSpec):
            raise UnknownNode(
                f"`{name}`: `{SEPARATOR.join(calls)}` is a <{node.tag}>, not an <include> or <call>"
            )
        child = self._level(calls)
        if child is None:
            where = f"`{name}`: the workflow of `{SEPARATOR.join(calls)}`"
            if "{{" in node.workflow.value:
                raise UnknownNode(
                    f"{where} is only known when it runs (a `{{{{ }}}}` path), so its nodes "
                    "cannot be named in a test"
                )
            raise UnknownNode(f"{where} ({node.workflow.value.strip()}) was not loaded")
        return child

    def state_key(self, node_path: str) -> str | None:
        """The qualified id of the node at ``node_path`` (``NodeRequest.node_path``): the ids
        of the calling nodes and the node's own, without enclosing control nodes or indices
        (``each[2]/score-order/score`` → ``score-order/score``). ``None`` when the path goes
        through a child that was not loaded."""
        *outer, own = (_INDEX.sub("", part) for part in node_path.split(SEPARATOR))
        calls: list[str] = []
        level: _Level | None = self.root
        for part in outer:
            node = level.nodes.get(part) if level is not None else None
            if isinstance(node, IncludeSpec | CallSpec):
                calls.append(part)
                level = self._level(tuple(calls))
        return SEPARATOR.join((*calls, own)) if level is not None else None

    def lineage(self, name: str) -> Iterator[str]:
        """``name`` and every node enclosing it, innermost first, qualified: the control
        nodes around it in its workflow, the calling node, the nodes around that, and so on
        (``c/loop/x``'s lineage is ``c/x``, ``c/loop``, ``c``, … for ``x`` inside ``loop``)."""
        *calls, node_id = name.split(SEPARATOR)
        while True:
            level = self._level(tuple(calls))
            prefix = "".join(f"{call}{SEPARATOR}" for call in calls)
            current: str | None = node_id
            while current is not None:
                yield prefix + current
                current = level.parents.get(current) if level is not None else None
            if not calls:
                return
            node_id = calls.pop()


def _no_node(name: str, calls: tuple[str, ...], node_id: str, level: _Level) -> UnknownNode:
    where = f"the workflow of `{SEPARATOR.join(calls)}`" if calls else "the workflow"
    prefix = "".join(f"{call}{SEPARATOR}" for call in calls)
    hints = _did_you_mean(node_id, level.nodes, prefix)
    return UnknownNode(f"`{name}`: {where} has no node `{node_id}`", hints)


def _did_you_mean(node_id: str, nodes: dict[str, NodeSpec], prefix: str) -> tuple[str, ...]:
    import difflib

    close = difflib.get_close_matches(node_id, list(nodes), n=1)
    if close:
        return (f"did you mean `{prefix}{close[0]}`?",)
    known = ", ".join(f"`{prefix}{known}`" for known in list(nodes)[:8])
    return (f"nodes there: {known}",) if known else ()
