"""``flowscript eval`` and ``flowscript functions`` through a real subprocess."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import pytest

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["1 + '2'"], '"12"'),
        (["0.1 + 0.2"], "0.30000000000000004"),
        (["n * 2", "--vars", '{"n": 5}'], "10"),
        (["fetch.output.x + fetch.x", "--nodes", '{"fetch": {"x": 2}}'], "4"),
        (["$input.name", "--input", '{"name": "ada"}'], '"ada"'),
        (["$config.limit", "--config", '{"limit": 7}'], "7"),
        (["Hi {{ upper(name) }}!", "--template", "--vars", '{"name": "ada"}'], '"Hi ADA!"'),
        (["{{ [1, 2] }}", "--template"], "[1,2]"),
        (["missing"], "null"),
        (['hash("abc")'], "193409669"),
    ],
    ids=[
        "concat",
        "float",
        "vars",
        "nodes",
        "input",
        "config",
        "template",
        "native",
        "undefined",
        "hash",
    ],
)
def test_eval_prints_json(flowscript: CliRunner, args: list[str], expected: str) -> None:
    result = flowscript("eval", *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_eval_syntax_error_exits_2_with_column(flowscript: CliRunner) -> None:
    result = flowscript("eval", "1 + * 2")
    assert result.returncode == 2
    assert "EXPR_PARSE_ERROR" in result.stderr
    assert "  |     ^" in result.stderr


def test_eval_blocked_access(flowscript: CliRunner) -> None:
    result = flowscript("eval", "x.constructor", "--vars", '{"x": {}}')
    assert result.returncode == 2
    assert "EXPR_BLOCKED_ACCESS" in result.stderr


def test_eval_bad_json_option_is_a_usage_error(flowscript: CliRunner) -> None:
    result = flowscript("eval", "1", "--vars", "{nope")
    assert result.returncode == 2
    assert "--vars" in result.stderr


def test_functions_lists_every_category(flowscript: CliRunner) -> None:
    result = flowscript("functions")
    assert result.returncode == 0
    for heading in ("String:", "Array:", "Math:", "Time:", "Object:", "Utility:"):
        assert heading in result.stdout
    assert "truncate(s, len" in result.stdout


def test_functions_json_has_signatures(flowscript: CliRunner) -> None:
    data = json.loads(flowscript("functions", "--format", "json").stdout)
    names = {entry["name"] for entry in data}
    assert {"upper", "format_date", "jmespath", "hash"} <= names
    assert all(entry["description"] for entry in data)
