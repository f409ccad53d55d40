"""The FlowScript exception tree.

Every error the engine raises on purpose derives from :class:`FlowScriptError`; misuse of the
Python API raises ``TypeError``/``ValueError`` instead, so ``except FlowScriptError`` never hides
a bug::

    FlowScriptError
    ├── DefinitionError          a workflow file that cannot run (carries Diagnostics)
    │   ├── WorkflowParseError       PARSE_* problems: frontmatter, XML, layout
    │   └── WorkflowValidationError  VALID_*, EXPR_*, CONFIG_INVALID problems
    ├── ConfigError              effective config / input / secrets rejected (CONFIG_INVALID)
    ├── ExpressionError          an expression could not be parsed or evaluated
    │   ├── ExpressionSyntaxError    EXPR_PARSE_ERROR (with the column inside the expression)
    │   ├── ExpressionEvalError      EXPR_EVAL_ERROR
    │   ├── BlockedAccessError       EXPR_BLOCKED_ACCESS (sandbox)
    │   └── LimitExceededError       EXPR_LIMIT_EXCEEDED (sandbox limits)
    ├── NodeError                a node failed at run time: ``type``, ``retryable``, details
    ├── StateError               STATE_INVALID: a persisted run state cannot be read
    │   └── ResumeError              RESUME_REFUSED: the run cannot be resumed as asked
    ├── StateWriteError          STATE_WRITE_FAILED: the run state could not be written
    └── ExecutionLogError        LOG_WRITE_FAILED: the execution log could not be written

Definition errors collect every problem before failing; node errors are data (``type`` and
``retryable`` are decided by the runtime that knows, never by matching message text).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowscript.model.diagnostics import Diagnostic

__all__ = [
    "BlockedAccessError",
    "ConfigError",
    "DefinitionError",
    "ExecutionLogError",
    "ExpressionError",
    "ExpressionEvalError",
    "ExpressionSyntaxError",
    "FlowScriptError",
    "LimitExceededError",
    "NodeError",
    "ResumeError",
    "StateError",
    "StateWriteError",
    "WorkflowParseError",
    "WorkflowValidationError",
]


class FlowScriptError(Exception):
    """Root of every error FlowScript raises on purpose."""


class DefinitionError(FlowScriptError):
    """A workflow definition that cannot run; carries every diagnostic found.

    Attributes:
        diagnostics: all problems found (errors and warnings), in source order.
    """

    def __init__(self, diagnostics: Iterable[Diagnostic], message: str | None = None) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        errors = [d for d in self.diagnostics if d.is_error]
        if message is None:
            first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
            message = first.format_short() if first is not None else "invalid workflow"
            if len(errors) > 1:
                message += f" (and {len(errors) - 1} more error(s))"
        super().__init__(message)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The diagnostics with severity ``error``."""
        return tuple(d for d in self.diagnostics if d.is_error)


class WorkflowParseError(DefinitionError):
    """The file could not be parsed (``PARSE_*``)."""


class WorkflowValidationError(DefinitionError):
    """The file parsed but breaks a rule (``VALID_*``, ``EXPR_*``, ``CONFIG_INVALID``)."""


class ConfigError(FlowScriptError):
    """Config overrides, workflow input or secrets were rejected before the run (exit 2).

    Attributes:
        code: always ``CONFIG_INVALID`` unless a more specific code applies.
        field: the offending config/input field, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None, code: str = "CONFIG_INVALID"):
        super().__init__(message)
        self.code = code
        self.field = field


class ExpressionError(FlowScriptError):
    """An expression or template problem.

    Attributes:
        code: the stable diagnostic code (``EXPR_*``).
        expression: the expression source text, when known.
        column: 1-based column inside ``expression``, when known.
    """

    code = "EXPR_EVAL_ERROR"

    def __init__(
        self, message: str, *, expression: str | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.expression = expression
        self.column = column

    def __str__(self) -> str:
        if self.column is not None:
            return f"{self.message} (at column {self.column})"
        return self.message


class ExpressionSyntaxError(ExpressionError):
    """The expression text is not valid FlowScript expression syntax."""

    code = "EXPR_PARSE_ERROR"


class ExpressionEvalError(ExpressionError):
    """Evaluating a well-formed expression failed."""

    code = "EXPR_EVAL_ERROR"


class BlockedAccessError(ExpressionError):
    """The expression tried to reach something the sandbox forbids."""

    code = "EXPR_BLOCKED_ACCESS"


class LimitExceededError(ExpressionError):
    """The expression exceeded a sandbox limit (steps, depth, size, regex time)."""

    code = "EXPR_LIMIT_EXCEEDED"


class NodeError(FlowScriptError):
    """A node failed at run time. Errors are data: ``type`` and ``retryable`` drive retries.

    Attributes:
        type: stable error type such as ``http.status`` or ``file.not_found``.
        message: human-readable message (secrets already redacted by the engine).
        retryable: whether the retry policy ``when="retryable"`` retries it.
        node: the id of the failing node, filled in by the executor.
        status: HTTP-like status code when the failure has one.
        retry_after: seconds the server asked to wait (``Retry-After``), when given.
        details: extra JSON-compatible data for the state file and the log.
    """

    def __init__(
        self,
        type: str,  # the spec names this field ``type``
        message: str,
        *,
        retryable: bool = False,
        node: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
        details: Mapping[str, Any] | None = None,
        cause: NodeError | None = None,
    ) -> None:
        super().__init__(message)
        self.type = type
        self.message = message
        self.retryable = retryable
        self.node = node
        self.status = status
        self.retry_after = retry_after
        self.details: dict[str, Any] = dict(details or {})
        self.cause = cause

    def __str__(self) -> str:
        return self.message


class StateError(FlowScriptError):
    """A persisted run state is corrupt, of an unknown version, or missing (``STATE_INVALID``)."""

    code = "STATE_INVALID"


class ResumeError(StateError):
    """A persisted run cannot be resumed as asked (``RESUME_REFUSED``): it completed, its
    workflow file changed (without ``force``), or ``--from`` names no node of the plan.

    Attributes:
        changes: what changed in the workflow file (``fetch (changed)``, ``x (added)``…),
            when that is the reason.
    """

    code = "RESUME_REFUSED"

    def __init__(self, message: str, *, changes: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.changes: tuple[str, ...] = tuple(changes)


class StateWriteError(FlowScriptError):
    """The run state could not be written (disk full, permissions): ``STATE_WRITE_FAILED``.

    The state on disk is still a complete state from an earlier moment of the run.
    """

    code = "STATE_WRITE_FAILED"


class ExecutionLogError(FlowScriptError):
    """The execution log could not be written into the workflow file (``LOG_WRITE_FAILED``).

    Reported on stderr by the caller; it never replaces the run's own result or error.
    """

    code = "LOG_WRITE_FAILED"


def format_list(items: Sequence[str], *, limit: int = 12) -> str:
    """Join names for a message: ``a, b, c`` with ``…`` past ``limit`` items."""
    shown = ", ".join(items[:limit])
    return shown + (", …" if len(items) > limit else "")
