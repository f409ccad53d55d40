"""The public names of ``flowscript.execution`` and ``flowscript`` (execution.md §11)."""

from __future__ import annotations

import subprocess
import sys

import flowscript
import flowscript.execution as execution

SPEC_NAMES = {
    "execute",
    "execute_with_retry",
    "is_retryable_error",
    "save_state",
    "load_state",
    "get_state_path",
    "resume_workflow",
    "can_resume",
    "append_execution_log",
    "format_execution_log",
    "create_execution_state",
    "ExecutionState",
    "NodeResult",
    "ExecutionOptions",
    "RetryConfig",
}


def test_execution_exports_are_pinned() -> None:
    assert execution.__all__ == [
        "Clock",
        "Event",
        "ExecutionOptions",
        "ExecutionState",
        "LocalExecutor",
        "ManualClock",
        "NodeCompleted",
        "NodeExecutor",
        "NodeFailed",
        "NodeResult",
        "NodeRetrying",
        "NodeScope",
        "NodeSkipped",
        "NodeStarted",
        "NodeStatus",
        "PreparedResume",
        "PreparedRun",
        "ResumePlan",
        "RetryConfig",
        "RunFinished",
        "RunStarted",
        "RunStatus",
        "RunWarning",
        "SystemClock",
        "append_execution_log",
        "arun_file",
        "can_resume",
        "create_execution_state",
        "execute",
        "execute_with_retry",
        "format_execution_log",
        "get_state_path",
        "is_retryable_error",
        "load_state",
        "prepare_resume",
        "prepare_run",
        "resume_workflow",
        "run_file",
        "save_state",
        "workflow_result",
    ]


def test_every_spec_name_is_exported_and_resolves() -> None:
    assert set(execution.__all__) >= SPEC_NAMES
    for name in execution.__all__:
        assert getattr(execution, name) is not None, name
    from flowscript.persistence import load_state
    from flowscript.reporting import append_execution_log

    assert execution.load_state is load_state
    assert execution.append_execution_log is append_execution_log


def test_flowscript_exports_are_pinned() -> None:
    assert flowscript.__all__ == [
        "__version__",
        "ConfigError",
        "DefinitionError",
        "Diagnostic",
        "ExecutionLogError",
        "ExecutionOptions",
        "ExecutionState",
        "ExpressionError",
        "FlowScriptError",
        "NodeError",
        "ResumeError",
        "RetryConfig",
        "SourceSpan",
        "StateError",
        "StateWriteError",
        "Workflow",
        "WorkflowParseError",
        "WorkflowValidationError",
        "arun_file",
        "build_execution_plan",
        "evaluate",
        "execute",
        "parse",
        "parse_file",
        "render_template",
        "resume_workflow",
        "run_file",
        "validate",
        "validate_file",
    ]
    for name in flowscript.__all__:
        assert getattr(flowscript, name) is not None, name


def _fresh_import(statement: str, probe: str) -> str:
    code = f"import sys; {statement}; print({probe})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_importing_execution_stays_light() -> None:
    loaded = _fresh_import(
        "import flowscript.execution",
        "sorted(m for m in ('flowscript.reporting', 'flowscript.persistence', 'rich') "
        "if m in sys.modules)",
    )
    assert loaded == "[]"


def test_the_layers_import_in_any_order_without_cycles() -> None:
    for first in ("flowscript.reporting.log", "flowscript.persistence", "flowscript.execution"):
        statement = f"import {first}; import flowscript.execution as e"
        assert _fresh_import(statement, "e.format_execution_log.__name__") == (
            "format_execution_log"
        )
