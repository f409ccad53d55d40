"""Expression rules: syntax positions, functions, methods, names in scope, declarations."""

from __future__ import annotations

import pytest

from flowscript.parser import parse
from flowscript.validate import validate


def check(body: str, frontmatter: str = "") -> list[tuple[str, int, int, str]]:
    text = f"---\nname: x\nversion: 1.0.0\n{frontmatter}---\n<workflow>\n{body}\n</workflow>\n"
    result = validate(parse(text, "x.flow.md"))
    return [(d.code, d.span.line, d.span.column, d.message) for d in result.diagnostics if d.span]


def codes(body: str, frontmatter: str = "") -> list[str]:
    return [code for code, *_ in check(body, frontmatter)]


def test_names_in_a_multi_line_template_are_located_in_the_file() -> None:
    body = """  <source id="data" type="file" path="in.json"/>
  <transform id="report" input="data">
    <template>
      Title: {{ data.title }}
        Count: {{ dta.count }}
    </template>
  </transform>"""
    assert check(body) == [
        (
            "EXPR_UNDEFINED_VARIABLE",
            10,
            19,
            "`dta` is not a node id or variable; it reads as undefined",
        )
    ]


def test_names_inside_yaml_blocks_are_located_on_their_line() -> None:
    body = """  <source id="fetch" type="http">
    <request>
      url: https://example.com
      headers:
        Authorization: Bearer {{ $secrets.TOKEN }}
    </request>
  </source>"""
    assert check(body) == [("VALID_UNDEFINED_SECRET_REF", 10, 34, "secret `TOKEN` is not declared")]


@pytest.mark.parametrize(
    "template",
    [
        "{{$secrets.KEY}}",
        "{{ $secrets.KEY }}",
        "{{  $secrets .KEY  }}",
        "{{ $secrets['KEY'] }}",
        "{{ $secrets?.KEY }}",
    ],
)
def test_secret_references_whatever_the_whitespace(template: str) -> None:
    body = f'  <transform id="t" template="{template}"/>'
    assert codes(body, "secrets: [KEY]\n") == []
    assert codes(body, "secrets: [OTHER]\n") == ["VALID_UNDEFINED_SECRET_REF"]


def test_dynamic_members_are_not_checked() -> None:
    body = '  <transform id="t" template="{{ $secrets[name] }} {{ $config[k] }}"/>'
    assert codes(body, "config:\n  k: a\n  name: b\n") == [
        "EXPR_UNDEFINED_VARIABLE",
        "EXPR_UNDEFINED_VARIABLE",
    ]


def test_config_env_and_context_members() -> None:
    fm = "config:\n  limit: 5\nruntime:\n  env: [HOME]\n"
    body = (
        '  <context id="c"><set key="mode" value="x"/></context>\n'
        '  <transform id="t" template="{{ $config.limit }} {{ $env.HOME }} {{ $context.mode }}'
        ' {{ $config.limt }} {{ $env.PATH }} {{ $context.mood }}"/>'
    )
    assert [(c, m) for c, _, _, m in check(body, fm)] == [
        ("VALID_UNDEFINED_CONFIG_REF", "config field `limt` is not declared"),
        (
            "VALID_UNDEFINED_ENV_REF",
            "environment variable `PATH` is not listed in `runtime.env`; it reads as undefined",
        ),
        ("EXPR_UNDEFINED_VARIABLE", "no <set> or <context> sets `mood`; it reads as undefined"),
    ]


def test_functions_aliases_and_variables_holding_functions() -> None:
    body = (
        '  <set var="double" value="{{ x => x * 2 }}"/>\n'
        '  <transform id="t" template="{{ Math.max(1, 2) }} {{ JSON.stringify(1) }}'
        ' {{ double(3) }} {{ map([1], x => upper(x)) }}"/>'
    )
    assert check(body) == []


def test_methods_and_blocked_members() -> None:
    body = (
        '  <source id="d" type="file" path="x"/>\n'
        '  <transform id="t" template="{{ d.name.trim().split(\',\').map(s => s.length) }}'
        " {{ d['constructor'] }} {{ d.prototype }} {{ d.__class__ }} {{ d.eval('x') }}\"/>"
    )
    assert [(c, m) for c, _, _, m in check(body)] == [
        ("EXPR_BLOCKED_ACCESS", "access to `constructor` is blocked"),
        ("EXPR_BLOCKED_ACCESS", "access to `prototype` is blocked"),
        ("EXPR_BLOCKED_ACCESS", "access to `__class__` is blocked"),
        ("EXPR_BLOCKED_ACCESS", "method `eval` is not allowed"),
    ]


def test_foreach_names_only_inside_the_body() -> None:
    body = """  <foreach id="each" collection="[1, 2]" item="row" index="n">
    <transform id="in" template="{{ row }} {{ n }} {{ $item }} {{ $index }}"/>
  </foreach>
  <transform id="out" template="{{ row }} {{ $item }}"/>"""
    assert [(c, line, m) for c, line, _, m in check(body)] == [
        ("EXPR_UNDEFINED_VARIABLE", 9, "`row` is not a node id or variable; it reads as undefined"),
        ("EXPR_UNDEFINED_VARIABLE", 9, "`$item` is not defined here; it reads as undefined"),
    ]


def test_per_item_names_in_map_filter_reduce() -> None:
    body = """  <source id="d" type="file" path="x"/>
  <transform id="m" type="map" input="d" expression="{...item, i: index, first: $first}"/>
  <transform id="f" type="filter" input="m" condition="$item.ok &amp;&amp; !$last"/>
  <transform id="r" type="reduce" input="f" expression="$acc + item.n" initial="0"
             finalize="$acc / $items.length"/>
  <transform id="t" input="r" template="{{ item }}"/>"""
    assert [(c, line) for c, line, _, _ in check(body)] == [("EXPR_UNDEFINED_VARIABLE", 11)]


def test_handler_and_parallel_specials() -> None:
    body = """  <source id="fetch" type="http" url="https://x">
    <on-error>
      <retry when="$error.status == 429"/>
      <fallback node="fb"/>
    </on-error>
  </source>
  <transform id="fb" template="{{ $primaryError }} {{ $primaryInput }} {{ $error.type }}"/>
  <parallel id="p" merge="concat($branches)">
    <branch>
      <transform id="b" template="{{ $branch }}"/>
    </branch>
  </parallel>
  <transform id="plain" template="{{ $error }} {{ $branch }} {{ $branches }}"/>
  <on-workflow-error>
    <transform id="alert" template="{{ $error.message }} {{ $primaryError }}"/>
  </on-workflow-error>"""
    assert [(line, m) for _, line, _, m in check(body)] == [
        (18, "`$error` is not defined here; it reads as undefined"),
        (18, "`$branch` is not defined here; it reads as undefined"),
        (18, "`$branches` is not defined here; it reads as undefined"),
        (20, "`$primaryError` is not defined here; it reads as undefined"),
    ]


def test_always_available_specials_and_input() -> None:
    body = (
        '  <transform id="t" template="{{ input }} {{ $input.x }} {{ $run.id }} {{ $workflowDir }}'
        ' {{ $iteration }} {{ $checkpoint.action }} {{ $context }}"/>'
    )
    assert check(body) == []


def test_hyphenated_names() -> None:
    body = """  <source id="fetch-joke" type="file" path="x"/>
  <set var="x" value="1"/>
  <transform id="t" template="{{ fetch-joke.text }} {{ x-1 }} {{ fetch - joke }}"/>"""
    assert [(c, m) for c, _, _, m in check(body)] == [
        ("EXPR_UNDEFINED_VARIABLE", "`fetch` is not a node id or variable; it reads as undefined"),
        ("EXPR_UNDEFINED_VARIABLE", "`joke` is not a node id or variable; it reads as undefined"),
    ]


def test_undefined_hyphen_run_is_reported_once_with_a_suggestion() -> None:
    text = (
        "---\nname: x\nversion: 1.0.0\n---\n<workflow>\n"
        '  <source id="fetch-joke" type="file" path="x"/>\n'
        '  <transform id="t" template="{{ fetch-jokes.text }}"/>\n</workflow>\n'
    )
    (diagnostic,) = validate(parse(text, "h")).diagnostics
    assert diagnostic.message == (
        "`fetch-jokes` is not a node id or variable (it reads as `fetch - jokes`)"
    )
    assert diagnostic.hints == ("did you mean `fetch-joke`?",)
    assert (diagnostic.span.line, diagnostic.span.column) == (7, 34)  # type: ignore[union-attr]


def test_every_kind_of_text_is_parsed() -> None:
    body = """  <if id="a" condition="1 +"><then><transform id="a1" template="x"/></then></if>
  <loop id="b" max="2" break="(("><transform id="c" template="x"/></loop>
  <foreach id="d" collection="[1,"><transform id="e" template="x"/></foreach>
  <branch id="f"><case when="==1"><transform id="g" template="x"/></case></branch>
  <set var="h" value="{{ ) }}"/>
  <checkpoint id="i" prompt="{{ ] }}" condition="!"/>
  <delay id="j" duration="{{ + }}"/>
  <call id="k" workflow="x.flow.md" arg="{{ * }}"/>"""
    assert [(c, line) for c, line, _, _ in check(body)] == [
        ("EXPR_PARSE_ERROR", 6),
        ("EXPR_PARSE_ERROR", 7),
        ("EXPR_PARSE_ERROR", 8),
        ("EXPR_PARSE_ERROR", 9),
        ("EXPR_PARSE_ERROR", 10),
        ("EXPR_PARSE_ERROR", 11),
        ("EXPR_PARSE_ERROR", 11),
        ("EXPR_PARSE_ERROR", 12),
        ("EXPR_PARSE_ERROR", 13),
    ]
