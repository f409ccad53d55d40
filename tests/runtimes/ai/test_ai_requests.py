"""The AI runtime against a real local chat-completions server: what it sends and returns."""

from __future__ import annotations

from typing import Any

import pytest
from fake_llm import FakeLLM, error, text, tool_call, usage

from flowscript.runtimes.ai.schema_dsl import parse_schema_dsl

VERDICT = '{score: integer, verdict: "accept" | "revise"}'


async def test_a_schema_forces_an_output_tool_call_and_the_arguments_are_the_output(
    llm: FakeLLM, run_ai: Any
) -> None:
    llm.script(tool_call({"score": 8, "verdict": "accept"}))
    run = await run_ai(
        f"""
        <ai id="judge" model="acme/judge-1" temperature="0.2" output-schema='{VERDICT}'>
          <system>You are a strict judge.</system>
          <user>Rate: {{{{ "a poem" }}}}</user>
        </ai>
        """
    )
    assert run.error is None
    assert run.output("judge") == {"score": 8, "verdict": "accept"}
    [request] = llm.requests
    assert request.path == "/v1/chat/completions"
    assert request.body == {
        "model": "acme/judge-1",
        "messages": [
            {"role": "system", "content": "You are a strict judge."},
            {"role": "user", "content": "Rate: a poem"},
        ],
        "max_tokens": 4096,
        "temperature": 0.2,
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "output",
                    "description": "Return the answer as structured data.",
                    "parameters": parse_schema_dsl(VERDICT),
                },
            }
        ],
        "tool_choice": {"type": "function", "function": {"name": "output"}},
    }


async def test_a_loopback_endpoint_without_a_key_gets_no_authorization_header(
    llm: FakeLLM, run_ai: Any
) -> None:
    await run_ai('<ai id="a" model="m" prompt="hi"/>')
    assert "authorization" not in llm.requests[0].headers
    assert llm.requests[0].headers["content-type"] == "application/json"


async def test_the_run_key_is_sent_as_a_bearer_token_and_never_written(
    llm: FakeLLM, run_ai: Any
) -> None:
    key = "sk-test-run-key-123456"
    llm.script(error(500, f"upstream said: bad key {key}"))
    run = await run_ai('<ai id="a" model="m" prompt="hi"/>', secrets={"FLOWSCRIPT_AI_API_KEY": key})
    assert llm.requests[0].headers["authorization"] == f"Bearer {key}"
    assert run.error is not None and run.error.type == "ai.server"
    message = run.state.node_results["a"].error["message"]
    assert message == (
        f"POST {llm.base_url}/chat/completions returned HTTP 500 Internal Server Error: "
        "upstream said: bad key ***"
    )


async def test_a_node_key_and_base_url_win_over_the_run_settings(llm: FakeLLM, run_ai: Any) -> None:
    await run_ai(
        f'<ai id="a" model="m" prompt="hi" base-url="{llm.base_url}" api-key="node-key-999"/>',
        ai_base_url="http://127.0.0.1:9/nowhere",
        secrets={"FLOWSCRIPT_AI_API_KEY": "run-key-111"},
    )
    assert llm.requests[0].headers["authorization"] == "Bearer node-key-999"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param("Hello there", "Hello there", id="text"),
        pytest.param('{"a": [1, 2]}', {"a": [1, 2]}, id="json-object"),
        pytest.param("42", 42, id="json-number"),
        pytest.param('```json\n{"ok": true}\n```', {"ok": True}, id="fenced-json"),
    ],
)
async def test_without_a_schema_the_reply_text_is_the_output_parsed_when_json(
    llm: FakeLLM, run_ai: Any, reply: str, expected: Any
) -> None:
    llm.script(text(reply))
    run = await run_ai('<ai id="a" model="m" prompt="go" max-tokens="50"/>')
    assert run.output("a") == expected
    body = llm.requests[0].body
    assert "tools" not in body and "tool_choice" not in body
    assert body["max_tokens"] == 50


async def test_the_input_is_the_user_message_when_no_prompt_is_given(
    llm: FakeLLM, run_ai: Any
) -> None:
    llm.script(text('{"n": 3}'), text("done"))
    run = await run_ai(
        """
        <ai id="first" model="m" prompt="numbers"/>
        <ai id="second" model="m" input="first"/>
        """
    )
    assert run.output("second") == "done"
    assert llm.requests[1].messages == [{"role": "user", "content": '{"n":3}'}]


async def test_an_invalid_answer_is_sent_back_with_the_problems_and_corrected(
    llm: FakeLLM, run_ai: Any
) -> None:
    first = tool_call({"score": "8", "verdict": "maybe"}, used=usage(100, 20, cost=0.001))
    llm.script(first, tool_call({"score": 8, "verdict": "revise"}, used=usage(130, 10, 0.002)))
    run = await run_ai(f'<ai id="judge" model="m" prompt="rate" output-schema=\'{VERDICT}\'/>')
    assert run.output("judge") == {"score": 8, "verdict": "revise"}
    second = llm.requests[1].messages
    previous_call = first.body["choices"][0]["message"]["tool_calls"]
    assert llm.requests[0].messages == [{"role": "user", "content": "rate"}]
    assert second[0] == {"role": "user", "content": "rate"}
    assert second[1] == {"role": "assistant", "content": None, "tool_calls": previous_call}
    assert second[2] == {
        "role": "tool",
        "tool_call_id": previous_call[0]["id"],
        "content": "The arguments do not match the required schema:\n"
        '- $.score: expected integer, got string "8"\n'
        '- $.verdict: "maybe" is not one of "accept", "revise"\n'
        "Call `output` again with corrected arguments.",
    }
    assert run.usage("judge") == {
        "promptTokens": 230,
        "completionTokens": 30,
        "totalTokens": 260,
        "cost": 0.003,
        "requests": 2,
        "cached": 0,
    }


async def test_still_invalid_after_max_retries_fails_with_schema_invalid(
    llm: FakeLLM, run_ai: Any
) -> None:
    llm.script(*(tool_call({"score": "high"}) for _ in range(2)))
    run = await run_ai(
        '<ai id="judge" model="m" prompt="rate" max-retries="1" output-schema="{score: integer}"/>'
    )
    assert run.error is not None
    assert run.error.type == "ai.schema_invalid"
    assert run.error.retryable is True
    assert "after 1 correction(s)" in run.error.message
    assert run.error.details["problems"] == ['$.score: expected integer, got string "high"']
    assert len(llm.requests) == 2
    # the failed attempt's tokens still count
    assert run.usage("judge") == {
        "promptTokens": 20,
        "completionTokens": 10,
        "totalTokens": 30,
        "cost": None,
        "requests": 2,
        "cached": 0,
    }


async def test_a_text_answer_to_a_tool_request_is_accepted_when_it_is_valid_json(
    llm: FakeLLM, run_ai: Any
) -> None:
    llm.script(text('{"score": 3}'))
    run = await run_ai('<ai id="j" model="m" prompt="rate" output-schema="{score: integer}"/>')
    assert run.output("j") == {"score": 3}


async def test_prose_instead_of_a_tool_call_is_re_asked_as_a_user_turn(
    llm: FakeLLM, run_ai: Any
) -> None:
    llm.script(text("I think it is a 7."), tool_call({"score": 7}))
    run = await run_ai('<ai id="j" model="m" prompt="rate" output-schema="{score: integer}"/>')
    assert run.output("j") == {"score": 7}
    assert llm.requests[1].messages[1:] == [
        {"role": "assistant", "content": "I think it is a 7."},
        {
            "role": "user",
            "content": "Your answer does not match the required schema:\n"
            "- the answer is not a JSON object (call the output function)\n"
            "Call the `output` function with corrected arguments.",
        },
    ]


async def test_a_non_object_schema_is_wrapped_in_a_value_field(llm: FakeLLM, run_ai: Any) -> None:
    llm.script(tool_call({"value": ["ada", "grace"]}))
    run = await run_ai('<ai id="names" model="m" prompt="names" output-schema="string[]"/>')
    assert run.output("names") == ["ada", "grace"]
    parameters = llm.requests[0].body["tools"][0]["function"]["parameters"]
    assert parameters == {
        "type": "object",
        "properties": {"value": {"type": "array", "items": {"type": "string"}}},
        "required": ["value"],
        "additionalProperties": False,
    }


async def test_a_named_frontmatter_schema_is_used(llm: FakeLLM, run_ai: Any) -> None:
    front = "schemas:\n  review:\n    score: integer\n    notes?: string\n"
    llm.script(tool_call({"score": 5, "notes": None}))
    run = await run_ai('<ai id="r" model="m" prompt="x" output-schema="review"/>', front=front)
    assert run.output("r") == {"score": 5, "notes": None}
    parameters = llm.requests[0].body["tools"][0]["function"]["parameters"]
    assert parameters["required"] == ["score"]
    assert parameters["properties"]["notes"] == {"type": ["string", "null"]}


async def test_a_json_schema_child_element_is_passed_through(llm: FakeLLM, run_ai: Any) -> None:
    llm.script(tool_call({"n": 4}))
    run = await run_ai(
        """
        <ai id="r" model="m" prompt="x">
          <output-schema>
            type: object
            properties:
              n:
                type: integer
                minimum: 1
            required: [n]
          </output-schema>
        </ai>
        """
    )
    assert run.output("r") == {"n": 4}
    parameters = llm.requests[0].body["tools"][0]["function"]["parameters"]
    assert parameters == {
        "type": "object",
        "properties": {"n": {"type": "integer", "minimum": 1}},
        "required": ["n"],
    }


async def test_an_invalid_dsl_fails_the_node_with_the_position(llm: FakeLLM, run_ai: Any) -> None:
    run = await run_ai('<ai id="r" model="m" prompt="x" output-schema="{score: integr}"/>')
    assert run.error is not None
    assert run.error.type == "config.invalid"
    assert run.error.message == (
        "r: output-schema: unknown type 'integr' (known types: string, number, integer, "
        "boolean, null) (schema line 1, column 9)"
    )
    assert llm.requests == []


async def test_tools_field_is_reported_as_reserved(llm: FakeLLM, run_ai: Any) -> None:
    warnings: list[str] = []

    def observe(event: Any) -> None:
        if type(event).__name__ == "RunWarning":
            warnings.append(event.message)

    await run_ai('<ai id="a" model="m" prompt="x" tools="[]"/>', observers=[observe])
    assert warnings == ["node a: tools is reserved and not supported yet; ignored"]
