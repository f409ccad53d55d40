"""build_execution_plan: per-scope DAGs, waves, phases, handlers, barriers, describe()."""

from __future__ import annotations

import pytest

from flowscript.errors import WorkflowValidationError
from flowscript.graph import analyze
from flowscript.parser import parse
from flowscript.planning import ExecutionPlan, ScopePlan, build_execution_plan


def plan_of(body: str) -> ExecutionPlan:
    text = f"---\nname: plan-test\nversion: '1.0'\n---\n<workflow>\n{body}\n</workflow>\n"
    return build_execution_plan(parse(text, "plan.flow.md"))


def test_root_waves_follow_dependencies_in_document_order() -> None:
    plan = plan_of(
        """
        <transform id="a" type="template" template="1"/>
        <transform id="b" type="template" template="2"/>
        <transform id="c" type="template" input="a" template="{{ input }}"/>
        <transform id="d" type="template" template="{{ b }} {{ c }}"/>
        """
    )
    assert plan.waves == [["a", "b"], ["c"], ["d"]]
    assert plan.root.deps == {"a": (), "b": (), "c": ("a",), "d": ("b", "c")}
    assert plan.root.dependents["a"] == ("c",)
    assert plan.root.wave_of == {"a": 0, "b": 0, "c": 1, "d": 2}


def test_empty_workflow_has_no_waves() -> None:
    plan = plan_of("")
    assert plan.waves == []
    assert plan.root.nodes == ()
    assert plan.describe()["nodes"] == {}


def test_reference_to_nested_node_waits_for_its_enclosing_node() -> None:
    plan = plan_of(
        """
        <parallel id="par">
          <branch><transform id="inner" type="template" template="x"/></branch>
        </parallel>
        <transform id="after" type="template" template="{{ inner }}"/>
        """
    )
    assert plan.root.deps["after"] == ("par",)
    assert plan.waves == [["par"], ["after"]]
    assert plan.body("par", "branch[0]").ids == ("inner",)


def test_phases_run_in_document_order_nodes_outside_by_dependencies() -> None:
    plan = plan_of(
        """
        <phase name="one"><transform id="a" type="template" template="1"/></phase>
        <transform id="free" type="template" template="f"/>
        <phase name="two"><transform id="b" type="template" template="2"/></phase>
        <phase name="three"><transform id="c" type="template" template="3"/></phase>
        """
    )
    assert plan.root.deps["two"] == ("one",)
    assert plan.root.deps["three"] == ("two",)
    assert plan.root.deps["free"] == ()
    assert plan.waves == [["one", "free"], ["two"], ["three"]]


def test_handlers_are_kept_out_of_scheduling() -> None:
    plan = plan_of(
        """
        <transform id="main" type="template" template="x">
          <on-error><fallback node="backup"/></on-error>
        </transform>
        <transform id="backup" type="template" template="y"/>
        <timeout id="guard" duration="1s" on-timeout="late">
          <transform id="slow" type="template" template="z"/>
        </timeout>
        <transform id="late" type="template" template="late"/>
        """
    )
    assert plan.root.ids == ("main", "guard")
    assert set(plan.handlers) == {"backup", "late"}
    assert plan.root.members == frozenset({"main", "backup", "guard", "late"})
    assert plan.waves == [["main", "guard"]]
    described = plan.describe()["handlers"]
    assert described == {
        "backup": {"kind": "transform:template", "serves": ["main"]},
        "late": {"kind": "transform:template", "serves": ["guard"]},
    }


def test_goto_is_a_barrier_in_its_scope() -> None:
    plan = plan_of(
        """
        <transform id="a" type="template" template="1"/>
        <transform id="b" type="template" template="2"/>
        <goto node="a" when="false"/>
        <transform id="c" type="template" template="3"/>
        <transform id="d" type="template" template="4"/>
        """
    )
    goto = next(node.id for node in plan.root.nodes if node.tag == "goto")
    assert set(plan.root.deps[goto]) == {"a", "b"}
    assert plan.root.deps["c"] == (goto,)
    assert plan.root.deps["d"] == (goto,)
    assert plan.waves == [["a", "b"], [goto], ["c", "d"]]


def test_barrier_never_closes_a_cycle_with_a_forward_reference() -> None:
    plan = plan_of(
        """
        <transform id="early" type="template" template="{{ late }}"/>
        <goto node="late" when="false"/>
        <transform id="late" type="template" template="x"/>
        """
    )
    goto = plan.root.ids[1]
    assert plan.root.deps["early"] == ("late",)
    assert goto not in plan.root.deps["late"]  # the goto waits for early, which needs late
    assert plan.root.deps[goto] == ("early",)
    assert plan.waves == [["late"], ["early"], [goto]]


def test_checkpoint_with_goto_action_is_a_barrier_plain_one_is_not() -> None:
    plan = plan_of(
        """
        <transform id="a" type="template" template="1"/>
        <checkpoint id="plain" prompt="ok?"/>
        <checkpoint id="routing" prompt="again?">
          <action id="redo" goto="a"/>
        </checkpoint>
        <transform id="z" type="template" template="2"/>
        """
    )
    assert plan.root.deps["plain"] == ()
    assert set(plan.root.deps["routing"]) == {"a", "plain"}
    assert plan.root.deps["z"] == ("routing",)


def test_loop_feedback_edges_are_not_dependencies() -> None:
    plan = plan_of(
        """
        <loop id="refine" max="3">
          <transform id="draft" type="template" input="critique" template="d"/>
          <transform id="critique" type="template" input="draft" template="c"/>
        </loop>
        """
    )
    body = plan.body("refine", "body")
    assert body.repeats is True
    assert body.deps == {"draft": (), "critique": ("draft",)}
    assert body.feedback["draft"] == frozenset({"critique"})
    assert body.waves == (("draft",), ("critique",))


def test_bodies_are_addressed_by_owner_and_name() -> None:
    plan = plan_of(
        """
        <if id="i" condition="true">
          <then><transform id="t" type="template" template="1"/></then>
          <else><transform id="e" type="template" template="2"/></else>
        </if>
        <branch id="br">
          <case when="true"><transform id="c0" type="template" template="1"/></case>
          <default><transform id="d0" type="template" template="2"/></default>
        </branch>
        """
    )
    assert plan.body("i", "then").ids == ("t",)
    assert plan.body("i", "else").ids == ("e",)
    assert plan.body("br", "case[0]").ids == ("c0",)
    assert isinstance(plan.body("br", "default"), ScopePlan)
    assert plan.body("br", "default").owner == "br"


def test_describe_lists_waves_kinds_and_dependencies() -> None:
    plan = plan_of(
        """
        <source id="load" type="file" path="in.json"/>
        <foreach id="each" collection="load">
          <transform id="shape" type="template" template="{{ item }}"/>
        </foreach>
        <sink id="save" type="file" path="out.json" input="each"/>
        """
    )
    assert plan.describe() == {
        "workflow": "plan-test",
        "waves": [["load"], ["each"], ["save"]],
        "nodes": {
            "load": {"kind": "file:source", "scope": "root", "wave": 0, "dependencies": []},
            "each": {"kind": "foreach", "scope": "root", "wave": 1, "dependencies": ["load"]},
            "save": {"kind": "file:sink", "scope": "root", "wave": 2, "dependencies": ["each"]},
            "shape": {
                "kind": "transform:template",
                "scope": "each/body",
                "wave": 0,
                "dependencies": [],
            },
        },
        "scopes": {"each/body": {"owner": "each", "body": "body", "waves": [["shape"]]}},
        "handlers": {},
    }


def test_cycle_is_a_validation_error() -> None:
    with pytest.raises(WorkflowValidationError, match=r"circular dependency: a -> b -> a"):
        plan_of(
            """
            <transform id="a" type="template" input="b" template="1"/>
            <transform id="b" type="template" input="a" template="2"/>
            """
        )


def test_given_graph_is_used() -> None:
    text = (
        "---\nname: g\nversion: '1.0'\n---\n<workflow><transform id='a' template='1'/></workflow>"
    )
    workflow = parse(text, "g.flow.md")
    graph = analyze(workflow)
    plan = build_execution_plan(workflow, graph=graph)
    assert plan.graph is graph
    assert plan.node_ids == frozenset({"a"})


def test_wrong_argument_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="expects a Workflow"):
        build_execution_plan("not a workflow")  # type: ignore[arg-type]
