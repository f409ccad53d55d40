"""Endpoint and key resolution, the pre-run key check, schema resolution, usage helpers."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.errors import ConfigError, NodeError
from flowscript.parser import parse
from flowscript.runtimes.ai.endpoint import (
    OPENROUTER_BASE_URL,
    check_ai_credentials,
    is_loopback,
    resolve_endpoint,
)
from flowscript.runtimes.ai.schema import resolve_output_schema
from flowscript.runtimes.ai.usage import (
    combine_usage,
    describe_usage,
    parse_token_budget,
    usage_from_response,
)

RUN = {"FLOWSCRIPT_AI_API_KEY": "run-key"}
ROUTER = {"OPENROUTER_API_KEY": "router-key"}


@pytest.mark.parametrize(
    ("node_url", "node_key", "run_url", "keys", "expected"),
    [
        pytest.param(None, None, None, ROUTER, (OPENROUTER_BASE_URL, "router-key"), id="default"),
        pytest.param(
            None, None, None, {**ROUTER, **RUN}, (OPENROUTER_BASE_URL, "run-key"), id="run-key"
        ),
        pytest.param(
            None,
            None,
            "https://api.openai.com/v1/",
            ROUTER,
            ("https://api.openai.com/v1", None),
            id="router-key-never-leaves-openrouter",
        ),
        pytest.param(
            "https://n.example/v1",
            "node-key",
            "https://r.example/v1",
            RUN,
            ("https://n.example/v1", "node-key"),
            id="node-wins",
        ),
        pytest.param(
            None, None, "https://r.example/v1", RUN, ("https://r.example/v1", "run-key"), id="run"
        ),
    ],
)
def test_endpoint_resolution_order(
    node_url: str | None,
    node_key: str | None,
    run_url: str | None,
    keys: dict[str, str],
    expected: tuple[str, str | None],
) -> None:
    endpoint = resolve_endpoint(node_url, node_key, run_url=run_url, keys=keys)
    assert (endpoint.base_url, endpoint.api_key) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8000/v1", True),
        ("http://localhost:11434/v1", True),
        ("http://[::1]:80/v1", True),
        ("http://127.8.9.1/v1", True),
        ("https://openrouter.ai/api/v1", False),
        ("http://10.0.0.5/v1", False),
        ("not a url", False),
    ],
)
def test_loopback_endpoints(url: str, expected: bool) -> None:
    assert is_loopback(url) is expected


def _workflow(body: str) -> Any:
    return parse(f"---\nname: w\nversion: '1'\n---\n<workflow>\n{body}\n</workflow>\n")


def test_the_pre_run_check_names_every_node_without_a_key(monkeypatch: Any) -> None:
    monkeypatch.delenv("FLOWSCRIPT_AI_BASE_URL", raising=False)
    workflow = _workflow(
        """
        <ai id="a" model="m" prompt="x"/>
        <transform id="b" type="ai" model="m" prompt="x"/>
        <ai id="c" model="m" prompt="x" api-key="{{ $secrets.K }}"/>
        <ai id="d" model="m" prompt="x" base-url="http://localhost:1/v1"/>
        <ai id="e" model="m" prompt="x" base-url="https://api.openai.com/v1"/>
        """
    )
    with pytest.raises(ConfigError) as raised:
        check_ai_credentials([workflow], base_url=None, lookup=lambda name: None)
    assert str(raised.value) == (
        "AI nodes 'a', 'b' have no API key for https://openrouter.ai/api/v1: set "
        "OPENROUTER_API_KEY (in the environment, a .env file next to the workflow, or "
        '--env-file), give the node an api-key (api-key="{{$secrets.MY_KEY}}"), or use a local '
        "endpoint with --ai-base-url or FLOWSCRIPT_AI_BASE_URL; AI node 'e' has no API key for "
        "https://api.openai.com/v1: set FLOWSCRIPT_AI_API_KEY (in the environment, a .env file "
        'next to the workflow, or --env-file), give the node an api-key (api-key="{{$secrets.'
        'MY_KEY}}"), or use a local endpoint with --ai-base-url or FLOWSCRIPT_AI_BASE_URL'
    )


def test_the_pre_run_check_returns_the_keys_it_found(monkeypatch: Any) -> None:
    monkeypatch.delenv("FLOWSCRIPT_AI_BASE_URL", raising=False)
    workflow = _workflow('<ai id="a" model="m" prompt="x"/>')
    keys = check_ai_credentials([workflow], base_url=None, lookup={**ROUTER}.get)
    assert keys == ROUTER


def test_a_local_run_endpoint_needs_no_key_and_workflows_without_ai_need_nothing(
    monkeypatch: Any,
) -> None:
    monkeypatch.setenv("FLOWSCRIPT_AI_BASE_URL", "http://127.0.0.1:9/v1")
    ai = _workflow('<ai id="a" model="m" prompt="x"/>')
    plain = _workflow('<transform id="t" template="x"/>')
    assert check_ai_credentials([ai], base_url=None, lookup=lambda name: None) == {}
    assert check_ai_credentials([plain], base_url=None, lookup={**RUN}.get) == {}


@pytest.mark.parametrize(
    ("value", "schemas", "expected", "wrapped"),
    [
        pytest.param(
            "answer",
            {"answer": "{ok: boolean}"},
            {
                "type": "object",
                "properties": {"ok": {"type": "boolean"}},
                "required": ["ok"],
                "additionalProperties": False,
            },
            False,
            id="named",
        ),
        pytest.param(
            '{"type": "array", "items": {"type": "integer"}}',
            {},
            {"type": "array", "items": {"type": "integer"}},
            True,
            id="json-text",
        ),
        pytest.param(
            {"n?": "integer", "sub": {"x": "string"}},
            {},
            {
                "type": "object",
                "properties": {
                    "n": {"type": ["integer", "null"]},
                    "sub": {
                        "type": "object",
                        "properties": {"x": {"type": "string"}},
                        "required": ["x"],
                        "additionalProperties": False,
                    },
                },
                "required": ["sub"],
                "additionalProperties": False,
            },
            False,
            id="dsl-mapping",
        ),
        pytest.param("integer", {}, {"type": "integer"}, True, id="primitive"),
    ],
)
def test_output_schema_resolution(
    value: Any, schemas: dict[str, Any], expected: dict[str, Any], wrapped: bool
) -> None:
    schema = resolve_output_schema(value, schemas, node_id="n")
    assert schema is not None
    assert (schema.json_schema, schema.wrapped) == (expected, wrapped)


@pytest.mark.parametrize(
    ("value", "schemas", "message"),
    [
        pytest.param(
            "verdict",
            {},
            "'verdict' is neither a type nor a schema declared under schemas:",
            id="unknown-name",
        ),
        pytest.param("a", {"a": "b", "b": "a"}, "refer to each other in a loop", id="loop"),
        pytest.param(7, {}, "expected a schema string or mapping", id="number"),
    ],
)
def test_bad_output_schemas_are_config_errors(
    value: Any, schemas: dict[str, Any], message: str
) -> None:
    with pytest.raises(NodeError, match=message) as raised:
        resolve_output_schema(value, schemas, node_id="n")
    assert raised.value.type == "config.invalid"


def test_no_schema_means_text() -> None:
    assert resolve_output_schema(None, {}, node_id="n") is None
    assert resolve_output_schema("  ", {}, node_id="n") is None


@pytest.mark.parametrize(
    ("value", "tokens"),
    [
        (200_000, 200_000),
        ("200k", 200_000),
        ("1.5m", 1_500_000),
        ("12", 12),
        (None, None),
        ("lots", None),
        (0, None),
    ],
)
def test_token_budgets(value: Any, tokens: int | None) -> None:
    assert parse_token_budget(value) == tokens


def test_usage_is_read_combined_and_described() -> None:
    live = usage_from_response(
        {"usage": {"prompt_tokens": 1200, "completion_tokens": 34, "cost": 0.0021}}, cached=False
    )
    replay = usage_from_response(
        {"usage": {"prompt_tokens": 10, "completion_tokens": 5}}, cached=True
    )
    assert live == {
        "promptTokens": 1200,
        "completionTokens": 34,
        "totalTokens": 1234,
        "cost": 0.0021,
        "requests": 1,
        "cached": 0,
    }
    total = combine_usage(live, replay)
    assert total == {
        "promptTokens": 1210,
        "completionTokens": 39,
        "totalTokens": 1249,
        "cost": 0.0021,
        "requests": 1,
        "cached": 1,
    }
    assert describe_usage(total) == (
        "1,249 tokens (1,210 prompt, 39 completion), cost 0.0021, 1 request, "
        "1 replayed from the cache"
    )
    assert combine_usage(None, None) is None
    assert usage_from_response({}, cached=False)["cost"] is None
