"""Answers to a checkpoint: parsing what a person, a handler or ``--answer`` said (execution.md §7).

An answer is ``approve``, ``reject``, ``input:TEXT`` or a custom action, named by its id or its
label, case-insensitively. A handler may also return ``{"action": …, "input": …}``. Whatever
the source, the decision becomes an :class:`Answer`, and the node's output is
:meth:`Answer.result`: ``{action, input?, timedOut, respondedAt, goto?, by}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import NodeError

if TYPE_CHECKING:
    from flowscript.execution.checkpoints.request import CheckpointRequest

__all__ = [
    "INPUT_PREFIX",
    "Answer",
    "answer_from_handler",
    "default_answer",
    "invalid_answer",
    "match_answer",
    "parse_answer",
]

INPUT_PREFIX: Final = "input:"
"""``input:TEXT`` answers with free text (``--answer review=input:looks good``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """A decision taken at a checkpoint.

    Attributes:
        action: ``approve``, ``reject``, ``input``, a custom action id, or ``timeout`` (a
            timed-out checkpoint routed by its ``<timeout goto>``).
        by: who decided: ``answer`` (given in advance), ``handler``, ``terminal``,
            ``default`` (the default action) or ``timeout``.
        input: the free text, for ``input``.
        goto: the node execution continues at, when the decision routes.
        timed_out: the wait for an answer ran out.
    """

    action: str
    by: str
    input: str | None = None
    goto: str | None = None
    timed_out: bool = False

    def result(self, responded_at: int) -> dict[str, Any]:
        """The checkpoint's output: ``{action, input?, timedOut, respondedAt, goto?, by}``."""
        data: dict[str, Any] = {"action": self.action}
        if self.input is not None:
            data["input"] = self.input
        data["timedOut"] = self.timed_out
        data["respondedAt"] = responded_at
        if self.goto is not None:
            data["goto"] = self.goto
        data["by"] = self.by
        return data


def match_answer(request: CheckpointRequest, text: str, *, by: str) -> Answer | None:
    """The answer ``text`` names, or ``None`` when it names nothing of this checkpoint.

    ``input:TEXT`` is free text; anything else is an action id or label (case-insensitive).
    """
    stripped = text.strip()
    if stripped.lower().startswith(INPUT_PREFIX):
        return Answer(action="input", input=stripped[len(INPUT_PREFIX) :], by=by)
    folded = stripped.casefold()
    for action in request.actions:
        if folded in (action.id.casefold(), action.label.casefold()):
            return Answer(action=action.id, goto=action.goto, by=by)
    return None


def parse_answer(request: CheckpointRequest, text: str, *, by: str) -> Answer:
    """Like :func:`match_answer`, but an answer that names nothing is an error.

    Raises:
        NodeError: ``checkpoint.invalid_answer`` (not retryable), listing the choices.
    """
    answer = match_answer(request, text, by=by)
    if answer is None:
        raise invalid_answer(request, repr(text))
    return answer


def default_answer(request: CheckpointRequest, *, timed_out: bool = False) -> Answer | None:
    """The checkpoint's default action as an answer (``by: default``), if it has one.

    Raises:
        NodeError: ``checkpoint.invalid_answer`` when the (rendered) default names nothing.
    """
    if request.default is None:
        return None
    answer = parse_answer(request, request.default, by="default")
    return replace(answer, timed_out=timed_out) if timed_out else answer


def answer_from_handler(request: CheckpointRequest, value: Any) -> Answer:
    """What a ``checkpoint_handler`` returned: an answer string, or a mapping
    ``{"action": …, "input": …}`` (``input`` may come with any action, as a comment).

    Raises:
        NodeError: ``checkpoint.invalid_answer`` for anything else.
    """
    if isinstance(value, str):
        return parse_answer(request, value, by="handler")
    if not isinstance(value, Mapping) or not isinstance(value.get("action"), str):
        raise invalid_answer(request, f"the handler's {type(value).__name__} {value!r}")
    text = value.get("input")
    if text is not None and not isinstance(text, str):
        raise invalid_answer(request, f"the handler's input {text!r} (not a string)")
    action = str(value["action"])
    if action.strip().lower() == "input":
        return Answer(action="input", input=text or "", by="handler")
    answer = parse_answer(request, action, by="handler")
    if text is None or answer.input is not None:
        return answer
    return Answer(action=answer.action, input=text, goto=answer.goto, by="handler")


def invalid_answer(request: CheckpointRequest, what: str) -> NodeError:
    """``checkpoint.invalid_answer`` naming the choices of ``request``."""
    choices = ["approve", "reject", "input:TEXT", *(a.id for a in request.custom_actions)]
    return NodeError(
        "checkpoint.invalid_answer",
        f"{request.node_id}: {what} is not an answer to this checkpoint; choose one of "
        + ", ".join(choices),
        retryable=False,
    )
