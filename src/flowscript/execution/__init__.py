"""Executing workflows: the scheduler, run state, control flow, composition and the run API.

Public names (execution.md §11): running (``execute``, ``run_file``), retry, run state,
persistence (``save_state``, ``load_state``, ``get_state_path``), resume (``resume_workflow``,
``can_resume``) and the execution log (``append_execution_log``, ``format_execution_log``).

The persistence and log functions live in lower/higher layers (``flowscript.persistence``,
``flowscript.reporting``) and are imported on first use: ``flowscript.reporting`` imports this
package, so importing it here eagerly would be an import cycle, and it keeps
``import flowscript.execution`` light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from flowscript.execution.clock import Clock, ManualClock, SystemClock
from flowscript.execution.events import (
    Event,
    NodeCompleted,
    NodeFailed,
    NodeRetrying,
    NodeSkipped,
    NodeStarted,
    RunFinished,
    RunStarted,
    RunWarning,
)
from flowscript.execution.executor import execute
from flowscript.execution.node_executor import LocalExecutor, NodeExecutor
from flowscript.execution.options import ExecutionOptions
from flowscript.execution.resume import (
    PreparedResume,
    ResumePlan,
    can_resume,
    prepare_resume,
    resume_workflow,
)
from flowscript.execution.retry import RetryConfig, execute_with_retry, is_retryable_error
from flowscript.execution.run import (
    PreparedRun,
    arun_file,
    prepare_run,
    run_file,
    workflow_result,
)
from flowscript.execution.scope import NodeScope
from flowscript.execution.state import (
    ExecutionState,
    NodeResult,
    NodeStatus,
    RunStatus,
    create_execution_state,
)

if TYPE_CHECKING:
    from flowscript.persistence.paths import get_state_path
    from flowscript.persistence.store import load_state, save_state
    from flowscript.reporting.log import append_execution_log, format_execution_log

_LAZY: dict[str, str] = {
    "append_execution_log": "flowscript.reporting.log",
    "format_execution_log": "flowscript.reporting.log",
    "get_state_path": "flowscript.persistence.paths",
    "load_state": "flowscript.persistence.store",
    "save_state": "flowscript.persistence.store",
}

__all__ = [
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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'flowscript.execution' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
