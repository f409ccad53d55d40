"""Find the execution-log section in the footer (format.md §4 "Replacement").

The section starts at the ``---`` line that precedes the ``## Execution Log`` heading (or an
HTML comment placeholder containing it) after ``</workflow>``, and runs to the end of the file.
The heading is searched only in the footer, so a template in the body that contains the same
words is never taken for the marker.
"""

from __future__ import annotations

import re

__all__ = ["LOG_HEADING", "find_log_section"]

LOG_HEADING = "## Execution Log"
"""The heading that marks the execution log."""

_HEADING = re.compile(r"^##[ \t]+Execution Log[ \t]*\r?$", re.MULTILINE)
_RULE = re.compile(r"---[ \t]*\r?")


def _footer_offset(text: str) -> int | None:
    """Where the footer starts in ``text``, or ``None`` when the file does not parse."""
    from flowscript.errors import WorkflowParseError
    from flowscript.parser._layout import split_layout
    from flowscript.parser._xml import XmlSyntaxError, scan_body

    try:
        layout = split_layout(text, "<footer>")
        _, end = scan_body(layout.text, layout.body_offset)
    except (WorkflowParseError, XmlSyntaxError):
        return None
    return layout.source_offset(end)


def _marker(text: str, start: int) -> int | None:
    """Offset of the first log heading or placeholder comment at or after ``start``."""
    heading = _HEADING.search(text, start)
    found = heading.start() if heading is not None else len(text)
    pos = start
    while (opening := text.find("<!--", pos, found)) >= 0:
        closing = text.find("-->", opening + 4)
        if closing < 0:
            break
        if LOG_HEADING in text[opening:closing]:
            return opening
        pos = closing + 3
    return heading.start() if heading is not None else None


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _section_start(text: str, floor: int, marker: int) -> int:
    """Move the start back to a ``---`` line separated from the marker by blank lines only."""
    start = _line_start(text, marker)
    if text[start:marker].strip():
        return marker  # the placeholder does not begin its line
    candidate = start
    while candidate > floor:
        previous = _line_start(text, candidate - 1)
        line = text[previous : candidate - 1]
        if previous < floor:
            break
        if _RULE.fullmatch(line):
            return previous
        if line.strip():
            break
        candidate = previous
    return max(start, floor)


def find_log_section(text: str, *, footer_offset: int | None = None) -> int | None:
    """Offset in ``text`` (a whole workflow file) where the execution-log section starts.

    Args:
        text: the whole file as read.
        footer_offset: where the footer starts (``Workflow.footer_offset``) when already
            known; otherwise the file is scanned to find the end of ``</workflow>``.

    Returns:
        The offset of the first character of the section (the ``---`` line before the
        heading when there is one), or ``None`` when the footer has no log yet or the file
        cannot be parsed.
    """
    floor = footer_offset if footer_offset is not None else _footer_offset(text)
    if floor is None:
        return None
    marker = _marker(text, floor)
    if marker is None:
        return None
    return _section_start(text, floor, marker)
