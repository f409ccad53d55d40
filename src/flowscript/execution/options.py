"""Caller-supplied settings of one run (execution.md §11)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from flowscript.errors import NodeError
    from flowscript.execution.checkpoints.request import CheckpointRequest
    from flowscript.execution.clock import Clock
    from flowscript.execution.events import Event
    from flowscript.execution.node_executor import NodeExecutor
    from flowscript.execution.retry import RetryConfig
    from flowscript.execution.state import ExecutionState
    from flowscript.persistence.protocol import RunStore
    from flowscript.runtimes.base import RuntimeRegistry

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "CheckpointHandler",
    "ErrorHandler",
    "ExecutionOptions",
    "Observer",
    "Schedule",
]

Schedule = Literal["eager", "waves"]
Observer = Callable[["Event"], Any]
ErrorHandler = Callable[["NodeError", "ExecutionState"], Any]
"""``error_handler(error, state)``, sync or async, called once when a run fails (§6.6)."""
CheckpointHandler = Callable[["CheckpointRequest"], Any]
"""``handler(request)``, async or sync, receiving a
:class:`~flowscript.execution.checkpoints.CheckpointRequest` and returning the answer: a string
(``approve``, ``reject``, ``input:TEXT``, an action id or label) or
``{"action": …, "input": …}`` (§7)."""
"""A sync callable receiving every run/node event; an observer that raises is logged and ignored."""

DEFAULT_MAX_CONCURRENCY = 10
"""execution.md §4.1: the default run-wide limit on leaf work running at once."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionOptions:
    """How to execute a plan.

    ``None`` for ``max_concurrency``, ``schedule`` and ``timeout`` means "use the workflow's
    ``runtime:`` setting, else the default" (10, ``eager``, no deadline), so an explicit caller
    value (``--concurrency``) overrides the frontmatter and the frontmatter overrides defaults.

    Attributes:
        max_concurrency: run-wide limit on leaf work (runtime calls, delays) at once.
        schedule: ``eager`` (a node starts when its dependencies succeeded) or ``waves``.
        timeout: run deadline: seconds, or a duration string (``"5m"``).
        answers: checkpoint id → pre-supplied answer (``approve``, ``reject``,
            ``input:TEXT`` or an action id).
        observers: callables receiving every :mod:`~flowscript.execution.events` event.
        runtimes: the runtime registry (default: the built-in runtimes).
        executor: where node work runs (default: in-process).
        root: the base folder for file paths (default: the current directory).
        clock: time source (default: the system clock).
        persistence_path: the state file to keep durable during the run (§9.2); ``None``:
            no persistence.
        state_store: the run's state store (a shared database, docs/coordinators.md); when
            set it is used instead of ``persistence_path``.
        log_path: the workflow file whose footer receives the execution log (§10).
        error_handler: ``error_handler(error, state)`` called once when the run fails (§6.6).
        default_retry_config: retry policy for nodes without their own (§6.2).
        checkpoint_handler: answers checkpoints for programs (§7).
        interactive: ``True`` forces prompting at checkpoints, ``False`` forbids it,
            ``None`` prompts when stdin and stdout are terminals.
        sync_every_node: fsync the state after every node (survives power loss at every node,
            one disk flush per node). By default each node's record is written before the node
            counts as finished — so a killed process loses nothing — and fsynced within 0.2 s
            and at every snapshot and at the end of the run (docs/decisions.md).
        ai_base_url: the AI endpoint for nodes without their own ``base-url``
            (``--ai-base-url``; ``None``: ``FLOWSCRIPT_AI_BASE_URL``, else OpenRouter).
        ai_cache: the AI record/replay folder (``--ai-cache``; ``None``:
            ``FLOWSCRIPT_AI_CACHE``, else no cache).
    """

    max_concurrency: int | None = None
    schedule: Schedule | None = None
    timeout: float | str | None = None
    answers: Mapping[str, str] | None = None
    observers: Sequence[Observer] = ()
    runtimes: RuntimeRegistry | None = None
    executor: NodeExecutor | None = None
    root: str | Path | None = None
    clock: Clock | None = None
    persistence_path: str | Path | None = None
    state_store: RunStore | None = None
    log_path: str | Path | None = None
    error_handler: ErrorHandler | None = None
    default_retry_config: RetryConfig | None = None
    checkpoint_handler: CheckpointHandler | None = None
    interactive: bool | None = None
    sync_every_node: bool = False
    ai_base_url: str | None = None
    ai_cache: str | Path | None = None

    def __post_init__(self) -> None:
        if self.max_concurrency is not None and (
            not isinstance(self.max_concurrency, int)
            or isinstance(self.max_concurrency, bool)
            or self.max_concurrency < 1
        ):
            raise ValueError(
                f"max_concurrency must be an integer >= 1, not {self.max_concurrency!r}"
            )
        if self.schedule is not None and self.schedule not in ("eager", "waves"):
            raise ValueError(f"schedule must be 'eager' or 'waves', not {self.schedule!r}")
        if isinstance(self.timeout, int | float) and not isinstance(self.timeout, bool):
            if self.timeout <= 0:
                raise ValueError("timeout must be positive")
        elif self.timeout is not None and not isinstance(self.timeout, str):
            raise TypeError("timeout must be seconds (a number) or a duration string")
