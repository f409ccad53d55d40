"""Executing one run under a lease, with its state in the shared database.

:func:`execute_leased` is the common core of ``serve`` (runs it claimed), ``run --state`` and
``resume --state``: the run gets a :class:`~flowscript.persistence.postgres.PostgresRunStore`
fenced by the lease, a heartbeat renews the lease while it runs, and the lease is released
when it ends (completed, failed, paused or cancelled). When the lease is lost — a write or a
renewal finds another epoch — the run is stopped at once and :class:`LeaseLost` is raised;
nothing more is written for it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from flowscript.coordination.lease import Heartbeat, Lease, release
from flowscript.persistence.postgres.store import LeaseLost, PostgresRunStore

if TYPE_CHECKING:
    from flowscript.execution.options import ExecutionOptions
    from flowscript.execution.state import ExecutionState
    from flowscript.persistence.postgres.database import Database

__all__ = ["Runner", "execute_leased", "is_lease_lost"]

Runner = Callable[["ExecutionOptions"], Awaitable["ExecutionState"]]
"""Executes the run with the options given (``PreparedRun.execute`` and the like)."""


def is_lease_lost(error: BaseException) -> bool:
    """Whether ``error`` is :class:`LeaseLost`, or a group holding one."""
    if isinstance(error, LeaseLost):
        return True
    if isinstance(error, BaseExceptionGroup):
        return error.subgroup(LeaseLost) is not None
    return False


async def execute_leased(
    database: Database,
    lease: Lease,
    runner: Runner,
    options: ExecutionOptions,
) -> ExecutionState:
    """Run ``runner`` with the shared store and a heartbeat; release the lease at the end.

    Returns:
        The final state (as ``runner`` returns it).

    Raises:
        LeaseLost: another coordinator took the run over; it was stopped, nothing more written.
        NodeError / asyncio.CancelledError: as ``runner`` (the lease is released first).
    """
    task = asyncio.current_task()
    assert task is not None
    lost = asyncio.Event()

    def on_lost() -> None:
        if not lost.is_set():
            lost.set()
            if asyncio.current_task() is not task:  # (in the task itself, LeaseLost is raised)
                task.cancel()  # stop the run at once: no node may start after this

    store = PostgresRunStore(database, lease.run_id, lease.epoch, on_lost=on_lost)
    heartbeat = Heartbeat(database, lease, on_lost)
    heartbeat.start()
    try:
        return await runner(dataclasses.replace(options, state_store=store))
    except BaseException as error:
        if lost.is_set() or store.lost or is_lease_lost(error):
            if lost.is_set() and task.cancelling():
                task.uncancel()  # our own cancellation, turned into LeaseLost
            raise LeaseLost(lease.run_id, lease.epoch) from None
        raise
    finally:
        await heartbeat.stop()
        if not lost.is_set() and not store.lost:
            await _release(database, lease)


async def _release(database: Database, lease: Lease) -> None:
    """Release even while being cancelled (SIGTERM): the run's lease must not linger."""
    await asyncio.shield(release(database, lease))
