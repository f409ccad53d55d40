"""Which results a resumed run keeps (execution.md §9.3), on plans without running anything."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.execution._completed import completed_results, is_kept
from flowscript.execution._resume_plan import forced_nodes, plan_resume, prune_results
from flowscript.execution.state import NodeResult, NodeStatus, create_execution_state
from flowscript.parser import parse
from flowscript.planning import ExecutionPlan, build_execution_plan

FLOW = """---
name: rules
version: "1.0"
---
<workflow>
  <transform id="a" type="echo" value="1"/>
  <transform id="p" type="fail">
    <on-error><fallback node="rescue"/></on-error>
  </transform>
  <transform id="rescue" type="echo" value="saved"/>
  <if id="check" condition="true">
    <then><transform id="inside" type="echo" value="in"/></then>
  </if>
  <loop id="again" max="3">
    <transform id="body" type="echo" value="b"/>
  </loop>
  <call id="child" workflow="child.flow.md"/>
  <transform id="last" type="echo" input="a"/>
</workflow>
"""


def _plan() -> ExecutionPlan:
    return build_execution_plan(parse(FLOW))


def _result(status: str, **details: Any) -> NodeResult:
    return NodeResult(status=NodeStatus(status), output=status, details=details or None)


@pytest.mark.parametrize(
    ("result", "kept"),
    [
        (_result("success"), True),
        (_result("recovered"), True),
        (_result("skipped", reason="goto"), True),
        (_result("skipped", cancelled=True, reason="timeout"), False),
        (_result("failed"), False),
        (_result("pending", interrupted=True), False),
        (_result("running"), False),
    ],
    ids=["success", "recovered", "skipped", "skipped-cancelled", "failed", "pending", "running"],
)
def test_which_statuses_are_kept(result: NodeResult, kept: bool) -> None:
    assert is_kept(result) is kept


def test_kept_results_skip_handlers_loop_bodies_and_child_flows() -> None:
    results = {
        key: _result("success") for key in ("a", "rescue", "inside", "body", "child/x", "last")
    }
    results["p"] = _result("recovered")
    results["check"] = _result("failed")
    results["again"] = _result("failed")
    assert list(completed_results(_plan(), results)) == ["a", "p", "inside", "last"]


def test_a_kept_node_keeps_its_body_and_excluded_nodes_are_searched() -> None:
    results = {"check": _result("success"), "inside": _result("success")}
    assert list(completed_results(_plan(), results)) == ["check"]
    assert list(completed_results(_plan(), results, exclude={"check"})) == ["inside"]


def test_an_empty_state_keeps_nothing() -> None:
    assert completed_results(_plan(), {}) == {}


def test_pruning_keeps_exactly_what_the_resumed_run_keeps() -> None:
    plan = _plan()
    state = create_execution_state("rules")
    for key in ("a", "rescue", "check", "inside", "body", "child/x", "last"):
        state.node_results[key] = _result("success")
        state.node_context[key] = {"output": "success"}
    state.node_results["p"] = NodeResult(status=NodeStatus.RECOVERED, fallback="rescue")
    state.node_results["again"] = _result("failed")
    state.node_results["child"] = _result("failed")
    forced = forced_nodes(plan, "last")
    resume = plan_resume(plan, state, forced=forced)
    assert resume.kept == ("a", "p", "check")
    assert [(s.node_id, s.reason) for s in resume.steps] == [
        ("again", "failed"),
        ("body", "restarts with again"),
        ("child", "failed"),
        ("last", "forced by --from"),
    ]
    prune_results(plan, state, resume)
    assert list(state.node_results) == ["a", "rescue", "check", "inside", "p"]
    assert list(state.node_context) == ["a", "rescue", "check", "inside"]


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ("rescue", "is a fallback or on-timeout handler"),
        ("nope", "the workflow has no node 'nope'"),
    ],
    ids=["handler", "unknown"],
)
def test_from_must_name_a_scheduled_node(node: str, message: str) -> None:
    from flowscript.errors import ResumeError

    with pytest.raises(ResumeError, match=message):
        forced_nodes(_plan(), node)


def test_forcing_a_control_node_forces_its_whole_body() -> None:
    assert forced_nodes(_plan(), "again") == {
        "again": "forced by --from",
        "body": "inside again",
    }
    assert forced_nodes(_plan(), "a") == {"a": "forced by --from", "last": "downstream of a"}
