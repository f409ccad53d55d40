"""Split a ``.flow.md`` text into frontmatter, body and footer (format.md §1).

The parser works on a *normalised* copy of the file: the UTF-8 BOM removed and ``\\r\\n``
turned into ``\\n``. Removing the ``\\r`` at the end of a line changes no line number and no
column of any character before it, so positions computed on the normalised text are the
positions in the original file; :meth:`Layout.source_offset` maps an offset back into the
original text (for the footer, which is kept byte for byte).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable

from flowscript.errors import WorkflowParseError
from flowscript.model._build import make_span
from flowscript.model.diagnostics import Diagnostic, SourceSpan

__all__ = ["Layout", "split_layout"]

_BOM = "\ufeff"
# Delimiter lines are `---`; trailing blanks are tolerated because they are invisible.
_OPENING = re.compile(r"---[ \t]*(?:\n|\Z)")
_CLOSING = re.compile(r"^---[ \t]*$", re.MULTILINE)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(match.end() for match in re.finditer("\n", text))
    return starts


class Layout:
    """The parts of a workflow file (treat as read-only).

    A plain class rather than a dataclass: one is made per parse, and a dataclass would cost
    ~1 ms at every start of the CLI.

    Attributes:
        path: the file path used in diagnostics.
        source: the original text, untouched.
        text: the normalised text (no BOM, LF line endings).
        frontmatter: the YAML text between the two ``---`` lines (normalised).
        frontmatter_line: 1-based file line of the first frontmatter line.
        body_offset: offset in ``text`` where the body starts.
        line_starts: offset in ``text`` of the first character of each line.
    """

    __slots__ = (
        "_spans",
        "body_offset",
        "frontmatter",
        "frontmatter_line",
        "line_starts",
        "path",
        "source",
        "text",
    )

    def __init__(
        self,
        *,
        path: str,
        source: str,
        text: str,
        frontmatter: str,
        frontmatter_line: int,
        body_offset: int,
        line_starts: tuple[int, ...],
    ) -> None:
        self.path = path
        self.source = source
        self.text = text
        self.frontmatter = frontmatter
        self.frontmatter_line = frontmatter_line
        self.body_offset = body_offset
        self.line_starts = line_starts
        # Spans are immutable and the same offset is asked for several times (an attribute
        # is also a config entry), so they are made once.
        self._spans: dict[int, SourceSpan] = {}

    def position(self, offset: int) -> tuple[int, int]:
        """1-based ``(line, column)`` of an offset into :attr:`text`."""
        index = bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def span(self, offset: int) -> SourceSpan:
        """The :class:`SourceSpan` of an offset into :attr:`text`."""
        span = self._spans.get(offset)
        if span is None:
            index = bisect_right(self.line_starts, offset) - 1
            column = offset - self.line_starts[index] + 1
            span = self._spans[offset] = make_span(self.path, index + 1, column, None, None)
        return span

    def spans(self, offsets: Iterable[int]) -> list[SourceSpan]:
        """:meth:`span` of each offset; one line lookup serves the offsets of one line.

        For the offsets of one element (its attributes): they are usually on one line.
        """
        cache, starts, path = self._spans, self.line_starts, self.path
        found: list[SourceSpan] = []
        line, start, end = 0, 0, -1  # the line of the previous offset: [start, end)
        for offset in offsets:
            span = cache.get(offset)
            if span is None:
                if not start <= offset < end:
                    line = bisect_right(starts, offset)
                    start = starts[line - 1]
                    end = starts[line] if line < len(starts) else len(self.text) + 1
                span = cache[offset] = make_span(path, line, offset - start + 1, None, None)
            found.append(span)
        return found

    def source_offset(self, offset: int) -> int:
        """The offset in :attr:`source` of the character at ``offset`` in :attr:`text`."""
        line, column = self.position(offset)
        bom = 1 if self.source.startswith(_BOM) else 0
        original = self.source[bom:]
        start = 0
        for _ in range(line - 1):
            start = original.index("\n", start) + 1
        return bom + start + column - 1


def _fail(code: str, message: str, path: str, line: int, hint: str) -> WorkflowParseError:
    span = SourceSpan(path, line, 1)
    return WorkflowParseError([Diagnostic(code=code, message=message, span=span, hints=(hint,))])


def split_layout(source: str, path: str) -> Layout:
    """Find the frontmatter and the body of ``source``.

    Raises:
        WorkflowParseError: ``PARSE_MISSING_FRONTMATTER`` when the first line is not ``---``,
            ``PARSE_YAML_INVALID`` when the closing ``---`` line is missing.
    """
    text = source.removeprefix(_BOM).replace("\r\n", "\n")
    opening = _OPENING.match(text)
    if opening is None:
        raise _fail(
            "PARSE_MISSING_FRONTMATTER",
            "the file does not start with a `---` line opening the YAML frontmatter",
            path,
            1,
            "start the file with `---`, the frontmatter (name, version, …), then `---`",
        )
    closing = _CLOSING.search(text, opening.end())
    if closing is None:
        raise _fail(
            "PARSE_YAML_INVALID",
            "could not find the closing --- of the frontmatter",
            path,
            1,
            "end the frontmatter with a line that is exactly `---`",
        )
    body_offset = min(closing.end() + 1, len(text))
    return Layout(
        path=path,
        source=source,
        text=text,
        frontmatter=text[opening.end() : closing.start()],
        frontmatter_line=2,
        body_offset=body_offset,
        line_starts=tuple(_line_starts(text)),
    )
