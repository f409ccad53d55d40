"""Run and node events, and their dispatch to observers.

Observers (the CLI progress display, the execution log, user callbacks) are sync callables
receiving each event. An observer that raises is logged and ignored: a broken display must
never break a run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flowscript.execution.options import Observer

__all__ = [
    "Event",
    "EventDispatcher",
    "NodeCompleted",
    "NodeFailed",
    "NodeRetrying",
    "NodeSkipped",
    "NodeStarted",
    "RunFinished",
    "RunStarted",
    "RunWarning",
]

_log = logging.getLogger("flowscript.execution")


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Fields every event has.

    Attributes:
        run_id: the run the event belongs to.
        timestamp: epoch milliseconds.
    """

    run_id: str
    timestamp: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RunStarted(Event):
    """The run started executing its plan."""

    workflow_id: str
    node_count: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeStarted(Event):
    """A node started (after it got a concurrency slot, for leaf nodes)."""

    node_id: str
    kind: str
    wave: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeCompleted(Event):
    """A node finished without failing: ``success``, ``recovered`` or ``pending``
    (interrupted because the run stopped)."""

    node_id: str
    status: str
    duration: int
    output: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeFailed(Event):
    """A node failed (after its failure handling)."""

    node_id: str
    error: dict[str, Any]
    duration: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeSkipped(Event):
    """A node was skipped (branch not taken, goto, dependency skipped, cancelled)."""

    node_id: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeRetrying(Event):
    """A node failed an attempt and will be retried after ``delay`` seconds."""

    node_id: str
    attempt: int
    delay: float
    error: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunWarning(Event):
    """A non-fatal problem (invalid JSON from a template, …), optionally about a node."""

    message: str
    node_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFinished(Event):
    """The run ended with ``status`` (``completed``, ``failed``, ``cancelled`` …)."""

    status: str
    duration: int
    error: dict[str, Any] | None = None


class EventDispatcher:
    """Delivers events to observers in order; isolates the run from observer errors."""

    __slots__ = ("_observers",)

    def __init__(self, observers: Sequence[Observer] = ()) -> None:
        self._observers = tuple(observers)

    def __bool__(self) -> bool:
        return bool(self._observers)

    def emit(self, event: Event) -> None:
        """Call every observer with ``event``; log and ignore observer exceptions."""
        for observer in self._observers:
            try:
                observer(event)
            except Exception:  # an observer bug must never break the run it observes
                _log.exception("observer %r failed on %s", observer, type(event).__name__)
