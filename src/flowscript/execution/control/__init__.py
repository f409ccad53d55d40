"""Node handlers: one async function per node kind, found through a dispatch table.

A handler receives the node's :class:`~flowscript.execution._activation.Activation`, returns
the node's output (execution.md §3.3) or raises ``NodeError``; control handlers run their
bodies with ``Activation.run_body``. One module per control-flow family.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import NodeError
from flowscript.execution._data import run_data_node
from flowscript.execution.control.checkpoint import run_checkpoint
from flowscript.execution.control.composition import run_call, run_include
from flowscript.execution.control.conditionals import run_branch, run_if
from flowscript.execution.control.foreach import run_foreach
from flowscript.execution.control.jumps import run_break, run_goto
from flowscript.execution.control.loops import run_loop, run_while
from flowscript.execution.control.parallel import run_parallel
from flowscript.execution.control.timing import run_delay, run_timeout
from flowscript.execution.control.variables import run_context, run_phase, run_set
from flowscript.model import (
    BranchSpec,
    BreakSpec,
    CallSpec,
    CheckpointSpec,
    ContextSpec,
    DataNodeSpec,
    DelaySpec,
    ForeachSpec,
    GotoSpec,
    IfSpec,
    IncludeSpec,
    LoopSpec,
    NodeSpec,
    ParallelSpec,
    PhaseSpec,
    SetSpec,
    TimeoutSpec,
    WhileSpec,
)

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation

__all__ = ["HANDLERS", "Handler", "handler_for"]

Handler = Callable[["Activation"], Awaitable[Any]]

HANDLERS: Final[Mapping[type[NodeSpec], Handler]] = {
    DataNodeSpec: run_data_node,
    IfSpec: run_if,
    BranchSpec: run_branch,
    LoopSpec: run_loop,
    WhileSpec: run_while,
    ForeachSpec: run_foreach,
    ParallelSpec: run_parallel,
    BreakSpec: run_break,
    GotoSpec: run_goto,
    CheckpointSpec: run_checkpoint,
    PhaseSpec: run_phase,
    ContextSpec: run_context,
    SetSpec: run_set,
    DelaySpec: run_delay,
    TimeoutSpec: run_timeout,
    IncludeSpec: run_include,
    CallSpec: run_call,
}


async def _unsupported(act: Activation) -> Any:
    raise NodeError("node.unsupported", f"{act.node.id}: <{act.node.tag}> cannot be executed")


def handler_for(node: NodeSpec) -> Handler:
    """The handler of ``node``'s kind (subclasses of a known spec use its handler)."""
    handler = HANDLERS.get(type(node))
    if handler is not None:
        return handler
    for cls in type(node).__mro__:
        if cls in HANDLERS:
            return HANDLERS[cls]
    return _unsupported
