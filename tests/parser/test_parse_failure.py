"""<on-error>, <retry> (attribute and compact YAML forms) and <fallback> (format.md §3.6)."""

from __future__ import annotations

import pytest

from flowscript.model import OnErrorSpec, RetrySpec, SourceSpan, Text, Workflow
from flowscript.parser import parse

HEAD = "---\nname: x\nversion: 1.0.0\n---\n<workflow>\n"  # nodes start on line 6


def _parse(body: str) -> Workflow:
    return parse(f"{HEAD}{body}\n</workflow>\n", "f.flow.md")


def _on_error(body: str) -> OnErrorSpec | None:
    workflow = _parse(body)
    assert workflow.parse_diagnostics == ()
    return workflow.nodes[0].on_error


def _span(line: int, column: int) -> SourceSpan:
    return SourceSpan("f.flow.md", line, column)


def _t(value: str, line: int, column: int) -> Text:
    return Text(value, _span(line, column))


def test_on_error_with_retry_and_fallback() -> None:
    on_error = _on_error(
        '<source id="s" url="u">\n'
        "  <on-error>\n"
        '    <retry when="retryable" max="3" backoff="linear" delay="1s" max-delay="30s" '
        'timeout="5s"/>\n'
        '    <fallback node="cache"/>\n'
        "  </on-error>\n"
        "</source>"
    )
    assert on_error == OnErrorSpec(
        span=_span(7, 3),
        retry=RetrySpec(
            span=_span(8, 5),
            when=_t("retryable", 8, 18),
            max=_t("3", 8, 34),
            backoff=_t("linear", 8, 46),
            delay=_t("1s", 8, 61),
            max_delay=_t("30s", 8, 76),
            timeout=_t("5s", 8, 90),
        ),
        fallback=_t("cache", 9, 21),
    )


def test_fallback_ref_alias_and_retry_alone() -> None:
    fallback_only = _on_error('<source id="s"><on-error><fallback ref="c"/></on-error></source>')
    assert fallback_only == OnErrorSpec(span=_span(6, 16), fallback=_t("c", 6, 41))
    retry_only = _on_error('<source id="s"><on-error><retry/></on-error></source>')
    assert retry_only == OnErrorSpec(span=_span(6, 16), retry=RetrySpec(span=_span(6, 26)))


def test_compact_retry_yaml_form() -> None:
    on_error = _on_error(
        '<source id="s">\n'
        "  <retry>\n"
        "    maxRetries: 2\n"
        "    backoffBase: 500\n"
        "    timeout: 5000\n"
        "    fallbackNodeId: backup\n"
        "  </retry>\n"
        "</source>"
    )
    assert on_error == OnErrorSpec(
        span=_span(7, 3),
        retry=RetrySpec(
            span=_span(7, 3),
            max=_t("2", 8, 17),
            delay=_t("500", 9, 18),
            timeout=_t("5000", 10, 14),
        ),
        fallback=_t("backup", 11, 21),
    )


def test_direct_fallback_under_a_data_node() -> None:
    on_error = _on_error('<source id="s"><fallback ref="cache"/></source>')
    assert on_error == OnErrorSpec(span=_span(6, 16), fallback=_t("cache", 6, 31))
    with_retry = _on_error('<source id="s">\n<fallback node="c"/>\n<retry max="1"/></source>')
    assert with_retry == OnErrorSpec(
        span=_span(7, 1),
        retry=RetrySpec(span=_span(8, 1), max=_t("1", 8, 13)),
        fallback=_t("c", 7, 17),
    )


def test_compact_retry_accepts_canonical_names_and_attribute_form() -> None:
    on_error = _on_error(
        '<sink id="s" type="file"><retry max="4" backoff="fixed">'
        "max_delay: 10s\nwhen: always</retry></sink>"
    )
    assert on_error is not None and on_error.retry is not None
    retry = on_error.retry
    assert (retry.max, retry.backoff, retry.max_delay, retry.when) == (
        _t("4", 6, 38),
        _t("fixed", 6, 50),
        _t("10s", 6, 68),
        _t("always", 7, 7),
    )


def test_compact_retry_values_keep_their_yaml_text() -> None:
    on_error = _on_error('<source id="s"><retry>\nmaxRetries: 2.5\nwhen: true\n</retry></source>')
    assert on_error is not None and on_error.retry is not None
    assert (on_error.retry.max, on_error.retry.when) == (_t("2.5", 7, 13), _t("true", 8, 7))


def test_unknown_compact_key_is_a_warning_with_a_suggestion() -> None:
    workflow = _parse('<source id="s"><retry>\nmaxRetry: 2\n</retry></source>')
    (diagnostic,) = workflow.parse_diagnostics
    assert (diagnostic.code, diagnostic.severity.value, diagnostic.span, diagnostic.node) == (
        "VALID_UNKNOWN_FIELD",
        "warning",
        _span(7, 1),
        "s",
    )
    assert diagnostic.hints[0] == "did you mean `maxRetries`?"


def test_compact_retry_yaml_error() -> None:
    workflow = _parse('<source id="s"><retry>\nmaxRetries: [2\n</retry></source>')
    (diagnostic,) = workflow.parse_diagnostics
    assert (diagnostic.code, diagnostic.node) == ("PARSE_YAML_INVALID", "s")


def test_compact_retry_with_plain_text_is_reported() -> None:
    workflow = _parse('<source id="s"><retry>three times</retry></source>')
    (diagnostic,) = workflow.parse_diagnostics
    assert (diagnostic.code, diagnostic.span) == ("VALID_UNEXPECTED_TEXT", _span(6, 23))


@pytest.mark.parametrize(
    ("body", "messages"),
    [
        (
            '<source id="s"><on-error><retry/></on-error><retry>maxRetries: 1</retry></source>',
            ["retry is configured more than once (again in a direct <retry>)"],
        ),
        (
            '<source id="s"><on-error><fallback node="a"/></on-error>'
            "<retry>fallbackNodeId: b</retry></source>",
            ["a fallback is configured more than once (again in <retry>)"],
        ),
        (
            '<source id="s"><retry>fallbackNodeId: a</retry><fallback node="b"/></source>',
            ["a fallback is configured more than once (again in a direct <fallback>)"],
        ),
        (
            '<source id="s"><on-error/><on-error/></source>',
            ["<on-error> is given more than once"],
        ),
        (
            '<source id="s"><on-error><retry/><retry/></on-error></source>',
            ["<retry> is given more than once"],
        ),
        (
            '<source id="s"><on-error><fallback node="a" ref="b"/></on-error></source>',
            ["`ref` is an alias of `node`; give only one of them"],
        ),
        (
            '<source id="s"><retry max="1">maxRetries: 2</retry></source>',
            ["retry field `maxRetries` is given twice"],
        ),
    ],
    ids=[
        "retry-twice",
        "fallback-twice",
        "compact-and-direct-fallback",
        "two-on-error",
        "two-retries",
        "node-and-ref",
        "attribute-and-yaml",
    ],
)
def test_duplicates_are_reported(body: str, messages: list[str]) -> None:
    workflow = _parse(body)
    assert [(d.code, d.message) for d in workflow.parse_diagnostics] == [
        ("VALID_DUPLICATE_FIELD", message) for message in messages
    ]


def test_on_error_with_unexpected_content() -> None:
    workflow = _parse(
        '<source id="s"><on-error timeout="1s">oops<log/><retry maxx="1"/><fallback/>'
        "</on-error></source>"
    )
    assert [(d.code, d.span) for d in workflow.parse_diagnostics] == [
        ("VALID_UNKNOWN_FIELD", _span(6, 26)),
        ("VALID_UNKNOWN_NODE_TYPE", _span(6, 43)),
        ("VALID_UNEXPECTED_TEXT", _span(6, 39)),
        ("VALID_UNKNOWN_FIELD", _span(6, 56)),
        ("VALID_MISSING_REQUIRED_FIELD", _span(6, 66)),
    ]
    assert workflow.parse_diagnostics[3].hints[0] == "did you mean `max`?"


def test_retry_when_expression_is_an_evaluable_text() -> None:
    workflow = _parse(
        '<source id="s"><on-error><retry when="$error.status == 503"/></on-error></source>'
    )
    texts = [(field, text.value, role) for field, text, role in workflow.nodes[0].texts()]
    assert ("retry.when", "$error.status == 503", "expression") in texts
