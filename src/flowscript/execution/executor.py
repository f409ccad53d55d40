"""``execute(plan, state, options)``: run a plan to completion (execution.md §1, §4, §11).

The run's top-level scope is one scope instance; control nodes run their bodies as child
instances (see ``_scheduler``). ``execute`` returns the final state on success and raises the
failing :class:`~flowscript.errors.NodeError` (``.node`` set) after recording it on failure.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from flowscript.errors import NodeError
from flowscript.execution._completed import resumes
from flowscript.execution._context import FlowContext, RunContext
from flowscript.execution._instance import Frame
from flowscript.execution._scheduler import run_scope
from flowscript.execution.checkpoints.pause import settle_status
from flowscript.execution.control.composition import child_key, workflow_dir
from flowscript.execution.control.timing import deadline
from flowscript.execution.events import RunFinished, RunStarted
from flowscript.execution.options import ExecutionOptions
from flowscript.execution.state import ExecutionState, RunStatus
from flowscript.execution.workflow_errors import handle_run_failure, run_error_dict

if TYPE_CHECKING:
    from flowscript.planning import ExecutionPlan

__all__ = ["execute"]


async def execute(
    plan: ExecutionPlan, state: ExecutionState, options: ExecutionOptions | None = None
) -> ExecutionState:
    """Execute ``plan``, recording every node result in ``state``.

    Args:
        plan: from :func:`flowscript.planning.build_execution_plan`.
        state: a fresh state (:func:`create_execution_state`); its ``config``, ``secrets``
            and ``input`` are the run's. A state that already holds results (a resumed run,
            §9.3) keeps the nodes that completed: they are not run again.
        options: execution options.

    Returns:
        ``state``, with status ``completed`` — or ``paused`` when a checkpoint nobody could
        answer stopped the run (``state.pending_checkpoint`` says which; execution.md §7).

    Raises:
        NodeError: the first node failure (or ``WORKFLOW_TIMEOUT`` when the run deadline
            passed), after the state recorded it with status ``failed``.
        asyncio.CancelledError: the run was cancelled (status ``cancelled``).
    """
    from flowscript.planning import ExecutionPlan

    if not isinstance(plan, ExecutionPlan):
        raise TypeError("execute expects an ExecutionPlan (see build_execution_plan)")
    if not isinstance(state, ExecutionState):
        raise TypeError("execute expects an ExecutionState (see create_execution_state)")
    run = RunContext(plan, state, options or ExecutionOptions())
    if not resumes(state):
        state.started_at = run.clock.now()  # a resumed run keeps its start (§9.3)
    state.status = RunStatus.RUNNING
    state.completed_at = 0
    state.error = None
    state.pending_checkpoint = None
    await run.durability.open()  # the state file says "running" before anything runs (§1)
    run.emit(run.event(RunStarted, workflow_id=state.workflow_id, node_count=len(plan.node_ids)))
    error: NodeError | None = None
    try:
        flow = _root_flow(run, plan, state)
        error = await _run_root(run, flow)
        settle_status(state, error)  # completed, failed, or paused at a checkpoint (§7)
        state.error = run_error_dict(state, error) if error is not None else None
        if error is not None:
            # execution.md §6.6, after the failure state is recorded (and persisted):
            # <on-workflow-error> nodes, then options.error_handler; the error still raises.
            await run.durability.checkpoint()
            await handle_run_failure(run, flow, error)
    except asyncio.CancelledError:
        state.status = RunStatus.CANCELLED
        raise
    except BaseException:
        state.status = RunStatus.FAILED  # an engine bug: never leave the run "running"
        raise
    finally:
        state.completed_at = run.clock.now()
        await run.aclose()
        await run.durability.finish()  # the final persist, then the log (§1 step 7)
        run.emit(
            run.event(
                RunFinished,
                status=state.status.value,
                duration=state.duration,
                error=state.error,
            )
        )
    if error is not None:
        raise error
    return state


def _root_flow(run: RunContext, plan: ExecutionPlan, state: ExecutionState) -> FlowContext:
    def sink(variables: dict[str, object]) -> None:
        state.global_context = variables

    frame = Frame(context=True, variables=state.global_context, sink=sink)
    folder = workflow_dir(plan.workflow, run.root_dir)
    own = (
        ()
        if plan.workflow.path.startswith("<")
        else (child_key(folder, Path(plan.workflow.path).name),)
    )
    run.child_plans.update(plan.children)
    return FlowContext(
        run,
        plan,
        config=state.config,
        secrets=state.secrets,
        input=state.input,
        workflow_dir=folder,
        stack=own,
        root_frame=frame,
    )


async def _run_root(run: RunContext, flow: FlowContext) -> NodeError | None:
    """Run the top-level scope under the run deadline; return the run's error, if any."""
    instance = flow.root_instance(
        flags=(run.root_domain.flag, run.cancel_flag), domain=run.root_domain
    )
    guard = (
        deadline(run.clock, run.timeout, run.cancel_flag, "deadline")
        if run.timeout is not None
        else contextlib.nullcontext()
    )
    try:
        async with guard:
            result = await run_scope(flow, instance)
    except TimeoutError:
        if run.cancel_flag.reason != "deadline":
            raise
        return NodeError(
            "WORKFLOW_TIMEOUT",
            f"the run did not finish within its deadline of {run.timeout:g}s",
            details={"seconds": run.timeout},
        )
    if result.state == "failed":
        return run.root_domain.error or result.error
    if result.state == "halted":
        return run.root_domain.error
    return None
