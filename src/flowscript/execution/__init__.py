"""Executing workflows: the scheduler, run state, control flow, composition and the run API.

Public names (execution.md §11); the next release adds retry, persistence, resume and the
execution log here.
"""

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
    "PreparedRun",
    "RunFinished",
    "RunStarted",
    "RunStatus",
    "RunWarning",
    "SystemClock",
    "arun_file",
    "create_execution_state",
    "execute",
    "prepare_run",
    "run_file",
    "workflow_result",
]
