"""Who an attempt is: the node's path in the run (with loop/foreach/parallel indices).

The path names the node and every control node around it, with the iteration or branch index
of each body it runs in: ``orders[2]/enrich/post`` is node ``post`` inside ``enrich`` inside
iteration 2 of ``orders``; ``<call>``/``<include>`` children appear under the calling node's id.
It goes into ``NodeRequest.node_path`` (with the run id), from which the idempotency key of
sinks and the distributed executor's task keys are derived.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation
    from flowscript.execution._instance import ScopeInstance

__all__ = ["node_path"]

_INDEX_NAMES: Final = ("$index", "$iteration", "$branch")
"""The bindings of foreach items, loop iterations and parallel branches (control/*.py)."""


def _index(instance: ScopeInstance, owner: Activation) -> Any:
    if instance.frame is owner.frame:
        return None  # a body run in the owner's own frame (if, phase …): no index of its own
    bindings = instance.frame.bindings
    for name in _INDEX_NAMES:
        if name in bindings:
            return bindings[name]
    return None


def node_path(act: Activation) -> str:
    """The node's path from the run's root, e.g. ``orders[2]/enrich/post``."""
    parts = [act.node.id]
    instance = act.instance
    owner = instance.owner
    while owner is not None:
        index = _index(instance, owner)
        parts.append(owner.node.id if index is None else f"{owner.node.id}[{index}]")
        instance = owner.instance
        owner = instance.owner
    return "/".join(reversed(parts))
