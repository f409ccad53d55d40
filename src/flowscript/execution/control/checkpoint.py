"""``<checkpoint>`` (execution.md §7): ask, record the decision, then continue, route or fail.

The answer comes from :func:`~flowscript.execution.checkpoints.resolve.resolve_answer`
(given in advance, a handler, the terminal, the default — or the run pauses). Then:

- the result ``{action, input?, timedOut, respondedAt, skipped?, goto?, by?}`` is the node's
  output and is bound as ``$checkpoint`` for the nodes that start after it in its scope;
- a decision with a ``goto`` continues at the target (the goto rules of §5, shared with
  ``<goto>``), including a ``reject`` given a ``goto``;
- ``reject`` otherwise fails the node with ``checkpoint.rejected`` (not retryable), the
  result kept in the error's ``details.result`` and in ``$checkpoint``;
- any other action (``approve``, ``input``, a custom action) lets downstream continue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowscript.errors import NodeError
from flowscript.execution.checkpoints.request import build_request
from flowscript.execution.checkpoints.resolve import resolve_answer
from flowscript.execution.control.jumps import request_goto
from flowscript.expressions.values import truthy
from flowscript.model import CheckpointSpec

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation

__all__ = ["run_checkpoint"]


async def run_checkpoint(act: Activation) -> Any:
    """Resolve the checkpoint and return its result."""
    node = act.node
    assert isinstance(node, CheckpointSpec)
    clock = act.flow.run.clock
    if node.condition is not None and not truthy(act.evaluate("condition", node.condition)):
        result: dict[str, Any] = {
            "action": "approve",
            "timedOut": False,
            "respondedAt": clock.now(),
            "skipped": True,
        }
    else:
        answer = await resolve_answer(act, build_request(act, node))
        result = answer.result(clock.now())
    act.frame.bind("$checkpoint", result)
    target = result.get("goto")
    if target:
        request_goto(act, target)
    elif result["action"] == "reject":
        raise NodeError(
            "checkpoint.rejected",
            f"{node.id}: the checkpoint was rejected",
            retryable=False,
            details={"result": result},
        )
    return result
