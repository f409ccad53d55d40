"""``flowscript run``/``resume`` with AI nodes against a real local chat-completions server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_llm import FakeLLM, error, text, tool_call, usage

FLOW = """---
name: ai-cli
version: "1.0"
schemas:
  verdict: '{score: integer, verdict: "accept" | "revise"}'
---
<workflow>
  <ai id="judge" model="acme/judge" output-schema="verdict">
    <user>Rate {{ $input.text }}</user>
  </ai>
  <transform id="result" type="template" template="{{ judge.verdict }}"/>
</workflow>
"""
_AI_VARIABLES = (
    "OPENROUTER_API_KEY",
    "FLOWSCRIPT_AI_API_KEY",
    "FLOWSCRIPT_AI_BASE_URL",
    "FLOWSCRIPT_AI_CACHE",
)


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM() as fake:
        yield fake


def cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m flowscript ARGS`` without any AI setting inherited from this process."""
    environment = {k: v for k, v in os.environ.items() if k not in _AI_VARIABLES}
    environment.update(NO_COLOR="1", **env)
    return subprocess.run(
        [sys.executable, "-m", "flowscript", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


@pytest.fixture
def flow_file(tmp_path: Path) -> Path:
    path = tmp_path / "ai-cli.flow.md"
    path.write_text(FLOW)
    return path


def test_run_with_ai_base_url_prints_usage_in_json(
    llm: FakeLLM, tmp_path: Path, flow_file: Path
) -> None:
    llm.script(tool_call({"score": 9, "verdict": "accept"}, used=usage(30, 7, cost=0.0042)))
    done = cli(
        tmp_path,
        "run",
        flow_file.name,
        "--ai-base-url",
        llm.base_url,
        "--input",
        '{"text": "a haiku"}',
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["result"] == "accept"
    expected = {
        "promptTokens": 30,
        "completionTokens": 7,
        "totalTokens": 37,
        "cost": 0.0042,
        "requests": 1,
        "cached": 0,
    }
    assert document["nodes"]["judge"]["usage"] == expected
    assert document["nodes"]["result"]["usage"] is None
    assert document["usage"] == expected
    assert llm.requests[0].body["messages"] == [{"role": "user", "content": "Rate a haiku"}]


def test_the_text_summary_and_the_log_show_the_run_usage(
    llm: FakeLLM, tmp_path: Path, flow_file: Path
) -> None:
    llm.script(tool_call({"score": 2, "verdict": "revise"}))
    done = cli(tmp_path, "run", flow_file.name, "--ai-base-url", llm.base_url, "--no-state")
    assert done.returncode == 0, done.stderr
    assert "  ai usage: 15 tokens (10 prompt, 5 completion), 1 request\n" in done.stdout
    assert "**AI Usage:** 15 tokens (10 prompt, 5 completion), 1 request" in flow_file.read_text()


def test_the_base_url_may_come_from_the_environment(
    llm: FakeLLM, tmp_path: Path, flow_file: Path
) -> None:
    done = cli(tmp_path, "run", flow_file.name, "--no-state", FLOWSCRIPT_AI_BASE_URL=llm.base_url)
    assert done.returncode == 0, done.stderr
    assert len(llm.requests) == 1


def test_a_missing_key_is_exit_2_before_anything_runs(tmp_path: Path, flow_file: Path) -> None:
    done = cli(tmp_path, "run", flow_file.name, "--format", "json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "AI node 'judge' has no API key for https://openrouter.ai/api/v1" in done.stderr
    assert "OPENROUTER_API_KEY" in done.stderr
    assert not (tmp_path / ".flowscript").exists()  # no run state: the run never started


def test_the_key_is_sent_and_masked_in_everything_written(
    llm: FakeLLM, tmp_path: Path, flow_file: Path
) -> None:
    key = "sk-or-v1-very-secret-0042"
    llm.script(error(401, f"invalid key {key}"))
    done = cli(
        tmp_path,
        "run",
        flow_file.name,
        "--ai-base-url",
        llm.base_url,
        "--format",
        "json",
        FLOWSCRIPT_AI_API_KEY=key,
    )
    assert done.returncode == 1
    assert llm.requests[0].headers["authorization"] == f"Bearer {key}"
    document = json.loads(done.stdout)
    assert document["error"]["type"] == "ai.auth"
    assert document["error"]["message"].endswith("invalid key ***")
    written = [done.stdout, done.stderr, flow_file.read_text()]
    written += [p.read_text() for p in (tmp_path / ".flowscript").rglob("*") if p.is_file()]
    assert all(key not in text for text in written)


def test_a_key_in_the_env_file_next_to_the_workflow_is_used(
    llm: FakeLLM, tmp_path: Path, flow_file: Path
) -> None:
    (tmp_path / ".env").write_text("FLOWSCRIPT_AI_API_KEY=from-dotenv-123\n")
    done = cli(tmp_path, "run", flow_file.name, "--ai-base-url", llm.base_url, "--no-state")
    assert done.returncode == 0, done.stderr
    assert llm.requests[0].headers["authorization"] == "Bearer from-dotenv-123"


def test_ai_cache_replays_the_second_run_without_requests(
    llm: FakeLLM, tmp_path: Path, flow_file: Path
) -> None:
    llm.script(tool_call({"score": 7, "verdict": "accept"}, used=usage(20, 4, cost=0.01)))
    args = ("run", flow_file.name, "--ai-base-url", llm.base_url, "--format", "json")
    first = cli(tmp_path, *args, "--ai-cache", "recorded")
    assert first.returncode == 0, first.stderr
    assert len(llm.requests) == 1
    second = cli(tmp_path, *args, FLOWSCRIPT_AI_CACHE="recorded")
    assert second.returncode == 0, second.stderr
    assert len(llm.requests) == 1  # the replay made no request
    document = json.loads(second.stdout)
    assert document["result"] == "accept"
    assert document["usage"] == {
        "promptTokens": 20,
        "completionTokens": 4,
        "totalTokens": 24,
        "cost": 0.0,
        "requests": 0,
        "cached": 1,
    }
    assert len(list((tmp_path / "recorded").glob("*.json"))) == 1


def test_resume_takes_the_ai_flags_too(llm: FakeLLM, tmp_path: Path, flow_file: Path) -> None:
    llm.script(error(503, "overloaded"))
    failed = cli(tmp_path, "run", flow_file.name, "--ai-base-url", llm.base_url, "--format", "json")
    assert failed.returncode == 1
    run_id = json.loads(failed.stdout)["runId"]
    llm.script(tool_call({"score": 8, "verdict": "accept"}))
    missing = cli(tmp_path, "resume", run_id)
    assert missing.returncode == 2
    assert "has no API key" in missing.stderr
    resumed = cli(tmp_path, "resume", run_id, "--ai-base-url", llm.base_url, "--format", "json")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["result"] == "accept"
    assert len(llm.requests) == 2


def test_plain_text_replies(llm: FakeLLM, tmp_path: Path) -> None:
    (tmp_path / "t.flow.md").write_text(
        "---\nname: t\nversion: '1.0'\n---\n<workflow>\n"
        '<ai id="say" model="m" prompt="hello"/>\n</workflow>\n'
    )
    llm.script(text("Hi there!"))
    done = cli(tmp_path, "run", "t.flow.md", "--ai-base-url", llm.base_url, "--format", "json")
    assert json.loads(done.stdout)["result"] == "Hi there!"
