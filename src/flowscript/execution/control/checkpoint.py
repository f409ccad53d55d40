"""``<checkpoint>`` (execution.md §7), the non-interactive part.

Resolution, in order: ``condition`` falsy → approved without asking (``skipped: true``); an
answer supplied in advance (``answers={"id": ...}`` / ``--answer id=...``); the checkpoint's
``default`` action. Otherwise the node fails with ``checkpoint.no_answer``. (Prompting and
pausing the run replace that last step in the next release; this module is that seam.)

Result: ``{action, input?, timedOut, respondedAt, skipped?, goto?, by?}``. ``reject`` fails
the node with ``checkpoint.rejected`` unless it routes with a ``goto``; an action with a
``goto`` continues at the target (execution.md §5 goto rules).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowscript.errors import NodeError
from flowscript.execution.control.jumps import request_goto
from flowscript.expressions.values import truthy
from flowscript.model import ActionSpec, CheckpointSpec

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation

__all__ = ["parse_answer", "run_checkpoint"]

_BUILTIN_ACTIONS = ("approve", "reject")


async def run_checkpoint(act: Activation) -> Any:
    """Resolve the checkpoint and return its result."""
    node = act.node
    assert isinstance(node, CheckpointSpec)
    now = act.flow.run.clock.now()
    if node.condition is not None and not truthy(act.evaluate("condition", node.condition)):
        result: dict[str, Any] = {
            "action": "approve",
            "timedOut": False,
            "respondedAt": now,
            "skipped": True,
        }
    else:
        answer, by = _answer_for(act, node)
        result = parse_answer(node, answer)
        result.update(timedOut=False, respondedAt=now, by=by)
    act.frame.bind("$checkpoint", result)
    target = result.get("goto")
    if target:
        request_goto(act, target)
    elif result["action"] == "reject":
        raise NodeError(
            "checkpoint.rejected",
            f"{node.id}: the checkpoint was rejected",
            details={"result": result},
        )
    return result


def _answer_for(act: Activation, node: CheckpointSpec) -> tuple[str, str]:
    answers = act.flow.run.answers
    for key in (act.flow.prefix + node.id, node.id):
        if key in answers:
            return str(answers[key]), "answer"
    if node.default is not None and node.default.value.strip():
        return node.default.value.strip(), "default"
    raise NodeError(
        "checkpoint.no_answer",
        f"checkpoint {node.id!r} needs an answer and has no default: pass "
        f"--answer {node.id}=approve (or reject, input:TEXT, or an action id)",
        details={"node": node.id, "actions": [a.id for a in node.actions]},
    )


def parse_answer(node: CheckpointSpec, answer: str) -> dict[str, Any]:
    """``approve`` | ``reject`` | ``input:TEXT`` | an action id or label (case-insensitive).

    Raises:
        NodeError: ``checkpoint.invalid_answer`` for anything else.
    """
    text = answer.strip()
    if text.lower().startswith("input:"):
        return {"action": "input", "input": text[len("input:") :]}
    action = _find_action(node, text)
    if action is not None:
        result: dict[str, Any] = {"action": action.id}
        if action.goto is not None and action.goto.value.strip():
            result["goto"] = action.goto.value.strip()
        return result
    if text.lower() in _BUILTIN_ACTIONS:
        return {"action": text.lower()}
    choices = [*_BUILTIN_ACTIONS, "input:TEXT", *(a.id for a in node.actions)]
    raise NodeError(
        "checkpoint.invalid_answer",
        f"{node.id}: {answer!r} is not an answer to this checkpoint; choose one of "
        + ", ".join(choices),
    )


def _find_action(node: CheckpointSpec, text: str) -> ActionSpec | None:
    folded = text.casefold()
    for action in node.actions:
        if action.id.casefold() == folded or (action.label or "").casefold() == folded:
            return action
    return None
