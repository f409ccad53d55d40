"""Property tests: any text either parses or raises WorkflowParseError — nothing else."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flowscript.errors import WorkflowParseError
from flowscript.parser import find_log_section, parse

HEAD = "---\nname: p\nversion: 1.0.0\n---\n"

_MARKUP = st.sampled_from(
    [
        "<workflow>",
        "</workflow>",
        "<workflow/>",
        "<source id='a' type='http'>",
        "</source>",
        '<transform id="t">',
        "</transform>",
        "<template>",
        "</template>",
        "<if condition='x < 3 && y'>",
        "<then>",
        "</then>",
        "</if>",
        "<retry>maxRetries: 2</retry>",
        "<request>\nurl: {{ x }}\n  headers:\n    A: b\n</request>",
        "<![CDATA[",
        "]]>",
        "<!--",
        "-->",
        "<?pi",
        "?>",
        "&amp;",
        "&lt;",
        "&#65;",
        "&#x0;",
        "&bogus;",
        "&",
        "<",
        ">",
        "'",
        '"',
        "=",
        "/>",
        "\n",
        "\r\n",
        "  ",
        "{{",
        "}}",
        "---",
        "## Execution Log",
        "<!DOCTYPE x>",
        "<on-error><fallback/></on-error>",
        "<parallel><branch>",
        "</branch></parallel>",
        "<checkpoint><actions><action/></actions></checkpoint>",
    ]
)

_YAML = st.sampled_from(
    [
        "name: x\n",
        "version: 1.10\n",
        "config:\n  a: 1\n",
        "config:\n  b:\n    type: string\n",
        "&a [1, *a]\n",
        "!!python/object:os.system x\n",
        "- a\n",
        "[[[\n",
        "? [a]\n: b\n",
        "x: !custom 1\n",
        "tests: [1, {a: 2}]\n",
        "'unterminated\n",
        "\t\n",
        ": :\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_only_raises_parse_errors(text: str) -> None:
    try:
        parse(text)
    except WorkflowParseError as error:
        assert error.diagnostics and error.diagnostics[0].code.startswith("PARSE_")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_MARKUP, st.text(max_size=5)), max_size=40))
def test_arbitrary_bodies_only_raise_parse_errors(pieces: list[str]) -> None:
    text = HEAD + "".join(pieces)
    try:
        workflow = parse(text)
    except WorkflowParseError as error:
        assert error.diagnostics and error.diagnostics[0].span is not None
        return
    assert text[workflow.footer_offset :] == workflow.footer
    for diagnostic in workflow.parse_diagnostics:
        assert diagnostic.span is not None and diagnostic.span.line >= 5
    offset = find_log_section(text)
    assert offset is None or offset >= workflow.footer_offset


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_YAML, st.text(max_size=6)), max_size=12))
def test_arbitrary_frontmatter_only_raises_parse_errors(pieces: list[str]) -> None:
    text = "---\n" + "".join(pieces) + "\n---\n<workflow/>\n"
    try:
        workflow = parse(text)
    except WorkflowParseError as error:
        (diagnostic,) = error.diagnostics
        assert diagnostic.span is not None and diagnostic.span.line >= 1
        return
    assert isinstance(workflow.version, str)
