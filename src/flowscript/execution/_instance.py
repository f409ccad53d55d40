"""Run-time building blocks: stop flags, failure domains, variable frames and scope instances.

A *scope instance* is one execution of one scope's DAG: the root, a ``<then>`` body, one
loop iteration, one foreach item, one parallel branch. Instances form a tree mirroring the
run; each knows its parent, the activation of the control node that created it, its variable
frame and the *flags* that can stop it.

Outputs are versioned, not copied: every recorded result gets a sequence number and is stored
in the instance that ran it and in each enclosing instance (O(depth)); a node reads through
its instance chain and ignores entries newer than the snapshot taken when it started
(execution.md §4.4). Concurrent foreach items therefore never read each other's body outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from flowscript.errors import NodeError
from flowscript.expressions.values import UNDEFINED

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation
    from flowscript.execution._context import FlowContext
    from flowscript.planning import ScopePlan

__all__ = [
    "SILENT",
    "BodyResult",
    "FailureDomain",
    "Frame",
    "Jump",
    "NodeInterrupted",
    "ScopeInstance",
    "StopFlag",
]

HALT: Final = "halt"
"""Reason of a failure domain's flag: a node failed, nothing new starts (fail-fast)."""

SKIP_CANCEL_REASONS: Final = frozenset({"parallel", "timeout"})
"""Cancellations after which the cancelled nodes are ``skipped`` (they lost or timed out)."""

FAIL_CANCEL_REASONS: Final = frozenset({"deadline", "cancelled"})
"""Cancellations after which running nodes are recorded ``failed`` (they must run again)."""


class _Silent:
    """Returned by a handler whose node produced nothing worth passing on (see SILENT)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "SILENT"


SILENT: Final = _Silent()
"""Output of ``<break>``/``<goto>``, and of an ``<if>``/``<branch>`` whose body produced no
output: recorded as ``null`` but transparent when a body's last output is taken, so a loop
ending with ``<if …><then><break/></then></if>`` still outputs its last real result."""


class NodeInterrupted(Exception):
    """Raised by a control handler whose body was stopped by a failure elsewhere."""


class StopFlag:
    """Set once with a reason; every instance whose chain holds it stops starting nodes.

    Reasons: ``halt`` (failure), ``break``, ``goto``, and the cancellation reasons
    ``parallel`` (lost a race), ``timeout``, ``deadline``, ``cancelled``.
    """

    __slots__ = ("reason",)

    def __init__(self) -> None:
        self.reason: str | None = None

    def set(self, reason: str) -> None:
        """Set the flag; the first reason wins."""
        if self.reason is None:
            self.reason = reason


class FailureDomain:
    """Where a node failure stops things: the run, or one ``wait="any"``/``n(N)`` branch."""

    __slots__ = ("error", "flag", "parent")

    def __init__(self, parent: FailureDomain | None = None) -> None:
        self.parent = parent
        self.flag = StopFlag()
        self.error: NodeError | None = None

    def fail(self, error: NodeError) -> None:
        """Record the first failure and halt the domain."""
        if self.error is None:
            self.error = error
        self.flag.set(HALT)


class Frame:
    """Variables visible to the nodes of a scope, copy-on-write so snapshots are O(1).

    ``variables`` are ``<context>``/``<set>`` variables (shown by ``$context``); ``bindings``
    are the names a construct binds (``$iteration``, foreach ``item``/``index``, ``$branch``,
    ``$checkpoint``). ``context`` frames receive ``<set>`` writes from the scopes below them.
    """

    __slots__ = ("_sink", "bindings", "context", "parent", "variables")

    def __init__(
        self,
        *,
        parent: Frame | None = None,
        variables: Mapping[str, Any] | None = None,
        bindings: Mapping[str, Any] | None = None,
        context: bool = False,
        sink: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.parent = parent
        self.variables: dict[str, Any] = dict(variables or {})
        self.bindings: dict[str, Any] = dict(bindings or {})
        self.context = context
        self._sink = sink

    def set_variables(self, values: Mapping[str, Any]) -> None:
        """Write context variables into the nearest context frame (this one or above)."""
        target: Frame | None = self
        while target is not None and not target.context:
            target = target.parent
        target = target or self
        target.variables = {**target.variables, **values}
        if target._sink is not None:
            target._sink(target.variables)

    def bind(self, name: str, value: Any) -> None:
        """Bind a special name (``$iteration``, ``$checkpoint``) in this frame."""
        self.bindings = {**self.bindings, name: value}

    def snapshot(self) -> tuple[tuple[dict[str, Any], dict[str, Any], bool], ...]:
        """``(bindings, variables, context)`` of this frame and its parents, innermost first."""
        chain = []
        frame: Frame | None = self
        while frame is not None:
            chain.append((frame.bindings, frame.variables, frame.context))
            frame = frame.parent
        return tuple(chain)


@dataclass(frozen=True, slots=True)
class Jump:
    """A taken goto waiting to be applied by the scheduler of the target's scope.

    Attributes:
        target: the node to continue at.
        via: the node of the target's scope that holds the goto (the goto itself when it is
            in that scope); the jump applies once ``via`` has finished.
    """

    target: str
    via: str


BodyState = Literal["completed", "stopped", "failed", "halted"]


@dataclass(frozen=True, slots=True)
class BodyResult:
    """How one execution of a scope ended.

    Attributes:
        state: ``completed`` (every node done), ``stopped`` (break/goto/cancel stopped it),
            ``failed`` (a node of it failed), ``halted`` (a failure elsewhere stopped it).
        output: the output of its last node (document order) that succeeded, or ``UNDEFINED``.
        last_node: the id of that node.
        error: the first failure, for ``failed``.
        instance: the instance that ran (loops read the previous iteration from it).
    """

    state: BodyState
    output: Any = UNDEFINED
    last_node: str | None = None
    error: NodeError | None = None
    instance: ScopeInstance | None = None


class ScopeInstance:
    """One execution of one scope's DAG."""

    __slots__ = (
        "_phase_frame",
        "default_input",
        "domain",
        "flags",
        "flow",
        "frame",
        "jump",
        "outputs",
        "owner",
        "parent",
        "plan",
        "previous",
        "silent",
    )

    def __init__(
        self,
        *,
        flow: FlowContext,
        plan: ScopePlan,
        frame: Frame,
        domain: FailureDomain,
        flags: tuple[StopFlag, ...],
        default_input: Any,
        parent: ScopeInstance | None = None,
        owner: Activation | None = None,
        previous: ScopeInstance | None = None,
    ) -> None:
        self.flow = flow
        self.plan = plan
        self.frame = frame
        self.domain = domain
        self.flags = flags
        self.default_input = default_input
        self.parent = parent
        self.owner = owner
        self.previous = previous
        self.outputs: dict[str, tuple[int, Any]] = {}
        self.silent: set[str] = set()
        self.jump: Jump | None = None
        self._phase_frame: Frame | None = None

    def stopped(self) -> bool:
        """True when a flag of the chain is set: no new node may start here."""
        return any(flag.reason is not None for flag in self.flags)

    def halted(self) -> bool:
        """True when a failure domain of the chain halted."""
        return any(flag.reason == HALT for flag in self.flags)

    def cancel_reason(self) -> str | None:
        """The innermost cancellation reason set on the chain, if any."""
        for flag in reversed(self.flags):
            if flag.reason in SKIP_CANCEL_REASONS or flag.reason in FAIL_CANCEL_REASONS:
                return flag.reason
        return None

    def read(self, node_id: str, snapshot: int) -> Any:
        """The output of ``node_id`` as of ``snapshot``: innermost instance first."""
        instance: ScopeInstance | None = self
        while instance is not None:
            entry = instance.outputs.get(node_id)
            if entry is not None:
                return entry[1] if entry[0] <= snapshot else UNDEFINED
            instance = instance.parent
        return UNDEFINED

    def store(self, node_id: str, seq: int, value: Any) -> None:
        """Record an output (``UNDEFINED`` for a node that did not succeed) up the chain."""
        entry = (seq, value)
        instance: ScopeInstance | None = self
        while instance is not None:
            instance.outputs[node_id] = entry
            instance = instance.parent

    def phase_frame(self, sink: Callable[[dict[str, Any]], None] | None = None) -> Frame:
        """The frame shared by the ``<phase>`` elements of this instance (created once)."""
        if self._phase_frame is None:
            self._phase_frame = Frame(parent=self.frame, context=True, sink=sink)
        return self._phase_frame
