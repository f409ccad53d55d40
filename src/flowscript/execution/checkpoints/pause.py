"""Pausing a run at a checkpoint nobody can answer now (execution.md §7 step 5).

One path, no error: the checkpoint stores the ``pendingCheckpoint`` in the state, halts the
run's root failure domain *without* an error — so, exactly as after a failure, nothing new
starts and the nodes already running finish — and raises :class:`CheckpointPaused`, which the
node lifecycle records as ``pending`` (it runs again on resume). When the root scope is done,
``execute`` asks :func:`settle_status` for the final status: ``failed`` when a node failed,
``paused`` when a checkpoint is pending, ``completed`` otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowscript.execution._instance import HALT, NodeInterrupted
from flowscript.execution.checkpoints.request import pending_checkpoint
from flowscript.execution.state import RunStatus

if TYPE_CHECKING:
    from flowscript.errors import NodeError
    from flowscript.execution._context import RunContext
    from flowscript.execution.checkpoints.request import CheckpointRequest
    from flowscript.execution.state import ExecutionState

__all__ = ["CheckpointPaused", "pause_run", "settle_status"]


class CheckpointPaused(NodeInterrupted):
    """Raised by a checkpoint that pauses the run; the node is recorded ``pending``."""


def pause_run(run: RunContext, request: CheckpointRequest) -> CheckpointPaused:
    """Pause the run at ``request``'s checkpoint; return the exception the checkpoint raises.

    The first checkpoint to pause is the one recorded (concurrent ones run again on resume
    and pause again if still unanswered). Usage: ``raise pause_run(run, request)``.
    """
    state = run.state
    if state.pending_checkpoint is None:
        state.pending_checkpoint = pending_checkpoint(request)
    run.root_domain.flag.set(HALT)
    return CheckpointPaused(request.node_id)


def settle_status(state: ExecutionState, error: NodeError | None) -> None:
    """Set the status of a run whose root scope finished (normally, failed or paused).

    A failure wins over a pause (the failure is what a resume must deal with first); only a
    ``paused`` run keeps its ``pending_checkpoint``.
    """
    if error is not None:
        state.status = RunStatus.FAILED
        state.pending_checkpoint = None
    elif state.pending_checkpoint is not None:
        state.status = RunStatus.PAUSED
    else:
        state.status = RunStatus.COMPLETED
