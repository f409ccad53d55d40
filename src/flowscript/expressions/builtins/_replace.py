"""JavaScript ``String.prototype.replace``/``replaceAll`` with a literal search string."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flowscript.expressions.builtins.strings import replace_all_literal
from flowscript.expressions.sandbox import Sandbox
from flowscript.expressions.values import JSFunction, to_string

__all__ = ["js_replace"]


def _expand(replacement: str, matched: str, subject: str, position: int) -> str:
    """JavaScript replacement patterns for a literal search: ``$$ $& $` $'``."""
    if "$" not in replacement:
        return replacement
    tokens = {
        "$": "$",
        "&": matched,
        "`": subject[:position],
        "'": subject[position + len(matched) :],
    }
    out: list[str] = []
    i = 0
    while i < len(replacement):
        pair = replacement[i : i + 2]
        if len(pair) == 2 and pair[0] == "$" and pair[1] in tokens:
            out.append(tokens[pair[1]])
            i += 2
        else:
            out.append(replacement[i])
            i += 1
    return "".join(out)


def _replacer(s: str, replacement: Any) -> Callable[[str, int], str]:
    if isinstance(replacement, JSFunction):
        return lambda matched, position: to_string(replacement.call([matched, position, s]))
    template = to_string(replacement)
    return lambda matched, position: _expand(template, matched, s, position)


def _positions(s: str, search: str, *, every: bool) -> Iterator[int]:
    start = s.find(search)
    while start >= 0:
        yield start
        if not every:
            return
        start = s.find(search, start + max(len(search), 1))


def js_replace(sb: Sandbox, s: str, pattern: Any, replacement: Any, *, every: bool) -> str:
    """``s.replace(pattern, replacement)`` (first occurrence) or ``replaceAll`` (``every``)
    with a literal ``pattern``; ``replacement`` is a string with ``$$ $& $` $'`` patterns or a
    function called with ``(match, offset, s)``."""
    search = to_string(pattern)
    if every and not isinstance(replacement, JSFunction) and "$" not in to_string(replacement):
        return replace_all_literal(sb, s, search, to_string(replacement))
    make = _replacer(s, replacement)
    out: list[str] = []
    size, last = 0, 0
    for position in _positions(s, search, every=every):
        sb.tick()
        piece = make(search, position)
        size += position - last + len(piece)
        sb.check_size(size, "replace() result")
        out += (s[last:position], piece)
        last = position + len(search)
    sb.check_size(size + len(s) - last, "replace() result")
    out.append(s[last:])
    return "".join(out)
