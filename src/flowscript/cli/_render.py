"""Text rendering of diagnostics with code frames (cli.md, ``validate``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import click

from flowscript.model import Diagnostic, SourceSpan

__all__ = ["SourceCache", "render_diagnostic", "render_diagnostics"]


class SourceCache:
    """Reads each source file once, for code frames."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str] | None] = {}

    def remember(self, path: str, text: str) -> None:
        """Record the text of ``path`` (when the caller already read it)."""
        self._lines[path] = text.splitlines()

    def line(self, path: str, number: int) -> str | None:
        """Line ``number`` (1-based) of ``path``, or ``None`` when unavailable."""
        if path not in self._lines:
            try:
                self._lines[path] = Path(path).read_text(encoding="utf-8-sig").splitlines()
            except (OSError, UnicodeDecodeError):
                self._lines[path] = None
        lines = self._lines[path]
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]


def _frame(span: SourceSpan, sources: SourceCache, style: Callable[..., str]) -> list[str]:
    text = sources.line(span.path, span.line)
    if text is None:
        return []
    text = text.replace("\t", " ")
    gutter = str(span.line)
    pad = " " * len(gutter)
    caret_width = 1
    if span.end_line == span.line and span.end_column and span.end_column > span.column:
        caret_width = span.end_column - span.column
    caret = " " * (span.column - 1) + "^" * caret_width
    bar = style("|", fg="blue", bold=True)
    return [
        f"{pad} {bar}",
        f"{style(gutter, fg='blue', bold=True)} {bar} {text}",
        f"{pad} {bar} {style(caret, fg='red', bold=True)}",
    ]


def render_diagnostic(
    diagnostic: Diagnostic, sources: SourceCache, *, color: bool = False
) -> list[str]:
    """Lines for one diagnostic: header, location, code frame, hints."""

    def style(text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if color else text  # type: ignore[arg-type]

    severity = diagnostic.severity.value
    head_color = "red" if diagnostic.is_error else "yellow"
    lines = [
        f"{style(f'{severity}[{diagnostic.code}]', fg=head_color, bold=True)}: "
        f"{style(diagnostic.message, bold=True)}"
    ]
    if diagnostic.span is not None:
        lines.append(f"  {style('-->', fg='blue', bold=True)} {diagnostic.span}")
        lines.extend(_frame(diagnostic.span, sources, style))
    lines.extend(f"{style('hint', fg='cyan', bold=True)}: {hint}" for hint in diagnostic.hints)
    return lines


def render_diagnostics(
    diagnostics: Iterable[Diagnostic], sources: SourceCache, *, color: bool = False
) -> str:
    """Every diagnostic, separated by blank lines."""
    blocks = ["\n".join(render_diagnostic(d, sources, color=color)) for d in diagnostics]
    return "\n\n".join(blocks)
