"""``<checkpoint>`` without a terminal: condition, pre-supplied answers, default, goto, pause."""

from __future__ import annotations

from typing import Any

import pytest

NOW = 1_700_000_000_000  # ManualClock's start time


async def test_falsy_condition_approves_without_asking(run_flow: Any) -> None:
    run = await run_flow(
        """
        <checkpoint id="review" prompt="ok?" condition="$input.risky"/>
        <transform id="next" type="echo" input="review"/>
        """,
        input={"risky": False},
    )
    assert run.output("review") == {
        "action": "approve",
        "timedOut": False,
        "respondedAt": NOW,
        "skipped": True,
    }
    assert run.output("next")["action"] == "approve"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        pytest.param("approve", {"action": "approve"}, id="approve"),
        pytest.param("APPROVE", {"action": "approve"}, id="case-insensitive"),
        pytest.param("input:ship it", {"action": "input", "input": "ship it"}, id="input"),
        pytest.param("hold", {"action": "hold"}, id="custom-action"),
        pytest.param("Put on hold", {"action": "hold"}, id="action-label"),
    ],
)
async def test_pre_supplied_answers(run_flow: Any, answer: str, expected: dict[str, Any]) -> None:
    run = await run_flow(
        """
        <checkpoint id="review" prompt="ok?">
          <action id="hold" label="Put on hold"/>
        </checkpoint>
        <transform id="after" type="echo" value="{{ $checkpoint.action }}/{{ review.action }}"/>
        """,
        answers={"review": answer},
    )
    assert run.error is None
    result = run.output("review")
    assert result == {**expected, "timedOut": False, "respondedAt": NOW, "by": "answer"}
    assert run.output("after") == f"{expected['action']}/{expected['action']}"


async def test_reject_fails_with_checkpoint_rejected(run_flow: Any) -> None:
    run = await run_flow(
        """
        <checkpoint id="review" prompt="ok?"/>
        <transform id="after" type="echo" input="review"/>
        """,
        answers={"review": "reject"},
    )
    assert run.error is not None
    assert run.error.type == "checkpoint.rejected"
    assert run.error.retryable is False
    assert run.state.node_results["review"].error["details"]["result"]["action"] == "reject"
    assert run.status("after") is None


async def test_default_action_is_used_without_an_answer(run_flow: Any) -> None:
    run = await run_flow('<checkpoint id="review" prompt="ok?" default="approve"/>')
    assert run.output("review")["by"] == "default"
    assert run.output("review")["action"] == "approve"


async def test_no_answer_and_no_default_pauses_the_run(run_flow: Any) -> None:
    run = await run_flow('<checkpoint id="review" prompt="ok?"/>', interactive=False)
    assert run.error is None
    assert run.state.status.value == "paused"
    assert run.state.pending_checkpoint is not None
    assert run.state.pending_checkpoint["node"] == "review"
    assert run.status("review") == "pending"


async def test_unknown_answer_is_an_error(run_flow: Any) -> None:
    run = await run_flow('<checkpoint id="review" prompt="ok?"/>', answers={"review": "maybe"})
    assert run.error is not None
    assert run.error.type == "checkpoint.invalid_answer"
    assert "approve, reject, input:TEXT" in run.error.message


async def test_action_with_goto_routes_forward(run_flow: Any, journal: Any) -> None:
    run = await run_flow(
        """
        <transform id="draft" type="echo" value="d"/>
        <checkpoint id="review" prompt="polish it?">
          <action id="ship" label="Ship now" goto="publish"/>
        </checkpoint>
        <transform id="polish" type="echo" input="draft"/>
        <transform id="publish" type="echo" value="published {{ draft }}"/>
        """,
        answers={"review": "ship"},
    )
    assert run.error is None
    assert run.output("review")["goto"] == "publish"
    assert run.status("polish") == "skipped"
    assert run.output("publish") == "published d"
    assert journal.calls() == ["draft", "publish"]


async def test_reject_with_goto_routes_instead_of_failing(run_flow: Any) -> None:
    run = await run_flow(
        """
        <checkpoint id="review" prompt="ok?">
          <action id="reject" goto="cleanup"/>
        </checkpoint>
        <transform id="work" type="echo" value="w"/>
        <transform id="cleanup" type="echo" value="c"/>
        """,
        answers={"review": "reject"},
    )
    assert run.error is None
    assert run.status("work") == "skipped"
    assert run.output("cleanup") == "c"
