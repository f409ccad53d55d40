"""Every element of the catalogue and each alias → its node spec (format.md §3.4)."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.model import (
    ActionSpec,
    BranchSpec,
    BreakSpec,
    CallSpec,
    CheckpointSpec,
    ContextSpec,
    DataNodeSpec,
    DelaySpec,
    ForeachSpec,
    GotoSpec,
    IfSpec,
    IncludeSpec,
    LoopSpec,
    NodeSpec,
    ParallelSpec,
    PhaseSpec,
    SetSpec,
    SourceSpan,
    Text,
    TimeoutSpec,
    WhileSpec,
    Workflow,
)
from flowscript.parser import parse

HEAD = "---\nname: x\nversion: 1.0.0\n---\n<workflow>\n"  # nodes start on line 6


def _parse(body: str) -> Workflow:
    return parse(f"{HEAD}{body}\n</workflow>\n", "e.flow.md")


def _node(body: str) -> Any:
    workflow = _parse(body)
    assert workflow.parse_diagnostics == ()
    (node,) = workflow.nodes
    return node


def _t(value: str, line: int, column: int) -> Text:
    return Text(value, SourceSpan("e.flow.md", line, column))


def _ids(scope: tuple[NodeSpec, ...] | None) -> list[str] | None:
    return None if scope is None else [node.id for node in scope]


@pytest.mark.parametrize(
    ("element", "role", "type_", "kind"),
    [
        ('<source id="n"/>', "source", "http", "http:source"),
        ('<source id="n" type="file"/>', "source", "file", "file:source"),
        ('<transform id="n"/>', "transform", "template", "transform:template"),
        ('<transform id="n" type="map"/>', "transform", "map", "transform:map"),
        ('<transform id="n" type="ai"/>', "transform", "ai", "transform:ai"),
        ('<ai id="n"/>', "transform", "ai", "transform:ai"),
        ('<ai id="n" type="ai"/>', "transform", "ai", "transform:ai"),
        ('<sink id="n"/>', "sink", "", ":sink"),
        ('<sink id="n" type="email"/>', "sink", "email", "email:sink"),
    ],
    ids=[
        "source-default",
        "source-file",
        "transform-default",
        "transform-map",
        "transform-ai",
        "ai",
        "ai-explicit-type",
        "sink-no-default",
        "sink-email",
    ],
)
def test_data_nodes(element: str, role: str, type_: str, kind: str) -> None:
    node = _node(element)
    assert isinstance(node, DataNodeSpec)
    assert (node.role, node.type, node.kind, node.tag) == (
        role,
        type_,
        kind,
        element[1:].split()[0],
    )
    assert "type" not in node.config


def test_ai_with_another_type_is_warned_and_stays_ai() -> None:
    workflow = _parse('<ai id="n" type="map"/>')
    node = workflow.nodes[0]
    assert isinstance(node, DataNodeSpec) and node.type == "ai"
    (diagnostic,) = workflow.parse_diagnostics
    assert (diagnostic.code, diagnostic.severity.value, diagnostic.span) == (
        "VALID_UNKNOWN_FIELD",
        "warning",
        SourceSpan("e.flow.md", 6, 12),
    )


def test_common_fields() -> None:
    node = _node('<source id="s" type="file" path="p" input="a, b.output" timeout="5s"/>')
    assert node.id == "s" and node.explicit_id
    assert node.span == SourceSpan("e.flow.md", 6, 1)
    assert node.inputs == (_t("a", 6, 44), _t("b", 6, 47))
    assert node.timeout == _t("5s", 6, 66)
    assert list(node.attributes) == ["id", "type", "path", "input", "timeout"]
    assert list(node.config) == ["path"]


def test_if_then_else() -> None:
    node = _node(
        '<if id="c" condition="x > 1" input="a">\n'
        '  <then><transform id="yes"/></then>\n'
        '  <else><transform id="no"/></else>\n'
        "</if>"
    )
    assert isinstance(node, IfSpec)
    assert node.condition == _t("x > 1", 6, 23)
    assert (_ids(node.then), _ids(node.else_)) == (["yes"], ["no"])
    assert node.scopes() == (node.then, node.else_)


def test_if_without_else_and_with_direct_nodes() -> None:
    node = _node('<if id="c" condition="x"><transform id="yes"/></if>')
    assert isinstance(node, IfSpec)
    assert (_ids(node.then), node.else_) == (["yes"], None)


def test_branch_with_cases_matches_and_default() -> None:
    node = _node(
        '<branch id="b" on="kind">\n'
        '  <case when="kind == \'a\'"><transform id="a"/></case>\n'
        '  <match pattern="b*"><transform id="b1"/><transform id="b2"/></match>\n'
        '  <default><transform id="other"/></default>\n'
        "</branch>"
    )
    assert isinstance(node, BranchSpec)
    assert node.on == _t("kind", 6, 20)
    first, second = node.cases
    assert (first.when, first.pattern, _ids(first.body)) == (_t("kind == 'a'", 7, 15), None, ["a"])
    assert (second.when, second.pattern, _ids(second.body)) == (None, _t("b*", 8, 19), ["b1", "b2"])
    assert first.span == SourceSpan("e.flow.md", 7, 3)
    assert _ids(node.default) == ["other"]


def test_branch_otherwise_alias_and_no_on() -> None:
    node = _node(
        '<branch id="b"><case when="1"/><otherwise><transform id="o"/></otherwise></branch>'
    )
    assert isinstance(node, BranchSpec)
    assert (node.on, len(node.cases), _ids(node.default)) == (None, 1, ["o"])


def test_branch_without_default() -> None:
    node = _node('<branch id="b"><case when="1"><transform id="x"/></case></branch>')
    assert isinstance(node, BranchSpec) and node.default is None


def test_loop() -> None:
    node = _node('<loop id="l" max="3" break="d.ok"><transform id="d"/><break/></loop>')
    assert isinstance(node, LoopSpec)
    assert (node.max, node.break_) == (_t("3", 6, 19), _t("d.ok", 6, 29))
    assert _ids(node.body) == ["d", "break-6"]


def test_loop_defaults_are_left_to_the_planner() -> None:
    node = _node('<loop id="l"/>')
    assert isinstance(node, LoopSpec) and (node.max, node.break_, node.body) == (None, None, ())


@pytest.mark.parametrize(
    "body",
    ['<transform id="t"/>', '<do><transform id="t"/></do>'],
    ids=["direct", "do-wrapper"],
)
def test_while(body: str) -> None:
    node = _node(f'<while id="w" condition="n &lt; 3" max="9">{body}</while>')
    assert isinstance(node, WhileSpec)
    assert (node.condition, node.max, _ids(node.body)) == (
        _t("n < 3", 6, 26),
        _t("9", 6, 41),
        ["t"],
    )


def test_foreach() -> None:
    node = _node(
        '<foreach id="f" collection="items" item="it" index="i" concurrency="4">'
        '<transform id="t"/></foreach>'
    )
    assert isinstance(node, ForeachSpec)
    assert (node.collection, node.item, node.index, node.concurrency) == (
        _t("items", 6, 29),
        "it",
        "i",
        _t("4", 6, 69),
    )
    assert _ids(node.body) == ["t"]


def test_foreach_defaults() -> None:
    node = _node('<foreach id="f" collection="items"/>')
    assert isinstance(node, ForeachSpec)
    assert (node.item, node.index, node.concurrency) == ("item", "index", None)


def test_parallel_branches() -> None:
    node = _node(
        '<parallel id="p" wait="n(2)" merge="concat" concurrency="2">\n'
        '  <branch id="one"><transform id="a"/><transform id="b"/></branch>\n'
        '  <branch><transform id="c"/></branch>\n'
        '  <transform id="d"/>\n'
        "</parallel>"
    )
    assert isinstance(node, ParallelSpec)
    assert (node.wait, node.merge, node.concurrency) == (
        _t("n(2)", 6, 24),
        _t("concat", 6, 37),
        _t("2", 6, 58),
    )
    assert [(b.id, _ids(b.body), b.span.line, b.span.column) for b in node.branches] == [
        ("one", ["a", "b"], 7, 3),
        (None, ["c"], 8, 3),
        (None, ["d"], 9, 3),
    ]


def test_branch_inside_parallel_is_not_a_branch_node() -> None:
    node = _node('<parallel id="p"><branch><branch id="inner" on="x"/></branch></parallel>')
    assert isinstance(node, ParallelSpec)
    (inner,) = node.branches[0].body
    assert isinstance(inner, BranchSpec) and inner.on == _t("x", 6, 49)


def test_break_and_goto() -> None:
    workflow = _parse(
        '<loop id="l">\n  <break id="b" loop="l" when="x"/>\n  <break/>\n</loop>\n'
        '<goto id="g" node="l" when="y"/>\n<goto node="l"/>'
    )
    assert workflow.parse_diagnostics == ()
    loop, goto, bare_goto = workflow.nodes
    assert isinstance(loop, LoopSpec)
    named, bare = loop.body
    assert isinstance(named, BreakSpec) and isinstance(bare, BreakSpec)
    assert (named.id, named.explicit_id, named.loop, named.when) == (
        "b",
        True,
        _t("l", 7, 23),
        _t("x", 7, 32),
    )
    assert (bare.id, bare.explicit_id, bare.loop, bare.when) == ("break-8", False, None, None)
    assert isinstance(goto, GotoSpec) and isinstance(bare_goto, GotoSpec)
    assert (goto.id, goto.target, goto.when) == ("g", _t("l", 10, 20), _t("y", 10, 29))
    assert (bare_goto.id, bare_goto.explicit_id, bare_goto.target) == (
        "goto-11",
        False,
        _t("l", 11, 13),
    )


def test_checkpoint_attribute_forms() -> None:
    node = _node(
        '<checkpoint id="c" prompt="Ok {{ x }}?" timeout="1h" default="approve" '
        'allow-input="true" condition="x > 1" input="x">\n'
        '  <action id="edit" label="Edit" goto="draft"/>\n'
        '  <action id="skip"/>\n'
        "</checkpoint>"
    )
    assert isinstance(node, CheckpointSpec)
    assert node.timeout is None  # on a checkpoint `timeout` is the answer wait
    assert (node.prompt, node.wait, node.default, node.allow_input, node.condition) == (
        _t("Ok {{ x }}?", 6, 28),
        _t("1h", 6, 50),
        _t("approve", 6, 63),
        _t("true", 6, 85),
        _t("x > 1", 6, 102),
    )
    assert node.actions == (
        ActionSpec(
            id="edit", span=SourceSpan("e.flow.md", 7, 3), label="Edit", goto=_t("draft", 7, 40)
        ),
        ActionSpec(id="skip", span=SourceSpan("e.flow.md", 8, 3)),
    )
    assert node.timeout_goto is None


def test_checkpoint_child_forms() -> None:
    node = _node(
        '<checkpoint id="c">\n'
        "  <prompt>\n    Ship it?\n    Total: {{ t }}\n  </prompt>\n"
        "  <condition> t > 0 </condition>\n"
        "  <actions>\n"
        '    <action id="redo" label="Redo"><goto node="draft"/></action>\n'
        '    <action id="approve"/>\n'
        "  </actions>\n"
        '  <action id="later"/>\n'
        '  <timeout duration="30m" goto="remind"/>\n'
        "</checkpoint>"
    )
    assert isinstance(node, CheckpointSpec)
    assert node.prompt == _t("Ship it?\nTotal: {{ t }}", 8, 5)
    assert node.condition == _t("t > 0", 11, 15)
    assert [(a.id, a.label, a.goto) for a in node.actions] == [
        ("redo", "Redo", _t("draft", 13, 48)),
        ("approve", None, None),
        ("later", None, None),
    ]
    assert (node.wait, node.timeout_goto) == (_t("30m", 17, 22), _t("remind", 17, 33))


def test_phase_by_name_or_id() -> None:
    workflow = _parse('<phase name="one"><transform id="a"/></phase>\n<phase id="two" input="a"/>')
    one, two = workflow.nodes
    assert isinstance(one, PhaseSpec) and isinstance(two, PhaseSpec)
    assert (one.id, one.explicit_id, _ids(one.body)) == ("one", True, ["a"])
    assert (two.id, two.body, two.inputs) == ("two", (), (_t("a", 7, 24),))


def test_context_entries_with_key_and_var() -> None:
    node = _node(
        '<context id="ctx">\n  <set key="a" value="1"/>\n'
        '  <set var="b" value="{{ a }}"/>\n</context>'
    )
    assert isinstance(node, ContextSpec)
    assert [(e.key, e.value, e.span.line) for e in node.entries] == [
        ("a", _t("1", 7, 23), 7),
        ("b", _t("{{ a }}", 8, 23), 8),
    ]


def test_context_id_is_optional() -> None:
    node = _node('<context><set key="a" value="1"/></context>')
    assert isinstance(node, ContextSpec)
    assert (node.id, node.explicit_id) == ("context-6", False)


@pytest.mark.parametrize(
    ("element", "node_id", "var"),
    [
        ('<set var="total" value="{{ 1 }}"/>', "total", "total"),
        ('<set key="total" value="{{ 1 }}"/>', "total", "total"),
        ('<set id="s" var="total" value="{{ 1 }}"/>', "s", "total"),
    ],
    ids=["var-is-id", "key-alias", "explicit-id"],
)
def test_set(element: str, node_id: str, var: str) -> None:
    node = _node(element)
    assert isinstance(node, SetSpec)
    assert (node.id, node.explicit_id, node.var, node.value.value) == (
        node_id,
        True,
        var,
        "{{ 1 }}",
    )


def test_delay() -> None:
    node = _node('<delay duration="250ms" input="a"/>')
    assert isinstance(node, DelaySpec)
    assert (node.id, node.explicit_id, node.duration) == ("delay-6", False, _t("250ms", 6, 18))
    named = _node('<delay id="d" duration="1s"/>')
    assert (named.id, named.explicit_id) == ("d", True)


def test_timeout_node() -> None:
    node = _node('<timeout id="t" duration="5s" on-timeout="late"><delay duration="9s"/></timeout>')
    assert isinstance(node, TimeoutSpec)
    assert (node.duration, node.on_timeout, _ids(node.body)) == (
        _t("5s", 6, 27),
        _t("late", 6, 43),
        ["delay-6"],
    )
    assert node.timeout is None


def test_include_with_binds() -> None:
    node = _node(
        '<include id="i" workflow="./child.flow.md">\n'
        '  <bind key="items" value="{{ xs }}"/>\n</include>'
    )
    assert isinstance(node, IncludeSpec)
    assert node.workflow == _t("./child.flow.md", 6, 27)
    assert [(b.key, b.value, b.span.line) for b in node.binds] == [
        ("items", _t("{{ xs }}", 7, 28), 7)
    ]


def test_call_arguments_are_the_other_attributes() -> None:
    node = _node(
        '<call id="c" workflow="./f.flow.md" input="a" timeout="1m" topic="{{ a }}" limit="3"/>'
    )
    assert isinstance(node, CallSpec)
    assert node.workflow == _t("./f.flow.md", 6, 24)
    assert dict(node.arguments) == {"topic": _t("{{ a }}", 6, 67), "limit": _t("3", 6, 83)}
    assert node.timeout == _t("1m", 6, 56)


def test_on_workflow_error() -> None:
    workflow = _parse(
        '<transform id="a"/>\n<on-workflow-error>\n  <sink id="alert" type="file" path="e"/>\n'
        '</on-workflow-error>\n<on-workflow-error><transform id="second"/></on-workflow-error>'
    )
    assert _ids(workflow.nodes) == ["a"]
    assert _ids(workflow.on_workflow_error) == ["alert", "second"]
    assert [node.id for node in workflow.walk()] == ["a", "alert", "second"]


def test_on_error_on_control_nodes() -> None:
    node = _node(
        '<foreach id="f" collection="xs"><transform id="t"/>'
        '<on-error><retry max="2"/><fallback node="safe"/></on-error></foreach>'
    )
    assert isinstance(node, ForeachSpec)
    assert _ids(node.body) == ["t"]
    assert node.on_error is not None and node.on_error.retry is not None
    assert (node.on_error.retry.max, node.on_error.fallback) == (_t("2", 6, 74), _t("safe", 6, 94))


def test_walk_and_scopes_are_document_order() -> None:
    workflow = _parse(
        '<phase name="p"><if id="i" condition="1"><then><transform id="a"/></then>'
        '<else><transform id="b"/></else></if></phase><transform id="c"/>'
    )
    assert [node.id for node in workflow.walk()] == ["p", "i", "a", "b", "c"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a", [("a", 39)]),
        ("a.output", [("a", 39)]),
        ("a, b", [("a", 39), ("b", 42)]),
        (" a ,, b.output ,", [("a", 40), ("b", 45)]),
        ("fetch-data.output,x", [("fetch-data", 39), ("x", 57)]),
        ("", []),
    ],
    ids=["single", "output-suffix", "two", "blanks-and-empty-items", "hyphen-id", "empty"],
)
def test_inputs(value: str, expected: list[tuple[str, int]]) -> None:
    node = _node(f'<transform id="t" template="x" input="{value}"/>')
    assert [(text.value, text.span.column) for text in node.inputs] == expected
    assert {text.span.line for text in node.inputs} <= {6}


def test_no_input_attribute_means_no_inputs() -> None:
    assert _node('<transform id="t"/>').inputs == ()
