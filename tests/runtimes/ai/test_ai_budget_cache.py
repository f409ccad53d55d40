"""``runtime.context_budget`` and the record/replay cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fake_llm import FakeLLM, text, tool_call, usage

from flowscript.runtimes.ai.cache import cache_key


async def test_the_budget_stops_a_call_that_could_exceed_it(llm: FakeLLM, run_ai: Any) -> None:
    llm.script(text("one", used=usage(60, 40)))
    run = await run_ai(
        """
        <ai id="a" model="m" prompt="x" max-tokens="100"/>
        <ai id="b" model="m" prompt="{{ a }}" max-tokens="150"/>
        """,
        front="runtime:\n  context_budget: 240\n",
    )
    assert run.output("a") == "one"
    assert run.error is not None
    assert (run.error.type, run.error.retryable) == ("ai.budget_exceeded", False)
    assert run.error.message == (
        "b: the run's AI budget (runtime.context_budget) is 240 tokens; 100 are used and "
        "this call may use up to 150 more (max-tokens)"
    )
    assert len(llm.requests) == 1


async def test_the_budget_counts_re_asks_of_the_same_attempt(llm: FakeLLM, run_ai: Any) -> None:
    llm.script(tool_call({"n": "x"}, used=usage(500, 500)))
    run = await run_ai(
        '<ai id="a" model="m" prompt="x" max-tokens="1000" output-schema="{n: integer}"/>',
        front="runtime:\n  context_budget: 1.5k\n",
    )
    assert run.error is not None and run.error.type == "ai.budget_exceeded"
    assert run.error.details == {
        "budget": 1500,
        "used": 1000,
        "maxTokens": 1000,
        "usage": {
            "promptTokens": 500,
            "completionTokens": 500,
            "totalTokens": 1000,
            "cost": None,
            "requests": 1,
            "cached": 0,
        },
    }
    assert len(llm.requests) == 1


async def test_within_the_budget_calls_proceed(llm: FakeLLM, run_ai: Any) -> None:
    run = await run_ai(
        '<ai id="a" model="m" prompt="x" max-tokens="100"/>',
        front="runtime:\n  context_budget: 115\n",
    )
    assert run.error is None


async def test_a_cached_response_is_replayed_without_a_request(
    llm: FakeLLM, run_ai: Any, tmp_path: Path
) -> None:
    cache = tmp_path / "ai-cache"
    llm.script(tool_call({"score": 7}, used=usage(40, 2, cost=0.5)))
    body = '<ai id="a" model="m" prompt="rate" output-schema="{score: integer}"/>'
    key = "sk-secret-key-value-42"
    first = await run_ai(body, ai_cache=cache, secrets={"FLOWSCRIPT_AI_API_KEY": key})
    assert first.output("a") == {"score": 7}
    assert first.usage("a") == {
        "promptTokens": 40,
        "completionTokens": 2,
        "totalTokens": 42,
        "cost": 0.5,
        "requests": 1,
        "cached": 0,
    }
    [entry] = list(cache.glob("*.json"))
    assert entry.name == cache_key(llm.base_url, llm.requests[0].body) + ".json"
    assert key not in entry.read_text()
    assert json.loads(entry.read_text())["version"] == 1

    second = await run_ai(body, ai_cache=cache, secrets={"FLOWSCRIPT_AI_API_KEY": key})
    assert second.output("a") == {"score": 7}
    assert len(llm.requests) == 1  # nothing new reached the server
    assert second.usage("a") == {
        "promptTokens": 40,
        "completionTokens": 2,
        "totalTokens": 42,
        "cost": 0.0,
        "requests": 0,
        "cached": 1,
    }


async def test_a_different_request_misses_the_cache(
    llm: FakeLLM, run_ai: Any, tmp_path: Path
) -> None:
    cache = tmp_path / "c"
    await run_ai('<ai id="a" model="m" prompt="one"/>', ai_cache=cache)
    await run_ai('<ai id="a" model="m" prompt="two"/>', ai_cache=cache)
    await run_ai('<ai id="a" model="m" prompt="one"/>', ai_cache=cache)
    assert [r.body["messages"][0]["content"] for r in llm.requests] == ["one", "two"]
    assert len(list(cache.glob("*.json"))) == 2


async def test_the_cache_folder_may_come_from_the_environment(
    llm: FakeLLM, run_ai: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("FLOWSCRIPT_AI_CACHE", str(tmp_path / "env-cache"))
    await run_ai('<ai id="a" model="m" prompt="one"/>')
    await run_ai('<ai id="a" model="m" prompt="one"/>')
    assert len(llm.requests) == 1
    assert len(list((tmp_path / "env-cache").glob("*.json"))) == 1


async def test_a_corrupt_cache_entry_is_a_miss_and_is_rewritten(
    llm: FakeLLM, run_ai: Any, tmp_path: Path
) -> None:
    cache = tmp_path / "c"
    await run_ai('<ai id="a" model="m" prompt="one"/>', ai_cache=cache)
    [entry] = list(cache.glob("*.json"))
    entry.write_text("{not json")
    run = await run_ai('<ai id="a" model="m" prompt="one"/>', ai_cache=cache)
    assert run.output("a") == "echo: one"
    assert len(llm.requests) == 2
    assert json.loads(entry.read_text())["response"]["choices"][0]["message"]["content"] == (
        "echo: one"
    )
