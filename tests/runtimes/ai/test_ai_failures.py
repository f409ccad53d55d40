"""AI failures are classified for the engine's retry policy; the JSON-mode fallback."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fake_llm import FakeLLM, Reply, error, text, tool_call, tools_unsupported

from flowscript.execution import ManualClock, NodeRetrying

SAFETY = 10  # seconds: a bound on waiting for real I/O, never a timing assertion


@pytest.mark.parametrize(
    ("status", "error_type", "retryable"),
    [
        pytest.param(401, "ai.auth", False, id="401"),
        pytest.param(403, "ai.auth", False, id="403"),
        pytest.param(429, "ai.rate_limited", True, id="429"),
        pytest.param(500, "ai.server", True, id="500"),
        pytest.param(503, "ai.server", True, id="503"),
        pytest.param(404, "ai.request", False, id="404"),
    ],
)
async def test_http_statuses_become_typed_errors(
    llm: FakeLLM, run_ai: Any, status: int, error_type: str, retryable: bool
) -> None:
    llm.script(error(status, "nope"))
    run = await run_ai('<ai id="a" model="m" prompt="x"/>')
    assert run.error is not None
    assert (run.error.type, run.error.retryable, run.error.status) == (
        error_type,
        retryable,
        status,
    )
    assert run.error.message.endswith(": nope")


async def test_a_rate_limit_carries_retry_after(llm: FakeLLM, run_ai: Any) -> None:
    llm.script(error(429, "slow down", retry_after="12"))
    run = await run_ai('<ai id="a" model="m" prompt="x"/>')
    assert run.error is not None
    assert run.error.retry_after == 12
    assert run.error.details["retryAfter"] == 12


async def test_the_engine_waits_retry_after_then_retries_the_rate_limited_call(
    llm: FakeLLM, run_ai: Any, clock: ManualClock
) -> None:
    llm.script(error(429, "slow down", retry_after="7"), text("finally"))
    events: list[Any] = []
    task = asyncio.ensure_future(
        run_ai(
            """
            <ai id="a" model="m" prompt="x">
              <on-error><retry max="2" delay="1s"/></on-error>
            </ai>
            """,
            observers=[events.append],
        )
    )
    await asyncio.wait_for(clock.wait_for_sleepers(1), SAFETY)
    assert clock.advance_to_next() == 7
    run = await asyncio.wait_for(task, SAFETY)
    assert run.output("a") == "finally"
    assert run.state.node_results["a"].attempts == 2
    [retry] = [event for event in events if isinstance(event, NodeRetrying)]
    assert (retry.delay, retry.error["type"]) == (7, "ai.rate_limited")


async def test_usage_is_summed_over_failed_and_successful_attempts(
    llm: FakeLLM, run_ai: Any, clock: ManualClock
) -> None:
    llm.script(tool_call({"n": "x"}), tool_call({"n": "y"}), tool_call({"n": 1}))
    task = asyncio.ensure_future(
        run_ai(
            """
            <ai id="a" model="m" prompt="x" max-retries="1" output-schema="{n: integer}">
              <on-error><retry max="1" delay="1s"/></on-error>
            </ai>
            """
        )
    )
    await asyncio.wait_for(clock.wait_for_sleepers(1), SAFETY)
    clock.advance_to_next()
    run = await asyncio.wait_for(task, SAFETY)
    assert run.output("a") == {"n": 1}
    assert run.usage("a") == {
        "promptTokens": 30,
        "completionTokens": 15,
        "totalTokens": 45,
        "cost": None,
        "requests": 3,
        "cached": 0,
    }


async def test_a_slow_endpoint_times_out_the_attempt(llm: FakeLLM, run_ai: Any) -> None:
    llm.script(Reply(slow=True))
    run = await run_ai('<ai id="a" model="m" prompt="x"><timeout>200ms</timeout></ai>')
    assert run.error is not None
    assert (run.error.type, run.error.retryable) == ("timeout.attempt", True)
    assert (
        run.error.message == f"POST {llm.base_url}/chat/completions did not complete within 200 ms"
    )


async def test_an_unreachable_endpoint_is_a_retryable_connect_error(
    run_ai: Any, closed_port_url: str
) -> None:
    run = await run_ai('<ai id="a" model="m" prompt="x"/>', ai_base_url=closed_port_url + "v1")
    assert run.error is not None
    assert (run.error.type, run.error.retryable) == ("ai.connect", True)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"<html>oops</html>", id="not-json"),
        pytest.param(b'{"choices": []}', id="no-choices"),
    ],
)
async def test_a_malformed_completion_is_a_retryable_response_error(
    llm: FakeLLM, run_ai: Any, raw: bytes
) -> None:
    llm.script(Reply(raw=raw))
    run = await run_ai('<ai id="a" model="m" prompt="x"/>')
    assert run.error is not None
    assert (run.error.type, run.error.retryable) == ("ai.response", True)


async def test_an_endpoint_rejecting_tools_is_asked_again_in_json_mode(
    llm: FakeLLM, run_ai: Any
) -> None:
    llm.script(tools_unsupported(), text('{"score": 9}'), text('{"score": 4}'))
    run = await run_ai(
        """
        <ai id="a" model="m" output-schema="{score: integer}">
          <system>Judge.</system>
          <user>first</user>
        </ai>
        <ai id="b" model="m" input="a" prompt="second" output-schema="{score: integer}"/>
        """
    )
    assert run.output("a") == {"score": 9}
    assert run.output("b") == {"score": 4}
    first, retried, second = llm.requests
    assert "tools" in first.body
    schema = '{"type": "object", "properties": {"score": {"type": "integer"}}, '
    schema += '"required": ["score"], "additionalProperties": false}'
    assert retried.body == {
        "model": "m",
        "messages": [
            {
                "role": "system",
                "content": "Judge.\n\nRespond with only a JSON object (no prose, no code fence) "
                "that matches this JSON Schema:\n" + schema,
            },
            {"role": "user", "content": "first"},
        ],
        "max_tokens": 4096,
        "response_format": {"type": "json_object"},
    }
    # remembered for the base URL: the next node starts in JSON mode
    assert "tools" not in second.body
    assert second.body["response_format"] == {"type": "json_object"}


async def test_json_mode_re_asks_with_a_user_turn(llm: FakeLLM, run_ai: Any) -> None:
    llm.reject_tools = True
    llm.script(tools_unsupported(), text('{"score": "x"}'), text('{"score": 1}'))
    run = await run_ai('<ai id="a" model="m" prompt="p" output-schema="{score: integer}"/>')
    assert run.output("a") == {"score": 1}
    assert llm.requests[2].body["messages"][2:] == [
        {"role": "assistant", "content": '{"score": "x"}'},
        {
            "role": "user",
            "content": "Your answer does not match the required schema:\n"
            '- $.score: expected integer, got string "x"\n'
            "Reply again with only the corrected JSON object.",
        },
    ]


async def test_a_400_about_something_else_is_not_a_tools_fallback(
    llm: FakeLLM, run_ai: Any
) -> None:
    llm.script(error(400, "model not found"))
    run = await run_ai('<ai id="a" model="m" prompt="p" output-schema="{score: integer}"/>')
    assert run.error is not None
    assert (run.error.type, run.error.retryable) == ("ai.request", False)
    assert len(llm.requests) == 1


async def test_a_missing_key_for_a_remote_endpoint_fails_before_any_call(
    llm: FakeLLM, run_ai: Any
) -> None:
    run = await run_ai(
        '<ai id="a" model="m" prompt="p" base-url="{{ \'https://llm.example.com/v1\' }}"/>'
    )
    assert run.error is not None
    assert run.error.type == "config.invalid"
    assert "AI node 'a' has no API key for https://llm.example.com/v1" in run.error.message
    assert llm.requests == []
