"""Waves (execution.md §2.3)."""

from __future__ import annotations

from flowscript.graph import WorkflowGraph, analyze
from flowscript.parser import parse


def graph_of(body: str) -> WorkflowGraph:
    text = f"---\nname: waves\nversion: 1.0.0\n---\n<workflow>\n{body}\n</workflow>\n"
    return analyze(parse(text, "waves.flow.md"))


def test_waves_follow_dependencies_in_document_order() -> None:
    graph = graph_of(
        """
  <transform id="d" input="b, c" template="d"/>
  <source id="a" type="file" path="a.json"/>
  <transform id="b" input="a" template="b"/>
  <source id="c" type="file" path="c.json"/>
  <transform id="e" template="{{ d }} {{ a }}"/>
"""
    )
    assert graph.waves() == (("a", "c"), ("b",), ("d",), ("e",))


def test_nested_scopes_have_their_own_waves() -> None:
    graph = graph_of(
        """
  <source id="top" type="file" path="t.json"/>
  <foreach id="each" collection="top.items">
    <transform id="one" template="{{ item }}"/>
    <transform id="two" input="one" template="x"/>
    <transform id="three" template="{{ top }}"/>
  </foreach>
"""
    )
    scope = graph.scope_of("one")
    assert graph.waves(scope) == (("one", "three"), ("two",))
    assert graph.waves("each/body") == graph.waves(scope)
    assert graph.waves() == (("top",), ("each",))


def test_nodes_on_or_behind_a_cycle_get_no_wave() -> None:
    graph = graph_of(
        """
  <transform id="a" input="b" template="a"/>
  <transform id="b" input="a" template="b"/>
  <transform id="c" input="a" template="c"/>
  <transform id="d" template="d"/>
"""
    )
    assert graph.waves() == (("d",),)


def test_a_long_chain_in_reverse_document_order() -> None:
    count = 2000
    body = "\n".join(
        f'  <transform id="n{i}" input="n{i + 1}" template="x"/>' for i in range(count - 1)
    )
    graph = graph_of(body + f'\n  <transform id="n{count - 1}" template="x"/>')
    waves = graph.waves()
    assert len(waves) == count
    assert waves[0] == (f"n{count - 1}",)
    assert waves[-1] == ("n0",)
