"""The in-process bridge: what a ``dask-local`` coordinator shares with its own workers.

With ``LocalCluster(processes=False)`` the workers live in the coordinator's process. The
coordinator puts one :class:`InProcessBridge` on each of them (directly, never through the
scheduler) holding, per run, the secret values and the runtimes the run dispatched, so those
workers need neither the secrets in the environment nor ``FLOWSCRIPT_RUNTIMES``: the flow runs
as it would with the local executor. It also carries cancellation directly: an in-process
body is cancelled at once, and every body still running is cancelled when the cluster closes
(its threads would otherwise outlive the cluster). Remote workers have no bridge.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from distributed.diagnostics.plugin import WorkerPlugin

if TYPE_CHECKING:
    from flowscript.runtimes.base import Runtime

__all__ = ["InProcessBridge"]


class InProcessBridge(WorkerPlugin):
    """Per-run secret values and runtimes shared with in-process workers."""

    idempotent = True

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the coordinator's loop writes, worker threads read
        self._secrets: dict[str, dict[str, str]] = {}
        self._runtimes: dict[str, dict[str, Runtime]] = {}
        self._bodies: dict[str, Callable[[], None]] = {}
        self._cancelled: set[str] = set()

    def share(self, run_id: str, secrets: Mapping[str, str], runtime: Runtime) -> None:
        """Make the run's secret values and ``runtime`` available to the workers."""
        with self._lock:
            self._secrets[run_id] = dict(secrets)
            self._runtimes.setdefault(run_id, {})[runtime.kind] = runtime

    def secrets(self, run_id: str) -> Mapping[str, str]:
        """The run's secret values (empty for an unknown run)."""
        with self._lock:
            return dict(self._secrets.get(run_id, {}))

    def runtime(self, run_id: str, kind: str) -> Runtime | None:
        """The runtime the run dispatched for ``kind``, if any."""
        with self._lock:
            return self._runtimes.get(run_id, {}).get(kind)

    def forget(self, run_id: str) -> None:
        """Drop what was shared for a finished run."""
        with self._lock:
            self._secrets.pop(run_id, None)
            self._runtimes.pop(run_id, None)

    def attach(self, name: str, cancel: Callable[[], None]) -> None:
        """Register a running body under its cancellation event name (worker side)."""
        with self._lock:
            if name not in self._cancelled:
                self._bodies[name] = cancel
                return
        cancel()  # cancelled before it started

    def detach(self, name: str) -> None:
        """The body finished (worker side)."""
        with self._lock:
            self._bodies.pop(name, None)
            self._cancelled.discard(name)

    def cancel(self, name: str) -> None:
        """Cancel the body registered under ``name`` now, or as soon as it starts."""
        with self._lock:
            cancel = self._bodies.pop(name, None)
            if cancel is None:
                self._cancelled.add(name)
        if cancel is not None:
            cancel()

    def cancel_all(self) -> None:
        """Cancel every body still running (the cluster is closing)."""
        with self._lock:
            bodies = list(self._bodies.values())
            self._bodies.clear()
        for cancel in bodies:
            cancel()

    def __reduce__(self) -> Any:
        # Never pickled to another process: it would carry secret values.
        raise TypeError("the in-process bridge cannot leave the coordinator's process")
