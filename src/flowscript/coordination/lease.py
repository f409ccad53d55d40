"""Leases on runs: claim (``FOR UPDATE SKIP LOCKED``), heartbeat, release, and the event log.

A run is held by one coordinator at a time through a time-limited lease: ``lease_owner``,
``lease_epoch`` (bumped by every claim) and ``lease_expires`` (database time, so clocks of
different machines never matter). A coordinator renews its lease every third of its length;
when a renewal finds another epoch — or cannot reach the database for a whole lease length —
the lease is lost and the run must stop at once. Every write of the run's state is fenced by
the epoch (:class:`~flowscript.persistence.postgres.PostgresRunStore`).

Claimable: ``queued`` runs, and ``running`` runs whose lease expired (their coordinator died).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import ResumeError, StateError

if TYPE_CHECKING:
    from psycopg import AsyncConnection

    from flowscript.persistence.postgres.database import Database

__all__ = [
    "DEFAULT_LEASE",
    "Heartbeat",
    "Lease",
    "claim_next",
    "claim_run",
    "coordinator_name",
    "fail_run",
    "record_event",
    "release",
]

DEFAULT_LEASE: Final = 30.0
"""Seconds a lease lasts unless renewed (``--lease``)."""

_CLAIM_NEXT: Final = """
UPDATE flowscript_runs r SET status = 'running', lease_owner = %(owner)s,
    lease_epoch = r.lease_epoch + 1, updated_at = now(),
    lease_expires = now() + make_interval(secs => %(lease)s)
FROM (
    SELECT id, status AS was, lease_owner AS previous FROM flowscript_runs
    WHERE status = 'queued'
       OR (status = 'running' AND (lease_expires IS NULL OR lease_expires < now()))
    ORDER BY queued_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
) c
WHERE r.id = c.id
RETURNING r.id, r.lease_epoch, c.was, c.previous
"""
_CLAIM_ONE: Final = """
UPDATE flowscript_runs r SET status = 'running', lease_owner = %(owner)s,
    lease_epoch = r.lease_epoch + 1, updated_at = now(),
    lease_expires = now() + make_interval(secs => %(lease)s)
FROM (SELECT id, status AS was, lease_owner AS previous FROM flowscript_runs
      WHERE id = %(id)s FOR UPDATE) c
WHERE r.id = c.id AND c.was <> 'completed'
  AND NOT (c.was = 'running' AND r.lease_expires >= now())
RETURNING r.id, r.lease_epoch, c.was, c.previous
"""
_RENEW: Final = (
    "UPDATE flowscript_runs SET lease_expires = now() + make_interval(secs => %s)"
    " WHERE id = %s AND lease_epoch = %s"
)
_RELEASE: Final = """
UPDATE flowscript_runs SET lease_owner = NULL, lease_expires = NULL, updated_at = now(),
    status = CASE
        WHEN %s::text IS NOT NULL THEN %s::text
        WHEN status = 'paused' AND answers ? (pending_checkpoint->>'node') THEN 'queued'
        WHEN status = 'running' THEN 'cancelled'
        ELSE status END
WHERE id = %s AND lease_epoch = %s
RETURNING status
"""


def coordinator_name() -> str:
    """This process as a lease owner: ``host:pid:random`` (unique even after a pid is reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True, slots=True)
class Lease:
    """A claimed run.

    Attributes:
        run_id: the run.
        epoch: the lease epoch (fences every write).
        owner: the coordinator holding it.
        seconds: its length (renewed every third of it).
        was: the run's status before the claim (``queued``, ``running`` for a takeover …).
    """

    run_id: str
    epoch: int
    owner: str
    seconds: float
    was: str = "queued"


async def claim_next(database: Database, owner: str, seconds: float) -> Lease | None:
    """Claim the oldest claimable run, or return ``None`` when there is none."""
    async with database.connection() as conn, conn.transaction():
        cursor = await conn.execute(_CLAIM_NEXT, {"owner": owner, "lease": seconds})
        row = await cursor.fetchone()
        if row is None:
            return None
        lease = Lease(str(row[0]), int(row[1]), owner, seconds, str(row[2]))
        detail = {"was": row[2], "from": row[3]} if row[2] != "queued" else None
        await record_event(conn, lease.run_id, "claimed", owner, lease.epoch, detail)
    return lease


async def claim_run(database: Database, run_id: str, owner: str, seconds: float) -> Lease:
    """Claim ``run_id`` itself (``flowscript resume --state``).

    Raises:
        ResumeError: the run completed.
        StateError: another coordinator holds a live lease on it.
    """
    async with database.connection() as conn, conn.transaction():
        cursor = await conn.execute(_CLAIM_ONE, {"owner": owner, "lease": seconds, "id": run_id})
        row = await cursor.fetchone()
        if row is None:
            await _refuse(conn, run_id)
        assert row is not None
        lease = Lease(str(row[0]), int(row[1]), owner, seconds, str(row[2]))
        await record_event(conn, run_id, "claimed", owner, lease.epoch, {"by": "resume"})
    return lease


async def _refuse(conn: AsyncConnection[Any], run_id: str) -> None:
    cursor = await conn.execute(
        "SELECT status, lease_owner FROM flowscript_runs WHERE id = %s", (run_id,)
    )
    row = await cursor.fetchone()
    if row is None:
        raise StateError(f"no run {run_id!r} in the state database")
    if row[0] == "completed":
        raise ResumeError(f"run {run_id} completed; there is nothing to resume")
    raise StateError(f"run {run_id} is being run by {row[1]} (its lease is live); try later")


async def renew(database: Database, lease: Lease) -> bool:
    """Extend the lease; ``False`` when another coordinator took the run over."""
    async with database.connection() as conn:
        cursor = await conn.execute(_RENEW, (lease.seconds, lease.run_id, lease.epoch))
        return cursor.rowcount == 1


async def release(database: Database, lease: Lease, *, status: str | None = None) -> str | None:
    """Give the run back (its final status is already stored); return the status left.

    A paused run whose checkpoint was answered meanwhile goes back to ``queued``. ``status``
    sets the status instead (a claimed run that did not start: its status before the claim).
    ``None`` when the lease was lost (nothing is written).
    """
    async with database.connection() as conn, conn.transaction():
        cursor = await conn.execute(_RELEASE, (status, status, lease.run_id, lease.epoch))
        row = await cursor.fetchone()
        if row is None:
            return None
        await record_event(conn, lease.run_id, "released", lease.owner, lease.epoch,
                           {"status": row[0]})  # fmt: skip
    return str(row[0])


async def fail_run(database: Database, lease: Lease, error: dict[str, Any]) -> None:
    """Record that the run could not start here (bad workflow, missing secret …); release it."""
    async with database.connection() as conn, conn.transaction():
        await conn.execute(
            "UPDATE flowscript_runs SET status = 'failed', error = %s::json, lease_owner = NULL,"
            " lease_expires = NULL, updated_at = now() WHERE id = %s AND lease_epoch = %s",
            (json.dumps(error), lease.run_id, lease.epoch),
        )
        await record_event(conn, lease.run_id, "failed", lease.owner, lease.epoch, error)


async def record_event(
    conn: AsyncConnection[Any],
    run_id: str,
    kind: str,
    owner: str | None,
    epoch: int | None,
    detail: Any = None,
) -> None:
    """Append one entry to the run's event history."""
    await conn.execute(
        "INSERT INTO flowscript_run_events (run_id, kind, owner, epoch, detail)"
        " VALUES (%s, %s, %s, %s, %s::json)",
        (run_id, kind, owner, epoch, None if detail is None else json.dumps(detail)),
    )


class Heartbeat:
    """Renews a lease every third of its length until stopped; reports a lost lease once.

    The lease counts as lost when a renewal finds another epoch, or when no renewal succeeded
    for a whole lease length (the database is unreachable: another coordinator may take over).

    Args:
        database: the state database.
        lease: the lease to keep.
        on_lost: called once, from the heartbeat task, when the lease is lost.
    """

    def __init__(self, database: Database, lease: Lease, on_lost: Callable[[], object]) -> None:
        self._db = database
        self._lease = lease
        self._on_lost = on_lost
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start renewing (on the running loop)."""
        self._task = asyncio.get_running_loop().create_task(self._beat())

    async def stop(self) -> None:
        """Stop renewing (idempotent)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _beat(self) -> None:
        import psycopg

        interval = self._lease.seconds / 3
        last_ok = time.monotonic()
        while True:
            await asyncio.sleep(interval)
            try:
                held = await renew(self._db, self._lease)
            except (psycopg.Error, OSError):
                held = time.monotonic() - last_ok < self._lease.seconds
            else:
                last_ok = time.monotonic() if held else last_ok
            if not held:
                self._on_lost()
                return
