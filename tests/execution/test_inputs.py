"""Run inputs: effective config, workflow input, secrets and .env files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import ConfigError
from flowscript.execution.inputs import (
    load_secrets,
    parse_cli_assignments,
    resolve_config,
    resolve_input,
)
from flowscript.model import FieldSpec, SourceSpan, Workflow

SPAN = SourceSpan("wf.flow.md", 1, 1)
NO_DEFAULT = object()


def field(name: str, type_: str, default: Any = NO_DEFAULT, **extra: Any) -> FieldSpec:
    if default is NO_DEFAULT:
        return FieldSpec(name=name, type=type_, span=SPAN, **extra)
    return FieldSpec(name=name, type=type_, span=SPAN, default=default, has_default=True, **extra)


def workflow(
    *,
    config: list[FieldSpec] = (),  # type: ignore[assignment]
    inputs: list[FieldSpec] = (),  # type: ignore[assignment]
    secrets: tuple[str, ...] = (),
    path: str = "<string>",
) -> Workflow:
    return Workflow(
        path=path,
        source="",
        name="wf",
        version="1.0",
        nodes=(),
        workflow_span=SPAN,
        config={f.name: f for f in config},
        input_schema={f.name: f for f in inputs},
        secrets=secrets,
    )


CONFIG = [
    field("limit", "number", 5),
    field("count", "integer", 1),
    field("name", "string", "x"),
    field("flag", "boolean", False),
    field("tags", "array", []),
    field("opts", "object", {"a": 1}),
    field("mode", "enum", "fast", values=("fast", "careful")),
    field("level", "enum", 1, values=(1, 2, 3)),
    field("anything", "any", None),
    field("optional", "string"),
]


# ------------------------------------------------------------------------------ CLI parsing


def test_parse_cli_assignments() -> None:
    parsed = parse_cli_assignments(["a=1", " b =x=y", "c=", "a=2"])
    assert parsed == {"a": "2", "b": "x=y", "c": ""}


@pytest.mark.parametrize("item", ["novalue", "=5", "  =x"], ids=["no-equals", "empty", "blank"])
def test_parse_cli_assignments_errors(item: str) -> None:
    with pytest.raises(ConfigError, match="expected key=value"):
        parse_cli_assignments([item])


# ---------------------------------------------------------------------------------- config


def test_defaults_only() -> None:
    assert resolve_config(workflow(config=CONFIG), None) == {
        "limit": 5,
        "count": 1,
        "name": "x",
        "flag": False,
        "tags": [],
        "opts": {"a": 1},
        "mode": "fast",
        "level": 1,
        "anything": None,
    }


def test_defaults_are_copies() -> None:
    wf = workflow(config=CONFIG)
    resolve_config(wf, None)["opts"]["a"] = 99
    assert resolve_config(wf, None)["opts"] == {"a": 1}


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("limit", "7", 7),
        ("limit", "2.5", 2.5),
        ("limit", 3, 3),
        ("count", "10", 10),
        ("name", "007", "007"),
        ("name", "true", "true"),
        ("name", "[1,2]", "[1,2]"),
        ("name", '"quoted"', "quoted"),
        ("name", "plain words", "plain words"),
        ("flag", "true", True),
        ("flag", "yes", True),
        ("flag", "0", False),
        ("tags", "[1, 2]", [1, 2]),
        ("tags", "a, b", ["a", "b"]),
        ("opts", '{"b": 2}', {"b": 2}),
        ("mode", "careful", "careful"),
        ("mode", "CAREFUL", "careful"),
        ("mode", '"fast"', "fast"),
        ("level", "2", 2),
        ("level", 3, 3),
        ("anything", "[1, {}]", [1, {}]),
        ("anything", "not json", "not json"),
        ("optional", "set", "set"),
    ],
    ids=lambda v: repr(v)[:20],
)
def test_overrides_are_parsed_and_coerced(key: str, raw: Any, expected: Any) -> None:
    result = resolve_config(workflow(config=CONFIG), {key: raw})
    assert result[key] == expected
    assert type(result[key]) is type(expected)


def test_string_enum_values_match_numeric_text() -> None:
    wf = workflow(config=[field("v", "enum", "1", values=("1", "2"))])
    assert resolve_config(wf, {"v": "2"}) == {"v": "2"}
    assert resolve_config(wf, {"v": 2}) == {"v": "2"}


@pytest.mark.parametrize(
    ("key", "raw", "match"),
    [
        ("limit", "abc", "config 'limit': expected a number, got 'abc'"),
        ("count", "1.5", "config 'count': expected an integer"),
        ("flag", "maybe", "config 'flag': expected a boolean"),
        ("mode", "reckless", "config 'mode': expected one of fast, careful, got 'reckless'"),
        ("level", "9", "config 'level': expected one of 1, 2, 3"),
        ("opts", "[1]", "config 'opts': expected an object"),
        ("name", {"a": 1}, "config 'name': expected a string"),
    ],
    ids=["number", "integer", "boolean", "enum", "enum-number", "object", "string"],
)
def test_bad_override(key: str, raw: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        resolve_config(workflow(config=CONFIG), {key: raw})
    assert info.value.code == "CONFIG_INVALID"
    assert info.value.field == key


def test_undeclared_override_with_hint() -> None:
    with pytest.raises(ConfigError, match=r"'limt' is not declared.*did you mean 'limit'") as info:
        resolve_config(workflow(config=CONFIG), {"limt": "3"})
    assert info.value.field == "limt"


def test_required_field_missing_and_given() -> None:
    wf = workflow(config=[field("token", "string", required=True)])
    with pytest.raises(ConfigError, match="config 'token' is required") as info:
        resolve_config(wf, {})
    assert info.value.field == "token"
    assert resolve_config(wf, {"token": "t"}) == {"token": "t"}


# ----------------------------------------------------------------------------------- input


def test_input_without_schema() -> None:
    wf = workflow()
    assert resolve_input(wf, None) == {}
    assert resolve_input(wf, [1, 2]) == [1, 2]
    assert resolve_input(wf, "text") == "text"


INPUTS = [
    field("query", "string", required=True),
    field("limit", "integer", 10),
    field("verbose", "boolean", False),
]


def test_input_schema_applies_defaults_and_coerces() -> None:
    result = resolve_input(workflow(inputs=INPUTS), {"query": "q", "limit": "3", "extra": [1]})
    assert result == {"query": "q", "limit": 3, "verbose": False, "extra": [1]}


def test_input_from_json_text() -> None:
    result = resolve_input(workflow(inputs=INPUTS), '{"query": "x", "verbose": "yes"}')
    assert result == {"query": "x", "limit": 10, "verbose": True}


@pytest.mark.parametrize(
    ("value", "match", "field_name"),
    [
        ({}, "input 'query' is required", "query"),
        (None, "input 'query' is required", "query"),
        ({"query": "q", "limit": "many"}, "input 'limit': expected an integer", "limit"),
        ([1], "must be an object with the fields query, limit, verbose", None),
        ("not json", "must be an object", None),
    ],
    ids=["missing", "none", "bad-type", "array", "text"],
)
def test_bad_input(value: Any, match: str, field_name: str | None) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        resolve_input(workflow(inputs=INPUTS), value)
    assert info.value.field == field_name


# --------------------------------------------------------------------------------- secrets


@pytest.fixture
def flow_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "flows"
    folder.mkdir()
    return folder


def test_secrets_from_environment_first_then_env_file_instead_of_dotenv(flow_dir: Path) -> None:
    (flow_dir / ".env").write_text("API_KEY=from-dotenv\nOTHER=dot-other\nONLY_DOT=x\n")
    env_file = flow_dir.parent / "extra.env"
    env_file.write_text("API_KEY=from-env-file\nOTHER=file-other\nLAST=file-last\n")
    wf = workflow(secrets=("API_KEY", "OTHER", "LAST"), path=str(flow_dir / "a.flow.md"))
    secrets = load_secrets(wf, env_file=env_file, environ={"API_KEY": "from-environ"})
    assert secrets == {"API_KEY": "from-environ", "OTHER": "file-other", "LAST": "file-last"}
    assert load_secrets(
        workflow(secrets=("OTHER",), path=str(flow_dir / "a.flow.md")), environ={}
    ) == {"OTHER": "dot-other"}


def test_dotenv_found_through_workflow_dir(flow_dir: Path) -> None:
    (flow_dir / ".env").write_text('TOKEN="quoted value"\n# comment\nexport EXTRA=1\n')
    wf = workflow(secrets=("TOKEN", "EXTRA"))
    secrets = load_secrets(wf, workflow_dir=flow_dir, environ={})
    assert secrets == {"TOKEN": "quoted value", "EXTRA": "1"}


def test_dotenv_never_touches_os_environ(flow_dir: Path, monkeypatch) -> None:
    monkeypatch.delenv("FLOWSCRIPT_TEST_SECRET", raising=False)
    (flow_dir / ".env").write_text("FLOWSCRIPT_TEST_SECRET=abc123\n")
    wf = workflow(secrets=("FLOWSCRIPT_TEST_SECRET",), path=str(flow_dir / "a.flow.md"))
    assert load_secrets(wf) == {"FLOWSCRIPT_TEST_SECRET": "abc123"}
    assert "FLOWSCRIPT_TEST_SECRET" not in os.environ


def test_process_environment_is_the_default(monkeypatch) -> None:
    monkeypatch.setenv("FLOWSCRIPT_TEST_SECRET", "from-process")
    wf = workflow(secrets=("FLOWSCRIPT_TEST_SECRET",))
    assert load_secrets(wf) == {"FLOWSCRIPT_TEST_SECRET": "from-process"}


def test_only_declared_secrets_are_returned(flow_dir: Path) -> None:
    wf = workflow(secrets=("A",))
    assert load_secrets(wf, workflow_dir=flow_dir, environ={"A": "1", "B": "2"}) == {"A": "1"}


def test_missing_secrets_listed(flow_dir: Path) -> None:
    (flow_dir / ".env").write_text("EMPTY_KEY\n")
    wf = workflow(secrets=("A", "B", "C", "EMPTY_KEY"))
    with pytest.raises(ConfigError, match=r"without a value: A, C, EMPTY_KEY — set them") as info:
        load_secrets(wf, workflow_dir=flow_dir, environ={"B": "b"})
    assert info.value.field == "A"
    assert info.value.code == "CONFIG_INVALID"


def test_unreferenced_missing_secret_is_fine(flow_dir: Path) -> None:
    wf = workflow(secrets=("USED", "UNUSED"))
    secrets = load_secrets(wf, workflow_dir=flow_dir, environ={"USED": "u"}, referenced={"USED"})
    assert secrets == {"USED": "u"}
    with pytest.raises(ConfigError, match="without a value: USED"):
        load_secrets(wf, workflow_dir=flow_dir, environ={}, referenced={"USED"})


def test_empty_value_counts_as_set() -> None:
    assert load_secrets(workflow(secrets=("A",)), environ={"A": ""}) == {"A": ""}


def test_missing_env_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"env file .*nope\.env does not exist"):
        load_secrets(workflow(secrets=("A",)), env_file=tmp_path / "nope.env", environ={})


def test_missing_env_file_is_an_error_without_secrets_too(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_secrets(workflow(), env_file=tmp_path / "nope.env")


def test_no_secrets_declared_reads_nothing(tmp_path: Path) -> None:
    (tmp_path / "x.env").write_text("A=1\n")
    assert load_secrets(workflow(), env_file=tmp_path / "x.env", environ={"A": "2"}) == {}
