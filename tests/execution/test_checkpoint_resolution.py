"""Where a checkpoint's answer comes from (execution.md §7): answers given in advance, the
``checkpoint_handler``, the terminal prompt (a fake terminal here; the real one is tested on a
pseudo-terminal in ``tests/cli``), the default, timeouts on the fake clock, and the prompt lock."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

from flowscript.execution import ExecutionOptions, ManualClock
from flowscript.execution.checkpoints import CheckpointAction, CheckpointRequest, CheckpointSession
from flowscript.execution.checkpoints import prompt as prompt_module

NOW = 1_700_000_000_000  # ManualClock's start time

REVIEW = """
<transform id="draft" type="echo" value="v1"/>
<checkpoint id="review" prompt="Ship {{ draft }}?" allow-input="true" default="approve"
            timeout="30s">
  <action id="hold" label="Put on hold"/>
</checkpoint>
<transform id="after" type="echo" value="{{ $checkpoint.action }}/{{ review.action }}"/>
"""


class QueueReader:
    """A fake terminal: ``read`` waits for the test to put a reply (or an exception class)."""

    def __init__(self) -> None:
        self.replies: asyncio.Queue[Any] = asyncio.Queue()
        self.shown: list[str] = []
        self.asked: list[str] = []

    def show(self, text: str) -> None:
        self.shown.append(text)

    async def read(self, message: str) -> str:
        self.asked.append(message)
        reply = await self.replies.get()
        if isinstance(reply, type) and issubclass(reply, BaseException):
            raise reply
        return str(reply)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> QueueReader:
    """The terminal every checkpoint of the test prompts on."""
    reader = QueueReader()
    monkeypatch.setattr(prompt_module, "TerminalReader", lambda: reader)
    return reader


async def test_the_handler_gets_the_rendered_request(run_flow: Any) -> None:
    requests: list[CheckpointRequest] = []

    async def handler(request: CheckpointRequest) -> str:
        requests.append(request)
        return "Put on hold"

    run = await run_flow(REVIEW, checkpoint_handler=handler, run_id="run-7")
    assert run.error is None
    assert requests == [
        CheckpointRequest(
            node_id="review",
            run_id="run-7",
            prompt="Ship v1?",
            actions=(
                CheckpointAction(id="approve", label="Approve"),
                CheckpointAction(id="reject", label="Reject"),
                CheckpointAction(id="hold", label="Put on hold"),
            ),
            allow_input=True,
            default="approve",
            timeout=30.0,
        )
    ]
    result = {"action": "hold", "timedOut": False, "respondedAt": NOW, "by": "handler"}
    assert run.output("review") == result
    assert run.state.node_context["review"] == {"output": result}
    assert run.output("after") == "hold/hold"


async def test_a_sync_handler_may_return_a_mapping(run_flow: Any) -> None:
    def handler(request: CheckpointRequest) -> dict[str, str]:
        return {"action": "input", "input": f"notes on {request.node_id}"}

    run = await run_flow(REVIEW, checkpoint_handler=handler)
    assert run.output("review")["input"] == "notes on review"
    assert run.output("after") == "input/input"


@pytest.mark.parametrize(
    ("reply", "error_type", "message"),
    [
        pytest.param(ValueError("boom"), "checkpoint.handler_failed", "raised ValueError: boom"),
        pytest.param("maybe", "checkpoint.invalid_answer", "'maybe' is not an answer"),
        pytest.param(42, "checkpoint.invalid_answer", "the handler's int 42 is not an answer"),
    ],
    ids=["handler-raises", "unknown-answer", "not-an-answer"],
)
async def test_a_handler_that_cannot_answer_fails_the_node(
    run_flow: Any, reply: Any, error_type: str, message: str
) -> None:
    async def handler(request: CheckpointRequest) -> Any:
        if isinstance(reply, Exception):
            raise reply
        return reply

    run = await run_flow(REVIEW, checkpoint_handler=handler)
    assert run.error is not None
    assert (run.error.type, run.error.node, run.error.retryable) == (error_type, "review", False)
    assert message in run.error.message
    assert run.status("after") is None


async def test_an_answer_given_in_advance_wins_over_the_handler(run_flow: Any) -> None:
    calls: list[str] = []

    async def handler(request: CheckpointRequest) -> str:
        calls.append(request.node_id)
        return "reject"

    run = await run_flow(REVIEW, checkpoint_handler=handler, answers={"review": "hold"})
    assert run.output("review")["by"] == "answer"
    assert calls == []


async def test_the_handler_wins_over_the_terminal(run_flow: Any, terminal: QueueReader) -> None:
    async def handler(request: CheckpointRequest) -> str:
        return "approve"

    run = await run_flow(REVIEW, checkpoint_handler=handler, interactive=True)
    assert run.output("review")["by"] == "handler"
    assert terminal.shown == []


async def test_non_interactive_runs_take_the_default_at_once(
    run_flow: Any, terminal: QueueReader
) -> None:
    run = await run_flow(REVIEW, interactive=False)
    assert run.output("review") == {
        "action": "approve",
        "timedOut": False,
        "respondedAt": NOW,
        "by": "default",
    }
    assert terminal.shown == []


async def test_the_handler_timeout_uses_the_default(run_flow: Any, clock: ManualClock) -> None:
    cancelled: list[str] = []

    async def handler(request: CheckpointRequest) -> str:
        try:
            await asyncio.Event().wait()  # nobody answers
        except asyncio.CancelledError:
            cancelled.append(request.node_id)
            raise
        return "reject"

    task = asyncio.create_task(run_flow(REVIEW, checkpoint_handler=handler))
    await clock.wait_for_sleepers(1)
    clock.advance(30)
    run = await task
    assert run.output("review") == {
        "action": "approve",
        "timedOut": True,
        "respondedAt": NOW + 30_000,
        "by": "default",
    }
    assert cancelled == ["review"]
    assert run.output("after") == "approve/approve"


async def test_a_timeout_without_default_rejects(run_flow: Any, clock: ManualClock) -> None:
    async def handler(request: CheckpointRequest) -> str:
        await asyncio.Event().wait()
        return "approve"

    flow = REVIEW.replace(' default="approve"', "")
    task = asyncio.create_task(run_flow(flow, checkpoint_handler=handler))
    await clock.wait_for_sleepers(1)
    clock.advance(30)
    run = await task
    assert run.error is not None and run.error.type == "checkpoint.rejected"
    result = run.state.node_results["review"].error["details"]["result"]
    assert result == {
        "action": "reject",
        "timedOut": True,
        "respondedAt": NOW + 30_000,
        "by": "timeout",
    }


async def test_the_terminal_prompt_answers(run_flow: Any, terminal: QueueReader) -> None:
    task = asyncio.create_task(run_flow(REVIEW, interactive=True))
    terminal.replies.put_nowait("nope")
    terminal.replies.put_nowait("i")
    terminal.replies.put_nowait("ship it")
    run = await task
    assert run.output("review") == {
        "action": "input",
        "input": "ship it",
        "timedOut": False,
        "respondedAt": NOW,
        "by": "terminal",
    }
    assert terminal.shown[0] == (
        "Checkpoint review: Ship v1?\n"
        "  [A]pprove / [R]eject / [I]nput / Put on hold\n"
        "  default: approve · times out after 30s"
    )
    assert terminal.asked == ["> ", "> ", "Input: "]


async def test_the_terminal_timeout_uses_the_default(
    run_flow: Any, terminal: QueueReader, clock: ManualClock, until: Any
) -> None:
    task = asyncio.create_task(run_flow(REVIEW, interactive=True))
    await until(lambda: terminal.asked == ["> "])
    await clock.wait_for_sleepers(1)
    clock.advance(30)
    run = await task
    assert run.output("review") == {
        "action": "approve",
        "timedOut": True,
        "respondedAt": NOW + 30_000,
        "by": "default",
    }
    assert terminal.shown[-1] == "\nNo answer within 30s: approve."


async def test_other_nodes_keep_running_while_a_prompt_waits(
    run_flow: Any, terminal: QueueReader, journal: Any, until: Any
) -> None:
    flow = """
    <parallel id="both">
      <branch><checkpoint id="review" prompt="ok?"/></branch>
      <branch><transform id="work" type="gate"/></branch>
    </parallel>
    <transform id="after" type="echo" value="{{ review.action }}"/>
    """
    task = asyncio.create_task(run_flow(flow, interactive=True))
    await until(lambda: terminal.asked == ["> "] and journal.waiting == ["work"])
    journal.open("work")
    await until(lambda: journal.ended("work"))
    assert not task.done()
    terminal.replies.put_nowait("approve")
    run = await task
    assert run.output("after") == "approve"


async def test_one_prompt_at_a_time(run_flow: Any, terminal: QueueReader, until: Any) -> None:
    flow = """
    <parallel id="both">
      <branch><checkpoint id="first" prompt="one?"/></branch>
      <branch><checkpoint id="second" prompt="two?"/></branch>
    </parallel>
    """
    task = asyncio.create_task(run_flow(flow, interactive=True))
    await until(lambda: terminal.asked == ["> "])
    for _ in range(100):  # give the other checkpoint every chance to prompt too
        await asyncio.sleep(0)
    assert [text.splitlines()[0] for text in terminal.shown] == ["Checkpoint first: one?"]
    terminal.replies.put_nowait("a")
    await until(lambda: len(terminal.asked) == 2)
    assert terminal.shown[-1].splitlines()[0] == "Checkpoint second: two?"
    terminal.replies.put_nowait("hold on")
    terminal.replies.put_nowait("r")
    run = await task
    assert run.output("first")["action"] == "approve"
    assert run.error is not None and run.error.node == "second"
    assert run.error.type == "checkpoint.rejected"


async def test_ctrl_c_at_the_prompt_rejects(run_flow: Any, terminal: QueueReader) -> None:
    terminal.replies.put_nowait(KeyboardInterrupt)
    run = await run_flow(REVIEW, interactive=True)
    assert run.error is not None and run.error.type == "checkpoint.rejected"
    assert run.status("after") is None
    assert terminal.shown[-1] == "Interrupted: the checkpoint is rejected."


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("option", "stdin_tty", "stdout_tty", "expected"),
    [
        pytest.param(None, True, True, True, id="both-terminals"),
        pytest.param(None, False, True, False, id="piped-stdin"),
        pytest.param(None, True, False, False, id="redirected-stdout"),
        pytest.param(True, False, False, True, id="forced"),
        pytest.param(False, True, True, False, id="forbidden"),
    ],
)
def test_interactive_is_decided_by_the_option_or_the_terminals(
    monkeypatch: pytest.MonkeyPatch,
    option: bool | None,
    stdin_tty: bool,
    stdout_tty: bool,
    expected: bool,
) -> None:
    monkeypatch.setattr(sys, "stdin", _Stream(stdin_tty))
    monkeypatch.setattr(sys, "stdout", _Stream(stdout_tty))
    session = CheckpointSession(ExecutionOptions(interactive=option))
    assert session.interactive() is expected
