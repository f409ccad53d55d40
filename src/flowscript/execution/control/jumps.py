"""``<break>`` and ``<goto>`` (execution.md §5), and the goto request shared with checkpoints.

Both are signals, not exceptions: ``<break>`` sets the stop flag of the loop it leaves (its
running body nodes finish, nothing new starts, the loop ends normally); a taken goto stops
the bodies between it and the target's scope and leaves a :class:`Jump` for the scheduler of
that scope, which applies it once the node holding the goto has finished.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowscript.errors import NodeError
from flowscript.execution._instance import SILENT, Jump
from flowscript.expressions.values import truthy
from flowscript.model import BreakSpec, ForeachSpec, GotoSpec, LoopSpec, WhileSpec

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation

__all__ = ["request_goto", "run_break", "run_goto"]


async def run_break(act: Activation) -> Any:
    """Leave the innermost (or the ``loop=``-named) loop, when ``when`` holds."""
    node = act.node
    assert isinstance(node, BreakSpec)
    if node.when is not None and not truthy(act.evaluate("when", node.when)):
        return SILENT
    wanted = node.loop.value.strip() if node.loop is not None and node.loop.value.strip() else None
    owner = act.instance.owner
    while owner is not None and owner.flow is act.flow:
        if isinstance(owner.node, LoopSpec | WhileSpec | ForeachSpec) and (
            wanted is None or owner.node.id == wanted
        ):
            owner.flag.set("break")
            return SILENT
        owner = owner.instance.owner
    target = f"loop {wanted!r}" if wanted else "a loop"
    raise NodeError("break.no_loop", f"{node.id}: <break> is not inside {target}")


async def run_goto(act: Activation) -> Any:
    """Continue at ``node`` when ``when`` holds (execution.md §5 goto)."""
    node = act.node
    assert isinstance(node, GotoSpec)
    if node.when is not None and not truthy(act.evaluate("when", node.when)):
        return SILENT
    request_goto(act, node.target.value.strip())
    return SILENT


def request_goto(act: Activation, target: str) -> None:
    """Take a goto from ``act``'s node to ``target`` (same or an enclosing scope).

    Raises:
        NodeError: ``GOTO_LIMIT_EXCEEDED`` past 1,000 gotos in the run; ``goto.invalid_target``
            when ``target`` is not a node of this scope or an enclosing one.
    """
    act.flow.run.count_goto(act.flow.prefix + act.node.id)
    instance = act.instance
    via = act
    while target not in instance.plan.position:
        owner = instance.owner
        if owner is None or owner.flow is not act.flow:
            raise NodeError(
                "goto.invalid_target",
                f"{act.node.id}: goto target {target!r} is not in this scope or an enclosing one",
            )
        via, instance = owner, owner.instance
    if via is not act:
        via.flag.set("goto")  # stop the bodies between the goto and the target's scope
    instance.jump = Jump(target=target, via=via.node.id)
