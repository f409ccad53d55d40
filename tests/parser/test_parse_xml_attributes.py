"""Start tags mixing plain attributes (one-match fast path) with ones that need decoding."""

from __future__ import annotations

import pytest

from flowscript.errors import WorkflowParseError
from flowscript.parser import parse

HEAD = "---\nname: x\nversion: 1.0.0\n---\n"  # the body starts on line 5


def _attributes(tag: str) -> dict[str, tuple[str, int, int]]:
    node = parse(f"{HEAD}<workflow>\n{tag}\n</workflow>", "x.flow.md").nodes[0]
    return {
        name: (a.value, a.span.column, a.value_span.column) for name, a in node.attributes.items()
    }


def test_plain_and_decoded_values_keep_order_and_columns() -> None:
    tag = """<transform id="t" condition="a &lt; b"type='x'  template = "{{ a }}"/>"""
    assert _attributes(tag) == {
        "id": ("t", 12, 16),
        "condition": ("a < b", 19, 30),
        "type": ("x", 39, 45),
        "template": ("{{ a }}", 49, 61),
    }


def test_a_lone_less_than_sign_is_decoded_the_long_way() -> None:
    assert _attributes('<transform id="t" condition="a < b"/>')["condition"] == ("a < b", 19, 30)


@pytest.mark.parametrize(
    ("tag", "column", "message"),
    [
        ('<t a="1" a="2"/>', 10, "attribute `a` appears twice on <t>"),
        ('<t a="&amp;" a="2"/>', 14, "attribute `a` appears twice on <t>"),
        ('<t a="1" a="&amp;"/>', 10, "attribute `a` appears twice on <t>"),
        ('<t a="1" b=2/>', 12, "the value of attribute `b` is not quoted"),
        ('<t a="1" b/>', 10, "attribute `b` of <t> has no value"),
        ('<t a="1"', 1, "unclosed start tag <t>"),
    ],
    ids=["plain-twice", "decoded-then-plain", "plain-then-decoded", "unquoted", "no-value", "eof"],
)
def test_errors_after_a_plain_attribute(tag: str, column: int, message: str) -> None:
    with pytest.raises(WorkflowParseError) as info:
        parse(f"{HEAD}<workflow>\n{tag}", "x.flow.md")
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.span is not None
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column, diagnostic.message) == (
        "PARSE_XML_INVALID",
        6,
        column,
        message,
    )
