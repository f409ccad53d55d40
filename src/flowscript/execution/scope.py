"""The run's :class:`~flowscript.expressions.scope.EvalScope`: what one node's expressions see.

Names, innermost first (expressions.md §2.1):

1. extras bound for one evaluation (``$branches`` in a merge, ``$error`` in a fallback …);
2. ``input`` and the ``$`` specials of the run (``$input``, ``$config``, ``$secrets``,
   ``$context``, ``$env``, ``$workflowDir``, ``$run``);
3. frame bindings and context variables, inner scope first (``$iteration``, foreach ``item``/
   ``index``, ``$branch``, ``$checkpoint``, ``<set>`` variables, phase variables, globals);
4. node ids → outputs, read through the node's scope instance as of its snapshot.

A scope is built when a node starts; the frame dictionaries it captures are copy-on-write and
node outputs are versioned, so building one costs O(nesting depth), never O(run size).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from flowscript.expressions.values import UNDEFINED

if TYPE_CHECKING:
    from flowscript.execution._context import FlowContext
    from flowscript.execution._instance import ScopeInstance

__all__ = ["NodeScope"]

FrameView = tuple[tuple[dict[str, Any], dict[str, Any], bool], ...]


def _context_view(scope: NodeScope) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for _, variables, _ in reversed(scope._frames):
        merged.update(variables)
    return merged


_SPECIALS: Final[Mapping[str, Callable[[NodeScope], Any]]] = {
    "input": lambda scope: scope._input,
    "$input": lambda scope: scope._flow.input,
    "$config": lambda scope: scope._flow.config,
    "$secrets": lambda scope: scope._flow.secrets,
    "$context": _context_view,
    "$env": lambda scope: scope._flow.env,
    "$workflowDir": lambda scope: scope._flow.workflow_dir_text,
    "$run": lambda scope: scope._flow.run_info,
}


class NodeScope:
    """Evaluation scope of one node, fixed when the node starts.

    Args:
        flow: the workflow being run (config, secrets, node ids …).
        instance: the scope instance the node runs in (for node outputs).
        frames: the frame snapshot (``Frame.snapshot()``).
        snapshot: sequence number of the newest result the node may see.
        input: the node's ``input``.
        extras: names bound for this evaluation only.
    """

    __slots__ = ("_extras", "_flow", "_frames", "_input", "_instance", "_snapshot")

    _flow: FlowContext
    _instance: ScopeInstance
    _frames: FrameView
    _snapshot: int
    _input: Any
    _extras: Mapping[str, Any] | None

    def __init__(
        self,
        flow: FlowContext,
        instance: ScopeInstance,
        frames: FrameView,
        snapshot: int,
        input: Any,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        self._flow = flow
        self._instance = instance
        self._frames = frames
        self._snapshot = snapshot
        self._input = input
        self._extras = extras

    def with_extras(self, extras: Mapping[str, Any]) -> NodeScope:
        """The same scope with more names bound on top."""
        merged = {**self._extras, **extras} if self._extras else dict(extras)
        return NodeScope(
            self._flow, self._instance, self._frames, self._snapshot, self._input, merged
        )

    def lookup(self, name: str) -> Any:
        """The value of ``name``; ``UNDEFINED`` when nothing defines it."""
        if self._extras and name in self._extras:
            return self._extras[name]
        special = _SPECIALS.get(name)
        if special is not None:
            return special(self)
        for bindings, variables, _ in self._frames:
            if name in bindings:
                return bindings[name]
            if name in variables:
                return variables[name]
        if name in self._flow.node_ids:
            return self._instance.read(name, self._snapshot)
        return UNDEFINED

    def has(self, name: str) -> bool:
        """True when ``name`` is defined (a node id counts even before it ran)."""
        if (self._extras and name in self._extras) or name in _SPECIALS:
            return True
        if name in self._flow.node_ids:
            return True
        return any(name in b or name in v for b, v, _ in self._frames)

    def is_node(self, name: str) -> bool:
        """True for every node id of the workflow."""
        return name in self._flow.node_ids
