"""File layout: frontmatter delimiters, BOM, CRLF, body start, footer (format.md §1)."""

from __future__ import annotations

import pytest

from flowscript.errors import WorkflowParseError
from flowscript.model import DataNodeSpec
from flowscript.parser import parse

MINIMAL = "---\nname: m\nversion: 1.0.0\n---\n<workflow/>\n"


def _error(text: str) -> tuple[str, int, int, str]:
    with pytest.raises(WorkflowParseError) as info:
        parse(text, "f.flow.md")
    diagnostic = info.value.diagnostics[0]
    assert len(info.value.diagnostics) == 1
    assert diagnostic.span is not None
    return diagnostic.code, diagnostic.span.line, diagnostic.span.column, diagnostic.message


def test_minimal_workflow_has_no_nodes_and_keeps_the_source() -> None:
    workflow = parse(MINIMAL, "m.flow.md")
    assert (workflow.name, workflow.version, workflow.nodes) == ("m", "1.0.0", ())
    assert workflow.source == MINIMAL
    assert workflow.path == "m.flow.md"
    assert (workflow.workflow_span.line, workflow.workflow_span.column) == (5, 1)
    assert workflow.footer == "\n"
    assert workflow.footer_offset == len(MINIMAL) - 1
    assert workflow.parse_diagnostics == ()


def test_default_path_is_string_marker() -> None:
    assert parse(MINIMAL).path == "<string>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: m\n---\n<workflow/>", ("PARSE_MISSING_FRONTMATTER", 1, 1)),
        ("", ("PARSE_MISSING_FRONTMATTER", 1, 1)),
        ("\n---\nname: m\n---\n<workflow/>", ("PARSE_MISSING_FRONTMATTER", 1, 1)),
        ("----\nname: m\n---\n<workflow/>", ("PARSE_MISSING_FRONTMATTER", 1, 1)),
        ("<workflow/>", ("PARSE_MISSING_FRONTMATTER", 1, 1)),
        ("---\nname: m\n<workflow/>\n", ("PARSE_YAML_INVALID", 1, 1)),
        ("---", ("PARSE_YAML_INVALID", 1, 1)),
        ("---\nname: m\n--- trailing\n<workflow/>", ("PARSE_YAML_INVALID", 1, 1)),
    ],
    ids=[
        "no-opening",
        "empty-file",
        "blank-first-line",
        "four-dashes",
        "body-only",
        "no-closing",
        "only-opening",
        "closing-with-text",
    ],
)
def test_layout_errors(text: str, expected: tuple[str, int, int]) -> None:
    assert _error(text)[:3] == expected


def test_missing_closing_message_is_the_spec_text() -> None:
    assert _error("---\nname: m\n")[3] == "could not find the closing --- of the frontmatter"


def test_bom_is_ignored_and_footer_offset_counts_it() -> None:
    text = "\ufeff" + MINIMAL + "tail"
    workflow = parse(text)
    assert workflow.name == "m"
    assert workflow.source == text
    assert workflow.footer == "\ntail"
    assert text[workflow.footer_offset :] == "\ntail"


def test_delimiters_tolerate_trailing_blanks() -> None:
    workflow = parse("--- \nname: m\nversion: 1\n---\t\n<workflow/>")
    assert (workflow.name, workflow.version) == ("m", "1")


def test_empty_frontmatter_is_an_empty_mapping() -> None:
    workflow = parse("---\n---\n<workflow/>")
    assert (workflow.name, workflow.version, dict(workflow.frontmatter)) == ("", "", {})


CRLF_FLOW = (
    "---\r\nname: crlf\r\nversion: 1.0.0\r\nconfig:\r\n  limit: 3\r\n---\r\n"
    "<workflow>\r\n"
    '  <source id="read" type="file" path="in.json"/>\r\n'
    '  <transform id="show" input="read">\r\n'
    "    <template>\r\n"
    "      a {{ input }}\r\n"
    "      b\r\n"
    "    </template>\r\n"
    "  </transform>\r\n"
    "</workflow>\r\n"
    "\r\n"
    "Footer line\r\n"
)


def test_crlf_positions_match_lf_positions() -> None:
    crlf = parse(CRLF_FLOW, "c.flow.md")
    lf = parse(CRLF_FLOW.replace("\r\n", "\n"), "c.flow.md")
    spans = [(node.id, node.span) for node in crlf.walk()]
    assert spans == [(node.id, node.span) for node in lf.walk()]
    assert [(node.span.line, node.span.column) for node in crlf.walk()] == [(8, 3), (9, 3)]
    assert crlf.key_spans == lf.key_spans
    assert (crlf.key_spans["config.limit"].line, crlf.key_spans["config.limit"].column) == (5, 3)


def test_crlf_values_have_no_carriage_returns() -> None:
    show = parse(CRLF_FLOW).nodes[1]
    assert isinstance(show, DataNodeSpec)
    assert show.config["template"].value == "a {{ input }}\nb"
    span = show.config["template"].value_span
    assert (span.line, span.column) == (11, 7)


def test_crlf_footer_is_kept_byte_for_byte() -> None:
    workflow = parse(CRLF_FLOW)
    assert workflow.footer == "\r\n\r\nFooter line\r\n"
    assert CRLF_FLOW[workflow.footer_offset :] == workflow.footer
    assert CRLF_FLOW[: workflow.footer_offset].endswith("</workflow>")


def test_footer_is_verbatim_and_never_parsed() -> None:
    footer = "\n\n<unclosed & stuff <!DOCTYPE x>\n## Execution Log\n\u00e9\n"
    text = MINIMAL.removesuffix("\n") + footer
    workflow = parse(text)
    assert workflow.footer == footer
    assert text[workflow.footer_offset :] == footer


def test_text_after_workflow_on_the_same_line_is_footer() -> None:
    workflow = parse("---\nname: m\n---\n<workflow></workflow> trailing words")
    assert workflow.footer == " trailing words"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", ("PARSE_XML_INVALID", 5, 1)),
        ("\n\n   ", ("PARSE_XML_INVALID", 7, 4)),
        ("# Title\n<workflow/>", ("PARSE_XML_INVALID", 5, 1)),
        ("  <flow/>", ("PARSE_XML_INVALID", 5, 3)),
        ("<!-- only a comment -->", ("PARSE_XML_INVALID", 5, 24)),
    ],
    ids=["empty-body", "blank-body", "markdown-before", "wrong-root", "comment-only"],
)
def test_body_without_workflow(body: str, expected: tuple[str, int, int]) -> None:
    assert _error("---\nname: m\nversion: 1\n---\n" + body)[:3] == expected


def test_comments_and_processing_instructions_may_precede_workflow() -> None:
    text = '---\nname: m\n---\n<?xml version="1.0"?>\n<!-- note -->\n\n  <workflow/>\n'
    workflow = parse(text)
    assert (workflow.workflow_span.line, workflow.workflow_span.column) == (7, 3)


def test_non_string_text_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="str, not bytes"):
        parse(b"---\n---\n<workflow/>")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "---\r\nname: x\r\nconfig: [1\r\n---\r\n<workflow/>",
            ("PARSE_YAML_INVALID", 4, 1),
        ),
        (
            "---\r\nname: x\r\n---\r\n<workflow>\r\n  <if id='a'>\r\n</workflow>\r\n",
            ("PARSE_XML_INVALID", 6, 1),
        ),
        (
            "---\r\nname: x\r\n---\r\n\r\n  <workflow>\r\n    <t a=b/>",
            ("PARSE_XML_INVALID", 6, 10),
        ),
    ],
    ids=["yaml", "mismatched-tag", "unquoted"],
)
def test_crlf_error_positions(text: str, expected: tuple[str, int, int]) -> None:
    assert _error(text)[:3] == expected
    assert _error(text.replace("\r\n", "\n"))[:3] == expected


def test_crlf_diagnostic_positions() -> None:
    text = "---\r\nname: x\r\n---\r\n<workflow>\r\n  <zz/>\r\n   text\r\n</workflow>"
    workflow = parse(text, "c.flow.md")
    spans = [(d.code, d.span.line, d.span.column) for d in workflow.parse_diagnostics if d.span]
    assert spans == [("VALID_UNKNOWN_NODE_TYPE", 5, 3), ("VALID_UNEXPECTED_TEXT", 6, 4)]
