"""Per-scope dependencies, feedback, handlers and cycles (execution.md §2.2)."""

from __future__ import annotations

import pytest

from flowscript.graph import WorkflowGraph, analyze
from flowscript.parser import parse


def graph_of(body: str, frontmatter: str = "") -> WorkflowGraph:
    text = f"---\nname: deps\nversion: 1.0.0\n{frontmatter}---\n<workflow>\n{body}\n</workflow>\n"
    return analyze(parse(text, "deps.flow.md"))


def deps(graph: WorkflowGraph) -> dict[str, tuple[str, ...]]:
    return {node_id: d.dependencies for node_id, d in graph.deps.items()}


def test_input_and_template_references_are_dependencies() -> None:
    graph = graph_of(
        """
  <source id="a" type="file" path="a.json"/>
  <source id="b" type="file" path="{{ a.next }}"/>
  <transform id="c" input="b" template="{{ a.x }} and {{ b }}"/>
  <transform id="d" input="a, c" template="x"/>
  <transform id="e" input="c.output" template="x"/>
"""
    )
    assert deps(graph) == {
        "a": (),
        "b": ("a",),
        "c": ("a", "b"),
        "d": ("a", "c"),
        "e": ("c",),
    }


def test_expression_fields_of_map_filter_reduce_are_read_as_expressions() -> None:
    graph = graph_of(
        """
  <source id="a" type="file" path="a.json"/>
  <source id="b" type="file" path="b.json"/>
  <transform id="m" type="map" input="a" expression="item.x + b.offset"/>
  <transform id="f" type="filter" input="m" condition="item > limit.value"/>
  <set var="limit" value="3"/>
"""
    )
    assert graph.dependencies("m") == ("a", "b")
    assert graph.dependencies("f") == ("m", "limit")


def test_hyphenated_ids_and_output_suffix() -> None:
    graph = graph_of(
        """
  <source id="fetch-joke" type="file" path="j.json"/>
  <transform id="show" template="{{ fetch-joke.output.text }}"/>
  <transform id="count" template="{{ fetch-joke.items.length - 1 }}"/>
"""
    )
    assert graph.dependencies("show") == ("fetch-joke",)
    assert graph.dependencies("count") == ("fetch-joke",)


def test_arrow_parameters_shadow_node_ids() -> None:
    graph = graph_of(
        """
  <source id="a" type="file" path="a.json"/>
  <source id="items" type="file" path="i.json"/>
  <transform id="t" template="{{ map(items, a => a.x) }}"/>
"""
    )
    assert graph.dependencies("t") == ("items",)


def test_reference_to_a_nested_node_waits_for_its_enclosing_node() -> None:
    graph = graph_of(
        """
  <source id="start" type="file" path="in.json"/>
  <parallel id="race">
    <branch>
      <transform id="filter_high" input="start" template="x"/>
    </branch>
  </parallel>
  <transform id="after" template="{{ filter_high }}"/>
"""
    )
    assert graph.dependencies("after") == ("race",)
    assert graph.dependencies("race") == ("start",)
    assert graph.dependencies("filter_high") == ()
    assert graph.deps["filter_high"].external == ("start",)


def test_control_node_depends_on_what_its_body_reads_from_outside() -> None:
    graph = graph_of(
        """
  <source id="cfg" type="file" path="c.json"/>
  <source id="data" type="file" path="d.json"/>
  <if id="gate" condition="data.ok">
    <then>
      <delay id="pause" duration="{{ cfg.wait }}"/>
      <transform id="use" input="pause" template="{{ data.x }}"/>
    </then>
  </if>
"""
    )
    assert graph.dependencies("gate") == ("cfg", "data")
    assert graph.dependencies("use") == ("pause",)
    assert graph.deps["use"].external == ("data",)
    assert graph.deps["pause"].external == ("cfg",)


def test_references_to_itself_and_its_descendants_are_not_dependencies() -> None:
    graph = graph_of(
        """
  <loop id="again" max="3" break="again.done || inner.stop">
    <transform id="inner" template="{{ inner.count }}"/>
  </loop>
"""
    )
    assert graph.dependencies("again") == ()
    assert graph.dependencies("inner") == ()
    assert graph.deps["inner"].external == ()


def test_input_to_a_later_node_of_a_loop_body_is_feedback() -> None:
    graph = graph_of(
        """
  <loop id="refine" max="3" break="critique.ok">
    <transform id="draft" input="critique" template="{{ $iteration }}"/>
    <transform id="critique" input="draft" template="c"/>
  </loop>
"""
    )
    assert graph.deps["draft"].feedback == ("critique",)
    assert graph.dependencies("draft") == ()
    assert graph.dependencies("critique") == ("draft",)
    assert graph.cycles == ()
    assert graph.waves("refine/body") == (("draft",), ("critique",))


def test_feedback_applies_to_input_only_and_to_loop_and_while_bodies_only() -> None:
    graph = graph_of(
        """
  <loop id="l" max="2">
    <transform id="a" template="{{ b }}"/>
    <transform id="b" input="a" template="b"/>
  </loop>
  <foreach id="f" collection="[1, 2]">
    <transform id="c" input="d" template="c"/>
    <transform id="d" template="d"/>
  </foreach>
"""
    )
    assert [str(cycle) for cycle in graph.cycles] == ["a -> b -> a"]
    assert graph.deps["c"].feedback == ()
    assert graph.dependencies("c") == ("d",)


def test_cycles_are_reported_per_scope_with_their_path() -> None:
    graph = graph_of(
        """
  <transform id="a" input="c" template="a"/>
  <transform id="b" input="a" template="b"/>
  <transform id="c" input="b" template="c"/>
  <transform id="ok" template="fine"/>
  <if id="gate" condition="true">
    <then>
      <transform id="x" template="{{ y }}"/>
      <transform id="y" template="{{ x }}"/>
    </then>
  </if>
"""
    )
    assert [(cycle.scope, cycle.path) for cycle in graph.cycles] == [
        ("root", ("a", "c", "b", "a")),
        ("gate/then", ("x", "y", "x")),
    ]
    assert str(graph.cycles[0]) == "a -> c -> b -> a"
    assert graph.waves() == (("ok", "gate"),)


def test_handlers_are_recorded_and_not_scheduled() -> None:
    graph = graph_of(
        """
  <source id="fetch" type="http" url="https://example.com">
    <on-error>
      <fallback node="cached"/>
    </on-error>
  </source>
  <source id="cached" type="file" path="cache.json"/>
  <timeout id="limit" duration="5s" on-timeout="late">
    <delay id="slow" duration="10s"/>
  </timeout>
  <transform id="late" template="too slow"/>
  <transform id="show" input="fetch" template="x"/>
"""
    )
    assert {h: [(u.serves, u.kind) for u in uses] for h, uses in graph.handlers.items()} == {
        "cached": [("fetch", "fallback")],
        "late": [("limit", "on-timeout")],
    }
    assert graph.is_handler("cached") and not graph.is_handler("fetch")
    assert graph.waves() == (("fetch", "limit"), ("show",))


def test_variables_set_earlier_in_the_scope_are_waited_for() -> None:
    graph = graph_of(
        """
  <context id="settings">
    <set key="mode" value="fast"/>
  </context>
  <transform id="by-name" template="{{ mode }}"/>
  <transform id="by-context" template="{{ $context.mode }}"/>
  <transform id="before-later" template="{{ later }}"/>
  <set id="later-set" var="later" value="1"/>
"""
    )
    assert graph.dependencies("by-name") == ("settings",)
    assert graph.dependencies("by-context") == ("settings",)
    assert graph.dependencies("before-later") == ()


def test_phases_run_in_document_order() -> None:
    graph = graph_of(
        """
  <phase name="one">
    <transform id="a" template="a"/>
  </phase>
  <transform id="free" template="f"/>
  <phase name="two">
    <transform id="b" template="b"/>
  </phase>
  <phase name="three">
    <transform id="c" template="c"/>
  </phase>
"""
    )
    assert [graph.deps[p].after for p in ("one", "free", "two", "three")] == [
        (),
        (),
        ("one",),
        ("two",),
    ]
    assert graph.dependencies("two") == ()
    assert graph.waves() == (("one", "free"), ("two",), ("three",))


def test_retry_durations_and_when_expressions_are_read() -> None:
    graph = graph_of(
        """
  <source id="cfg" type="file" path="c.json"/>
  <source id="policy" type="file" path="p.json"/>
  <source id="fetch" type="http" url="https://example.com">
    <on-error>
      <retry max="2" delay="{{ cfg.delay }}" when="$error.status == policy.status"/>
    </on-error>
  </source>
"""
    )
    assert graph.dependencies("fetch") == ("cfg", "policy")


def test_unparseable_text_contributes_nothing() -> None:
    graph = graph_of(
        """
  <source id="a" type="file" path="a.json"/>
  <transform id="b" template="{{ a. }}"/>
  <transform id="c" template="{{ a"/>
"""
    )
    assert graph.dependencies("b") == ()
    assert graph.dependencies("c") == ()


def test_references_record_where_they_are() -> None:
    graph = graph_of(
        """
  <source id="a" type="file" path="a.json"/>
  <transform id="b" input="a" template="x {{ a.y }}"/>
"""
    )
    refs = [(r.target, r.via, r.field, r.offset, r.span.line) for r in graph.deps["b"].references]
    assert refs == [("a", "input", "input", 0, 8), ("a", "expression", "template", 5, 8)]


@pytest.mark.parametrize("node_id", ["a", "b"])
def test_unknown_ids_are_not_dependencies(node_id: str) -> None:
    graph = graph_of(
        """
  <transform id="a" input="ghost" template="{{ phantom.x }}"/>
  <transform id="b" template="{{ nothing }}"/>
"""
    )
    assert graph.dependencies(node_id) == ()
    assert graph.deps[node_id].external == ()
