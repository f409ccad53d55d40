"""Source positions and diagnostics shared by the parser, the validator and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Diagnostic", "Severity", "SourceSpan"]


@dataclass(frozen=True, slots=True)
class SourceSpan:
    """Where something is in a source file: path, 1-based line and 1-based column.

    ``end_line``/``end_column`` are optional; when present they bound the construct so code
    frames can underline it.
    """

    path: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None

    def shifted(self, *, lines: int = 0, column: int | None = None) -> SourceSpan:
        """A span moved down ``lines`` lines, optionally at another column."""
        return SourceSpan(self.path, self.line + lines, self.column if column is None else column)

    def at_column_offset(self, offset: int) -> SourceSpan:
        """The same line, ``offset`` characters to the right (for positions inside a value)."""
        return SourceSpan(self.path, self.line, self.column + offset)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Severity(StrEnum):
    """How bad a diagnostic is. Warnings fail only under ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One problem found in a workflow file.

    Attributes:
        code: stable code (``PARSE_*``, ``VALID_*``, ``EXPR_*``, ``CONFIG_INVALID``).
        message: one sentence saying what is wrong.
        severity: error or warning.
        span: where; ``None`` only for problems with no location (a missing file).
        hints: suggestions such as "did you mean `fetch-data`?".
        node: id of the node concerned, when there is one.
    """

    code: str
    message: str
    severity: Severity = Severity.ERROR
    span: SourceSpan | None = None
    hints: tuple[str, ...] = field(default_factory=tuple)
    node: str | None = None

    @property
    def is_error(self) -> bool:
        """True for severity ``error``."""
        return self.severity is Severity.ERROR

    def format_short(self) -> str:
        """``file:line:col: error[CODE]: message`` on one line."""
        where = f"{self.span}: " if self.span is not None else ""
        return f"{where}{self.severity.value}[{self.code}]: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order by file, line, column, code."""
        if self.span is None:
            return ("", 0, 0, self.code)
        return (self.span.path, self.span.line, self.span.column, self.code)
