"""What a checkpoint asks: the request shown to a person or passed to a handler (execution.md §7).

A :class:`CheckpointRequest` is built once per asking, when the checkpoint runs: the prompt is
rendered against the node's scope, the default is resolved, the wait is read in seconds. The
same request feeds the terminal prompt, a ``checkpoint_handler`` and, when nobody can answer,
the ``pendingCheckpoint`` of a paused run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from flowscript.expressions.values import to_json, truthy

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation
    from flowscript.model import CheckpointSpec

__all__ = [
    "BUILTIN_ACTIONS",
    "CheckpointAction",
    "CheckpointRequest",
    "build_request",
    "pending_checkpoint",
]

BUILTIN_ACTIONS: Final = ("approve", "reject")
"""The actions every checkpoint offers (a custom ``<action>`` with one of these ids refines it)."""

_BUILTIN_LABELS: Final = {"approve": "Approve", "reject": "Reject"}
_TRUE_WORDS: Final = frozenset({"true", "yes", "1"})


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckpointAction:
    """One choice of a checkpoint.

    Attributes:
        id: the action id (``approve``, ``reject`` or a custom ``<action id>``).
        label: the text shown for it.
        goto: the node execution continues at when this action is chosen, if any.
    """

    id: str
    label: str
    goto: str | None = None

    def to_data(self) -> dict[str, Any]:
        """``{id, label, goto?}`` (the form stored in ``pendingCheckpoint``)."""
        data: dict[str, Any] = {"id": self.id, "label": self.label}
        if self.goto is not None:
            data["goto"] = self.goto
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckpointRequest:
    """A checkpoint waiting for an answer.

    Attributes:
        node_id: the checkpoint's key in the run (``call-id/node-id`` inside a child flow).
        run_id: the run the checkpoint belongs to.
        prompt: the rendered prompt.
        actions: every choice, ``approve`` and ``reject`` first, then the custom actions in
            document order.
        allow_input: whether a free-text answer (``input``) is accepted at the terminal.
        default: the default action id, if the checkpoint has one.
        timeout: seconds to wait for an answer (``None``: wait forever).
        timeout_goto: where a timed-out checkpoint continues (``<timeout duration goto/>``).
    """

    node_id: str
    run_id: str
    prompt: str
    actions: tuple[CheckpointAction, ...]
    allow_input: bool = False
    default: str | None = None
    timeout: float | None = None
    timeout_goto: str | None = None

    def action(self, action_id: str) -> CheckpointAction | None:
        """The action with this id, if any."""
        return next((a for a in self.actions if a.id == action_id), None)

    @property
    def custom_actions(self) -> tuple[CheckpointAction, ...]:
        """The actions other than ``approve`` and ``reject``."""
        return tuple(a for a in self.actions if a.id not in BUILTIN_ACTIONS)


def build_request(act: Activation, node: CheckpointSpec) -> CheckpointRequest:
    """The request of ``node`` as it runs now (prompt and default rendered, wait in seconds)."""
    return CheckpointRequest(
        node_id=act.flow.prefix + node.id,
        run_id=act.flow.run.state.run_id,
        prompt=_prompt(act, node),
        actions=_actions(node),
        allow_input=_allow_input(act, node),
        default=_default(act, node),
        timeout=act.seconds("timeout", node.wait) if node.wait is not None else None,
        timeout_goto=_target(node.timeout_goto.value if node.timeout_goto else None),
    )


def pending_checkpoint(request: CheckpointRequest) -> dict[str, Any]:
    """``{node, prompt, actions, allowInput, default}``: what a paused run waits on."""
    return {
        "node": request.node_id,
        "prompt": request.prompt,
        "actions": [action.to_data() for action in request.actions],
        "allowInput": request.allow_input,
        "default": request.default,
    }


def _prompt(act: Activation, node: CheckpointSpec) -> str:
    if node.prompt is None:
        return ""
    value = act.render("prompt", node.prompt)
    return value if isinstance(value, str) else to_json(value)


def _actions(node: CheckpointSpec) -> tuple[CheckpointAction, ...]:
    custom = {action.id: action for action in node.actions}
    ordered = [*BUILTIN_ACTIONS, *(a.id for a in node.actions if a.id not in BUILTIN_ACTIONS)]
    actions = []
    for action_id in ordered:
        spec = custom.get(action_id)
        label = (spec.label if spec is not None else None) or _BUILTIN_LABELS.get(action_id)
        goto = spec.goto.value if spec is not None and spec.goto is not None else None
        actions.append(CheckpointAction(id=action_id, label=label or action_id, goto=_target(goto)))
    return tuple(actions)


def _allow_input(act: Activation, node: CheckpointSpec) -> bool:
    if node.allow_input is None:
        return False
    value = act.typed("allow-input", node.allow_input)
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_WORDS
    return truthy(value)


def _default(act: Activation, node: CheckpointSpec) -> str | None:
    if node.default is None:
        return None
    text = node.default.value
    if "{{" in text:
        value = act.render("default", node.default)
        text = "" if value is None else str(value)
    return text.strip() or None


def _target(text: str | None) -> str | None:
    if text is None:
        return None
    return text.strip() or None
