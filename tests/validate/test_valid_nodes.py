"""Node rules: ids, types, config fields, durations, control values."""

from __future__ import annotations

import pytest

from flowscript.parser import parse
from flowscript.validate import validate


def check(body: str, frontmatter: str = "") -> list[tuple[str, int, int, str]]:
    text = f"---\nname: n\nversion: 1.0.0\n{frontmatter}---\n<workflow>\n{body}\n</workflow>\n"
    result = validate(parse(text, "n.flow.md"))
    return [(d.code, d.span.line, d.span.column, d.message) for d in result.diagnostics if d.span]


def codes(body: str, frontmatter: str = "") -> list[str]:
    return [code for code, *_ in check(body, frontmatter)]


@pytest.mark.parametrize("node_id", ["a", "_a", "fetch-joke", "race_api-1", "A9"], ids=lambda v: v)
def test_valid_ids(node_id: str) -> None:
    assert check(f'  <transform id="{node_id}" template="x"/>') == []


@pytest.mark.parametrize("node_id", ["9a", "-a", "a.b", "a b", "é"], ids=lambda v: v)
def test_invalid_ids(node_id: str) -> None:
    assert codes(f'  <transform id="{node_id}" template="x"/>') == ["VALID_INVALID_ID"]


def test_generated_ids_are_not_checked() -> None:
    assert check('  <loop id="l" max="2">\n    <break/>\n  </loop>\n  <delay duration="1s"/>') == []


def test_duplicate_ids_anywhere_point_at_the_later_node() -> None:
    result = check(
        '  <set var="x" value="1"/>\n'
        '  <if id="g" condition="true">\n    <then>\n      <set var="x" value="2"/>\n'
        "    </then>\n  </if>"
    )
    assert result == [("VALID_DUPLICATE_NODE_ID", 9, 17, "duplicate node id `x`")]
    text = "---\nname: n\nversion: 1.0.0\n---\n<workflow>\n" + (
        '  <set var="x" value="1"/>\n  <set var="x" value="2"/>\n</workflow>\n'
    )
    (diagnostic,) = validate(parse(text, "d")).diagnostics
    assert diagnostic.hints == (
        "`x` is first used at line 6",
        "give each <set> its own id=; the variable name may repeat",
    )


@pytest.mark.parametrize(
    "element",
    [
        '<source id="a" type="database" connection="sqlite::memory:" query="select 1"/>',
        '<transform id="a" type="reduce" expression="$acc + item" initial="0"/>',
        '<transform id="a" type="filter" expression="item.ok"/>',
        '<ai id="a" model="m" user="hi"/>',
        '<transform id="a" type="ai" model="m" prompt="hi" temperature="0.2" max-tokens="10"/>',
        '<sink id="a" type="email" to="a@b.c, d@e.f" port="25" security="TLS"/>',
        '<sink id="a" type="database" connection="x" table="t" conflict_columns="id, b"/>',
        '<source id="a" url="https://x" method="post" follow-redirects="no" timeout="2s"/>',
    ],
    ids=["database", "reduce", "filter", "ai", "transform-ai", "email", "db-sink", "http"],
)
def test_well_configured_data_nodes(element: str) -> None:
    assert check("  " + element) == []


def test_config_from_children_and_request_blocks() -> None:
    body = """  <source id="fetch" type="http">
    <request>
      method: GET
      url: https://example.com/{{ $config.path }}
      headers:
        Accept: application/json
    </request>
    <params>
      page: 2
    </params>
  </source>
  <sink id="post" type="http" input="fetch" url="https://example.com">
    <headers>X-Token: abc</headers>
    <body>{"a": 1}</body>
  </sink>"""
    assert check(body, "config:\n  path: items\n") == []


def test_unknown_and_mistyped_config() -> None:
    assert check(
        '  <source id="s" type="file" path="a.csv" format="xml" encodng="utf-8"/>\n'
        '  <sink id="h" type="http" url="u" headers="plain text" expect="{{ $config.x }}"/>'
    ) == [
        (
            "CONFIG_INVALID",
            6,
            51,
            '`format` of `s` is "xml": expected one of json, jsonl, csv, tsv, yaml, text, lines,'
            " auto (type enum)",
        ),
        ("VALID_UNKNOWN_FIELD", 6, 56, "unknown config field `encodng` for file:source `s`"),
        (
            "CONFIG_INVALID",
            7,
            45,
            '`headers` of `h` is "plain text": expected a mapping (YAML `key: value` lines or a '
            "JSON object) (type map)",
        ),
        ("VALID_UNDEFINED_CONFIG_REF", 7, 68, "config field `x` is not declared"),
    ]


def test_node_level_attributes_are_not_config() -> None:
    body = (
        '  <transform id="t" template="x" timeout="1s" dispatch="local"/>\n'
        '  <sink id="s" type="file" path="p" input="t" timeout="2s"/>'
    )
    assert [c for c in codes(body) if c != "VALID_UNKNOWN_FIELD"] == []


def test_required_fields() -> None:
    assert check('  <sink id="s" type="database" connection="x" table=""/>') == [
        ("VALID_MISSING_REQUIRED_FIELD", 6, 3, "database:sink `s` needs `table`"),
    ]


def test_output_schema_names() -> None:
    fm = "schemas:\n  summary: '{a: string}'\n"
    ok = (
        '  <ai id="a" model="m" output-schema="summary"/>\n'
        '  <ai id="b" model="m" output-schema="string"/>\n'
        '  <ai id="c" model="m" output-schema="{title: string}"/>\n'
        '  <ai id="d" model="m" output-schema="string[]"/>'
    )
    assert check(ok, fm) == []
    assert codes('  <ai id="e" model="m" output-schema="other"/>', fm) == [
        "VALID_UNDEFINED_SCHEMA_REF"
    ]


@pytest.mark.parametrize(
    "element",
    [
        '<delay id="d" duration="PT1M"/>',
        '<delay id="d" duration="500"/>',
        '<delay id="d" duration="{{ $config.wait }}"/>',
        '<checkpoint id="c" prompt="ok?" timeout="1h30m"/>',
        '<transform id="t" template="x" timeout="1.5s"/>',
    ],
)
def test_valid_durations(element: str) -> None:
    assert codes("  " + element, "config:\n  wait: 1s\n") == []


def test_invalid_checkpoint_wait_and_compact_retry() -> None:
    body = """  <checkpoint id="c" prompt="ok?" timeout="a while"/>
  <source id="s" type="http" url="https://x">
    <retry>
      maxRetries: 2
      backoffBase: 0
    </retry>
  </source>"""
    assert [(c, line) for c, line, *_ in check(body)] == [
        (
            "VALID_INVALID_DURATION",
            6,
        ),
        ("VALID_INVALID_DURATION", 10),
    ]


@pytest.mark.parametrize(
    "element",
    [
        '<loop id="l" max="3"><transform id="x" template="x"/></loop>',
        '<loop id="l" max="$config.n * 2"><transform id="x" template="x"/></loop>',
        '<while id="w" condition="true" max="0"><transform id="x" template="x"/></while>',
        '<foreach id="f" collection="[1]" concurrency="{{ $config.n }}" item="row" index="i">'
        '<transform id="x" template="{{ row }} {{ i }}"/></foreach>',
        '<parallel id="p" wait="n(2)" merge="object" concurrency="2"><branch>'
        '<transform id="x" template="x"/></branch><branch><transform id="y" template="y"/>'
        "</branch></parallel>",
        '<parallel id="p" wait="any" merge="$branches[0]"><branch>'
        '<transform id="x" template="x"/></branch></parallel>',
        '<checkpoint id="c" prompt="?" default="edit" allow-input="yes">'
        '<action id="edit" label="Edit"/></checkpoint>',
        '<checkpoint id="c" prompt="?" default="reject" allow-input="0"/>',
    ],
    ids=["loop-literal", "loop-expression", "while", "foreach", "parallel-n", "merge-expr",
         "checkpoint-action", "checkpoint-reject"],
)  # fmt: skip
def test_valid_control_values(element: str) -> None:
    assert check("  " + element, "config:\n  n: 2\n") == []


def test_foreach_item_and_index_must_differ() -> None:
    assert codes('  <foreach id="f" collection="[1]" item="x" index="x"/>') == [
        "VALID_INVALID_VALUE"
    ]


def test_a_template_in_an_expression_attribute_gets_a_hint() -> None:
    text = "---\nname: n\nversion: 1.0.0\n---\n<workflow>\n" + (
        '  <if id="g" condition="{{ 1 > 0 }}"><then><break/></then></if>\n</workflow>\n'
    )
    diagnostics = [
        d for d in validate(parse(text, "t")).diagnostics if d.code == "EXPR_PARSE_ERROR"
    ]
    assert [d.hints for d in diagnostics] == [
        ("`condition` is a bare expression: write it without `{{ }}`",)
    ]
