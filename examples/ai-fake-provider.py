"""A scripted, deterministic stand-in for a real model provider, for the ``ai-*`` examples.

It serves the OpenAI chat-completions API (``tests/support/fake_llm.py``) and answers the demo
models the examples use by default:

- ``demo/writer`` adds one sentence to the draft it is asked to improve;
- ``demo/judge`` scores a blurb by its number of sentences (1 → 5, 2 → 7, 3 → 9);
- ``demo/pitch`` writes a tagline and a tone for a place;
- ``demo/picker`` picks the longest tagline — its first answer breaks the schema on purpose
  (``best`` as a string), so the run shows the engine's schema correction at work.

Run ``python examples/ai-fake-provider.py [PORT]`` (default 8799), then
``flowscript run examples/ai-refine.flow.md --ai-base-url http://127.0.0.1:8799/v1``.
The test suite loads this file and starts it on a free port.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))

from fake_llm import FakeLLM, Reply, default_responder, text, tool_call

SENTENCES = (
    "{Topic} are tiny oceans the tide leaves behind.",
    "Anemones open like green flowers between the rocks.",
    "Crabs and sea stars wait there for the water to return.",
    "Come at low tide and look closely.",
)
FEEDBACK = (
    "Add a vivid detail.",
    "Say who lives there.",
    "Lovely. Ship it.",
    "Perfect.",
)
TAGLINES = (
    "{Place}: a whole world in a puddle.",
    "{Place}: the light that always waits for you.",
    "{Place}: sway with the tallest plants under the sea.",
)


def _user(body: Mapping[str, Any]) -> str:
    users = [m["content"] for m in body["messages"] if m.get("role") == "user"]
    return str(users[0]) if users else ""


def _usage(body: Mapping[str, Any], answer: str) -> dict[str, Any]:
    prompt = sum(len(str(m.get("content") or "")) for m in body["messages"]) // 4
    completion = max(len(answer) // 4, 1)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "cost": (prompt + completion) * 2 / 1_000_000,
    }


def _structured(body: Mapping[str, Any], value: Any) -> Reply:
    """A tool call, or JSON text when the request is in JSON mode."""
    encoded = json.dumps(value)
    if body.get("tools"):
        return tool_call(value, model=body["model"], used=_usage(body, encoded))
    return text(encoded, model=body["model"], used=_usage(body, encoded))


def _writer(body: Mapping[str, Any]) -> Reply:
    prompt = _user(body)
    topic = re.search(r"blurb about (.+?)\.", prompt)
    name = topic.group(1) if topic else "tide pools"
    previous = re.search(r"Improve this draft: (.*) Editor feedback:", prompt)
    sentences = [] if previous is None else [previous.group(1).strip()]
    count = 0 if previous is None else previous.group(1).count(".")
    sentences.append(SENTENCES[min(count, len(SENTENCES) - 1)].format(Topic=name.capitalize()))
    draft = " ".join(sentences)
    return text(draft, model=body["model"], used=_usage(body, draft))


def _judge(body: Mapping[str, Any]) -> Reply:
    blurb = _user(body).partition("Blurb:")[2]
    count = max(blurb.count("."), 1)
    verdict = {"score": min(3 + 2 * count, 10), "feedback": FEEDBACK[min(count, 4) - 1]}
    return _structured(body, verdict)


def _pitch(body: Mapping[str, Any]) -> Reply:
    match = re.search(r"tagline for an? (.+?) in", _user(body))
    place = match.group(1) if match else "place"
    tagline = TAGLINES[len(place) % 3].format(Place=place.capitalize())
    return _structured(body, {"tagline": tagline, "tone": "playful" if len(place) % 2 else "calm"})


def _picker(body: Mapping[str, Any]) -> Reply:
    candidates = re.findall(r"^(\d+)\. (.*)$", _user(body), re.MULTILINE)
    best, line = max(candidates, key=lambda c: (len(c[1]), -int(c[0])))
    corrected = len(body["messages"]) > 2  # the engine sent the schema problems back
    reason = f"the most vivid line: {line}"
    return _structured(body, {"best": int(best) if corrected else best, "reason": reason})


MODELS: dict[str, Callable[[Mapping[str, Any]], Reply]] = {
    "demo/writer": _writer,
    "demo/judge": _judge,
    "demo/pitch": _pitch,
    "demo/picker": _picker,
}


def respond(body: Mapping[str, Any]) -> Reply:
    """Answer a demo model; anything else gets the fake server's default answer."""
    handler = MODELS.get(str(body.get("model")))
    return handler(body) if handler is not None else default_responder(body)


def start(port: int = 0) -> FakeLLM:
    """Start the provider on 127.0.0.1 in a daemon thread (``.base_url``, ``.stop()``)."""
    return FakeLLM(port, responder=respond).start()


if __name__ == "__main__":
    provider = start(int(sys.argv[1]) if len(sys.argv) > 1 else 8799)
    print(f"demo models served on {provider.base_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        provider.stop()
