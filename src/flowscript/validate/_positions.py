"""File positions of characters inside text values (for expression diagnostics).

``Text.span`` points at the first character of a value. A column inside a single-line value is
a plain offset; multi-line element text has been trimmed and dedented by the parser, so later
lines are found again in the source to recover their real columns. Values taken from YAML
blocks (a header inside ``<headers>``) start somewhere below the block's span: they are found by
searching the following lines. When nothing matches (entities decoded, say) the position falls
back to the value's own span.
"""

from __future__ import annotations

from flowscript.model import SourceSpan, Text

__all__ = ["SourceLocator"]

_SEARCH_LINES = 400
"""How far below a span a YAML-nested value is searched for."""


class SourceLocator:
    """Maps ``(Text, offset inside its value)`` to a file ``SourceSpan``."""

    def __init__(self, source: str) -> None:
        self._lines = [line.rstrip("\r") for line in source.split("\n")]

    def line(self, number: int) -> str:
        """The 1-based line ``number`` of the source ('' past the end)."""
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""

    def locate(self, text: Text, offset: int) -> SourceSpan:
        """Where character ``offset`` (0-based) of ``text.value`` is in the file."""
        value = text.value
        offset = max(0, min(offset, len(value)))
        before = value[:offset]
        delta = before.count("\n")
        column = offset - (before.rfind("\n") + 1)
        line, start = self._anchor(text)
        if delta == 0:
            return SourceSpan(text.span.path, line, start + column)
        value_line = value.split("\n")[delta].rstrip("\r")
        return SourceSpan(
            text.span.path, line + delta, self._indent(line + delta, value_line) + column + 1
        )

    def _anchor(self, text: Text) -> tuple[int, int]:
        """(line, column) of the value's first character, verified against the source."""
        first = text.value.split("\n", 1)[0].rstrip("\r")
        span = text.span
        if not first or self.line(span.line)[span.column - 1 :].startswith(first):
            return span.line, span.column
        for number in range(span.line, span.line + _SEARCH_LINES):
            if number > len(self._lines):
                break
            found = self._lines[number - 1].find(
                first, span.column - 1 if number == span.line else 0
            )
            if found >= 0:
                return number, found + 1
        return span.line, span.column

    def _indent(self, number: int, value_line: str) -> int:
        """0-based column where ``value_line`` (a dedented line) sits in source line ``number``."""
        source = self.line(number)
        if value_line and source.endswith(value_line):
            return len(source) - len(value_line)
        found = source.find(value_line) if value_line else -1
        if found >= 0:
            return found
        return len(source) - len(source.lstrip())
