"""FlowScript: run ``.flow.md`` workflow files.

The facade exposes the names most users need. Heavy modules are imported on first use, so
``import flowscript`` (and ``flowscript --version``) stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "parse": "flowscript.parser",
    "parse_file": "flowscript.parser",
    "validate": "flowscript.validate",
    "validate_file": "flowscript.validate",
    "build_execution_plan": "flowscript.planning",
    "run_file": "flowscript.execution",
    "arun_file": "flowscript.execution",
    "execute": "flowscript.execution",
    "ExecutionOptions": "flowscript.execution",
    "ExecutionState": "flowscript.execution",
    "RetryConfig": "flowscript.execution.retry",
    "evaluate": "flowscript.expressions",
    "render_template": "flowscript.expressions",
    "Workflow": "flowscript.model",
    "Diagnostic": "flowscript.model",
    "SourceSpan": "flowscript.model",
    "FlowScriptError": "flowscript.errors",
    "DefinitionError": "flowscript.errors",
    "WorkflowParseError": "flowscript.errors",
    "WorkflowValidationError": "flowscript.errors",
    "ConfigError": "flowscript.errors",
    "ExpressionError": "flowscript.errors",
    "NodeError": "flowscript.errors",
    "StateError": "flowscript.errors",
    "StateWriteError": "flowscript.errors",
    "ExecutionLogError": "flowscript.errors",
    "ResumeError": "flowscript.errors",
    "resume_workflow": "flowscript.execution",
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'flowscript' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
