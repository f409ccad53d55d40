"""Workflow-level error handling (execution.md §6.6): what runs once when a run fails.

After the failure is recorded (and persisted), :func:`handle_run_failure`:

1. runs the ``<on-workflow-error>`` nodes once, as their own scope, with ``$error`` (the
   failing node's error, ``node`` included) bound; they read the outputs of the nodes that
   succeeded, their results are recorded (so the state file and the log show them), and
   their own failure is reported as a warning — it never replaces the run's error;
2. calls ``ExecutionOptions.error_handler(error, state)`` once (sync or async); whatever it
   raises is logged and reported as a warning, never propagated.

``execute`` raises the original error afterwards either way. Cancellation is never swallowed.
"""

from __future__ import annotations

import inspect
import logging
from typing import TYPE_CHECKING, Any

from flowscript.execution._instance import FailureDomain, Frame, ScopeInstance
from flowscript.execution.state import ExecutionState, error_to_dict

if TYPE_CHECKING:
    from flowscript.errors import NodeError
    from flowscript.execution._context import FlowContext, RunContext

__all__ = ["call_error_handler", "handle_run_failure", "run_error_dict", "run_workflow_error_nodes"]

_log = logging.getLogger("flowscript.execution")


async def handle_run_failure(run: RunContext, flow: FlowContext, error: NodeError) -> None:
    """Run the ``<on-workflow-error>`` nodes, then the caller's ``error_handler``."""
    await run_workflow_error_nodes(run, flow, error)
    await call_error_handler(run, error)


def run_error_dict(state: ExecutionState, error: NodeError) -> dict[str, Any]:
    """The failing node's error as recorded (attempts counted, secrets masked), falling back
    to ``error`` itself (a run deadline names no node); ``node`` is always present."""
    recorded = state.node_results.get(error.node) if error.node is not None else None
    data = dict(recorded.error) if recorded is not None and recorded.error else error_to_dict(error)
    data.setdefault("node", error.node)
    return data


async def run_workflow_error_nodes(run: RunContext, flow: FlowContext, error: NodeError) -> None:
    """Run the ``<on-workflow-error>`` scope once with ``$error`` bound (no-op without one)."""
    from flowscript.execution._scheduler import run_scope
    from flowscript.graph import WORKFLOW_ERROR

    plan = flow.plan.scopes.get(WORKFLOW_ERROR)
    if plan is None or not plan.nodes:
        return
    error_value = run_error_dict(run.state, error)
    if flow.redactor.active:
        error_value = flow.redactor.redact_value(error_value)
    domain = FailureDomain()
    instance = ScopeInstance(
        flow=flow,
        plan=plan,
        frame=Frame(parent=flow.root_frame, bindings={"$error": error_value}),
        domain=domain,
        # Not the run's cancel flag: after a run deadline it stays set, and the handlers must
        # still run (§6.6); a real cancellation reaches them as CancelledError.
        flags=(domain.flag,),
        default_input=flow.input,
        parent=_finished_root(flow),
    )
    result = await run_scope(flow, instance)
    if result.state == "failed" and result.error is not None:
        failed = result.error
        run.warn(
            f"<on-workflow-error> node {failed.node!r} failed: "
            f"{flow.redactor.redact(failed.message)} (the run's error is unchanged)",
            failed.node,
        )


def _finished_root(flow: FlowContext) -> ScopeInstance:
    """A read-only stand-in for the finished top-level scope: the outputs of the nodes that
    succeeded, so handler nodes can read them like any node of the workflow."""
    root = ScopeInstance(
        flow=flow,
        plan=flow.plan.root,
        frame=flow.root_frame,
        domain=FailureDomain(),
        flags=(),
        default_input=flow.input,
    )
    prefix = flow.prefix
    for key, context in flow.run.state.node_context.items():
        if key.startswith(prefix) and "/" not in key[len(prefix) :]:
            root.outputs[key[len(prefix) :]] = (0, context.get("output"))
    return root


async def call_error_handler(run: RunContext, error: NodeError) -> None:
    """Call ``options.error_handler(error, state)`` once; log and report what it raises."""
    handler = run.options.error_handler
    if handler is None:
        return
    try:
        result = handler(error, run.state)
        if inspect.isawaitable(result):
            await result
    except Exception as exc:  # a broken handler must not replace the run's own error (§6.6)
        _log.exception("error_handler %r raised", handler)
        run.warn(f"error_handler raised {type(exc).__name__}: {exc} (ignored)")
