"""Data-node configuration: attributes, child elements, YAML blocks, <request>, keys (§3.3)."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.model import ConfigEntry, DataNodeSpec, SourceSpan, Workflow
from flowscript.parser import canonical_key, parse

HEAD = "---\nname: x\nversion: 1.0.0\n---\n<workflow>\n"  # nodes start on line 6


def _parse(body: str) -> Workflow:
    return parse(f"{HEAD}{body}\n</workflow>\n", "c.flow.md")


def _node(body: str) -> DataNodeSpec:
    workflow = _parse(body)
    assert workflow.parse_diagnostics == ()
    node = workflow.nodes[0]
    assert isinstance(node, DataNodeSpec)
    return node


def _values(body: str) -> dict[str, Any]:
    return {key: entry.value for key, entry in _node(body).config.items()}


def _child(tag: str, text: str, node: str = "transform") -> Any:
    return _values(f'<{node} id="n"><{tag}>{text}</{tag}></{node}>')[canonical_key(tag)]


def _span(line: int, column: int) -> SourceSpan:
    return SourceSpan("c.flow.md", line, column)


def test_attributes_are_config_entries() -> None:
    node = _node('<sink id="s" type="file" path="out.json" create-dirs="false" input="a"/>')
    assert dict(node.config) == {
        "path": ConfigEntry(
            key="path",
            written_key="path",
            value="out.json",
            span=_span(6, 26),
            value_span=_span(6, 32),
        ),
        "create-dirs": ConfigEntry(
            key="create-dirs",
            written_key="create-dirs",
            value="false",
            span=_span(6, 42),
            value_span=_span(6, 55),
        ),
    }


def test_child_element_entry_positions() -> None:
    node = _node(
        '<transform id="t">\n  <template>\n    Hello {{ name }}\n  </template>\n</transform>'
    )
    assert node.config["template"] == ConfigEntry(
        key="template",
        written_key="template",
        value="Hello {{ name }}",
        span=_span(7, 3),
        value_span=_span(8, 5),
        origin="element",
    )


def test_yaml_block_with_nested_headers() -> None:
    body = (
        '<source id="s">\n'
        "  <request>\n"
        "    method: POST\n"
        "    url: {{$config.base}}/items/{{ id }}\n"
        "    headers:\n"
        "      Accept: application/json\n"
        "      Authorization: Bearer {{$secrets.TOKEN}}\n"
        '      X-Quoted: "{{ q }}"\n'
        "    params:\n"
        "      page: 2\n"
        "      tags: [a, '{{ t }}']\n"
        "    body: {{ input }}\n"
        "  </request>\n"
        "</source>"
    )
    node = _node(body)
    assert {key: entry.value for key, entry in node.config.items()} == {
        "method": "POST",
        "url": "{{$config.base}}/items/{{ id }}",
        "headers": {
            "Accept": "application/json",
            "Authorization": "Bearer {{$secrets.TOKEN}}",
            "X-Quoted": "{{ q }}",
        },
        "params": {"page": 2, "tags": ["a", "{{ t }}"]},
        "body": "{{ input }}",
    }
    assert {entry.origin for entry in node.config.values()} == {"request"}
    url = node.config["url"]
    assert (url.written_key, url.span, url.value_span) == ("url", _span(9, 5), _span(9, 10))
    assert node.config["headers"].value_span == _span(11, 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("url: {{ {a: 1}.a }}/x", {"url": "{{ {a: 1}.a }}/x"}),
        ("url: {{ '}}' }}/x", {"url": "{{ '}}' }}/x"}),
        ("url: a {{ b }} c {{d}}", {"url": "a {{ b }} c {{d}}"}),
        ("k: \\{{ not a template", {"k": "\\{{ not a template"}),
        ("'{{ key }}': v", {"{{ key }}": "v"}),
        ("list:\n- {{ a }}\n- {{ b }}", {"list": ["{{ a }}", "{{ b }}"]}),
    ],
    ids=["object-literal", "braces-in-string", "several", "escaped", "template-key", "list-items"],
)
def test_templates_inside_yaml_values_are_protected(text: str, expected: dict[str, Any]) -> None:
    assert _values(f'<source id="n"><request>{text}</request></source>') == expected


@pytest.mark.parametrize(
    ("tag", "text", "expected"),
    [
        ("headers", "X-Api-Key: abc", {"X-Api-Key": "abc"}),
        ("params", "page: 1", {"page": 1}),
        ("auth", "type: bearer", {"type": "bearer"}),
        ("body", "title: {{ t }}", {"title": "{{ t }}"}),
        ("prompt", "Summary: be brief", "Summary: be brief"),
        ("extract", "items: x", "items: x"),
        ("url", "https://x.example.com/a:b", "https://x.example.com/a:b"),
    ],
    ids=["headers", "params", "auth", "body", "prompt-stays-text", "other-field", "url"],
)
def test_single_key_line_is_a_map_only_for_map_fields(tag: str, text: str, expected: Any) -> None:
    assert _child(tag, text) == expected


@pytest.mark.parametrize(
    "tag",
    [
        "template",
        "prompt",
        "system",
        "user",
        "query",
        "text",
        "html",
        "subject",
        "expression",
        "condition",
        "initial",
        "finalize",
    ],
)
def test_text_fields_never_become_maps(tag: str) -> None:
    assert _child(tag, "\n  name: {{ a }}\n  age: {{ b }}\n") == "name: {{ a }}\nage: {{ b }}"


def test_multi_line_mapping_in_other_fields_is_yaml() -> None:
    assert _child("options", "\n  retries: 2\n  verbose: true\n") == {"retries": 2, "verbose": True}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  plain text  ", "plain text"),
        (
            "\n    SELECT id\n      FROM t\n     WHERE x < 3\n  ",
            "SELECT id\n  FROM t\n WHERE x < 3",
        ),
        ("SELECT *\n      FROM t\n      LIMIT 1", "SELECT *\nFROM t\nLIMIT 1"),
        ("\n\n  a\n\n  b\n\n", "a\n\nb"),
        ('{"a": 1}', '{"a": 1}'),
        ("- a\n- b", "- a\n- b"),
        ("", ""),
    ],
    ids=["trimmed", "dedented", "starts-on-tag-line", "blank-lines", "json", "list", "empty"],
)
def test_non_mapping_text_is_the_trimmed_dedented_string(text: str, expected: str) -> None:
    assert _child("query", text, "source") == expected
    assert _child("payload", text) == expected


def test_empty_self_closing_config_element() -> None:
    node = _node('<sink id="s" type="http"><body/></sink>')
    assert node.config["body"].value == ""


def test_prose_that_looks_like_yaml_but_is_not_stays_text() -> None:
    assert _child("note", "\n  a: b: c\n  d: e\n") == "a: b: c\nd: e"


def test_markup_inside_a_config_element_is_kept_as_written() -> None:
    node = _node(
        '<transform id="t">\n  <template>\n    <h1>{{ title }}</h1>\n    <p>a &amp; b</p>\n'
        "  </template>\n</transform>"
    )
    entry = node.config["template"]
    assert entry.value == "<h1>{{ title }}</h1>\n<p>a &amp; b</p>"
    assert entry.value_span == _span(8, 5)


def test_request_attributes_and_child_elements_are_merged() -> None:
    node = _node(
        '<sink id="s" type="http" input="a">\n'
        '  <request method="PUT" url="https://x">\n'
        "    <headers>\n      X-A: 1\n    </headers>\n"
        "    <body>{{ input }}</body>\n"
        "  </request>\n"
        "</sink>"
    )
    assert [(e.key, e.value, e.origin) for e in node.config.values()] == [
        ("method", "PUT", "request"),
        ("url", "https://x", "request"),
        ("headers", {"X-A": 1}, "request"),
        ("body", "{{ input }}", "request"),
    ]


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("conflictColumns", "conflict-columns"),
        ("conflict_columns", "conflict-columns"),
        ("conflict-columns", "conflict-columns"),
        ("maxTokens", "max-tokens"),
        ("baseURL", "base-url"),
        ("HTTPHeaders", "http-headers"),
        ("api_key", "api-key"),
        ("outputSchema", "output-schema"),
        ("url", "url"),
        ("Content-Type", "content-type"),
    ],
)
def test_keys_are_canonical_kebab_case(written: str, canonical: str) -> None:
    node = _node(f'<sink id="s" type="database" {written}="v"/>')
    (entry,) = node.config.values()
    assert (entry.key, entry.written_key) == (canonical, written)


def test_child_keys_are_canonicalised_too() -> None:
    node = _node('<ai id="a"><maxTokens>5</maxTokens><output_schema>s</output_schema></ai>')
    assert [(e.key, e.written_key) for e in node.config.values()] == [
        ("max-tokens", "maxTokens"),
        ("output-schema", "output_schema"),
    ]


@pytest.mark.parametrize(
    ("body", "line", "column"),
    [
        ('<source id="n" url="a"><url>b</url></source>', 6, 24),
        ('<sink id="n" conflictColumns="a" conflict_columns="b"/>', 6, 34),
        ('<source id="n" url="a"><request>url: b</request></source>', 6, 33),
        ('<source id="n"><query>a</query>\n<query>b</query></source>', 7, 1),
        ('<source id="n"><request>url: a</request><url>b</url></source>', 6, 41),
    ],
    ids=[
        "attribute-and-child",
        "two-spellings",
        "attribute-and-request",
        "two-children",
        "request-then-child",
    ],
)
def test_duplicate_fields(body: str, line: int, column: int) -> None:
    workflow = _parse(body)
    (diagnostic,) = workflow.parse_diagnostics
    assert (diagnostic.code, diagnostic.span, diagnostic.node) == (
        "VALID_DUPLICATE_FIELD",
        _span(line, column),
        "n",
    )
    assert diagnostic.message.startswith("config field `")
    node = workflow.nodes[0]
    assert isinstance(node, DataNodeSpec)
    assert [entry.value for entry in node.config.values()] == ["a"]


def test_yaml_error_in_a_map_field_is_reported_with_its_position() -> None:
    workflow = _parse(
        '<source id="n">\n  <headers>\n    A: [1, 2\n    B: 3\n  </headers>\n</source>'
    )
    (diagnostic,) = workflow.parse_diagnostics
    assert (diagnostic.code, diagnostic.severity.value, diagnostic.node) == (
        "PARSE_YAML_INVALID",
        "error",
        "n",
    )
    assert diagnostic.span is not None and diagnostic.span.line == 9
    node = workflow.nodes[0]
    assert isinstance(node, DataNodeSpec)
    assert node.config["headers"].value == "A: [1, 2\nB: 3"


def test_yaml_tags_in_blocks_are_rejected_like_in_the_frontmatter() -> None:
    workflow = _parse('<source id="n"><params>a: !!python/name:os.system x</params></source>')
    (diagnostic,) = workflow.parse_diagnostics
    assert diagnostic.code == "PARSE_YAML_INVALID"
    assert diagnostic.message == "YAML tag `!!python/name:os.system` is not allowed"
    assert diagnostic.span == _span(6, 27)


def test_request_text_that_is_not_a_mapping_is_reported() -> None:
    workflow = _parse('<source id="n"><request>https://example.com</request></source>')
    (diagnostic,) = workflow.parse_diagnostics
    assert (diagnostic.code, diagnostic.span) == ("VALID_UNEXPECTED_TEXT", _span(6, 25))


def test_text_directly_inside_a_data_node_is_reported() -> None:
    workflow = _parse('<transform id="n">\n  Hello {{ x }}\n</transform>')
    (diagnostic,) = workflow.parse_diagnostics
    assert (diagnostic.code, diagnostic.span, diagnostic.node) == (
        "VALID_UNEXPECTED_TEXT",
        _span(7, 3),
        "n",
    )
    assert "<template>" in diagnostic.message


def test_attributes_on_config_elements_are_warned() -> None:
    workflow = _parse('<transform id="n"><template lang="md">x</template></transform>')
    (diagnostic,) = workflow.parse_diagnostics
    assert (diagnostic.code, diagnostic.severity.value, diagnostic.span) == (
        "VALID_UNKNOWN_FIELD",
        "warning",
        _span(6, 29),
    )
