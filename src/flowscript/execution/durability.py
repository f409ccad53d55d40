"""Keeping a run durable: the state file during the run, the log after it (§1, §9.2, §10).

:class:`RunDurability` is the glue between the executor and the state store / log writer:

- ``open`` when the run starts: the state file is written with status ``running``;
- ``note`` from :meth:`RunContext.record <flowscript.execution._context.RunContext.record>`,
  the one place results enter the state (synchronous, costs a dict insert);
- ``flush``, awaited where a node finishes (before its dependents may start) and by the
  scheduler after it applied an outcome (skips, gotos, wave ends): every noted result is
  appended to the journal and fsynced. Concurrent flushes share one write (group commit), and
  each result costs one journal line whatever the size of the run;
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
from pathlib import Path
from typing import TYPE_CHECKING

from flowscript.errors import ExecutionLogError, StateWriteError

if TYPE_CHECKING:
    from flowscript.execution._context import RunContext
    from flowscript.execution.state import ExecutionState
    from flowscript.persistence.store import StateStore

__all__ = ["RunDurability"]

_log = logging.getLogger("flowscript.execution")


class RunDurability:
    """The state store and the log of one run (inactive parts cost nothing).

    Args:
        run: the run (its state, options and warning channel).
    """

    __slots__ = (
        "_closed",
        "_durable",
        "_lock",
        "_log_path",
        "_noted",
        "_pending",
        "_run",
        "_store",
    )

    def __init__(self, run: RunContext) -> None:
        options = run.options
        self._run = run
        self._store: StateStore | None = None
        if options.persistence_path is not None:
            from flowscript.persistence.store import StateStore

            self._store = StateStore(
                options.persistence_path,
                sync="always" if options.sync_every_node else "batched",
            )
        self._log_path = Path(options.log_path) if options.log_path is not None else None
        self._pending: dict[str, None] = {}
        self._noted = 0
        self._durable = 0
        self._lock = asyncio.Lock()
        self._closed = False

    @property
    def state_path(self) -> Path | None:
        """The state file, when the run is persisted."""
        return self._store.path if self._store is not None else None

    async def open(self) -> None:
        """Write the initial state file (status ``running``).

        Raises:
            StateWriteError: the state file cannot be written; the run must not start.
        """
        if self._store is None:
            return
        try:
            await self._store.open(self._run.state)
        except BaseException:
            from flowscript.execution.state import RunStatus

            self._run.state.status = RunStatus.FAILED  # never leave the run "running"
            raise

    def note(self, key: str) -> None:
        """Remember that ``key``'s result changed (made durable by the next :meth:`flush`)."""
        if self._store is not None and not self._closed:
            self._pending[key] = None
            self._noted += 1

    async def flush(self) -> None:
        """Return once every result noted before the call is durable."""
        target = self._noted
        if self._durable >= target:
            return
        async with self._lock:
            if self._durable >= target or self._store is None or self._closed:
                return
            keys, self._pending = list(self._pending), {}
            upto = self._noted
            store, state = self._store, self._run.state
            if self._run.options.sync_every_node and len(keys) > 1:
                # One task per record: every append is queued before the first fsync, so the
                # whole batch shares it (see flowscript.persistence._writer).
                outcomes = await asyncio.gather(
                    *(store.record_node(state, key) for key in keys), return_exceptions=True
                )
            else:
                # Batched sync appends without waiting for the disk, so awaiting in turn costs
                # no extra event-loop iterations (measured: a third of the per-node cost).
                outcomes = [await _recorded(store, state, key) for key in keys]
            self._durable = max(self._durable, upto)
        self._report_failures(outcomes)

    async def checkpoint(self) -> None:
        """Write a compact snapshot of the state now (status, error, pending checkpoint)."""
        if self._store is None or self._closed:
            return
        async with self._lock:
            upto = self._noted
            self._pending = {}
            try:
                await self._store.checkpoint(self._run.state)
            except StateWriteError as exc:
                self._warn(str(exc))
            self._durable = max(self._durable, upto)

    async def finish(self) -> None:
        """The end of the run (§1 step 7): final snapshot, close the store, write the log."""
        if self._store is not None:
            try:
                await self.checkpoint()
            finally:
                await self._close()
        if self._log_path is not None:
            await self._write_log(self._run.state)

    async def _close(self) -> None:
        assert self._store is not None
        self._closed = True
        try:
            await self._store.close()
        except OSError as exc:
            self._warn(f"could not close the run state {self._store.path}: {exc}")

    async def _write_log(self, state: ExecutionState) -> None:
        from flowscript.reporting.log import append_execution_log  # a higher layer: late

        assert self._log_path is not None
        try:
            await append_execution_log(
                self._log_path, state, workflow_name=self._run.plan.workflow.name
            )
        except ExecutionLogError as exc:
            self._warn(str(exc))

    def _report_failures(self, outcomes: list[BaseException | None]) -> None:
        reported: set[str] = set()
        for outcome in outcomes:
            if isinstance(outcome, StateWriteError):
                message = str(outcome)
                if message not in reported:
                    reported.add(message)
                    self._warn(message)
            elif isinstance(outcome, BaseException):
                raise outcome

    def _warn(self, message: str) -> None:
        """Report a persistence problem: to the observers, or on stderr when there are none."""
        if self._run.events:
            self._run.warn(message)
        else:
            _log.warning("%s", message)


async def _recorded(store: StateStore, state: ExecutionState, key: str) -> BaseException | None:
    """Record one result; a write failure is returned (reported as a warning), not raised."""
    try:
        await store.record_node(state, key)
    except StateWriteError as exc:
        return exc
    return None
