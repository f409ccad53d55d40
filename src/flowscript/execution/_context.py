"""Run-wide and per-workflow execution context.

:class:`RunContext` is shared by everything in one run (an ``<include>``/``<call>`` child runs
inside its parent's run): state, clock, runtimes, the concurrency limit, events, the goto
counter and the single result-recording method. :class:`FlowContext` is one workflow being
executed in that run: its plan, config, secrets, input and the key prefix of its records.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from flowscript.errors import NodeError
from flowscript.execution._completed import completed_results
from flowscript.execution._instance import FailureDomain, Frame, ScopeInstance, StopFlag
from flowscript.execution._slots import NodeSlot
from flowscript.execution.checkpoints.session import CheckpointSession
from flowscript.execution.clock import Clock, SystemClock
from flowscript.execution.durability import RunDurability
from flowscript.execution.events import (
    Event,
    EventDispatcher,
    NodeCompleted,
    NodeFailed,
    NodeSkipped,
    RunWarning,
)
from flowscript.execution.node_executor import LocalExecutor, NodeExecutor
from flowscript.execution.options import DEFAULT_MAX_CONCURRENCY, ExecutionOptions
from flowscript.execution.state import ExecutionState, NodeResult, NodeStatus
from flowscript.expressions.values import UNDEFINED
from flowscript.model import DataNodeSpec, DelaySpec, NodeSpec

if TYPE_CHECKING:
    from flowscript.execution.redaction import Redactor
    from flowscript.planning import ExecutionPlan
    from flowscript.runtimes.base import RuntimeContext, RuntimeRegistry

__all__ = ["MAX_GOTOS", "FlowContext", "RunContext"]

_E = TypeVar("_E", bound=Event)

MAX_GOTOS: Final = 1000
"""execution.md §5: a run executes at most 1,000 gotos."""

_LEAF_KINDS: Final = (DataNodeSpec, DelaySpec)
"""Nodes whose work counts against the run-wide concurrency limit (execution.md §4.2)."""


class RunContext:
    """Everything shared by one run."""

    def __init__(self, plan: ExecutionPlan, state: ExecutionState, options: ExecutionOptions):
        runtime = plan.workflow.runtime
        self.plan = plan
        self.state = state
        self.options = options
        self.clock: Clock = options.clock or SystemClock()
        self.node_executor: NodeExecutor = options.executor or LocalExecutor()
        self.events = EventDispatcher(options.observers)
        self.max_concurrency = _resolve_concurrency(options.max_concurrency, runtime.concurrency)
        self.slots = asyncio.Semaphore(self.max_concurrency)
        self.waves = (options.schedule or _schedule_setting(runtime.schedule)) == "waves"
        self.timeout = _resolve_timeout(options.timeout, runtime.timeout)
        self.answers: Mapping[str, str] = options.answers or {}
        self.checkpoints = CheckpointSession(options)
        self.root_dir = Path(options.root) if options.root is not None else Path.cwd()
        self.root_domain = FailureDomain()
        self.cancel_flag = StopFlag()
        self.child_plans: dict[str, ExecutionPlan] = {}
        self.gotos = 0
        self._seq = 0
        self._registry = options.runtimes
        self._runtime_context: RuntimeContext | None = None
        # Durable runs (execution.md §9): the state store and log, and the results a resumed
        # run keeps (see flowscript.execution.durability and ._completed).
        self.durability = RunDurability(self)
        self.completed_before: dict[str, NodeResult] = completed_results(plan, state.node_results)

    @property
    def registry(self) -> RuntimeRegistry:
        """The runtime registry (the built-in one unless the caller passed one)."""
        if self._registry is None:
            from flowscript.runtimes.base import RuntimeRegistry

            self._registry = RuntimeRegistry.default()
        return self._registry

    def runtime_context(self, workflow_dir: Path) -> RuntimeContext:
        """The run's shared runtime resources (one HTTP pool, database pools …)."""
        if self._runtime_context is None:
            from flowscript.runtimes.base import RuntimeContext

            self._runtime_context = RuntimeContext(
                root=self.root_dir,
                workflow_dir=workflow_dir,
                secrets=self.state.secrets,
                ai_base_url=self.options.ai_base_url,
                ai_cache=self.options.ai_cache,
                context_budget=self.plan.workflow.runtime.context_budget,
            )
            for result in self.state.node_results.values():
                # A resumed run's budget counts what its earlier part used (§9.3).
                self._runtime_context.usage.add(result.usage)
        return self._runtime_context

    def next_seq(self) -> int:
        """A new, strictly increasing result sequence number."""
        self._seq += 1
        return self._seq

    @property
    def seq(self) -> int:
        """The newest sequence number handed out (the snapshot of a node starting now)."""
        return self._seq

    def slot_for(self, node: NodeSpec) -> NodeSlot:
        """The run-wide slot for leaf work, or an empty one for control nodes (they wait on
        bodies without holding a slot, so nested bodies can never deadlock on the limit)."""
        return NodeSlot(self.slots if isinstance(node, _LEAF_KINDS) else None)

    def count_goto(self, node_id: str) -> None:
        """Count a taken goto; fail past :data:`MAX_GOTOS`."""
        self.gotos += 1
        if self.gotos > MAX_GOTOS:
            raise NodeError(
                "GOTO_LIMIT_EXCEEDED",
                f"the run executed more than {MAX_GOTOS} gotos (last one: {node_id})",
                node=node_id,
            )

    def emit(self, event: Event) -> None:
        """Send an event to the observers."""
        if self.events:
            self.events.emit(event)

    def warn(self, message: str, node_id: str | None = None) -> None:
        """Report a non-fatal warning."""
        self.emit(self.event(RunWarning, message=message, node_id=node_id))

    def event(self, cls: type[_E], **fields: Any) -> _E:
        """Build an event stamped with the run id and the current time."""
        return cls(run_id=self.state.run_id, timestamp=self.clock.now(), **fields)

    def record(self, key: str, result: NodeResult) -> None:
        """Record a node's result: the ONE place results enter the state.

        Persistence (execution.md §9.2) hooks in here: the state is durable after every node.
        """
        state = self.state
        state.node_results[key] = result
        if result.status.succeeded:
            state.node_context[key] = {"output": result.output}
        else:
            state.node_context.pop(key, None)
        self.durability.note(key)
        self.emit(self._result_event(key, result))

    def _result_event(self, key: str, result: NodeResult) -> Event:
        status = result.status
        if status is NodeStatus.FAILED:
            return self.event(
                NodeFailed, node_id=key, error=result.error or {}, duration=result.duration
            )
        if status is NodeStatus.SKIPPED:
            reason = str((result.details or {}).get("reason", "skipped"))
            return self.event(NodeSkipped, node_id=key, reason=reason)
        return self.event(
            NodeCompleted,
            node_id=key,
            status=status.value,
            duration=result.duration,
            output=result.output,
        )

    async def aclose(self) -> None:
        """Close the shared runtime resources, and the run's use of its node executor."""
        if self._runtime_context is not None:
            await self._runtime_context.aclose()
        close_run = getattr(self.node_executor, "close_run", None)
        if close_run is not None:
            # A distributed executor releases what the run left on the cluster (and closes
            # itself unless its owner holds it open for more runs).
            await close_run(self.state.run_id)


class FlowContext:
    """One workflow executing inside a run (the root workflow, or an include/call child)."""

    def __init__(
        self,
        run: RunContext,
        plan: ExecutionPlan,
        *,
        config: Mapping[str, Any],
        secrets: Mapping[str, str],
        input: Any,
        workflow_dir: Path,
        prefix: str = "",
        stack: tuple[str, ...] = (),
        root_frame: Frame | None = None,
    ) -> None:
        workflow = plan.workflow
        self.run = run
        self.plan = plan
        self.workflow = workflow
        self.config: dict[str, Any] = dict(config)
        self.secrets: dict[str, str] = dict(secrets)
        self.input: Any = input
        self.workflow_dir = workflow_dir
        self.workflow_dir_text: str = str(workflow_dir)
        self.prefix = prefix
        self.stack = stack
        self.node_ids: frozenset[str] = plan.node_ids
        self.env: dict[str, str] = {
            name: os.environ[name] for name in workflow.runtime.env if name in os.environ
        }
        self.run_info: dict[str, Any] = {
            "id": run.state.run_id,
            "workflow": workflow.name,
            "startedAt": run.state.started_at,
        }
        self.root_frame = root_frame or Frame(context=True)
        self._redactor: Redactor | None = None

    @property
    def redactor(self) -> Redactor:
        """Masks this workflow's secret values in error messages."""
        if self._redactor is None:
            from flowscript.execution.redaction import Redactor

            self._redactor = Redactor(self.secrets.values())
        return self._redactor

    def root_instance(
        self, *, flags: tuple[StopFlag, ...], domain: FailureDomain, owner: Any = None
    ) -> ScopeInstance:
        """The instance running this workflow's top-level nodes."""
        return ScopeInstance(
            flow=self,
            plan=self.plan.root,
            frame=self.root_frame,
            domain=domain,
            flags=flags,
            default_input=self.input,
            owner=owner,
        )

    def record_skipped(self, instance: ScopeInstance, node: NodeSpec, reason: str) -> None:
        """Record ``node`` and every node nested in it as ``skipped`` (handlers excepted)."""
        now = self.run.clock.now()
        for inner in node.walk():
            if inner.id in self.plan.handlers:
                continue
            result = NodeResult(
                status=NodeStatus.SKIPPED,
                started_at=now,
                completed_at=now,
                attempts=0,
                details={"reason": reason},
            )
            self.record(instance, inner.id, result)

    def record(self, instance: ScopeInstance, node_id: str, result: NodeResult) -> None:
        """Store the node's output in its instance chain and record the result in the state."""
        value = result.output if result.status.succeeded else UNDEFINED
        instance.store(node_id, self.run.next_seq(), value)
        if result.error is not None and self.redactor.active:
            error = dict(result.error, message=self.redactor.redact(str(result.error["message"])))
            result = dataclasses.replace(result, error=error)
        self.run.record(self.prefix + node_id, result)


def _resolve_concurrency(explicit: int | None, setting: Any) -> int:
    if explicit is not None:
        return explicit
    try:
        value = int(setting) if setting is not None else DEFAULT_MAX_CONCURRENCY
    except (TypeError, ValueError):
        return DEFAULT_MAX_CONCURRENCY  # the validator reports a bad runtime.concurrency
    return value if value >= 1 else DEFAULT_MAX_CONCURRENCY


def _schedule_setting(setting: Any) -> str:
    return "waves" if str(setting or "").strip().lower() == "waves" else "eager"


def _resolve_timeout(explicit: float | str | None, setting: Any) -> float | None:
    """The run deadline in seconds: the caller's value, else ``runtime.timeout``."""
    value = explicit if explicit is not None else setting
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if explicit is not None else float(value) / 1000
    from flowscript.model.durations import parse_duration

    return parse_duration(str(value)) / 1000
