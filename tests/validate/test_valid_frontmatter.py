"""Frontmatter rules: identity, keys, fields, secrets, runtime, trigger, tests."""

from __future__ import annotations

import pytest

from flowscript.parser import parse
from flowscript.validate import validate

BODY = '<workflow>\n  <transform id="hello" template="hi"/>\n</workflow>\n'


def check(frontmatter: str) -> list[tuple[str, int, int, str]]:
    result = validate(parse(f"---\n{frontmatter}---\n{BODY}", "f.flow.md"))
    return [(d.code, d.span.line, d.span.column, d.message) for d in result.diagnostics if d.span]


def only_codes(frontmatter: str) -> list[str]:
    return [code for code, *_ in check(frontmatter)]


HEAD = "name: f\nversion: 1.0.0\n"


@pytest.mark.parametrize(
    "version",
    [
        "1.0",
        "1.0.0",
        "0.1.2",
        "2.3.1-beta.1",
        "1.0.0+build.5",
        "1.0.0-rc.1+exp.sha.5114f85",
        "1.10",
    ],
)
def test_accepted_versions(version: str) -> None:
    assert check(f"name: f\nversion: '{version}'\n") == []


def test_a_yaml_number_version_is_accepted() -> None:
    assert check("name: f\nversion: 1.0\n") == []


@pytest.mark.parametrize("version", ["1", "v1", "1.0.0.0", "01.0", "1.0-", "latest"])
def test_rejected_versions(version: str) -> None:
    assert check(f"name: f\nversion: '{version}'\n") == [
        (
            "VALID_INVALID_VERSION",
            3,
            1,
            f'`version` "{version}" is not MAJOR.MINOR[.PATCH][-pre][+build]',
        )
    ]


def test_identity_types() -> None:
    assert check("name: [a]\nversion: {x: 1}\n") == [
        ("VALID_INVALID_TYPE", 2, 1, '`name` must be a string, not ["a"]'),
        ("VALID_INVALID_TYPE", 3, 1, '`version` must be a string, not {"x": 1}'),
    ]
    assert only_codes("name: a/b\nversion: 1.0.0\ndescription: 5\n") == [
        "VALID_INVALID_VALUE",
        "VALID_INVALID_TYPE",
    ]


def test_unknown_top_level_key_suggests_the_right_one() -> None:
    result = validate(parse(f"---\n{HEAD}secret: [A]\n---\n{BODY}", "f.flow.md"))
    (diagnostic,) = result.diagnostics
    assert (diagnostic.code, diagnostic.severity.value) == ("VALID_UNKNOWN_FIELD", "warning")
    assert diagnostic.hints == ("did you mean `secrets`?",)


@pytest.mark.parametrize(
    "fields",
    [
        "config:\n  limit: 5\n  name: x\n  on: true\n  ratio: 0.5\n  tags: [a]\n  opts: {a: 1}\n",
        "config:\n  mode:\n    type: enum\n    values: [a, b]\n    default: a\n",
        "config:\n  n:\n    type: integer\n    default: 5.0\n    required: true\n",
        "config:\n  n:\n    type: number\n    default: 5\n    description: a number\n",
        "config:\n  items:\n    type: array\n    items: string\n    default: []\n",
        "input:\n  topic:\n    type: string\n    required: true\n",
        "output:\n  report:\n    type: object\n",
        "config:\n  nothing:\n    type: string\n    default: null\n",
    ],
    ids=["shorthand", "enum", "integer", "number", "array-items", "input", "output", "null"],
)
def test_accepted_field_declarations(fields: str) -> None:
    assert check(HEAD + fields) == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            "config:\n  n:\n    type: bool\n",
            [("VALID_INVALID_TYPE", 6, 5, '`config.n` declares unknown type "bool"')],
        ),
        (
            "config:\n  n:\n    type: boolean\n    default: 'yes'\n",
            [
                (
                    "CONFIG_INVALID",
                    7,
                    5,
                    'the default of `config.n` is "yes", expected a boolean (true/false/yes/no/1/0)'
                    " (type boolean)",
                )
            ],
        ),
        (
            "input:\n  n:\n    type: enum\n    values: a\n",
            [("VALID_INVALID_TYPE", 7, 5, '`input.n.values` must be a non-empty list, not "a"')],
        ),
        (
            "output:\n  n:\n    type: string\n    required: maybe\n",
            [
                (
                    "VALID_INVALID_TYPE",
                    7,
                    5,
                    '`output.n.required` must be true or false, not "maybe"',
                )
            ],
        ),
        (
            "config: [a, b]\n",
            [
                (
                    "VALID_INVALID_TYPE",
                    4,
                    1,
                    '`config` must be a mapping of field names, not ["a", "b"]',
                )
            ],
        ),
    ],
    ids=["unknown-type", "default", "enum-values", "required", "not-a-mapping"],
)
def test_rejected_field_declarations(
    fields: str, expected: list[tuple[str, int, int, str]]
) -> None:
    assert check(HEAD + fields) == expected


def test_type_synonyms_are_suggested() -> None:
    result = validate(parse(f"---\n{HEAD}config:\n  n:\n    type: str\n---\n{BODY}", "f"))
    assert result.diagnostics[0].hints[0] == "did you mean `string`?"


def test_secrets() -> None:
    assert check(HEAD + "secrets: [API_KEY, _x, db_url2]\n") == []
    assert check(HEAD + "secrets:\n  - GOOD\n  - bad-name\n  - 3\n") == [
        ("VALID_INVALID_VALUE", 4, 1, '"bad-name" in `secrets` is not a valid secret name'),
        ("VALID_INVALID_VALUE", 4, 1, "3 in `secrets` is not a valid secret name"),
    ]


def test_runtime_accepts_the_documented_settings() -> None:
    settings = (
        "runtime:\n  timeout: 10m\n  retry: 0\n  concurrency: 1\n  schedule: eager\n"
        "  context_budget: 1.5m\n  env: [HOME]\n"
    )
    assert check(HEAD + settings) == []
    assert check(HEAD + "runtime:\n  timeout: 5000\n  context_budget: 200000\n") == []
    assert check(HEAD + "runtime:\n  timeout: '{{ $config.deadline }}'\n") == []


@pytest.mark.parametrize(
    ("setting", "code"),
    [
        ("timeout: 0", "VALID_INVALID_DURATION"),
        ("timeout: [1]", "VALID_INVALID_DURATION"),
        ("retry: 1.5", "VALID_INVALID_TYPE"),
        ("retry: true", "VALID_INVALID_TYPE"),
        ("concurrency: '4'", "VALID_INVALID_TYPE"),
        ("schedule: wave", "VALID_INVALID_VALUE"),
        ("context_budget: 0", "VALID_INVALID_VALUE"),
        ("context_budget: 2g", "VALID_INVALID_VALUE"),
        ("env: HOME", "VALID_INVALID_TYPE"),
        ("concurency: 2", "VALID_UNKNOWN_FIELD"),
    ],
)
def test_runtime_rejections(setting: str, code: str) -> None:
    assert only_codes(HEAD + f"runtime:\n  {setting}\n") == [code]


def test_runtime_must_be_a_mapping() -> None:
    assert only_codes(HEAD + "runtime: fast\n") == ["VALID_INVALID_TYPE"]


@pytest.mark.parametrize(
    "trigger",
    [
        "trigger: manual",
        "trigger:\n  schedule: '0 9 * * 1-5'",
        "trigger:\n  schedule: every 15m",
        "trigger:\n  schedule: '@hourly'",
        "trigger:\n  webhook:\n    path: /hooks/x\n    auth: token",
        "trigger:\n  webhook:\n    path: /hooks/x\n    auth: {type: hmac, secret: X}",
        "trigger:\n  manual: true\n  schedule: every 1d",
    ],
)
def test_accepted_triggers(trigger: str) -> None:
    assert check(HEAD + trigger + "\n") == []


@pytest.mark.parametrize(
    ("trigger", "codes"),
    [
        ("trigger: sometimes", ["VALID_INVALID_VALUE"]),
        ("trigger: {}", ["VALID_INVALID_VALUE"]),
        ("trigger:\n  cron: '* * * * *'", ["VALID_UNKNOWN_FIELD"]),
        ("trigger:\n  schedule: every now", ["VALID_INVALID_VALUE"]),
        ("trigger:\n  schedule: 5", ["VALID_INVALID_VALUE"]),
        ("trigger:\n  webhook: /x", ["VALID_INVALID_TYPE"]),
        (
            "trigger:\n  webhook:\n    path: 5\n    secret: x",
            ["VALID_INVALID_TYPE", "VALID_UNKNOWN_FIELD"],
        ),
    ],
)
def test_rejected_triggers(trigger: str, codes: list[str]) -> None:
    assert only_codes(HEAD + trigger + "\n") == codes


def test_test_cases() -> None:
    cases = (
        "tests:\n  - name: ok\n    config: {a: 1}\n    input: {}\n    mocks: {hello: 1}\n"
        "    answers: {}\n    expect: {hello: hi}\n    expectOutput: hi\n"
        "    expect-error: {node: hello, type: x}\n"
    )
    assert check(HEAD + cases) == []
    assert check(HEAD + "tests:\n  - expect-error: {node: nope}\n") == [
        (
            "VALID_UNDEFINED_NODE_REF",
            5,
            5,
            "`expect-error` of test case 1 names unknown node `nope`",
        )
    ]
    assert only_codes(HEAD + "tests: {a: 1}\n") == ["VALID_INVALID_TYPE"]


def test_schemas_and_evolution() -> None:
    ok = (
        "schemas:\n  s: '{a: string}'\n  j: {type: object}\n"
        "evolution:\n  generation: 1\n  parent: x\n  fitness: 0.5\n  learnings: []\n"
    )
    assert check(HEAD + ok) == []
    assert only_codes(HEAD + "schemas:\n  s: 5\nevolution:\n  generaton: 1\n") == [
        "VALID_INVALID_TYPE",
        "VALID_UNKNOWN_FIELD",
    ]
    assert only_codes(HEAD + "schemas: [a]\nevolution: x\n") == [
        "VALID_INVALID_TYPE",
        "VALID_INVALID_TYPE",
    ]
