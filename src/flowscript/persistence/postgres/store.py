"""``PostgresRunStore``: one run's state in the shared database, written under a lease.

The layout mirrors the local store (:mod:`flowscript.persistence.store`): the run row holds a
complete snapshot (``snapshot``, the state file's JSON) and ``snapshot_seq``; each recorded
node adds one row to ``flowscript_node_results`` holding the same record a journal line holds
(:func:`~flowscript.persistence._journal.encode_record`). Loading replays the records with
``seq > snapshot_seq`` over the snapshot, so node results and state round-trip exactly as they
do through the JSON file. Records are kept after a snapshot: they are the run's history (one
row per recorded node execution), unique per ``(run_id, seq)``.

Group commit: :meth:`append_node` only queues the record and returns a ticket; :meth:`wait`
writes every queued record in ONE transaction. Every transaction is **fenced** by the lease
epoch: it starts with ``UPDATE flowscript_runs … WHERE id = %s AND lease_epoch = %s``; when
that matches no row another coordinator took the run over, the transaction is rolled back and
:class:`LeaseLost` is raised. From then on the store writes nothing at all, and the coordinator
stops the run at once.

Secrets never reach the database: records and snapshots are redacted like the state file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import StateWriteError
from flowscript.persistence._journal import ContextTracker, encode_record
from flowscript.persistence.codec import encode_json, state_to_data

if TYPE_CHECKING:
    from psycopg import AsyncConnection

    from flowscript.execution.redaction import Redactor
    from flowscript.execution.state import ExecutionState
    from flowscript.persistence.postgres.database import Database

__all__ = ["LeaseLost", "PostgresRunStore"]

_FENCE: Final = "UPDATE flowscript_runs SET updated_at = now() WHERE id = %s AND lease_epoch = %s"
_INSERT: Final = (
    "INSERT INTO flowscript_node_results (run_id, seq, epoch, node, status, record)"
    " VALUES (%s, %s, %s, %s, %s, %s::json) ON CONFLICT (run_id, seq) DO NOTHING"
)
_SNAPSHOT: Final = (
    "UPDATE flowscript_runs SET snapshot = %s::json, snapshot_seq = %s, status = %s,"
    " started_at = %s, completed_at = %s, error = %s::json, pending_checkpoint = %s::json,"
    " workflow_hash = coalesce(%s, workflow_hash), updated_at = now()"
    " WHERE id = %s AND lease_epoch = %s"
)
_MAX_SEQ: Final = "SELECT coalesce(max(seq), 0) FROM flowscript_node_results WHERE run_id = %s"

_Record = tuple[int, str, "str | None", str]  # seq, node, status, record JSON


class LeaseLost(BaseException):
    """Another coordinator holds the run now: this one must stop it at once, writing nothing.

    A :class:`BaseException`, like :class:`asyncio.CancelledError`, so that no ``except
    Exception`` in the engine (retry boundaries, runtime wrappers) can mistake it for a node
    failure and carry on running nodes.

    Attributes:
        run_id: the run.
        epoch: the lease epoch this coordinator held.
    """

    def __init__(self, run_id: str, epoch: int) -> None:
        self.run_id = run_id
        self.epoch = epoch
        super().__init__(f"lost the lease of run {run_id} (epoch {epoch}): another coordinator")


class PostgresRunStore:
    """The :class:`~flowscript.persistence.protocol.RunStore` of one run in PostgreSQL.

    The caller holds the run's lease at ``epoch`` (see :mod:`flowscript.coordination`).

    Args:
        database: the open state database.
        run_id: the run (its row exists).
        epoch: the lease epoch every write is fenced by.
        on_lost: called once when a write finds the lease gone (the coordinator cancels the
            run there).
    """

    def __init__(
        self,
        database: Database,
        run_id: str,
        epoch: int,
        *,
        on_lost: Callable[[], object] | None = None,
    ) -> None:
        self._db = database
        self._run_id = run_id
        self._epoch = epoch
        self._on_lost = on_lost
        self._tracker = ContextTracker()
        self._redactor_key: tuple[str, ...] | None = None
        self._redactor: Redactor | None = None
        self._queue: list[_Record] = []
        self._seq = 0
        self._issued = 0
        self._done = 0
        self._lock = asyncio.Lock()
        self._lost = False
        self._opened = False
        self._closed = False
        self.commits = 0  # transactions written (for tests and benchmarks)

    @property
    def location(self) -> str:
        """Where the state is (URL without password, and the run id)."""
        return f"{self._db.location} (run {self._run_id})"

    @property
    def run_id(self) -> str:
        """The run."""
        return self._run_id

    @property
    def epoch(self) -> int:
        """The lease epoch of this store's writes."""
        return self._epoch

    @property
    def lost(self) -> bool:
        """Whether a write found the lease taken over (nothing is written any more)."""
        return self._lost

    async def open(self, state: ExecutionState) -> None:
        """Write the run's first snapshot (status ``running``).

        Raises:
            LeaseLost: the lease is gone already.
            StateWriteError: the database refused the write.
        """
        if self._closed:
            raise ValueError(f"the state store of run {self._run_id} is closed")
        self._opened = True
        self._tracker.reset(state)

        async def write(conn: AsyncConnection[Any]) -> None:
            cursor = await conn.execute(_MAX_SEQ, (self._run_id,))
            row = await cursor.fetchone()
            self._seq = int(row[0]) if row is not None else 0
            await self._write_snapshot(conn, self._snapshot_args(state))

        await self._transaction(write)

    def append_node(self, state: ExecutionState, node_id: str) -> int | None:
        """Queue ``node_id``'s record; return the ticket :meth:`wait` makes durable."""
        if self._lost or self._closed or not self._opened:
            return None
        self._seq += 1
        line = encode_record(
            state,
            node_id,
            generation=str(self._epoch),
            seq=self._seq,
            tracker=self._tracker,
            redactor=self._redactor_for(state),
        )
        result = state.node_results.get(node_id)
        status = None if result is None else result.status.value
        self._queue.append((self._seq, node_id, status, line.decode("utf-8").rstrip("\n")))
        self._issued += 1
        return self._issued

    async def wait(self, ticket: int) -> None:
        """Commit every queued record in one fenced transaction (group commit).

        Raises:
            LeaseLost: another coordinator took the run over (nothing was written).
            StateWriteError: the database refused the write (the records stay queued and go
                with the next commit).
        """
        if self._done >= ticket or self._lost:
            return
        async with self._lock:
            if self._done >= ticket or self._lost:
                return
            batch, self._queue = self._queue, []
            target = self._issued
            try:
                await self._transaction(lambda conn: self._insert(conn, batch))
            except StateWriteError:
                self._queue = batch + self._queue  # retried with the next commit
                raise
            self._done = target

    async def checkpoint(self, state: ExecutionState) -> None:
        """Write a complete snapshot of ``state`` (with the queued records) in one transaction.

        Raises:
            LeaseLost / StateWriteError: as :meth:`wait`.
        """
        async with self._lock:
            if self._lost or self._closed or not self._opened:
                return
            batch, self._queue = self._queue, []
            target = self._issued
            args = self._snapshot_args(state)
            self._tracker.reset(state)

            async def write(conn: AsyncConnection[Any]) -> None:
                await self._write_snapshot(conn, args)
                await self._insert(conn, batch, fenced=False)

            try:
                await self._transaction(write)
            except StateWriteError:
                self._queue = batch + self._queue
                raise
            self._done = target

    async def close(self) -> None:
        """Stop writing (idempotent); queued records not waited for are dropped."""
        self._closed = True

    # -- writing ----------------------------------------------------------------------------

    async def _transaction(self, body: Callable[[AsyncConnection[Any]], Any]) -> None:
        import psycopg

        try:
            async with self._db.connection() as conn, conn.transaction():
                await body(conn)
        except _Fenced:
            self._lose()
            raise LeaseLost(self._run_id, self._epoch) from None
        except (psycopg.Error, OSError) as exc:
            raise StateWriteError(
                f"could not write run {self._run_id} to {self._db.location}: {exc}"
            ) from None
        self.commits += 1

    async def _insert(
        self, conn: AsyncConnection[Any], batch: list[_Record], *, fenced: bool = True
    ) -> None:
        if fenced:
            await _fence(conn, self._run_id, self._epoch)
        if not batch:
            return
        run, epoch = self._run_id, self._epoch
        rows = [(run, seq, epoch, node, status, record) for seq, node, status, record in batch]
        async with conn.cursor() as cursor:
            await cursor.executemany(_INSERT, rows)

    async def _write_snapshot(self, conn: AsyncConnection[Any], args: tuple[Any, ...]) -> None:
        cursor = await conn.execute(_SNAPSHOT, (*args, self._run_id, self._epoch))
        if cursor.rowcount != 1:
            raise _Fenced

    def _snapshot_args(self, state: ExecutionState) -> tuple[Any, ...]:
        """The snapshot columns of ``state`` (redacted JSON text), up to the newest record."""
        data = state_to_data(state, redactor=self._redactor_for(state))
        text = encode_json(data, indent=None).decode("utf-8")
        error = data["error"]
        return (
            text,
            self._seq,
            state.status.value,
            state.started_at or None,
            state.completed_at or None,
            None if error is None else _json(error),
            None if data["pendingCheckpoint"] is None else _json(data["pendingCheckpoint"]),
            state.workflow_hash,
        )

    def _redactor_for(self, state: ExecutionState) -> Redactor:
        key = tuple(state.secrets.values())
        if self._redactor is None or key != self._redactor_key:
            from flowscript.execution.redaction import Redactor

            self._redactor_key = key
            self._redactor = Redactor(key)
        return self._redactor

    def _lose(self) -> None:
        if self._lost:
            return
        self._lost = True
        self._queue = []
        if self._on_lost is not None:
            self._on_lost()


class _Fenced(Exception):
    """The fenced update matched no row: the lease epoch moved on."""


async def _fence(conn: AsyncConnection[Any], run_id: str, epoch: int) -> None:
    cursor = await conn.execute(_FENCE, (run_id, epoch))
    if cursor.rowcount != 1:
        raise _Fenced


def _json(value: Any) -> str:
    return encode_json(value, indent=None).decode("utf-8")
