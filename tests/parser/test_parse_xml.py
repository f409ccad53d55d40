"""The relaxed XML body: relaxations, CDATA, entities, DTDs, malformed markup (format.md §3.1)."""

from __future__ import annotations

import pytest

from flowscript.errors import WorkflowParseError
from flowscript.model import DataNodeSpec, IfSpec, Workflow
from flowscript.parser import parse

HEAD = "---\nname: x\nversion: 1.0.0\n---\n"  # the body starts on line 5
ENTITY_HINT = (
    "only &lt; &gt; &amp; &quot; &apos; and numeric references are defined; "
    "write `&amp;` for a literal `&`"
)


def _parse(body: str) -> Workflow:
    return parse(HEAD + body, "x.flow.md")


def _template(body: str) -> str:
    node = _parse(
        f"<workflow>\n<transform id='t'><template>{body}</template></transform>\n</workflow>"
    ).nodes[0]
    assert isinstance(node, DataNodeSpec)
    value = node.config["template"].value
    assert isinstance(value, str)
    return value


def _error(body: str) -> tuple[str, int, int, str, str]:
    with pytest.raises(WorkflowParseError) as info:
        _parse(body)
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.span is not None
    return (
        diagnostic.code,
        diagnostic.span.line,
        diagnostic.span.column,
        diagnostic.message,
        diagnostic.hints[0],
    )


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("a && b", "a && b"),
        ("x < 3", "x < 3"),
        ("a <= b", "a <= b"),
        ("a<3", "a<3"),
        ("a <", "a <"),
        ("x &gt; 3 &amp;&amp; y &lt; 2", "x > 3 && y < 2"),
        ("say &quot;hi&quot; &apos;you&apos;", "say \"hi\" 'you'"),
        ("&#65;&#x42;&#x1F600;", "AB\U0001f600"),
        ("a & b &; &#; &#xZZ; &1;", "a & b &; &#; &#xZZ; &1;"),
        ("it's", "it's"),
        ("multi\nline", "multi\nline"),
        ("", ""),
    ],
    ids=[
        "double-ampersand",
        "less-than",
        "less-equal",
        "less-than-digit",
        "trailing-less-than",
        "entities",
        "quote-entities",
        "numeric",
        "ampersand-not-entity",
        "apostrophe",
        "newline-kept",
        "empty",
    ],
)
def test_attribute_values_are_relaxed(condition: str, expected: str) -> None:
    body = f'<workflow><if id="c" condition="{condition}"><then/></if></workflow>'
    node = _parse(body).nodes[0]
    assert isinstance(node, IfSpec)
    assert node.condition.value == expected


def test_single_quoted_attributes_may_hold_double_quotes() -> None:
    node = _parse("""<workflow><if id='c' condition='a == "x"'><then/></if></workflow>""").nodes[0]
    assert isinstance(node, IfSpec)
    assert node.condition.value == 'a == "x"'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ a && b }}", "{{ a && b }}"),
        ("{{ x < 3 }} and {{ a <= b }}", "{{ x < 3 }} and {{ a <= b }}"),
        ("x &lt;y&gt; &amp;", "x <y> &"),
        ("<![CDATA[<b>{{ x }}</b> & <i>]]>", "<b>{{ x }}</b> & <i>"),
        ("a <!-- hidden --> b", "a  b"),
        ("a <?pi skipped?> b", "a  b"),
        ("<![CDATA[]]>", ""),
        ("1 <2", "1 <2"),
        ("caf&#233;", "café"),
    ],
    ids=[
        "and",
        "comparisons",
        "entities",
        "cdata",
        "comment-dropped",
        "processing-instruction",
        "empty-cdata",
        "less-than-digit",
        "numeric-entity",
    ],
)
def test_text_is_relaxed(text: str, expected: str) -> None:
    assert _template(text) == expected


def test_text_span_points_after_cdata_and_entities() -> None:
    body = (
        "<workflow>\n"
        '  <transform id="a"><template>   <![CDATA[  x]]></template></transform>\n'
        '  <transform id="b"><template>\n    &lt;tag&gt;</template></transform>\n'
        "</workflow>"
    )
    a, b = _parse(body).nodes
    assert isinstance(a, DataNodeSpec) and isinstance(b, DataNodeSpec)
    a_span, b_span = a.config["template"].value_span, b.config["template"].value_span
    assert (a_span.line, a_span.column) == (6, 45)
    assert (b_span.line, b_span.column) == (8, 5)
    assert b.config["template"].value == "<tag>"


def test_element_and_attribute_positions() -> None:
    body = (
        "<workflow>\n"
        '  <source   id="fetch"\n'
        '           type=\'http\'  url="https://x" input="a, b.output"/>\n'
        "</workflow>"
    )
    node = _parse(body).nodes[0]
    assert (node.span.line, node.span.column) == (6, 3)
    positions = {
        name: (a.span.line, a.span.column, a.value_span.line, a.value_span.column)
        for name, a in node.attributes.items()
    }
    assert positions == {
        "id": (6, 13, 6, 17),
        "type": (7, 12, 7, 18),
        "url": (7, 25, 7, 30),
        "input": (7, 41, 7, 48),
    }
    assert [(t.value, t.span.line, t.span.column) for t in node.inputs] == [
        ("a", 7, 48),
        ("b", 7, 51),
    ]


def test_unicode_columns_count_characters() -> None:
    body = '<workflow>\n<!-- é -->  <source id="ü" type="file" path="é"/></workflow>'
    node = _parse(body).nodes[0]
    assert (node.span.line, node.span.column) == (6, 13)
    assert node.attributes["path"].value_span.column == 46


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "<workflow>\n  <if id='a'>\n</workflow>",
            (
                7,
                1,
                "</workflow> does not match the open <if>",
                "close <if> (opened at line 6, column 3) first",
            ),
        ),
        (
            "<workflow>\n  <source id='a'>\n",
            (6, 3, "<source> is never closed", "add </source>"),
        ),
        ("<workflow>", (5, 1, "<workflow> is never closed", "add </workflow>")),
        (
            "<workflow>\n  <source id='a' id='b'/>\n</workflow>",
            (6, 18, "attribute `id` appears twice on <source>", "remove one of them"),
        ),
        (
            "<workflow>\n  <source id=a/>\n</workflow>",
            (6, 14, "the value of attribute `id` is not quoted", 'put the value in quotes: id="…"'),
        ),
        (
            "<workflow>\n  <source disabled/>\n</workflow>",
            (
                6,
                11,
                "attribute `disabled` of <source> has no value",
                'write disabled="…" (XML attributes always have a quoted value)',
            ),
        ),
        (
            '<workflow>\n  <if condition="a <b">\n</workflow>',
            (
                6,
                20,
                "a `<` followed by a name inside an attribute value is ambiguous",
                "write `&lt;` (or a space after `<`); if a closing quote is missing, add it",
            ),
        ),
        (
            '<workflow>\n  <source id="a>\n  <sink id="b"/>\n</workflow>',
            (
                7,
                3,
                "a `<` followed by a name inside an attribute value is ambiguous",
                "write `&lt;` (or a space after `<`); if a closing quote is missing, add it",
            ),
        ),
        (
            '<workflow>\n  <source id="a',
            (6, 14, "unterminated attribute value", 'close the value with "'),
        ),
        (
            "<workflow>\n  <source id='a'",
            (6, 3, "unclosed start tag <source>", "end the tag with `>` or `/>`"),
        ),
        (
            "<workflow>\n  <source id='a' $x='1'/>\n</workflow>",
            (
                6,
                18,
                "unexpected `$` in the start tag of <source>",
                'attributes are written name="value"; end the tag with `>` or `/>`',
            ),
        ),
        (
            "<workflow>\n  <!-- never closed\n</workflow>",
            (6, 7, "unclosed comment", "close it with `-->`"),
        ),
        (
            "<workflow>\n  <![CDATA[ never closed\n</workflow>",
            (6, 12, "unclosed CDATA section", "close it with `]]>`"),
        ),
        (
            "<workflow>\n  <?pi never closed\n</workflow>",
            (6, 5, "unclosed processing instruction", "close it with `?>`"),
        ),
        (
            "<workflow>\n  <!ELEMENT x>\n</workflow>",
            (6, 3, "DTDs are not allowed", "remove the <!DOCTYPE …> / <!ENTITY …> declaration"),
        ),
        (
            "<workflow>\n  <!bogus>\n</workflow>",
            (6, 3, "unexpected `<!`", "comments are written <!-- … -->, raw text <![CDATA[ … ]]>"),
        ),
        (
            "<workflow>\n  </ source>\n</workflow>",
            (6, 3, "malformed end tag", "write </workflow>"),
        ),
        (
            "<workflow>\n  <t>&nbsp;</t>\n</workflow>",
            (
                6,
                6,
                "unknown entity `&nbsp;`",
                ENTITY_HINT,
            ),
        ),
        (
            "<workflow>\n  <t a='&custom;'/>\n</workflow>",
            (
                6,
                9,
                "unknown entity `&custom;`",
                ENTITY_HINT,
            ),
        ),
        (
            "<workflow>&#0;</workflow>",
            (5, 11, "`&#0;` is not a valid character", "remove the reference"),
        ),
        (
            "<workflow>&#xD800;</workflow>",
            (5, 11, "`&#xD800;` is not a valid character", "remove the reference"),
        ),
        (
            "<workflow>&#99999999999999999999999;</workflow>",
            (
                5,
                11,
                "`&#99999999999999999999999;` is not a valid character",
                "remove the reference",
            ),
        ),
    ],
    ids=[
        "mismatched",
        "unclosed-element",
        "unclosed-root",
        "duplicate-attribute",
        "unquoted",
        "no-value",
        "ambiguous-lt",
        "missing-quote",
        "unterminated-value",
        "unclosed-start-tag",
        "bad-attribute-name",
        "unclosed-comment",
        "unclosed-cdata",
        "unclosed-pi",
        "element-decl",
        "bogus-declaration",
        "malformed-end-tag",
        "unknown-entity-text",
        "unknown-entity-attribute",
        "nul-reference",
        "surrogate-reference",
        "huge-reference",
    ],
)
def test_malformed_markup(body: str, expected: tuple[int, int, str, str]) -> None:
    assert _error(body) == ("PARSE_XML_INVALID", *expected)


@pytest.mark.parametrize(
    ("body", "line", "column"),
    [
        ('<!DOCTYPE workflow [<!ENTITY x "y">]>\n<workflow/>', 5, 1),
        ("<workflow>\n  <!DOCTYPE x>\n</workflow>", 6, 3),
        ('<workflow>\n  <!ENTITY lol "lol">\n</workflow>', 6, 3),
        ("<workflow>\n  <!doctype x>\n</workflow>", 6, 3),
    ],
    ids=["before-root", "inside", "entity", "lowercase"],
)
def test_dtds_are_rejected(body: str, line: int, column: int) -> None:
    code, got_line, got_column, message, _ = _error(body)
    assert (code, got_line, got_column, message) == (
        "PARSE_XML_INVALID",
        line,
        column,
        "DTDs are not allowed",
    )


def test_doctype_inside_cdata_or_comment_is_just_text() -> None:
    assert _template("<![CDATA[<!DOCTYPE x>]]><!-- <!ENTITY y> -->") == "<!DOCTYPE x>"


def test_nesting_is_capped_with_a_clear_error() -> None:
    depth = 250
    body = "<workflow>" + "<phase name='p'>" * depth + "</phase>" * depth + "</workflow>"
    code, line, column, message, hint = _error(body)
    assert (code, line, message) == (
        "PARSE_XML_INVALID",
        5,
        "elements are nested deeper than 200 levels",
    )
    assert column == len("<workflow>") + 199 * len("<phase name='p'>") + 1
    assert "split the workflow" in hint


def test_nesting_just_under_the_cap_parses() -> None:
    depth = 199
    body = "<workflow>" + "<phase name='p'>" * depth + "</phase>" * depth + "</workflow>"
    workflow = _parse(body)
    assert len(list(workflow.walk())) == depth


def test_ten_thousand_nodes_parse() -> None:
    nodes = "\n".join(
        f'  <transform id="t{i}" input="t{i - 1}" template="{{{{ input }}}} &amp; {i} &lt; x"/>'
        for i in range(10_000)
    )
    workflow = _parse(f"<workflow>\n{nodes}\n</workflow>")
    assert len(workflow.nodes) == 10_000
    last = workflow.nodes[-1]
    assert isinstance(last, DataNodeSpec)
    assert (last.span.line, last.config["template"].value) == (10_005, "{{ input }} & 9999 < x")


def test_self_closing_and_empty_elements_are_equivalent() -> None:
    a = _parse("<workflow><delay duration='1s'/></workflow>").nodes[0]
    b = _parse("<workflow><delay duration='1s'></delay></workflow>").nodes[0]
    assert (a.id, a.tag) == (b.id, b.tag) == ("delay-5", "delay")
