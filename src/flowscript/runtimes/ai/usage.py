"""Token usage of AI calls: read from responses, summed per node and per run, described.

A usage record is a plain JSON object (it is stored in ``NodeResult.usage``, the state file and
the ``--format json`` output)::

    {"promptTokens": 120, "completionTokens": 30, "totalTokens": 150,
     "cost": 0.00042, "requests": 2, "cached": 0}

``cost`` is what the endpoint reported (OpenRouter's ``usage.cost``), ``None`` when no call
reported one; a call replayed from the record/replay cache costs 0. ``requests`` counts the
chat-completion calls made over HTTP, ``cached`` the calls answered from the cache.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

__all__ = [
    "combine_usage",
    "describe_usage",
    "parse_token_budget",
    "run_usage",
    "usage_from_response",
]

_COUNTS: Final = ("promptTokens", "completionTokens", "totalTokens", "requests", "cached")
_BUDGET_RE: Final = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*")
_MULTIPLIERS: Final = {"": 1, "k": 1_000, "m": 1_000_000}


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return int(value)


def usage_from_response(data: Mapping[str, Any], *, cached: bool) -> dict[str, Any]:
    """The usage record of one chat-completion response (``usage`` may be missing).

    A cached (replayed) response keeps its recorded token counts, so budgets behave the same
    on replay, but costs nothing.
    """
    raw = data.get("usage")
    usage: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    prompt = _int(usage.get("prompt_tokens"))
    completion = _int(usage.get("completion_tokens"))
    total = _int(usage.get("total_tokens")) or prompt + completion
    cost = usage.get("cost", usage.get("total_cost"))
    if isinstance(cost, bool) or not isinstance(cost, int | float):
        cost = None
    return {
        "promptTokens": prompt,
        "completionTokens": completion,
        "totalTokens": total,
        "cost": 0.0 if cached else (None if cost is None else float(cost)),
        "requests": 0 if cached else 1,
        "cached": 1 if cached else 0,
    }


def combine_usage(
    first: Mapping[str, Any] | None, second: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """The sum of two usage records (``None`` is the empty record)."""
    if not first:
        return dict(second) if second else None
    if not second:
        return dict(first)
    combined: dict[str, Any] = {
        key: _int(first.get(key)) + _int(second.get(key)) for key in _COUNTS
    }
    costs = [c for c in (first.get("cost"), second.get("cost")) if isinstance(c, int | float)]
    combined["cost"] = round(sum(costs), 10) if costs else None
    return combined


def run_usage(usages: Iterable[Mapping[str, Any] | None]) -> dict[str, Any] | None:
    """The run's total: the sum of every node's usage, or ``None`` when no node had any."""
    total: dict[str, Any] | None = None
    for usage in usages:
        total = combine_usage(total, usage)
    return total


def describe_usage(usage: Mapping[str, Any]) -> str:
    """One line for people: ``150 tokens (120 prompt, 30 completion), cost 0.00042, 2 requests``.

    The cost is shown when known; replayed calls are counted when there were any.
    """
    text = (
        f"{_int(usage.get('totalTokens')):,} tokens ({_int(usage.get('promptTokens')):,} prompt,"
        f" {_int(usage.get('completionTokens')):,} completion)"
    )
    cost = usage.get("cost")
    if isinstance(cost, int | float) and not isinstance(cost, bool):
        text += f", cost {cost:.6g}"
    requests = _int(usage.get("requests"))
    text += f", {requests} request{'s' if requests != 1 else ''}"
    cached = _int(usage.get("cached"))
    if cached:
        text += f", {cached} replayed from the cache"
    return text


def parse_token_budget(value: Any) -> int | None:
    """``runtime.context_budget`` in tokens: ``200000``, ``"200k"``, ``"1.5m"``.

    Returns ``None`` when there is no budget or it cannot be read (the validator reports a
    malformed value before the run starts).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if value > 0 else None
    match = _BUDGET_RE.fullmatch(str(value))
    if match is None:
        return None
    tokens = int(float(match.group(1)) * _MULTIPLIERS[match.group(2).lower()])
    return tokens if tokens > 0 else None
