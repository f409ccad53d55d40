"""The worker side of cancellation: race a node's body against the attempt's Dask ``Event``.

When the coordinator gives up on an attempt (attempt timeout, a ``<timeout>`` node, the losing
branch of ``wait="any"``, run cancel or deadline) it sets the attempt's ``Event``. On the
worker, a watcher thread waits on that event and cancels the body's asyncio task, so in-flight
HTTP requests, AI calls, sleeps and queries are interrupted at their next ``await``.

In a ``dask-local`` cluster inside the coordinator's process, the in-process bridge cancels
the body directly instead (see ``_bridge``).

The watcher starts only when the body is still running after :data:`WATCH_DELAY` seconds: most
node bodies finish sooner and then cost nothing (no thread, no scheduler round trip). An event
set before the watcher starts is not missed: a Dask event stays set until cleared.

What cannot be interrupted: code that never returns to the event loop — a blocking C call, a
``time.sleep``, a CPU loop, a file read in a worker thread (``asyncio.to_thread`` cannot stop
its thread). The attempt's result is then discarded when it finishes; the worker's thread stays
busy until it does.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from typing import Any, Final

__all__ = ["WATCH_DELAY", "WATCH_POLL", "CancelWatch"]

WATCH_DELAY: Final = 0.05
"""Seconds a body runs before its cancellation watcher starts."""
WATCH_POLL: Final = 1.0
"""Seconds of each wait on the event; bounds how long a watcher outlives its body."""


class CancelWatch:
    """Cancels the current task when the Dask event named ``event_name`` is set.

    Args:
        event_name: the attempt's ``distributed.Event`` name (``None``: nothing to watch).
        bridge: the in-process bridge of this worker, if any.

    Attributes:
        cancelled: True once the event cancelled the body.
    """

    def __init__(self, event_name: str | None, bridge: Any | None = None) -> None:
        self._name = event_name
        self._bridge = bridge
        self._done = threading.Event()
        self.cancelled = False

    @contextlib.asynccontextmanager
    async def watching(self) -> AsyncIterator[None]:
        """Watch while the body of the ``async with`` runs."""
        if self._name is None:
            yield
            return
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        if self._bridge is not None and task is not None:
            self._bridge.attach(self._name, lambda: self._cancel_soon(loop, task))
            try:
                yield
            finally:
                self._done.set()
                self._bridge.detach(self._name)
            return
        handle = loop.call_later(WATCH_DELAY, self._start, loop, task)
        try:
            yield
        finally:
            handle.cancel()
            self._done.set()

    def _start(self, loop: asyncio.AbstractEventLoop, task: asyncio.Task[Any] | None) -> None:
        event = self._event()
        if event is None or task is None:
            return
        thread = threading.Thread(
            target=self._watch, args=(event, loop, task), name="flowscript-cancel", daemon=True
        )
        thread.start()

    def _event(self) -> Any | None:
        # Called in the task's thread: get_client() finds the worker's client only there.
        try:
            import distributed

            event_type: Any = distributed.Event
            return event_type(self._name, client=distributed.get_client())
        except (ImportError, ValueError, RuntimeError, OSError):
            return None  # not inside a Dask worker, or the worker is closing

    def _watch(self, event: Any, loop: asyncio.AbstractEventLoop, task: asyncio.Task[Any]) -> None:
        try:
            while not self._done.is_set():
                if event.wait(timeout=WATCH_POLL):
                    self._cancel_soon(loop, task)
                    event.clear()  # obeyed: the scheduler can forget the event
                    return
        except Exception:
            # The cluster is shutting down or the connection is gone: nothing left to watch
            # (the attempt's deadline still bounds the body). A daemon thread must not raise.
            return

    def _cancel_soon(self, loop: asyncio.AbstractEventLoop, task: asyncio.Task[Any]) -> None:
        with contextlib.suppress(RuntimeError):  # the body's loop may have finished already
            loop.call_soon_threadsafe(self._cancel, task)

    def _cancel(self, task: asyncio.Task[Any]) -> None:
        if not self._done.is_set():
            self.cancelled = True
            task.cancel()
