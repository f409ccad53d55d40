"""Protect ``{{ … }}`` templates while a text is parsed as YAML.

``url: {{$config.base}}/x`` is a YAML flow mapping if read as is; replacing each template with
a placeholder token first, and putting the templates back into every string of the result,
keeps the value the user wrote (format.md §3.3).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["protect_templates", "template_spans"]

_QUOTES = "'\"`"


def _skip_string(text: str, pos: int) -> int | None:
    """The position after the string literal opening at ``pos``; ``None`` if unterminated."""
    quote = text[pos]
    index = pos + 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == quote:
            return index + 1
        index += 1
    return None


def _closing(text: str, pos: int) -> int | None:
    """The position after the ``}}`` closing a template whose expression starts at ``pos``.

    Per expressions.md §5 the closing ``}}`` is the first one outside string literals and
    object literals.
    """
    depth = 0
    index = pos
    while index < len(text):
        char = text[index]
        if char in _QUOTES:
            after = _skip_string(text, index)
            if after is None:
                return None
            index = after
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0 and text.startswith("}}", index):
                return index + 2
            depth = max(depth - 1, 0)
        index += 1
    return None


def template_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every ``{{ … }}`` in ``text`` (``\\{{`` is not a template)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            return spans
        if start > 0 and text[start - 1] == "\\":
            pos = start + 2
            continue
        end = _closing(text, start + 2)
        if end is None:
            return spans
        spans.append((start, end))
        pos = end


def protect_templates(text: str) -> tuple[str, Callable[[Any], Any]]:
    """Replace templates with placeholder tokens.

    Returns:
        The protected text and a function that puts the templates back into every string
        (mapping keys included) of a value built from it.
    """
    spans = template_spans(text)
    if not spans:
        return text, lambda value: value
    prefix = "__fstpl"
    while prefix in text:
        prefix += "_"
    originals = [text[start:end] for start, end in spans]
    parts: list[str] = []
    pos = 0
    for number, (start, end) in enumerate(spans):
        parts.extend((text[pos:start], f"{prefix}{number}__"))
        pos = end
    parts.append(text[pos:])
    token = re.compile(re.escape(prefix) + r"(\d+)__")

    def restore(value: Any) -> Any:
        if isinstance(value, str):
            return token.sub(lambda match: originals[int(match.group(1))], value)
        if isinstance(value, dict):
            return {restore(key): restore(item) for key, item in value.items()}
        if isinstance(value, list):
            return [restore(item) for item in value]
        return value

    return "".join(parts), restore
