"""Finding, reading and replacing the execution-log section of a workflow file (format.md §4).

Pure text functions: :mod:`flowscript.reporting.log` does the file I/O.

The section starts, in the footer after ``</workflow>`` only, at the earliest of:

- the ``---`` line before a ``## Execution Log`` heading (blank lines may separate them),
- a ``## Execution Log`` heading line without a ``---`` before it,
- an HTML comment placeholder containing ``## Execution Log``,

and runs to the end of the file. ``## Execution Log`` inside the frontmatter or the workflow body
(a template, a CDATA section) is never taken for the marker, because the search starts after
``</workflow>`` — found skipping the frontmatter, XML comments and CDATA sections — or after a
self-closing ``<workflow/>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = [
    "RecentRun",
    "find_log_section",
    "parse_recent_runs",
    "replace_log_section",
    "table_row",
]

_FRONTMATTER_CLOSE: Final = re.compile(r"^---[ \t]*\r?$", re.M)
_MARKUP: Final = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>"
    r"|<workflow\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(?P<self>/?)>"
    r"|(?P<close></workflow\s*>)",
    re.S,
)
_SEPARATED_HEADING: Final = re.compile(
    r"^---[ \t]*\r?\n(?:[ \t]*\r?\n)*##[ \t]+Execution Log[ \t]*\r?$", re.M
)
_HEADING: Final = re.compile(r"^##[ \t]+Execution Log[ \t]*\r?$", re.M)
_PLACEHOLDER: Final = re.compile(r"<!--(?:(?!-->).)*?##[ \t]*Execution Log.*?-->", re.S)
_CELL_SPLIT: Final = re.compile(r"(?<!\\)\|")
_SEPARATOR_CELL: Final = re.compile(r":?-+:?")
_HEADER_FIELD: Final = re.compile(r"^\*\*(Run ID|Timestamp|Status|Duration):\*\*[ \t]*(.*?)[ \t]*$")
_RECENT_HEADER: Final = ("Run ID", "Timestamp", "Status", "Duration")


@dataclass(frozen=True, slots=True, kw_only=True)
class RecentRun:
    """One row of the Recent Runs table, as text (carried over from the file byte for byte).

    Attributes:
        run_id: the run id.
        timestamp: run start, UTC ISO-8601 with milliseconds (``2024-05-01T10:00:00.000Z``).
        status: the run's final status.
        duration: seconds with 2 decimals and ``s`` (``1.25s``).
    """

    run_id: str
    timestamp: str
    status: str
    duration: str

    def row(self) -> str:
        """The Markdown table row."""
        return table_row((self.run_id, self.timestamp, self.status, self.duration))


def table_row(cells: tuple[str, ...]) -> str:
    """``| a | b |`` with ``|`` in cells escaped as ``\\|``."""
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _workflow_end(text: str) -> int | None:
    """Offset just after ``</workflow>`` (or ``<workflow/>``); ``None`` when there is none."""
    body_start = 0
    if text.lstrip("\ufeff").startswith("---"):
        first_newline = text.find("\n")
        closing = _FRONTMATTER_CLOSE.search(text, first_newline + 1) if first_newline >= 0 else None
        if closing is None:
            return None
        body_start = closing.end()
    opened = False
    for match in _MARKUP.finditer(text, body_start):
        if match.group("close") is not None:
            if opened:
                return match.end()
        elif match.group("self") is not None:  # an opening <workflow ...> tag
            if match.group("self") == "/":
                return match.end()
            opened = True
    return None


def find_log_section(text: str) -> int | None:
    """Offset where the log section starts, or ``None`` when the footer has none.

    Raises:
        ValueError: the text has no ``</workflow>`` (nor ``<workflow/>``).
    """
    footer_start = _workflow_end(text)
    if footer_start is None:
        raise ValueError("could not find the end of the <workflow> element")
    starts = [
        match.start()
        for pattern in (_SEPARATED_HEADING, _HEADING, _PLACEHOLDER)
        if (match := pattern.search(text, footer_start)) is not None
    ]
    return min(starts) if starts else None


def replace_log_section(text: str, section: str) -> str:
    """Put ``section`` (LF line endings) in place of the log section of ``text``.

    Args:
        text: the whole workflow file.
        section: the new section, starting with its ``---`` line.

    Returns:
        The new text: the text before the section is kept byte for byte; the section uses the
        file's line ending (CRLF when the file's first line ends so).

    Raises:
        ValueError: the text has no ``</workflow>``.
    """
    start = find_log_section(text)
    newline = "\r\n" if text.split("\n", 1)[0].endswith("\r") else "\n"
    before = text if start is None else text[:start]
    if before and not before.endswith("\n"):
        before += newline
    if start is None and not before.endswith(newline * 2):
        before += newline  # a blank line, so "---" is a rule, not a setext heading underline
    return before + section.replace("\n", newline)


def _cells(line: str) -> list[str] | None:
    stripped = line.strip()
    if not stripped.startswith("|") or not stripped.endswith("|") or len(stripped) < 2:
        return None
    parts = _CELL_SPLIT.split(stripped[1:-1])
    return [part.strip().replace("\\|", "|") for part in parts]


def parse_recent_runs(section: str) -> list[RecentRun]:
    """The rows of the Recent Runs table of an old log section, in order.

    A section written before Recent Runs existed (the TypeScript engine's layout) gives its own
    run, read from the ``**Run ID:**`` … ``**Duration:**`` lines.
    """
    lines = section.splitlines()
    heading = next((i for i, line in enumerate(lines) if line.strip() == "### Recent Runs"), None)
    if heading is None:
        return _header_run(lines)
    runs: list[RecentRun] = []
    in_table = False
    for line in lines[heading + 1 :]:
        cells = _cells(line)
        if cells is None:
            if in_table or line.strip():
                break
            continue
        in_table = True
        if tuple(cells) == _RECENT_HEADER or all(_SEPARATOR_CELL.fullmatch(c) for c in cells):
            continue
        if len(cells) == 4:
            run_id, timestamp, status, duration = cells
            runs.append(
                RecentRun(
                    run_id=run_id.strip("`"), timestamp=timestamp, status=status, duration=duration
                )
            )
    return runs


def _header_run(lines: list[str]) -> list[RecentRun]:
    fields: dict[str, str] = {}
    for line in lines:
        match = _HEADER_FIELD.match(line.strip())
        if match is not None:
            fields.setdefault(match.group(1), match.group(2))
    run_id = fields.get("Run ID", "").strip("`")
    if not run_id:
        return []
    return [
        RecentRun(
            run_id=run_id,
            timestamp=fields.get("Timestamp", ""),
            status=fields.get("Status", ""),
            duration=fields.get("Duration", ""),
        )
    ]
