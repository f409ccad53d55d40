"""The disk side of :class:`~flowscript.persistence.store.StateStore`, run in worker threads.

The event loop encodes records and snapshots (it owns the state) and :meth:`DiskWriter.submit`
queues the bytes; :meth:`DiskWriter.drain`, called in a disk thread, writes what
is queued under one lock, in order, and fsyncs once per batch. That is group commit: when many
nodes finish together, the first drain writes one record and the next one writes all the others
with a single fsync, yet every caller returns only after its own bytes are durable — the worker
that drains after a submit either writes that submit's bytes or waits on the lock for the
worker that took them.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias

from flowscript.persistence._journal_file import JournalFile, open_journal
from flowscript.persistence.atomic import fsync_dir, write_atomic

__all__ = ["DiskWriter", "StoreStats"]

OpKind = Literal["append", "snapshot", "open"]
"""``open`` is the first snapshot of a store: it also starts the journal."""
_SNAPSHOTS = frozenset({"snapshot", "open"})
Payload: TypeAlias = bytes | Callable[[], bytes]
"""The bytes to write, or a function producing them in the worker thread (a snapshot's
encoding is pure CPU work on data the event loop no longer touches)."""


@dataclass(slots=True)
class StoreStats:
    """What a store wrote, for tests and benchmarks.

    Attributes:
        records: journal records written.
        snapshots: snapshots written.
        journal_bytes: bytes appended to the journal.
        snapshot_bytes: bytes of all snapshots written.
        fsyncs: journal fsyncs (one per batch of records).
    """

    records: int = 0
    snapshots: int = 0
    journal_bytes: int = 0
    snapshot_bytes: int = 0
    fsyncs: int = 0

    @property
    def bytes_written(self) -> int:
        """Journal plus snapshot bytes."""
        return self.journal_bytes + self.snapshot_bytes


@dataclass(frozen=True, slots=True)
class _Op:
    kind: OpKind
    payload: Payload
    ticket: int


class DiskWriter:
    """Writes a state file and its journal in submission order (thread-safe).

    Args:
        state_path: the snapshot file.
        journal_path: the journal file beside it.
        compact_at: the journal size past which the store compacts, given the size of the
            last snapshot (kept as :attr:`compact_limit`).
    """

    def __init__(
        self,
        state_path: Path,
        journal_path: Path,
        *,
        compact_at: Callable[[int], int] = lambda snapshot: 4 * snapshot,
    ) -> None:
        self._state_path = state_path
        self._journal_path = journal_path
        self._queue: list[_Op] = []
        self._queue_lock = threading.Lock()
        self._io_lock = threading.Lock()
        self._tickets = 0
        self._journal: JournalFile | None = None
        self._failed: list[tuple[int, int]] = []
        self._unsynced = False  # records appended inline, not yet fsynced
        self._snapshot_ok = 0
        self.last_error: OSError | None = None
        self.last_snapshot_size = 0
        self._compact_at = compact_at
        self.compact_limit = compact_at(0)
        """Journal bytes past which the store compacts (updated by every snapshot)."""
        self.stats = StoreStats()
        self._actions: dict[OpKind, Callable[[bytes], None]] = {
            "append": self._append,
            "snapshot": self._snapshot,
            "open": self._open_snapshot,
        }

    def submit(self, kind: OpKind, payload: Payload) -> int:
        """Queue an operation; returns its ticket for :meth:`is_durable`."""
        with self._queue_lock:
            self._tickets += 1
            self._queue.append(_Op(kind, payload, self._tickets))
            return self._tickets

    def is_durable(self, ticket: int) -> bool:
        """After a :meth:`drain` that followed the submit: did the ticket reach the disk?

        A ticket lost to an I/O error still counts once a later snapshot was written, since
        that snapshot holds everything submitted before it.
        """
        if self._snapshot_ok >= ticket:
            return True
        return not any(low <= ticket <= high for low, high in self._failed)

    def try_append_now(self, data: bytes) -> bool:
        """Append a journal record at once, without fsync (the ``batched`` sync policy).

        Refused (``False``) when operations are queued or a drain is in progress, so records
        always reach the file in submission order and never land before a queued snapshot that
        would delete them; the caller then queues the record instead.
        """
        # Only the event loop's thread submits and appends, so the queue cannot grow while we
        # look; a drain empties it only while holding the I/O lock, which we then cannot take.
        if self._queue or not self._io_lock.acquire(False):  # (positional: faster)
            return False
        try:
            journal = self._journal
            if journal is None:
                journal = self._journal = open_journal(self._journal_path)
            journal.append(data)  # what _append does, without its call: once per node
        except OSError as exc:
            self.last_error = exc
            self._close_journal()
            return False
        finally:
            self._io_lock.release()
        stats = self.stats
        stats.records += 1
        stats.journal_bytes += len(data)
        self._unsynced = True
        return True

    def sync(self) -> None:
        """fsync the records appended inline (blocking; run it in a worker thread)."""
        with self._io_lock:
            if self._unsynced and self._journal is not None:
                self._journal.sync()
                self.stats.fsyncs += 1
            self._unsynced = False

    def drain(self) -> None:
        """Write everything queued, in order; one fsync for the appended records (blocking)."""
        with self._io_lock:
            with self._queue_lock:
                ops, self._queue = self._queue, []
            if not ops:
                return
            try:
                self._run(_from_last_snapshot(ops))
            except OSError as exc:
                self.last_error = exc
                self._failed.append((ops[0].ticket, ops[-1].ticket))
                self._close_journal()

    def finish(self) -> None:
        """Write what is queued, fsync what was appended inline, close the journal (blocking)."""
        self.drain()
        self.sync()
        self.close()

    def close(self) -> None:
        """Close the journal file (blocking)."""
        with self._io_lock:
            self._close_journal()

    def _run(self, ops: list[_Op]) -> None:
        dirty = False
        for op in ops:
            self._actions[op.kind](op.payload() if callable(op.payload) else op.payload)
            dirty = op.kind == "append"
            if op.kind in _SNAPSHOTS:
                self._snapshot_ok = op.ticket
        if (dirty or self._unsynced) and self._journal is not None:
            self._journal.sync()
            self.stats.fsyncs += 1
        self._unsynced = False

    def _append(self, data: bytes) -> None:
        if self._journal is None:
            self._journal = open_journal(self._journal_path)
        self._journal.append(data)
        self.stats.records += 1
        self.stats.journal_bytes += len(data)

    def _snapshot(self, data: bytes, *, start_journal: bool = False) -> None:
        self._unsynced = False  # the snapshot holds those records, and it is fsynced
        self.stats.snapshot_bytes += write_atomic(self._state_path, data, sync_dir=False)
        self.stats.snapshots += 1
        self.last_snapshot_size = len(data)
        self.compact_limit = self._compact_at(len(data))
        # The snapshot holds every record so far, so the journal goes (the next record starts a
        # new one). If a crash makes the unlink not durable, the journal left behind holds
        # records of the previous generation, which load skips.
        self._close_journal(trim=False)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._journal_path)
        if start_journal:
            with contextlib.suppress(OSError):  # else the first record opens it, and reports
                self._journal = open_journal(self._journal_path, sync_dir=False)
        fsync_dir(self._state_path.parent)  # the rename, the unlink and the new journal

    def _open_snapshot(self, data: bytes) -> None:
        """A store's first snapshot: the journal is created with it, one folder fsync for both
        (its records are about to come)."""
        self._snapshot(data, start_journal=True)

    def _close_journal(self, *, trim: bool = True) -> None:
        if self._journal is not None:
            journal, self._journal = self._journal, None
            with contextlib.suppress(OSError):
                journal.close(trim=trim)
                if trim and journal.size == 0:  # started with a snapshot, never used
                    os.unlink(self._journal_path)


def _from_last_snapshot(ops: list[_Op]) -> list[_Op]:
    """Drop the operations a later snapshot in the same batch makes redundant."""
    for index in range(len(ops) - 1, -1, -1):
        if ops[index].kind in _SNAPSHOTS:
            return ops[index:]
    return ops
