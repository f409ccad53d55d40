"""The outcome of validating a workflow."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flowscript.model import Diagnostic, Workflow

if TYPE_CHECKING:
    from flowscript.graph import WorkflowGraph

__all__ = ["ValidationResult"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationResult:
    """Every diagnostic found, sorted by (path, line, column, code).

    Attributes:
        diagnostics: errors and warnings, including parse diagnostics and those of included
            workflows (which keep their own path).
        workflow: the validated workflow (``None`` when the file did not parse).
        graph: the workflow's graph as the validator computed it (planning reuses it).
    """

    diagnostics: tuple[Diagnostic, ...]
    workflow: Workflow | None = None
    graph: WorkflowGraph | None = field(default=None, compare=False, repr=False)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The diagnostics of severity ``error``."""
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """The diagnostics of severity ``warning``."""
        return tuple(d for d in self.diagnostics if not d.is_error)

    @property
    def valid(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not any(d.is_error for d in self.diagnostics)

    def ok(self, strict: bool = False) -> bool:
        """``valid``, and with ``strict`` also free of warnings."""
        return self.valid and not (strict and self.diagnostics)
