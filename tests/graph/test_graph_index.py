"""Facts the analysis computes once and shares: every node in walk order, each node's texts."""

from __future__ import annotations

from flowscript.graph import analyze, node_texts
from flowscript.graph._scopes import walk_nodes
from flowscript.model import Workflow
from flowscript.parser import parse

BODY = """
  <source id="a" type="file" path="{{ $config.dir }}/a.json"/>
  <if id="check" condition="length(a) > 0">
    <then>
      <foreach id="each" collection="a" item="row">
        <set id="seen" var="last" value="{{ row }}"/>
      </foreach>
    </then>
    <else><set id="none" var="last" value="0"/></else>
  </if>
  <transform id="a" type="template" template="duplicate id"/>
  <on-workflow-error>
    <transform id="report" type="template" template="{{ $error.message }}"/>
  </on-workflow-error>
"""


def _workflow() -> Workflow:
    text = f"---\nname: idx\nversion: 1.0.0\nconfig:\n  dir: x\n---\n<workflow>{BODY}</workflow>\n"
    return parse(text, "idx.flow.md")


def test_all_nodes_is_the_walk_order_duplicates_and_handlers_included() -> None:
    workflow = _workflow()
    graph = analyze(workflow)
    assert [node.id for node in graph.all_nodes] == [
        "a",
        "check",
        "each",
        "seen",
        "none",
        "a",
        "report",
    ]
    assert all(a is b for a, b in zip(graph.all_nodes, workflow.walk(), strict=True))


def test_walk_nodes_visits_bodies_depth_first_in_document_order() -> None:
    workflow = _workflow()
    check = workflow.nodes[1]
    assert [node.id for node in walk_nodes((check,))] == ["check", "each", "seen", "none"]
    assert walk_nodes(()) == []


def test_texts_of_is_node_texts_computed_once() -> None:
    workflow = _workflow()
    graph = analyze(workflow)
    for node in workflow.walk():
        assert graph.texts_of(node) == tuple(node_texts(node))
        assert graph.texts_of(node) is graph.texts_of(node)
    first = workflow.nodes[0]
    assert [(field, text.value, role) for field, text, role in graph.texts_of(first)] == [
        ("path", "{{ $config.dir }}/a.json", "template")
    ]


def test_texts_of_a_node_from_elsewhere_is_computed_on_demand() -> None:
    graph = analyze(_workflow())
    stranger = _workflow().nodes[1]
    assert graph.texts_of(stranger) == tuple(node_texts(stranger))


def test_ancestors_of_nested_and_top_level_nodes() -> None:
    graph = analyze(_workflow())
    assert graph.ancestors("seen") == ("each", "check")
    assert graph.ancestors("check") == ()
    assert graph.ancestors("unknown") == ()
