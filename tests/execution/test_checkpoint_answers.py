"""Checkpoint answers: parsing from ``--answer``/``answers=``, handlers and the terminal."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.execution.checkpoints import Answer, CheckpointAction, CheckpointRequest
from flowscript.execution.checkpoints.answers import (
    answer_from_handler,
    default_answer,
    parse_answer,
)
from flowscript.execution.checkpoints.prompt import describe_request, reply_answer
from flowscript.execution.checkpoints.request import pending_checkpoint
from flowscript.execution.checkpoints.resolve import timeout_answer


def make_request(**fields: Any) -> CheckpointRequest:
    actions = (
        CheckpointAction(id="approve", label="Approve"),
        CheckpointAction(id="reject", label="Reject"),
        CheckpointAction(id="hold", label="Put on hold"),
        CheckpointAction(id="redo", label="Start over", goto="draft"),
    )
    values: dict[str, Any] = {
        "node_id": "review",
        "run_id": "run-1",
        "prompt": "Ship it?",
        "actions": actions,
        **fields,
    }
    return CheckpointRequest(**values)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("approve", Answer(action="approve", by="answer"), id="approve"),
        pytest.param(" REJECT ", Answer(action="reject", by="answer"), id="reject-spaces-case"),
        pytest.param("hold", Answer(action="hold", by="answer"), id="action-id"),
        pytest.param("put ON hold", Answer(action="hold", by="answer"), id="action-label"),
        pytest.param(
            "redo", Answer(action="redo", goto="draft", by="answer"), id="action-with-goto"
        ),
        pytest.param(
            "input:looks: fine",
            Answer(action="input", input="looks: fine", by="answer"),
            id="input-text-keeps-colons",
        ),
        pytest.param("Input:", Answer(action="input", input="", by="answer"), id="empty-input"),
    ],
)
def test_parse_answer(text: str, expected: Answer) -> None:
    assert parse_answer(make_request(), text, by="answer") == expected


def test_parse_answer_rejects_unknown_text_listing_the_choices() -> None:
    with pytest.raises(NodeError, match=r"'maybe' is not an answer") as caught:
        parse_answer(make_request(), "maybe", by="answer")
    assert caught.value.type == "checkpoint.invalid_answer"
    assert caught.value.retryable is False
    assert caught.value.message.endswith("approve, reject, input:TEXT, hold, redo")


def test_answer_result_shape() -> None:
    answer = Answer(action="input", input="ok", by="terminal")
    assert answer.result(5) == {
        "action": "input",
        "input": "ok",
        "timedOut": False,
        "respondedAt": 5,
        "by": "terminal",
    }
    routed = Answer(action="redo", goto="draft", timed_out=True, by="default")
    assert routed.result(7) == {
        "action": "redo",
        "timedOut": True,
        "respondedAt": 7,
        "goto": "draft",
        "by": "default",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("Approve", Answer(action="approve", by="handler"), id="string"),
        pytest.param({"action": "hold"}, Answer(action="hold", by="handler"), id="mapping"),
        pytest.param(
            {"action": "input", "input": "fine"},
            Answer(action="input", input="fine", by="handler"),
            id="mapping-input",
        ),
        pytest.param(
            {"action": "approve", "input": "lgtm"},
            Answer(action="approve", input="lgtm", by="handler"),
            id="approve-with-comment",
        ),
        pytest.param(
            {"action": "redo"},
            Answer(action="redo", goto="draft", by="handler"),
            id="mapping-goto-action",
        ),
    ],
)
def test_answer_from_handler(value: Any, expected: Answer) -> None:
    assert answer_from_handler(make_request(), value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(None, id="none"),
        pytest.param(True, id="bool"),
        pytest.param({"input": "x"}, id="no-action"),
        pytest.param({"action": "approve", "input": 3}, id="input-not-text"),
        pytest.param({"action": "later"}, id="unknown-action"),
    ],
)
def test_answer_from_handler_rejects_other_values(value: Any) -> None:
    with pytest.raises(NodeError, match="is not an answer to this checkpoint"):
        answer_from_handler(make_request(), value)


def test_default_answer() -> None:
    assert default_answer(make_request()) is None
    assert default_answer(make_request(default="hold")) == Answer(action="hold", by="default")
    assert default_answer(make_request(default="redo"), timed_out=True) == Answer(
        action="redo", goto="draft", timed_out=True, by="default"
    )
    with pytest.raises(NodeError, match="'later' is not an answer"):
        default_answer(make_request(default="later"))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"timeout_goto": "escalate", "default": "approve"},
            Answer(action="timeout", goto="escalate", timed_out=True, by="timeout"),
            id="timeout-goto-wins",
        ),
        pytest.param(
            {"default": "approve"},
            Answer(action="approve", timed_out=True, by="default"),
            id="default",
        ),
        pytest.param({}, Answer(action="reject", timed_out=True, by="timeout"), id="reject"),
    ],
)
def test_timeout_answer(fields: dict[str, Any], expected: Answer) -> None:
    assert timeout_answer(make_request(**fields)) == expected


@pytest.mark.parametrize(
    ("text", "allow_input", "expected"),
    [
        pytest.param("a", False, Answer(action="approve", by="terminal"), id="a"),
        pytest.param("A", False, Answer(action="approve", by="terminal"), id="A"),
        pytest.param("approve", False, Answer(action="approve", by="terminal"), id="approve"),
        pytest.param("r", False, Answer(action="reject", by="terminal"), id="r"),
        pytest.param("Reject", False, Answer(action="reject", by="terminal"), id="reject"),
        pytest.param("Put on hold", False, Answer(action="hold", by="terminal"), id="label"),
        pytest.param("HOLD", False, Answer(action="hold", by="terminal"), id="action-id"),
        pytest.param("i", True, "input", id="i"),
        pytest.param("Input", True, "input", id="input-word"),
        pytest.param(
            "input:ok", True, Answer(action="input", input="ok", by="terminal"), id="input-inline"
        ),
        pytest.param("i", False, None, id="i-without-allow-input"),
        pytest.param("input:ok", False, None, id="inline-input-without-allow-input"),
        pytest.param("", False, None, id="empty"),
        pytest.param("yes", False, None, id="unknown"),
    ],
)
def test_reply_answer(text: str, allow_input: bool, expected: Any) -> None:
    assert reply_answer(make_request(allow_input=allow_input), text) == expected


def test_an_action_named_like_a_shortcut_wins_over_it() -> None:
    request = make_request(
        actions=(
            CheckpointAction(id="approve", label="Approve"),
            CheckpointAction(id="reject", label="Reject"),
            CheckpointAction(id="a", label="Archive"),
        )
    )
    assert reply_answer(request, "a") == Answer(action="a", by="terminal")


def test_describe_request() -> None:
    text = describe_request(make_request(allow_input=True, default="approve", timeout=30.0))
    assert text.splitlines() == [
        "Checkpoint review: Ship it?",
        "  [A]pprove / [R]eject / [I]nput / Put on hold / Start over",
        "  default: approve · times out after 30s",
    ]
    bare = make_request(prompt="", actions=make_request().actions[:2])
    assert describe_request(bare).splitlines() == ["Checkpoint review", "  [A]pprove / [R]eject"]


def test_pending_checkpoint_data() -> None:
    assert pending_checkpoint(make_request(allow_input=True, default="hold")) == {
        "node": "review",
        "prompt": "Ship it?",
        "actions": [
            {"id": "approve", "label": "Approve"},
            {"id": "reject", "label": "Reject"},
            {"id": "hold", "label": "Put on hold"},
            {"id": "redo", "label": "Start over", "goto": "draft"},
        ],
        "allowInput": True,
        "default": "hold",
    }
