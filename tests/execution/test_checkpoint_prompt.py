"""The checkpoint prompt dialogue: answers, re-prompts, three strikes, Ctrl-C, and the
prompt_toolkit reader fed through a pipe (the real terminal is covered by
``tests/cli/test_cli_checkpoint_pty.py``)."""

from __future__ import annotations

from typing import Any

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from flowscript.execution.checkpoints import Answer, CheckpointAction, CheckpointRequest
from flowscript.execution.checkpoints.prompt import TerminalReader, ask

HEADER = "Checkpoint review: Ship it?\n  [A]pprove / [R]eject / [I]nput / Put on hold"
HINT = "answer a (approve), r (reject), i (input), or Put on hold"


class ScriptedReader:
    """A terminal that replies with the given lines (an exception class is raised instead)."""

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.shown: list[str] = []
        self.asked: list[str] = []

    def show(self, text: str) -> None:
        self.shown.append(text)

    async def read(self, message: str) -> str:
        self.asked.append(message)
        reply = self.replies.pop(0)
        if isinstance(reply, type) and issubclass(reply, BaseException):
            raise reply
        return str(reply)


def make_request(**fields: Any) -> CheckpointRequest:
    values: dict[str, Any] = {
        "node_id": "review",
        "run_id": "run-1",
        "prompt": "Ship it?",
        "allow_input": True,
        "actions": (
            CheckpointAction(id="approve", label="Approve"),
            CheckpointAction(id="reject", label="Reject"),
            CheckpointAction(id="hold", label="Put on hold"),
        ),
        **fields,
    }
    return CheckpointRequest(**values)


async def test_a_valid_answer_is_taken_at_once() -> None:
    reader = ScriptedReader("a")
    assert await ask(make_request(), reader) == Answer(action="approve", by="terminal")
    assert reader.shown == [HEADER]
    assert reader.asked == ["> "]


async def test_an_invalid_answer_re_prompts() -> None:
    reader = ScriptedReader("maybe", "", "Put On Hold")
    assert await ask(make_request(), reader) == Answer(action="hold", by="terminal")
    assert reader.shown == [
        HEADER,
        f"'maybe' is not a choice here: {HINT}",
        f"'' is not a choice here: {HINT}",
    ]
    assert reader.asked == ["> ", "> ", "> "]


async def test_input_reads_a_line_of_text() -> None:
    reader = ScriptedReader("I", "ship it as is")
    answer = await ask(make_request(), reader)
    assert answer == Answer(action="input", input="ship it as is", by="terminal")
    assert reader.asked == ["> ", "Input: "]


@pytest.mark.parametrize(
    ("default", "expected", "said"),
    [
        pytest.param("hold", Answer(action="hold", by="default"), "using hold", id="default"),
        pytest.param(None, Answer(action="reject", by="terminal"), "using reject", id="reject"),
    ],
)
async def test_three_invalid_answers_use_the_default(
    default: str | None, expected: Answer, said: str
) -> None:
    reader = ScriptedReader("x", "y", "z", "a")
    assert await ask(make_request(default=default), reader) == expected
    assert reader.asked == ["> ", "> ", "> "]
    assert reader.shown[-1] == f"3 invalid answers: {said}."
    assert reader.replies == ["a"]


@pytest.mark.parametrize(
    "replies",
    [
        pytest.param((KeyboardInterrupt,), id="ctrl-c"),
        pytest.param((EOFError,), id="end-of-input"),
        pytest.param(("i", KeyboardInterrupt), id="ctrl-c-while-typing-input"),
    ],
)
async def test_ctrl_c_at_the_prompt_rejects(replies: tuple[Any, ...]) -> None:
    reader = ScriptedReader(*replies)
    answer = await ask(make_request(default="approve"), reader)
    assert answer == Answer(action="reject", by="terminal")
    assert reader.shown[-1] == "Interrupted: the checkpoint is rejected."


async def test_terminal_reader_uses_prompt_toolkit() -> None:
    with create_pipe_input() as pipe:
        reader = TerminalReader(input=pipe, output=DummyOutput())
        pipe.send_text("nope\r")
        pipe.send_text("put on hold\r")
        answer = await ask(make_request(), reader)
        assert answer == Answer(action="hold", by="terminal")
        pipe.send_text("i\rfine by me\r")
        answer = await ask(make_request(), reader)
        assert answer == Answer(action="input", input="fine by me", by="terminal")


async def test_terminal_reader_ctrl_c_rejects() -> None:
    with create_pipe_input() as pipe:
        reader = TerminalReader(input=pipe, output=DummyOutput())
        pipe.send_text("\x03")
        assert await ask(make_request(), reader) == Answer(action="reject", by="terminal")
