"""Scopes of a workflow (execution.md §2.1)."""

from __future__ import annotations

import pytest

from flowscript.graph import ROOT, WORKFLOW_ERROR, WorkflowGraph, analyze
from flowscript.parser import parse

FLOW = """---
name: scopes
version: 1.0.0
---
<workflow>
  <source id="start" type="file" path="in.json"/>
  <if id="gate" condition="start.ok">
    <then>
      <transform id="yes" type="template" template="y"/>
    </then>
    <else>
      <transform id="no" type="template" template="n"/>
    </else>
  </if>
  <branch id="route">
    <case when="start.kind == 'a'">
      <transform id="route-a" type="template" template="a"/>
    </case>
    <case when="start.kind == 'b'">
      <transform id="route-b" type="template" template="b"/>
    </case>
    <default>
      <transform id="route-other" type="template" template="o"/>
    </default>
  </branch>
  <loop id="refine" max="3">
    <transform id="draft" type="template" template="d"/>
    <foreach id="each" collection="start.items">
      <transform id="per-item" type="template" template="{{ item }}"/>
    </foreach>
  </loop>
  <parallel id="race">
    <branch>
      <transform id="left" type="template" template="l"/>
    </branch>
    <branch>
      <transform id="right" type="template" template="r"/>
    </branch>
  </parallel>
  <timeout id="limit" duration="5s">
    <delay id="wait" duration="1s"/>
  </timeout>
  <phase name="finish">
    <sink id="save" type="file" path="out.json"/>
  </phase>
  <on-workflow-error>
    <sink id="alert" type="file" path="err.json"/>
  </on-workflow-error>
</workflow>
"""


@pytest.fixture(scope="module")
def graph() -> WorkflowGraph:
    return analyze(parse(FLOW, "scopes.flow.md"))


def test_scope_keys_in_discovery_order(graph: WorkflowGraph) -> None:
    assert list(graph.scopes) == [
        ROOT,
        "gate/then",
        "gate/else",
        "route/case[0]",
        "route/case[1]",
        "route/default",
        "refine/body",
        "each/body",
        "race/branch[0]",
        "race/branch[1]",
        "limit/body",
        "finish/body",
        WORKFLOW_ERROR,
    ]


def test_root_scope_lists_top_level_nodes_in_document_order(graph: WorkflowGraph) -> None:
    root = graph.scopes[ROOT]
    assert root.ids == ("start", "gate", "route", "refine", "race", "limit", "finish")
    assert (root.parent, root.path, root.body, root.repeats) == (None, (ROOT,), ROOT, False)


@pytest.mark.parametrize(
    ("key", "parent", "body", "ids", "path", "repeats"),
    [
        ("gate/then", "gate", "then", ("yes",), (ROOT, "gate/then"), False),
        ("gate/else", "gate", "else", ("no",), (ROOT, "gate/else"), False),
        ("route/case[1]", "route", "case[1]", ("route-b",), (ROOT, "route/case[1]"), False),
        ("route/default", "route", "default", ("route-other",), (ROOT, "route/default"), False),
        ("refine/body", "refine", "body", ("draft", "each"), (ROOT, "refine/body"), True),
        ("each/body", "each", "body", ("per-item",), (ROOT, "refine/body", "each/body"), False),
        ("race/branch[1]", "race", "branch[1]", ("right",), (ROOT, "race/branch[1]"), False),
        ("limit/body", "limit", "body", ("wait",), (ROOT, "limit/body"), False),
        ("finish/body", "finish", "body", ("save",), (ROOT, "finish/body"), False),
        (WORKFLOW_ERROR, None, WORKFLOW_ERROR, ("alert",), (WORKFLOW_ERROR,), False),
    ],
    ids=lambda v: str(v),
)
def test_child_scopes(
    graph: WorkflowGraph,
    key: str,
    parent: str | None,
    body: str,
    ids: tuple[str, ...],
    path: tuple[str, ...],
    repeats: bool,
) -> None:
    scope = graph.scopes[key]
    assert (scope.parent, scope.body, scope.ids, scope.path, scope.repeats) == (
        parent,
        body,
        ids,
        path,
        repeats,
    )


def test_enclosing_and_scope_of(graph: WorkflowGraph) -> None:
    assert graph.enclosing["start"] is None
    assert graph.enclosing["per-item"] == "each"
    assert graph.enclosing["each"] == "refine"
    assert graph.enclosing["alert"] is None
    assert graph.scope_of("per-item").key == "each/body"
    assert graph.scope_of("alert").key == WORKFLOW_ERROR
    assert graph.ancestors("per-item") == ("each", "refine")
    assert graph.ancestors("start") == ()
    with pytest.raises(KeyError, match="nope"):
        graph.scope_of("nope")


def test_every_node_is_in_exactly_one_scope(graph: WorkflowGraph) -> None:
    listed = [node_id for scope in graph.scopes.values() for node_id in scope.ids]
    walked = [node.id for node in graph.workflow.walk()]
    assert sorted(listed) == sorted(walked)
    assert len(listed) == len(set(listed))


def test_an_empty_workflow_has_two_empty_scopes() -> None:
    graph = analyze(parse("---\nname: e\nversion: 1.0.0\n---\n<workflow/>\n", "e.flow.md"))
    assert [(key, scope.ids) for key, scope in graph.scopes.items()] == [
        (ROOT, ()),
        (WORKFLOW_ERROR, ()),
    ]
    assert graph.waves() == ()
    assert graph.cycles == ()
