"""Did you mean" suggestions and lists of valid choices, shared by every rule."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest", "did_you_mean", "one_of"]


def closest(word: str, candidates: Iterable[str], *, limit: int = 3) -> list[str]:
    """Up to ``limit`` candidates close to ``word`` (case-insensitive), best first."""
    by_lower: dict[str, str] = {}
    for candidate in candidates:
        by_lower.setdefault(candidate.lower(), candidate)
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=limit, cutoff=0.6)
    return [by_lower[match] for match in matches]


def did_you_mean(word: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """``("did you mean `x`?",)`` when something is close to ``word``, else ``()``."""
    matches = closest(word, candidates)
    if not matches:
        return ()
    if len(matches) == 1:
        return (f"did you mean `{matches[0]}`?",)
    return ("did you mean one of " + ", ".join(f"`{m}`" for m in matches) + "?",)


def one_of(label: str, choices: Iterable[str], *, limit: int = 20) -> str:
    """``"valid <label>: a, b, c"`` (cut after ``limit`` choices)."""
    items = list(choices)
    shown = ", ".join(items[:limit]) + (", …" if len(items) > limit else "")
    return f"valid {label}: {shown}"
