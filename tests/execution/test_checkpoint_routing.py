"""What a checkpoint's decision does (execution.md §7): ``$checkpoint`` downstream, goto routes
(forward, backward, on timeout), rejection handled by fallbacks and ``<on-workflow-error>``,
and pausing a run nobody can answer, then resuming it with an answer."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from flowscript.errors import NodeError
from flowscript.execution import (
    ExecutionOptions,
    ExecutionState,
    ManualClock,
    RunFinished,
    RunStatus,
    load_state,
    resume_workflow,
)
from flowscript.execution.checkpoints import CheckpointRequest
from flowscript.execution.events import NodeCompleted
from flowscript.parser import parse

NOW = 1_700_000_000_000  # ManualClock's start time

REVISE = """
<transform id="draft" type="echo" value="d"/>
<checkpoint id="review" prompt="ok {{ draft }}?">
  <action id="revise" label="Revise" goto="draft"/>
</checkpoint>
<transform id="publish" type="echo" value="{{ $checkpoint.action }} {{ review.action }}"/>
"""


def scripted(*answers: str) -> tuple[Any, list[CheckpointRequest]]:
    """A checkpoint handler giving ``answers`` in turn, and the requests it received."""
    asked: list[CheckpointRequest] = []

    async def handler(request: CheckpointRequest) -> str:
        asked.append(request)
        return answers[len(asked) - 1]

    return handler, asked


async def test_checkpoint_result_is_visible_downstream(run_flow: Any) -> None:
    run = await run_flow(
        """
        <checkpoint id="review" prompt="ok?" allow-input="true"/>
        <if id="check" condition="$checkpoint.input == 'go' &amp;&amp; review.by == 'answer'">
          <then><transform id="yes" type="echo" value="{{ review.input }}!"/></then>
        </if>
        """,
        answers={"review": "input:go"},
    )
    result = {"action": "input", "input": "go", "timedOut": False, "respondedAt": NOW}
    result["by"] = "answer"
    assert run.state.node_context["review"] == {"output": result}
    assert run.output("yes") == "go!"


async def test_a_backward_goto_asks_again(run_flow: Any, journal: Any) -> None:
    handler, asked = scripted("revise", "approve")
    run = await run_flow(REVISE, checkpoint_handler=handler)
    assert run.error is None
    assert [request.node_id for request in asked] == ["review", "review"]
    assert journal.calls() == ["draft", "draft", "publish"]
    assert run.output("publish") == "approve approve"


async def test_a_forward_goto_skips_to_its_target(run_flow: Any, journal: Any) -> None:
    handler, _ = scripted("Ship now")
    run = await run_flow(
        """
        <checkpoint id="review" prompt="polish?">
          <action id="ship" label="Ship now" goto="publish"/>
        </checkpoint>
        <transform id="polish" type="echo" value="p"/>
        <transform id="publish" type="echo" value="{{ review.goto }}"/>
        """,
        checkpoint_handler=handler,
    )
    assert run.output("review")["goto"] == "publish"
    assert run.status("polish") == "skipped"
    assert run.output("publish") == "publish"
    assert journal.calls() == ["publish"]


async def test_a_timeout_goto_routes(run_flow: Any, clock: ManualClock, journal: Any) -> None:
    async def handler(request: CheckpointRequest) -> str:
        await asyncio.Event().wait()
        return "approve"

    task = asyncio.create_task(
        run_flow(
            """
            <checkpoint id="review" prompt="ok?" default="approve">
              <timeout duration="10s" goto="escalate"/>
            </checkpoint>
            <transform id="polish" type="echo" value="p"/>
            <transform id="escalate" type="echo" value="escalated after {{ review.action }}"/>
            """,
            checkpoint_handler=handler,
        )
    )
    await clock.wait_for_sleepers(1)
    clock.advance(10)
    run = await task
    assert run.output("review") == {
        "action": "timeout",
        "timedOut": True,
        "respondedAt": NOW + 10_000,
        "goto": "escalate",
        "by": "timeout",
    }
    assert run.status("polish") == "skipped"
    assert run.output("escalate") == "escalated after timeout"


async def test_a_rejection_is_handled_by_a_fallback(run_flow: Any) -> None:
    run = await run_flow(
        """
        <checkpoint id="review" prompt="ok?">
          <on-error><fallback node="manual"/></on-error>
        </checkpoint>
        <transform id="manual" type="echo" value="{{ $error.type }} ({{ $checkpoint.action }})"/>
        <transform id="after" type="echo" input="review"/>
        """,
        answers={"review": "reject"},
    )
    assert run.error is None
    assert run.status("review") == "recovered"
    assert run.output("after") == "checkpoint.rejected (reject)"


async def test_a_rejection_runs_the_workflow_error_nodes(run_flow: Any) -> None:
    run = await run_flow(
        """
        <checkpoint id="review" prompt="ok?"/>
        <transform id="after" type="echo" input="review"/>
        <on-workflow-error>
          <transform id="notify" type="echo"
              value="{{ $error.node }} {{ $error.type }} {{ $error.details.result.action }}"/>
        </on-workflow-error>
        """,
        answers={"review": "reject"},
    )
    assert run.error is not None and run.error.type == "checkpoint.rejected"
    assert run.output("notify") == "review checkpoint.rejected reject"
    assert run.status("after") is None


PAUSING = """
<transform id="draft" type="echo" value="d"/>
<parallel id="side">
  <branch><transform id="slow" type="gate"/></branch>
</parallel>
<checkpoint id="review" prompt="Ship {{ draft }}?" input="draft">
  <action id="hold" label="Put on hold"/>
</checkpoint>
<transform id="publish" type="echo" value="{{ review.action }} {{ slow }}"/>
<transform id="later" type="echo" input="publish"/>
"""


async def test_nobody_to_answer_pauses_the_run(
    run_flow: Any, journal: Any, until: Any, tmp_path: Path
) -> None:
    events: list[Any] = []
    state_path = tmp_path / "state.json"
    task = asyncio.create_task(
        run_flow(PAUSING, interactive=False, observers=[events.append], persistence_path=state_path)
    )
    await until(lambda: ("review", "pending") in completed(events))
    assert journal.waiting == ["slow"]
    assert not task.done()  # the running gate node is allowed to finish
    journal.open("slow")
    run = await task
    assert run.error is None
    state: ExecutionState = run.state
    assert state.status is RunStatus.PAUSED
    assert state.pending_checkpoint == {
        "node": "review",
        "prompt": "Ship d?",
        "actions": [
            {"id": "approve", "label": "Approve"},
            {"id": "reject", "label": "Reject"},
            {"id": "hold", "label": "Put on hold"},
        ],
        "allowInput": False,
        "default": None,
    }
    assert run.status("review") == "pending"
    assert run.status("slow") == "success"
    assert run.status("publish") is None
    assert journal.calls() == ["draft", "slow"]
    assert run_status(events) == "paused"
    assert (await load_state(state_path)).pending_checkpoint == state.pending_checkpoint


async def test_a_paused_run_resumes_from_the_checkpoint(
    run_flow: Any, journal: Any, registry: Any, clock: ManualClock, tmp_path: Path
) -> None:
    state_path = tmp_path / "state.json"
    journal.open("slow")
    paused = await run_flow(PAUSING, interactive=False, persistence_path=state_path)
    assert paused.state.status is RunStatus.PAUSED
    workflow = parse(flow_text(PAUSING), str(tmp_path / "test.flow.md"))
    options = ExecutionOptions(runtimes=registry, clock=clock, root=tmp_path, interactive=False)
    state = await resume_workflow(workflow, state_path, options, answers={"review": "hold"})
    assert state.status is RunStatus.COMPLETED
    assert state.pending_checkpoint is None
    assert state.output_of("review")["by"] == "answer"
    assert state.output_of("publish") == "hold slow"
    assert journal.calls() == ["draft", "slow", "publish", "later"]


async def test_an_answer_given_in_advance_that_loops_back_is_used_once(
    run_flow: Any, journal: Any, registry: Any, clock: ManualClock, tmp_path: Path
) -> None:
    state_path = tmp_path / "state.json"
    run = await run_flow(
        REVISE, answers={"review": "revise"}, interactive=False, persistence_path=state_path
    )
    assert run.state.status is RunStatus.PAUSED
    assert journal.calls() == ["draft", "draft"]
    workflow = parse(flow_text(REVISE), str(tmp_path / "test.flow.md"))
    options = ExecutionOptions(runtimes=registry, clock=clock, root=tmp_path, interactive=False)
    state = await resume_workflow(workflow, state_path, options, answers={"review": "approve"})
    assert state.output_of("publish") == "approve approve"
    assert journal.calls() == ["draft", "draft", "publish"]


async def test_a_failure_wins_over_a_pause(run_flow: Any) -> None:
    run = await run_flow(
        """
        <parallel id="both">
          <branch><transform id="broken" type="fail"/></branch>
          <branch><checkpoint id="review" prompt="ok?"/></branch>
        </parallel>
        """,
        interactive=False,
    )
    assert run.status("review") == "pending"  # it paused while "broken" was running
    assert isinstance(run.error, NodeError) and run.error.node == "broken"
    assert run.state.status is RunStatus.FAILED
    assert run.state.pending_checkpoint is None


def run_status(events: list[Any]) -> str | None:
    finished = [event for event in events if isinstance(event, RunFinished)]
    return finished[-1].status if finished else None


def completed(events: list[Any]) -> list[tuple[str, str]]:
    return [(e.node_id, e.status) for e in events if isinstance(e, NodeCompleted)]


def flow_text(body: str) -> str:
    return f"---\nname: test-flow\nversion: '1.0'\n---\n<workflow>\n{body}\n</workflow>\n"
