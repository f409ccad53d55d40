"""Frontmatter: YAML safety, key positions, field declarations (format.md §2)."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.errors import WorkflowParseError
from flowscript.model import FieldSpec, RuntimeSettings, Workflow
from flowscript.parser import parse


def _flow(frontmatter: str) -> str:
    return f"---\n{frontmatter}\n---\n<workflow/>\n"


def _parse(frontmatter: str) -> Workflow:
    return parse(_flow(frontmatter), "fm.flow.md")


def _error(frontmatter: str) -> tuple[str, int, int, str, tuple[str, ...]]:
    with pytest.raises(WorkflowParseError) as info:
        _parse(frontmatter)
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.span is not None
    return (
        diagnostic.code,
        diagnostic.span.line,
        diagnostic.span.column,
        diagnostic.message,
        diagnostic.hints,
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1.0", "1.0"),
        ("1.10", "1.10"),
        ("2", "2"),
        ('"1.2.3"', "1.2.3"),
        ("1.2.3-beta+7", "1.2.3-beta+7"),
        ("'0.1'", "0.1"),
        ("", ""),
        ("[1, 2]", ""),
    ],
    ids=[
        "float",
        "float-trailing-zero",
        "int",
        "quoted",
        "semver",
        "single-quoted",
        "null",
        "list",
    ],
)
def test_version_is_read_from_the_scalar_text(written: str, expected: str) -> None:
    assert _parse(f"name: v\nversion: {written}").version == expected


def test_missing_name_and_version_are_left_to_the_validator() -> None:
    workflow = _parse("description: nameless")
    assert (workflow.name, workflow.version, workflow.description) == ("", "", "nameless")


def test_wrong_types_are_kept_for_the_validator() -> None:
    workflow = _parse("name: [a]\nconfig: 3\nsecrets: 4\nruntime: fast\ntests: nope\nbogus: 1")
    assert (workflow.name, dict(workflow.config), workflow.secrets) == ("", {}, ())
    assert workflow.runtime == RuntimeSettings()
    assert workflow.tests == ()
    assert workflow.frontmatter["config"] == 3
    assert workflow.frontmatter["bogus"] == 1
    assert workflow.parse_diagnostics == ()


def test_key_spans_cover_every_key_path() -> None:
    workflow = _parse(
        "name: spans\nversion: 1.0.0\nconfig:\n  limit:\n    type: integer\n    default: 5\n"
        "runtime:\n  timeout: 5m\ntests:\n  - name: t\n    input: {a: 1}"
    )
    spans = {key: (span.line, span.column) for key, span in workflow.key_spans.items()}
    assert spans == {
        "name": (2, 1),
        "version": (3, 1),
        "config": (4, 1),
        "config.limit": (5, 3),
        "config.limit.type": (6, 5),
        "config.limit.default": (7, 5),
        "runtime": (8, 1),
        "runtime.timeout": (9, 3),
        "tests": (10, 1),
        "tests.0.name": (11, 5),
        "tests.0.input": (12, 5),
        "tests.0.input.a": (12, 13),
    }
    assert workflow.span_of_key("config.limit.values").line == 5


def test_key_span_columns_count_characters_not_bytes() -> None:
    workflow = _parse("name: x\ndescription: été\nconfig:\n  é: 1\n  ünïcode: 2")
    assert (
        workflow.key_spans["config.ünïcode"].line,
        workflow.key_spans["config.ünïcode"].column,
    ) == (
        6,
        3,
    )


def _field(name: str, type_: str, line: int, column: int, **kwargs: Any) -> FieldSpec:
    from flowscript.model import SourceSpan

    return FieldSpec(name=name, type=type_, span=SourceSpan("fm.flow.md", line, column), **kwargs)


def test_config_shorthand_infers_types() -> None:
    workflow = _parse(
        "config:\n  s: text\n  b: true\n  i: 5\n  f: 0.5\n  l: [1]\n  d: {k: v}\n  n:\n  e: {}"
    )
    assert dict(workflow.config) == {
        "s": _field("s", "string", 3, 3, default="text", has_default=True, raw="text"),
        "b": _field("b", "boolean", 4, 3, default=True, has_default=True, raw=True),
        "i": _field("i", "integer", 5, 3, default=5, has_default=True, raw=5),
        "f": _field("f", "number", 6, 3, default=0.5, has_default=True, raw=0.5),
        "l": _field("l", "array", 7, 3, default=[1], has_default=True, raw=[1]),
        "d": _field("d", "object", 8, 3, default={"k": "v"}, has_default=True, raw={"k": "v"}),
        "n": _field("n", "any", 9, 3),
        "e": _field("e", "object", 10, 3, default={}, has_default=True, raw={}),
    }


def test_config_declarations() -> None:
    workflow = _parse(
        "config:\n"
        "  out:\n    type: string\n    default: ./o\n    description: Where\n    required: false\n"
        "  mode:\n    type: enum\n    values: [fast, careful]\n    default: fast\n"
        "  need:\n    required: true\n"
        "  typed_by_default:\n    default: 3\n"
        "  odd:\n    type: [x]\n    description: 5\n    values: nope\n    required: yes"
    )
    config = workflow.config
    assert config["out"] == _field(
        "out",
        "string",
        3,
        3,
        default="./o",
        has_default=True,
        description="Where",
        raw={"type": "string", "default": "./o", "description": "Where", "required": False},
    )
    assert (config["mode"].type, config["mode"].values, config["mode"].default) == (
        "enum",
        ("fast", "careful"),
        "fast",
    )
    assert (config["need"].type, config["need"].required, config["need"].has_default) == (
        "any",
        True,
        False,
    )
    assert config["typed_by_default"].type == "integer"
    odd = config["odd"]
    assert (odd.type, odd.description, odd.values, odd.required) == ("", None, None, True)


def test_input_and_output_use_the_field_syntax() -> None:
    workflow = _parse("input:\n  topic:\n    type: string\n    required: true\noutput:\n  n: 1")
    assert (workflow.input_schema["topic"].type, workflow.input_schema["topic"].required) == (
        "string",
        True,
    )
    assert workflow.output_schema["n"].type == "integer"


def test_other_sections() -> None:
    workflow = _parse(
        "trigger:\n  schedule: every 4h\nsecrets: [A, B, 3]\n"
        "runtime:\n  timeout: 5m\n  retry: 2\n  concurrency: 4\n  schedule: waves\n"
        "  context_budget: 200k\n  env: [HOME]\n"
        "schemas:\n  s: '{a: string}'\nevolution:\n  generation: 2\n"
        "tests:\n  - name: t\n  - 5\ncreated: 2024-01-02"
    )
    assert workflow.trigger == {"schedule": "every 4h"}
    assert workflow.secrets == ("A", "B")
    assert workflow.runtime == RuntimeSettings(
        timeout="5m", retry=2, concurrency=4, schedule="waves", context_budget="200k", env=("HOME",)
    )
    assert dict(workflow.schemas) == {"s": "{a: string}"}
    assert workflow.evolution == {"generation": 2}
    assert workflow.tests == ({"name": "t"},)
    assert workflow.frontmatter["created"] == "2024-01-02"


def test_trigger_defaults_to_manual_and_secrets_accept_a_comma_string() -> None:
    workflow = _parse("name: t\nsecrets: A, B\nruntime:\n  context-budget: 10k\n  env: X, Y")
    assert workflow.trigger == "manual"
    assert workflow.secrets == ("A", "B")
    assert (workflow.runtime.context_budget, workflow.runtime.env) == ("10k", ("X", "Y"))


def test_anchors_and_aliases_are_allowed() -> None:
    workflow = _parse("base: &b {retry: 2}\nruntime:\n  <<: *b\n  timeout: 1m")
    assert (workflow.runtime.retry, workflow.runtime.timeout) == (2, "1m")


@pytest.mark.parametrize(
    ("frontmatter", "line", "column", "fragment"),
    [
        ("name: x\nconfig: [1, 2\nversion: 1", 4, 8, "did not find expected"),
        ("name: x\n  bad: indent", 3, 6, "mapping values are not allowed"),
        ("name: a: b", 2, 8, "mapping values are not allowed"),
        ("name: *missing", 2, 7, "found undefined alias"),
        ("name: x\nk: \x07", 3, 4, "#x0007"),
        ("- a\n- b", 2, 1, "must be a YAML mapping"),
        ("just text", 2, 1, "must be a YAML mapping"),
        ("? [a]\n: b", 2, 3, "unhashable"),
    ],
    ids=[
        "unclosed-flow",
        "bad-indent",
        "nested-colon",
        "undefined-alias",
        "control-char",
        "list",
        "scalar",
        "unhashable-key",
    ],
)
def test_yaml_errors_have_file_positions(
    frontmatter: str, line: int, column: int, fragment: str
) -> None:
    code, got_line, got_column, message, hints = _error(frontmatter)
    assert (code, got_line, got_column) == ("PARSE_YAML_INVALID", line, column)
    assert fragment in message
    assert hints


@pytest.mark.parametrize(
    ("frontmatter", "tag", "line", "column"),
    [
        (
            "name: x\nrun: !!python/object/apply:os.system [echo hi]",
            "!!python/object/apply:os.system",
            3,
            6,
        ),
        ("name: !!python/name:os.system ''", "!!python/name:os.system", 2, 7),
        ("config:\n  a: !custom 1", "!custom", 3, 6),
        ("data: !!binary aGk=", "!!binary", 2, 7),
        ("s: !!set {a, b}", "!!set", 2, 4),
    ],
    ids=["python-apply", "python-name", "custom", "binary", "set"],
)
def test_tags_other_than_plain_yaml_are_rejected(
    frontmatter: str, tag: str, line: int, column: int
) -> None:
    code, got_line, got_column, message, hints = _error(frontmatter)
    assert (code, got_line, got_column) == ("PARSE_YAML_INVALID", line, column)
    assert message == f"YAML tag `{tag}` is not allowed"
    assert "only plain YAML is allowed" in hints[0]


def test_explicit_core_tags_are_allowed() -> None:
    workflow = _parse("name: !!str 12\nversion: !!str 1.10\nn: !!int '3'")
    assert (workflow.name, workflow.version, workflow.frontmatter["n"]) == ("12", "1.10", 3)


BILLION_LAUGHS = """name: lol
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]"""


def test_billion_laughs_is_rejected() -> None:
    code, line, _, message, _ = _error(BILLION_LAUGHS)
    assert code == "PARSE_YAML_INVALID"
    assert message == "YAML expands to more than 100000 nodes through aliases"
    assert line in (7, 8)  # the first node whose expansion passes the limit


def test_moderate_alias_reuse_is_fine() -> None:
    workflow = _parse("\n".join(BILLION_LAUGHS.splitlines()[:4]))
    assert len(workflow.frontmatter["c"]) == 9


def test_recursive_alias_is_rejected() -> None:
    code, line, column, message, _ = _error("name: x\nloop: &a [1, *a]")
    assert (code, line, column) == ("PARSE_YAML_INVALID", 3, 7)
    assert "refers to itself" in message


@pytest.mark.parametrize(
    "nested",
    ["[" * 5000 + "]" * 5000, "{a: " * 5000 + "}" * 5000, "- " * 5000 + "x"],
    ids=["flow-sequences", "flow-mappings", "block-sequences"],
)
def test_deep_nesting_is_rejected_without_crashing(nested: str) -> None:
    code, line, _, message, _ = _error(f"name: x\ndeep:\n  {nested}")
    assert (code, line) == ("PARSE_YAML_INVALID", 4)
    assert message == "YAML nested deeper than 100 levels"


def test_surrogates_are_a_yaml_error_not_a_crash() -> None:
    code, *_ = _error("name: \ud800")
    assert code == "PARSE_YAML_INVALID"


@pytest.mark.parametrize(("depth", "ok"), [(99, True), (100, False)], ids=["at-limit", "over"])
def test_depth_limit_is_exact(depth: int, ok: bool) -> None:
    # `deep:` adds one level under the top-level mapping.
    frontmatter = "name: x\ndeep: " + "[" * depth + "]" * depth
    if ok:
        assert _parse(frontmatter).frontmatter["deep"] is not None
    else:
        assert _error(frontmatter)[3] == "YAML nested deeper than 100 levels"
