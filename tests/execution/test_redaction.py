"""Secret redaction in text and in JSON-like data."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.execution.redaction import MASK, MIN_SECRET_LENGTH, Redactor


@pytest.mark.parametrize(
    ("secrets", "text", "expected"),
    [
        (["s3cret"], "token=s3cret and s3cret again", "token=*** and *** again"),
        (["abcd", "abcdef"], "x abcdef y abcd z", "x *** y *** z"),
        (["abcdef", "abcd"], "abcdefabcd", "******"),
        (["p@ss w/rd"], "url?pw=p%40ss%20w%2Frd", "url?pw=***"),
        (["p@ss w/rd"], "form pw=p%40ss+w%2Frd", "form pw=***"),
        (['qu"ote\\s'], '{"pw": "qu\\"ote\\\\s"}', '{"pw": "***"}'),
        (["a.b*c"], "a.b*c axbxc", "*** axbxc"),
        (["1234"], "id 12345 and 1234", "id ***5 and ***"),
        (["unused-secret"], "nothing to hide", "nothing to hide"),
        ([], "nothing to hide", "nothing to hide"),
    ],
    ids=[
        "repeated",
        "longest-first",
        "adjacent",
        "percent-encoded",
        "form-encoded",
        "json-escaped",
        "regex-metachars",
        "substring",
        "absent",
        "no-secrets",
    ],
)
def test_redact(secrets: list[str], text: str, expected: str) -> None:
    assert Redactor(secrets).redact(text) == expected


@pytest.mark.parametrize("short", ["", "a", "ab", "abc"], ids=["empty", "one", "two", "three"])
def test_short_values_are_ignored(short: str) -> None:
    redactor = Redactor([short])
    assert redactor.active is False
    assert redactor.redact("a b abc abcd") == "a b abc abcd"


def test_minimum_length_is_four() -> None:
    assert MIN_SECRET_LENGTH == 4
    assert Redactor(["abcd"]).redact("abcd") == MASK


def test_non_string_values_are_ignored() -> None:
    redactor = Redactor([None, 12345, "real-secret"])  # type: ignore[list-item]
    assert redactor.redact("12345 real-secret") == "12345 ***"


def test_redact_value_is_deep_and_copies() -> None:
    data: dict[str, Any] = {
        "msg": "key=hunter22",
        "list": ["hunter22", 1, None, True, {"hunter22": "x"}],
        "tuple": ("a hunter22",),
        "n": 1.5,
    }
    redacted = Redactor(["hunter22"]).redact_value(data)
    assert redacted == {
        "msg": "key=***",
        "list": ["***", 1, None, True, {"***": "x"}],
        "tuple": ("a ***",),
        "n": 1.5,
    }
    assert data["msg"] == "key=hunter22"
    assert data["list"][0] == "hunter22"


def test_redact_value_without_secrets_returns_the_same_object() -> None:
    data = {"a": ["b"]}
    assert Redactor([]).redact_value(data) is data


def test_redact_value_of_scalars() -> None:
    redactor = Redactor(["topsecret"])
    assert redactor.redact_value("topsecret!") == "***!"
    assert redactor.redact_value(42) == 42
    assert redactor.redact_value(None) is None


def test_many_secrets() -> None:
    secrets = [f"secret-{i:04d}" for i in range(500)]
    text = " ".join(reversed(secrets))
    assert Redactor(secrets).redact(text) == " ".join([MASK] * 500)


def test_state_repr_is_short_and_never_shows_secrets() -> None:
    from flowscript.execution.state import NodeResult, NodeStatus, create_execution_state

    state = create_execution_state("wf", run_id="r1", secrets={"TOKEN": "hunter2-secret"})
    for index in range(500):
        state.node_results[f"n{index}"] = NodeResult(status=NodeStatus.SUCCESS, output=index)
    state.error = {"type": "http.status", "message": "token hunter2-secret refused"}

    assert repr(state) == (
        "ExecutionState(workflow_id='wf', run_id='r1', status='pending', current_wave=-1, "
        "node_results=<500 results>, error='http.status')"
    )
