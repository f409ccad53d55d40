"""The line-per-event progress output (used when stderr is not a terminal)."""

from __future__ import annotations

import io

import pytest

from flowscript.execution.events import (
    Event,
    NodeCompleted,
    NodeFailed,
    NodeRetrying,
    NodeSkipped,
    NodeStarted,
    RunWarning,
)
from flowscript.reporting.progress import PlainProgress, format_duration

BASE = {"run_id": "r", "timestamp": 0}


def _completed(node_id: str, status: str, duration: int) -> Event:
    return NodeCompleted(**BASE, node_id=node_id, status=status, duration=duration)


HTTP_500 = {"type": "http.status", "message": "HTTP 500"}
REFUSED = {"type": "http.connect", "message": "refused"}


@pytest.mark.parametrize(
    ("event", "line"),
    [
        (_completed("fetch", "success", 12), "✓ fetch success 12ms"),
        (_completed("fix", "recovered", 1500), "✓ fix recovered 1.50s"),
        (_completed("review", "pending", 0), "⏸ review not finished (pending)"),
        (
            NodeFailed(**BASE, node_id="load", error=HTTP_500, duration=3),
            "✗ load failed: http.status: HTTP 500",
        ),
        (
            NodeRetrying(**BASE, node_id="load", attempt=1, error=REFUSED, delay=0.25),
            "↻ load attempt 1 failed (http.connect: refused); retrying in 0.25s",
        ),
        (RunWarning(**BASE, message="disk full", node_id=None), "! warning: disk full"),
    ],
    ids=["success", "recovered", "pending", "failed", "retrying", "warning"],
)
def test_each_event_prints_one_line(event: Event, line: str) -> None:
    out = io.StringIO()
    PlainProgress(out)(event)
    assert out.getvalue() == line + "\n"


def test_starts_and_skips_only_when_verbose() -> None:
    events = [
        NodeStarted(**BASE, node_id="fetch", kind="http:source", wave=0),
        NodeSkipped(**BASE, node_id="other", reason="condition false"),
    ]
    quiet, verbose = io.StringIO(), io.StringIO()
    for event in events:
        PlainProgress(quiet)(event)
        PlainProgress(verbose, verbose=True)(event)
    assert quiet.getvalue() == ""
    assert verbose.getvalue() == "▶ fetch (http:source)\n- other skipped (condition false)\n"


@pytest.mark.parametrize(
    ("ms", "text"), [(850, "850ms"), (1250, "1.25s"), (125_000, "2m05s")], ids=["ms", "s", "m"]
)
def test_durations_are_short(ms: float, text: str) -> None:
    assert format_duration(ms) == text
