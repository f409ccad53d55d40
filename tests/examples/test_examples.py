"""Every bundled example runs offline through the real CLI with its exact expected result."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

EXPECTED: dict[str, Any] = {
    "hello": {"path": "output/hello-report.json", "bytes": 221, "format": "json"},
    "control-flow-tour": {
        "classified": ["ada: big", "grace: small", "linus: big", "margaret: small", "ada: small"],
        "mood": "hello, busy day: 5 orders",
        "doubled": 30,
        "countdown-stopped-at": 3,
    },
    "parallel-fan-out": {
        "regions": [
            {"region": "eu", "orders": 3, "total": 505.5},
            {"region": "us", "orders": 2, "total": 60.25},
        ],
        "grand-total": 565.75,
    },
    "composition": {"scores": [14, 5, 34, 3, 9], "greeting": "welcome, ada!"},
    "resilient-orders": "orders: 5, score: 62",
    "json-report": {
        "report": {
            "orders": 5,
            "revenue": 565.75,
            "average": 113.15,
            "by-customer": {"ada": 195.5, "grace": 42, "linus": 310, "margaret": 18.25},
            "items-sold": 8,
            "generated-for": "JSON-REPORT",
        }
    },
}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A copy of the examples folder, so runs write their outputs and logs there."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    return tmp_path


def _run(workdir: Path, name: str, *extra: str) -> dict[str, Any]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flowscript",
            "run",
            f"examples/{name}.flow.md",
            "--format",
            "json",
            *extra,
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_COLOR="1"),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    assert document["status"] == "completed"
    return document


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_with_expected_result(workdir: Path, name: str) -> None:
    document = _run(workdir, name)
    assert document["result"] == EXPECTED[name]


def test_hello_writes_its_report(workdir: Path) -> None:
    _run(workdir, "hello")
    report = json.loads((workdir / "output" / "hello-report.json").read_text())
    assert report == {
        "greeted": 3,
        "best": "Margaret",
        "average": 92.3,
        "messages": [
            "Hello Ada of team ENGINE (92 points)",
            "Hello Grace of team COMPILER (88 points)",
            "Hello Margaret of team APOLLO (97 points)",
        ],
    }


def test_parallel_race_cancels_the_slow_branch(workdir: Path) -> None:
    document = _run(workdir, "parallel-fan-out")
    assert document["nodes"]["slow-path"]["status"] == "skipped"
    assert "slow-sum" not in document["outputs"]


@pytest.fixture
def api() -> Iterator[Any]:
    spec = importlib.util.spec_from_file_location("serve_api", EXAMPLES / "serve_api.py")
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = module.start(0)
    yield server
    server.shutdown()
    server.server_close()


def test_http_enrich_against_the_local_api(workdir: Path, api: Any) -> None:
    base = f"http://127.0.0.1:{api.server_address[1]}"
    document = _run(workdir, "http-enrich", "-c", f"base_url={base}")
    assert document["outputs"]["users"] == [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Grace"}]
    assert document["outputs"]["posts"] == [
        ["Notes on the engine", "Bernoulli numbers"],
        ["Debugging"],
    ]
    assert api.received == [{"users": 2, "posts": 3}]
    assert document["result"]["status"] == 201


@pytest.fixture
def ai_provider() -> Iterator[Any]:
    """The deterministic demo provider of the ``ai-*`` examples, on a free port."""
    path = EXAMPLES / "ai-fake-provider.py"
    spec = importlib.util.spec_from_file_location("ai_fake_provider", path)
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    provider = module.start(0)
    yield provider
    provider.stop()


REFINED = (
    "Tide pools are tiny oceans the tide leaves behind. Anemones open like green flowers "
    "between the rocks. Crabs and sea stars wait there for the water to return."
)


def test_ai_refine_loops_until_the_judge_is_satisfied(workdir: Path, ai_provider: Any) -> None:
    document = _run(workdir, "ai-refine", "--ai-base-url", ai_provider.base_url)
    assert document["result"] == {"rounds": 3, "score": 9, "blurb": REFINED}
    assert document["outputs"]["judge"] == {"score": 9, "feedback": "Lovely. Ship it."}
    models = [request.body["model"] for request in ai_provider.requests]
    assert models == ["demo/writer", "demo/judge"] * 3
    assert document["usage"] == {
        "promptTokens": 291,
        "completionTokens": 110,
        "totalTokens": 401,
        "cost": 0.000802,
        "requests": 6,
        "cached": 0,
    }


def test_ai_judge_fanout_picks_the_best_tagline(workdir: Path, ai_provider: Any) -> None:
    document = _run(workdir, "ai-judge-fanout", "--ai-base-url", ai_provider.base_url)
    assert document["result"] == {
        "winner": "Kelp forest: sway with the tallest plants under the sea.",
        "tone": "playful",
        "candidates": 3,
    }
    assert [item["tone"] for item in document["outputs"]["pitches"]] == [
        "calm",
        "playful",
        "playful",
    ]
    # the picker's first answer broke the schema; the engine corrected it in one re-ask
    assert document["nodes"]["pick"]["usage"]["requests"] == 2
    assert document["usage"]["requests"] == 5
