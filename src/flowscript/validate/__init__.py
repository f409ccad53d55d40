"""Workflow validation: every rule, every problem collected before failing.

``validate(workflow)`` never raises: it runs each rule of :data:`RULES` (one small function
per concern, see ``docs/diagnostics.md`` for the codes) and returns a
:class:`ValidationResult` sorted by path, line, column and code. ``validate_file`` parses the
file too and validates the workflows it includes; ``load_workflow`` raises when there are
errors.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from flowscript.errors import WorkflowParseError, WorkflowValidationError
from flowscript.model import Diagnostic, Workflow
from flowscript.model._gc import without_gc
from flowscript.validate._codes import CODES, CodeInfo
from flowscript.validate._context import Rule, ValidationContext
from flowscript.validate._includes import IncludeSession
from flowscript.validate._result import ValidationResult
from flowscript.validate._rules import RULES

__all__ = [
    "CODES",
    "RULES",
    "CodeInfo",
    "Rule",
    "ValidationResult",
    "load_valid",
    "load_workflow",
    "validate",
    "validate_file",
]


@without_gc
def validate(
    workflow: Workflow, *, include_loader: Callable[[str], Workflow] | None = None
) -> ValidationResult:
    """Check ``workflow`` against every rule; never raises.

    Args:
        workflow: a parsed workflow.
        include_loader: loads the workflow at a path (relative to the including workflow's
            folder, already joined); when given, ``<include>``/``<call>`` children are loaded
            and validated too. It raises ``FileNotFoundError`` for a missing file and
            ``WorkflowParseError`` for a file that does not parse.

    Returns:
        Every diagnostic (parse diagnostics included), sorted.
    """
    session = IncludeSession(include_loader, _collect) if include_loader is not None else None
    contexts: list[ValidationContext] = []
    diagnostics = _finish(_collect(workflow, session, contexts))
    graph = contexts[0].graph if contexts else None
    return ValidationResult(diagnostics=diagnostics, workflow=workflow, graph=graph)


def _collect(
    workflow: Workflow,
    session: IncludeSession | None,
    contexts: list[ValidationContext] | None = None,
) -> list[Diagnostic]:
    if session is not None:
        session.enter(workflow.path)
    try:
        ctx = ValidationContext(workflow, session)
        if contexts is not None:
            contexts.append(ctx)
        found: list[Diagnostic] = []
        for name, rule in RULES:
            found.extend(_run_rule(ctx, name, rule))
        return found
    except Exception as exc:
        return [_internal_error(workflow, "graph", exc)]
    finally:
        if session is not None:
            session.leave()


def _run_rule(ctx: ValidationContext, name: str, rule: Rule) -> list[Diagnostic]:
    # A crashing rule is a FlowScript bug; it must not hide what the other rules find, and
    # validate() promises never to raise, so the crash becomes a diagnostic naming the rule.
    try:
        return list(rule(ctx))
    except Exception as exc:
        return [_internal_error(ctx.workflow, name, exc)]


def _internal_error(workflow: Workflow, rule: str, exc: Exception) -> Diagnostic:
    from flowscript.model import SourceSpan

    return Diagnostic(
        code="VALID_INTERNAL_ERROR",
        message=f"validation rule `{rule}` crashed: {type(exc).__name__}: {exc}",
        span=SourceSpan(workflow.path, 1, 1),
        hints=("this is a bug in FlowScript; please report it with the workflow file",),
    )


def _finish(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Drop exact repeats (same code, place and message) and sort."""
    unique: dict[tuple[object, ...], Diagnostic] = {}
    for diagnostic in diagnostics:
        unique.setdefault((diagnostic.code, diagnostic.span, diagnostic.message), diagnostic)
    return tuple(sorted(unique.values(), key=lambda d: (*d.sort_key(), d.message)))


def _load_include(path: str) -> Workflow:
    from flowscript.parser import parse_file

    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    return parse_file(path)


def validate_file(path: str | os.PathLike[str]) -> ValidationResult:
    """Parse the file at ``path`` and validate it and the workflows it includes.

    A file that does not parse gives its parse diagnostics (``workflow`` is then ``None``).
    """
    from flowscript.parser import parse_file

    try:
        workflow = parse_file(path)
    except WorkflowParseError as exc:
        return ValidationResult(diagnostics=_finish(exc.diagnostics))
    return validate(workflow, include_loader=_load_include)


def load_workflow(path: str | os.PathLike[str]) -> Workflow:
    """Parse and validate ``path``; return the workflow when it has no errors.

    Raises:
        WorkflowParseError: the file does not parse.
        WorkflowValidationError: the workflow (or a workflow it includes) has errors; it
            carries every diagnostic, warnings included.
    """
    workflow = load_valid(path).workflow
    assert workflow is not None
    return workflow


def load_valid(path: str | os.PathLike[str]) -> ValidationResult:
    """:func:`load_workflow`, returning the whole result (its ``workflow`` is set, and its
    ``graph`` saves the planner from computing it again).

    Raises:
        WorkflowParseError: the file does not parse.
        WorkflowValidationError: the workflow (or a workflow it includes) has errors.
    """
    from flowscript.parser import parse_file

    workflow = parse_file(path)
    result = validate(workflow, include_loader=_load_include)
    if not result.valid:
        raise WorkflowValidationError(result.diagnostics)
    return result
