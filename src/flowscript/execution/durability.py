"""Keeping a run durable: the state file during the run, the log after it (§1, §9.2, §10).

:class:`RunDurability` is the glue between the executor and the state store / log writer:

- ``open`` when the run starts: the state file is written with status ``running``;
- ``note`` from :meth:`RunContext.record <flowscript.execution._context.RunContext.record>`,
  the one place results enter the state: the result's journal line is written there and then,
  synchronously, before anyone hears of the result (one line per result, whatever the size of
  the run); with ``sync_every_node`` it is queued instead;
- ``flush``, awaited where a node finishes (before its dependents may start) and by the
  scheduler after it applied an outcome (skips, gotos, wave ends), when something noted still
  waits for the disk (queued records, a compaction, ``sync_every_node``'s fsync): concurrent
  flushes share one write and one fsync (group commit);
- ``checkpoint``: a compact snapshot (the run's status, error, pending checkpoint and config
  reach the file only through snapshots);
- ``finish``, in the executor's ``finally``: the final snapshot, then the execution log when
  ``log_path`` is set.

A root *wave* end is made durable by the flush that follows the outcome completing it, not by
a snapshot: a snapshot per wave would rewrite the whole state once per wave, and a chain of N
nodes has N waves (quadratic in the run's size, which §9.2 rules out). The store compacts the
journal into a snapshot by itself as it grows.

Writing the state or the log can fail (disk full, read-only file): the run goes on and the
problem is reported as a :class:`~flowscript.execution.events.RunWarning` (logged on stderr
when nobody observes the run); it never replaces the run's own result or error. Only a state
file that cannot be created at the start stops the run, before anything ran.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from flowscript.errors import ExecutionLogError, StateWriteError

if TYPE_CHECKING:
    from flowscript.execution._context import RunContext
    from flowscript.execution.state import ExecutionState
    from flowscript.persistence.protocol import RunStore

__all__ = ["RunDurability"]

_log = logging.getLogger("flowscript.execution")


class RunDurability:
    """The state store and the log of one run (inactive parts cost nothing).

    Args:
        run: the run (its state, options and warning channel).
    """

    __slots__ = (
        "_closed",
        "_lock",
        "_log_path",
        "_open",
        "_run",
        "_store",
        "_ticket",
        "_waited",
    )

    def __init__(self, run: RunContext) -> None:
        options = run.options
        self._run = run
        self._store: RunStore | None = options.state_store  # a shared store, when given
        if self._store is None and options.persistence_path is not None:
            from flowscript.persistence.store import StateStore

            self._store = StateStore(
                options.persistence_path,
                sync="always" if options.sync_every_node else "batched",
            )
        self._log_path = Path(options.log_path) if options.log_path is not None else None
        self._open = False
        self._ticket = 0  # the last ticket the store handed out for a noted result
        self._waited = 0  # the last ticket known durable
        self._lock = asyncio.Lock()
        self._closed = False

    @property
    def state_path(self) -> Path | None:
        """The state file, when the run is persisted."""
        path = getattr(self._store, "path", None)  # a database store has no file
        return path if isinstance(path, Path) else None

    async def open(self) -> None:
        """Write the initial state file (status ``running``).

        Raises:
            StateWriteError: the state file cannot be written; the run must not start.
        """
        if self._store is None:
            return
        try:
            await self._store.open(self._run.state)
            self._open = True
        except BaseException:
            from flowscript.execution.state import RunStatus

            self._run.state.status = RunStatus.FAILED  # never leave the run "running"
            raise

    def note(self, key: str) -> None:
        """Record ``key``'s result now; what still needs waiting for is done by :meth:`flush`.

        Under the default sync policy the journal record is written here, synchronously, before
        the result is reported to anyone; with ``sync_every_node`` it is queued, and the next
        :meth:`flush` writes every queued record with one fsync (group commit).
        """
        if self._store is None or not self._open or self._closed:
            return  # before open: the opening snapshot holds it; after finish: too late
        ticket = self._store.append_node(self._run.state, key)
        if ticket is not None:
            self._ticket = ticket

    @property
    def behind(self) -> bool:
        """Whether a noted result still waits for the disk (a :meth:`flush` would wait)."""
        return self._waited < self._ticket

    async def flush(self) -> None:
        """Return once every result noted before the call is durable."""
        ticket = self._ticket
        if self._waited >= ticket:
            return
        async with self._lock:
            if self._waited >= ticket or self._store is None or self._closed:
                return
            try:
                await self._store.wait(ticket)
            except StateWriteError as exc:
                self._warn(str(exc))
            self._waited = max(self._waited, ticket)

    async def checkpoint(self) -> None:
        """Write a compact snapshot of the state now (status, error, pending checkpoint)."""
        if self._store is None or self._closed:
            return
        async with self._lock:
            ticket = self._ticket
            try:
                await self._store.checkpoint(self._run.state)
            except StateWriteError as exc:
                self._warn(str(exc))
            self._waited = max(self._waited, ticket)

    async def finish(self) -> None:
        """The end of the run (§1 step 7): final snapshot, close the store, write the log."""
        if self._store is not None:
            finish = getattr(self._store, "finish", None)  # one trip to the disk, when offered
            if finish is not None and not self._closed:
                await self._finish_store(finish)
            else:
                try:
                    await self.checkpoint()
                finally:
                    await self._close()
        if self._log_path is not None:
            await self._write_log(self._run.state)

    async def _finish_store(self, finish: Callable[[ExecutionState], Awaitable[None]]) -> None:
        async with self._lock:
            self._closed = True
            try:
                await finish(self._run.state)
            except StateWriteError as exc:
                self._warn(str(exc))
            except OSError as exc:
                self._warn(f"could not close the run state {self.state_path}: {exc}")

    async def _close(self) -> None:
        assert self._store is not None
        self._closed = True
        try:
            await self._store.close()
        except OSError as exc:
            self._warn(f"could not close the run state {self.state_path}: {exc}")

    async def _write_log(self, state: ExecutionState) -> None:
        from flowscript.reporting.log import append_execution_log  # a higher layer: late

        assert self._log_path is not None
        try:
            await append_execution_log(
                self._log_path, state, workflow_name=self._run.plan.workflow.name
            )
        except ExecutionLogError as exc:
            self._warn(str(exc))

    def _warn(self, message: str) -> None:
        """Report a persistence problem: to the observers, or on stderr when there are none."""
        if self._run.events:
            self._run.warn(message)
        else:
            _log.warning("%s", message)
