"""Non-fatal problems collected in ``parse_diagnostics`` while the tree is still built."""

from __future__ import annotations

import pytest

from flowscript.model import (
    CheckpointSpec,
    DataNodeSpec,
    Diagnostic,
    IfSpec,
    SetSpec,
    SourceSpan,
    Text,
    Workflow,
)
from flowscript.parser import parse

HEAD = "---\nname: x\nversion: 1.0.0\n---\n<workflow>\n"  # nodes start on line 6


def _parse(body: str) -> Workflow:
    return parse(f"{HEAD}{body}\n</workflow>\n", "d.flow.md")


def _span(line: int, column: int) -> SourceSpan:
    return SourceSpan("d.flow.md", line, column)


def _only(body: str) -> Diagnostic:
    (diagnostic,) = _parse(body).parse_diagnostics
    return diagnostic


def test_unknown_element_suggests_the_closest_node() -> None:
    workflow = _parse('<sourc id="read" type="file"/>\n<transform id="next"/>')
    (diagnostic,) = workflow.parse_diagnostics
    assert (diagnostic.code, diagnostic.severity.value, diagnostic.message, diagnostic.span) == (
        "VALID_UNKNOWN_NODE_TYPE",
        "error",
        "unknown element <sourc>",
        _span(6, 1),
    )
    assert diagnostic.hints[0] == "did you mean <source>?"
    assert diagnostic.hints[1].startswith(
        "valid elements: <source>, <transform>, <sink>, <ai>, <if>"
    )
    assert [node.id for node in workflow.nodes] == ["next"]


def test_unknown_element_far_from_any_name_lists_the_valid_ones() -> None:
    diagnostic = _only("<zzzz/>")
    assert len(diagnostic.hints) == 1 and diagnostic.hints[0].startswith("valid elements:")


@pytest.mark.parametrize(
    ("element", "place"),
    [
        ("<then/>", "<if>"),
        ("<case when='x'/>", "<branch>"),
        ("<do/>", "<while>"),
        ("<fallback node='x'/>", "<on-error> or a data node"),
        ("<request/>", "a data node"),
        ("<action id='a'/>", "<checkpoint>"),
    ],
    ids=["then", "case", "do", "fallback", "request", "action"],
)
def test_structural_elements_out_of_place(element: str, place: str) -> None:
    diagnostic = _only(f"<phase name='p'>{element}</phase>")
    assert diagnostic.code == "VALID_UNKNOWN_NODE_TYPE"
    tag = element[1:].split()[0].rstrip("/>")
    assert diagnostic.message == f"<{tag}> is not a node: it belongs inside {place}, not <phase>"


@pytest.mark.parametrize(
    ("body", "column", "name", "hint"),
    [
        (
            '<if id="c" condition="x" conditon="y"><then/></if>',
            26,
            "conditon",
            "did you mean `condition`?",
        ),
        ('<foreach id="f" collection="x" items="y"/>', 32, "items", "did you mean `item`?"),
        ('<parallel id="p" wiat="any"/>', 18, "wiat", "did you mean `wait`?"),
        ('<delay duraton="1s" duration="1s"/>', 8, "duraton", "did you mean `duration`?"),
        ('<branch id="b"><case when="1" whn="2"/></branch>', 31, "whn", "did you mean `when`?"),
        (
            '<phase name="p" colour="red"/>',
            17,
            "colour",
            "<phase> accepts: id, input, name, timeout",
        ),
    ],
    ids=["if", "foreach", "parallel", "delay", "case", "phase-no-suggestion"],
)
def test_unknown_attributes_are_warnings(body: str, column: int, name: str, hint: str) -> None:
    diagnostic = _only(body)
    assert (diagnostic.code, diagnostic.severity.value, diagnostic.span) == (
        "VALID_UNKNOWN_FIELD",
        "warning",
        _span(6, column),
    )
    assert f"`{name}`" in diagnostic.message
    assert diagnostic.hints[0] == hint


def test_attributes_on_workflow_are_warned() -> None:
    workflow = parse("---\nname: x\n---\n<workflow id='w'/>", "d.flow.md")
    (diagnostic,) = workflow.parse_diagnostics
    assert (diagnostic.code, diagnostic.span) == ("VALID_UNKNOWN_FIELD", _span(4, 11))


def test_data_node_attributes_are_config_not_warnings() -> None:
    assert _parse('<source id="s" anything="1" weird-name="2"/>').parse_diagnostics == ()


@pytest.mark.parametrize(
    ("body", "line", "column"),
    [
        ("  stray words\n<transform id='t'/>", 6, 3),
        ("<phase name='p'>text</phase>", 6, 17),
        ("<if id='i' condition='c'><then> words </then></if>", 6, 33),
        ("<if id='i' condition='c'>words<then/></if>", 6, 26),
        ("<branch id='b'><case when='1'>x</case></branch>", 6, 31),
        ("<branch id='b'>x<case when='1'/></branch>", 6, 16),
        ("<parallel id='p'><branch>x</branch></parallel>", 6, 26),
        ("<parallel id='p'>x</parallel>", 6, 18),
        ("<loop id='l'>&amp;</loop>", 6, 14),
        ("<checkpoint id='c'>x</checkpoint>", 6, 20),
        ("<context>x</context>", 6, 10),
        ("<delay duration='1s'>x</delay>", 6, 22),
        ("<on-workflow-error>x</on-workflow-error>", 6, 20),
    ],
    ids=[
        "workflow",
        "phase",
        "then",
        "if",
        "case",
        "branch",
        "parallel-branch",
        "parallel",
        "entity-in-body",
        "checkpoint",
        "context",
        "delay",
        "on-workflow-error",
    ],
)
def test_unexpected_text(body: str, line: int, column: int) -> None:
    diagnostic = _only(body)
    assert (diagnostic.code, diagnostic.severity.value, diagnostic.span) == (
        "VALID_UNEXPECTED_TEXT",
        "error",
        _span(line, column),
    )


def test_comments_and_cdata_whitespace_are_not_unexpected_text() -> None:
    assert (
        _parse("<!-- c --><![CDATA[  ]]>\n  <phase name='p'><!-- x --></phase>").parse_diagnostics
        == ()
    )


@pytest.mark.parametrize(
    ("body", "attribute", "column"),
    [
        ('<if id="n"><then/></if>', "condition", 1),
        ('<while id="n"/>', "condition", 1),
        ('<foreach id="n"/>', "collection", 1),
        ("<goto/>", "node", 1),
        ("<delay/>", "duration", 1),
        ('<timeout id="n"/>', "duration", 1),
        ('<include id="n"/>', "workflow", 1),
        ('<call id="n"/>', "workflow", 1),
        ('<set value="1"/>', "var", 1),
        ('<set var="v"/>', "value", 1),
        ('<context><set value="1"/></context>', "key", 10),
        ('<context><set key="k"/></context>', "value", 10),
        ('<include id="n" workflow="w"><bind value="1"/></include>', "key", 30),
        ('<branch id="n"><case/></branch>', "when", 16),
        ('<branch id="n"><match/></branch>', "pattern", 16),
        ('<checkpoint id="n"><timeout/></checkpoint>', "duration", 20),
        ('<checkpoint id="n"><action label="x"/></checkpoint>', "id", 20),
        ('<source id="n"><on-error><fallback/></on-error></source>', "node", 26),
    ],
    ids=[
        "if",
        "while",
        "foreach",
        "goto",
        "delay",
        "timeout",
        "include",
        "call",
        "set-var",
        "set-value",
        "context-key",
        "context-value",
        "bind-key",
        "case",
        "match",
        "checkpoint-timeout",
        "action-id",
        "fallback",
    ],
)
def test_missing_required_attributes(body: str, attribute: str, column: int) -> None:
    workflow = _parse(body)
    (diagnostic,) = workflow.parse_diagnostics
    assert (diagnostic.code, diagnostic.span) == ("VALID_MISSING_REQUIRED_FIELD", _span(6, column))
    assert f"`{attribute}`" in diagnostic.message
    assert len(workflow.nodes) == 1


def test_missing_condition_continues_with_an_empty_text() -> None:
    node = _parse('<if id="n"><then><transform id="t"/></then></if>').nodes[0]
    assert isinstance(node, IfSpec)
    assert node.condition == Text("", _span(6, 1))
    assert [child.id for child in node.then] == ["t"]


def test_set_without_var_gets_a_generated_id() -> None:
    node = _parse('<set value="1"/>').nodes[0]
    assert isinstance(node, SetSpec)
    assert (node.id, node.explicit_id, node.var) == ("set-6", False, "")


@pytest.mark.parametrize(
    "element",
    [
        "source",
        "transform",
        "sink",
        "ai",
        "if",
        "loop",
        "foreach",
        "parallel",
        "phase",
        "checkpoint",
    ],
)
def test_missing_id_is_reported_and_generated(element: str) -> None:
    workflow = _parse(f"\n  <{element}/>")
    diagnostics = [d for d in workflow.parse_diagnostics if "needs an id" in d.message]
    (diagnostic,) = diagnostics
    assert (diagnostic.code, diagnostic.span, diagnostic.node) == (
        "VALID_MISSING_REQUIRED_FIELD",
        _span(7, 3),
        f"{element}-7",
    )
    node = workflow.nodes[0]
    assert (node.id, node.explicit_id) == (f"{element}-7", False)


@pytest.mark.parametrize("element", ["delay duration='1s'", "break", "goto node='x'", "context"])
def test_optional_ids_are_generated_silently(element: str) -> None:
    workflow = _parse(f"<loop id='l'><{element}/></loop>")
    assert workflow.parse_diagnostics == ()
    tag = element.split()[0]
    (node,) = workflow.nodes[0].scopes()[0]
    assert (node.id, node.explicit_id) == (f"{tag}-6", False)


def test_if_with_then_and_stray_nodes() -> None:
    workflow = _parse("<if id='i' condition='c'><then/><transform id='t'/></if>")
    (diagnostic,) = workflow.parse_diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "VALID_UNKNOWN_NODE_TYPE",
        "<transform> is not allowed inside <if> next to <then>",
    )


def test_branch_with_direct_nodes_and_two_defaults() -> None:
    workflow = _parse("<branch id='b'><transform id='t'/><default/><otherwise/></branch>")
    assert [(d.code, d.span) for d in workflow.parse_diagnostics] == [
        ("VALID_DUPLICATE_FIELD", _span(6, 45)),
        ("VALID_UNKNOWN_NODE_TYPE", _span(6, 16)),
    ]


def test_checkpoint_duplicates_and_stray_children() -> None:
    workflow = _parse(
        "<checkpoint id='c' prompt='a' timeout='1h' condition='x'>\n"
        "<prompt>b</prompt><condition>y</condition><timeout duration='2h'/><note/>\n"
        "</checkpoint>"
    )
    node = workflow.nodes[0]
    assert isinstance(node, CheckpointSpec)
    assert (node.prompt, node.wait, node.condition) == (
        Text("a", _span(6, 28)),
        Text("1h", _span(6, 40)),
        Text("x", _span(6, 55)),
    )
    assert sorted(
        (d.code, d.span.line, d.span.column) for d in workflow.parse_diagnostics if d.span
    ) == [
        ("VALID_DUPLICATE_FIELD", 7, 1),
        ("VALID_DUPLICATE_FIELD", 7, 19),
        ("VALID_DUPLICATE_FIELD", 7, 43),
        ("VALID_UNKNOWN_NODE_TYPE", 7, 67),
    ]


def test_many_problems_are_all_collected_in_document_order() -> None:
    workflow = _parse(
        "stray\n"
        "<sourc id='a'/>\n"
        "<if condition='x' colour='red'><then><delay/></then></if>\n"
        "<transform id='t' url='a'><url>b</url></transform>"
    )
    assert [(d.code, d.span.line if d.span else 0) for d in workflow.parse_diagnostics] == [
        ("VALID_UNEXPECTED_TEXT", 6),
        ("VALID_UNKNOWN_NODE_TYPE", 7),
        ("VALID_MISSING_REQUIRED_FIELD", 8),
        ("VALID_UNKNOWN_FIELD", 8),
        ("VALID_MISSING_REQUIRED_FIELD", 8),
        ("VALID_DUPLICATE_FIELD", 9),
    ]
    assert [node.id for node in workflow.walk()] == ["if-8", "delay-8", "t"]
    transform = workflow.nodes[1]
    assert isinstance(transform, DataNodeSpec) and transform.config["url"].value == "a"


def test_warnings_and_errors_have_the_right_severity() -> None:
    workflow = _parse("<if id='i' condition='c' x='1'><then/></if><zz/>")
    assert [(d.code, d.is_error) for d in workflow.parse_diagnostics] == [
        ("VALID_UNKNOWN_FIELD", False),
        ("VALID_UNKNOWN_NODE_TYPE", True),
    ]
