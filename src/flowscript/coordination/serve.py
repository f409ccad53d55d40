"""``flowscript serve``: a coordinator that claims queued runs and runs them until stopped.

Up to ``max_runs`` runs at once. When a slot is free the coordinator claims the oldest
claimable run (``SELECT … FOR UPDATE SKIP LOCKED``: coordinators never block each other);
when nothing is claimable it looks again every ``poll`` seconds, and at once whenever one of
its runs ends. Stopping (SIGTERM, SIGINT) stops claiming, cancels the runs in progress — each
is recorded ``cancelled`` and its lease released — and returns.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from flowscript.coordination.claimed import RunSettings, run_claimed
from flowscript.coordination.lease import DEFAULT_LEASE, Lease, claim_next, coordinator_name

if TYPE_CHECKING:
    from flowscript.persistence.postgres.database import Database

__all__ = ["DEFAULT_POLL", "Coordinator", "ServeReport"]

DEFAULT_POLL: Final = 1.0
"""Seconds between looks at an empty queue (``--poll``)."""


@dataclass(slots=True)
class ServeReport:
    """What a coordinator did: final status → number of runs (``lost``: taken over)."""

    statuses: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> None:
        """Count one run that ended with ``status``."""
        self.statuses[status] = self.statuses.get(status, 0) + 1


class Coordinator:
    """Claims and runs queued runs of one state database.

    Args:
        database: the open state database.
        settings: how runs are executed here.
        max_runs: runs at once.
        lease: lease length in seconds (renewed every third of it).
        poll: seconds between looks at an empty queue.
        owner: this coordinator's name in leases (default: ``host:pid:random``).
        report: receives one line per claimed / finished / lost run (default: nothing).
    """

    def __init__(
        self,
        database: Database,
        settings: RunSettings | None = None,
        *,
        max_runs: int = 1,
        lease: float = DEFAULT_LEASE,
        poll: float = DEFAULT_POLL,
        owner: str | None = None,
        report: Callable[[str], object] | None = None,
    ) -> None:
        if max_runs < 1:
            raise ValueError("max_runs must be at least 1")
        if lease <= 0 or poll <= 0:
            raise ValueError("lease and poll must be positive")
        self._db = database
        self._settings = settings or RunSettings()
        self._max_runs = max_runs
        self._lease = lease
        self._poll = poll
        self.owner = owner or coordinator_name()
        self._report = report or (lambda line: None)
        self._running: set[asyncio.Task[None]] = set()
        self.result = ServeReport()

    async def serve(self, stop: asyncio.Event) -> ServeReport:
        """Claim and run until ``stop`` is set; then cancel and release what still runs."""
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                await self._fill()
                waiting = {stopping, *self._running}
                await asyncio.wait(waiting, timeout=self._poll, return_when="FIRST_COMPLETED")
        finally:
            stopping.cancel()
            await self._cancel_all()
        return self.result

    async def _fill(self) -> None:
        import psycopg

        while len(self._running) < self._max_runs:
            try:
                lease = await claim_next(self._db, self.owner, self._lease)
            except (psycopg.Error, OSError) as exc:
                self._report(f"cannot claim runs: {exc}")
                return
            if lease is None:
                return
            task = asyncio.get_running_loop().create_task(self._run(lease))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, lease: Lease) -> None:
        taken = (
            " (taken over from a coordinator whose lease expired)" if lease.was == "running" else ""
        )
        self._report(f"claimed run {lease.run_id}{taken}")
        try:
            status = await run_claimed(self._db, lease, self._settings)
        except asyncio.CancelledError:
            self.result.count("cancelled")
            self._report(f"run {lease.run_id} cancelled (coordinator stopping)")
            raise
        except Exception as exc:  # a coordinator bug or a lost database must not stop the loop
            self.result.count("error")
            self._report(f"run {lease.run_id}: {type(exc).__name__}: {exc}")
            return
        self.result.count(status)
        if status == "lost":
            self._report(f"lost the lease of run {lease.run_id} (taken over): stopped it here")
        else:
            self._report(f"run {lease.run_id} {status}")

    async def _cancel_all(self) -> None:
        tasks = list(self._running)
        for task in tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks, return_exceptions=True)
