"""The journal file: appends that survive the process the moment they are made, cheaply.

A recorded node's journal line must reach the operating system before anyone hears of the
result, so that ``kill -9`` at any later point keeps it. Two ways to do that, one interface:

- :class:`MappedJournal` (Linux): the file is preallocated in chunks with
  ``posix_fallocate`` and mapped into memory (``MAP_SHARED``). Appending is a copy into the
  page cache with no system call, and the bytes belong to the file as soon as they are copied:
  a killed process keeps them exactly as a ``write`` would. ``fsync`` writes those pages to
  the disk (Linux flushes pages dirtied through a mapping like any other). Until
  :meth:`~MappedJournal.close` trims it, the file ends in NUL bytes (the unused part of the
  chunk); replay stops at the last complete line, so a journal left by a killed process reads
  like any other. Preallocating reserves the disk blocks, so a full disk shows up as an error
  of the append that grows the file, never as a fault on a later copy (on copy-on-write file
  systems such as btrfs or ZFS the reservation is weaker).
- :class:`PlainJournal`: ``os.write`` in append mode (other platforms, or when preallocating
  is refused).

Measured on the 1,000-deep chain benchmark, the system call per record cost about 3.7 µs of a
55 µs node (its own time plus what it evicts from the CPU's caches); the copy costs a fraction
of a microsecond. Neither class is thread-safe: the store's writer serialises every call.
"""

from __future__ import annotations

import contextlib
import errno
import mmap
import os
import sys
from pathlib import Path
from typing import Final, Protocol

from flowscript.persistence.atomic import fsync_dir

__all__ = ["JournalFile", "MappedJournal", "PlainJournal", "open_journal"]

FIRST_CHUNK: Final = 256 * 1024
"""Bytes preallocated when a mapped journal is created (about 1,000 small records)."""
MAX_CHUNK: Final = 8 * 1024 * 1024
"""The growth step stops doubling here."""
POPULATE_STEP: Final = 64 * 1024
"""Bytes of pages prepared for writing at a time (about 250 small records)."""
_MADV_POPULATE_WRITE: Final = getattr(mmap, "MADV_POPULATE_WRITE", 23)  # Linux's value


class JournalFile(Protocol):
    """An open journal: ``append`` bytes (visible to the OS at once), ``sync``, ``close``."""

    @property
    def size(self) -> int:
        """Bytes of records in the file."""

    def append(self, data: bytes) -> None:
        """Add ``data`` at the end; it survives the process once this returns."""

    def sync(self) -> None:
        """Make every appended byte durable on the disk (fsync)."""

    def close(self, *, trim: bool = True) -> None:
        """Release the file; ``trim=False`` when it is about to be deleted anyway."""


def open_journal(path: Path, *, sync_dir: bool = True) -> JournalFile:
    """Open (or create) the journal at ``path``, positioned after its last complete record.

    ``sync_dir=False`` leaves the folder's fsync (which makes a new file's name durable) to the
    caller.

    Raises:
        OSError: the file cannot be opened or preallocated.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        journal = _open_fd(fd)
    except BaseException:
        os.close(fd)
        raise
    if sync_dir:
        fsync_dir(path.parent)  # the new entry in the folder survives a power loss
    return journal


def _open_fd(fd: int) -> JournalFile:
    end = _logical_end(fd)
    if _MAPPING_WORKS:
        try:
            return MappedJournal(fd, end)
        except OSError as exc:
            if exc.errno not in _NOT_SUPPORTED:
                raise
            os.ftruncate(fd, end)  # whatever the attempt preallocated
    return PlainJournal(fd, end)


_MAPPING_WORKS: Final = sys.platform.startswith("linux") and hasattr(os, "posix_fallocate")
_NOT_SUPPORTED: Final = frozenset({errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL, errno.ENODEV})
"""What a file system that cannot preallocate or map a file answers: use plain writes."""


def _logical_end(fd: int) -> int:
    """Where the next record goes: after the last complete line (a torn record, or the NUL
    tail a killed process left in a mapped journal, is dropped)."""
    size = os.fstat(fd).st_size
    if size == 0:
        return 0
    raw = os.pread(fd, size, 0)
    end = raw.rfind(b"\n") + 1
    os.ftruncate(fd, end)
    return end


class PlainJournal:
    """A journal written with ``os.write`` (see the module docstring)."""

    __slots__ = ("_fd", "size")

    def __init__(self, fd: int, end: int) -> None:
        self._fd = fd
        self.size = end
        os.lseek(fd, end, os.SEEK_SET)

    def append(self, data: bytes) -> None:
        """Write ``data`` (looping over short writes)."""
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            self.size += written
            view = view[written:]

    def sync(self) -> None:
        """fsync the file."""
        os.fsync(self._fd)

    def close(self, *, trim: bool = True) -> None:
        """Close the file (nothing to trim)."""
        os.close(self._fd)


class MappedJournal:
    """A journal appended through a shared memory mapping (see the module docstring)."""

    __slots__ = ("_fd", "_map", "_populated", "_position", "_size")

    def __init__(self, fd: int, end: int) -> None:
        self._fd = fd
        self._position = end
        self._size = 0
        self._populated = 0
        self._map = self._mapping(max(FIRST_CHUNK, _page_round(end + 1)))

    def append(self, data: bytes) -> None:
        """Copy ``data`` into the mapping, growing the file first when it does not fit."""
        end = self._position + len(data)
        if end > self._populated:
            if end > self._size:
                self._grow(_next_size(self._size, end))
            self._populate(end)
        self._map.write(data)  # at the mapping's own position, which is ours
        self._position = end

    @property
    def size(self) -> int:
        """Bytes of records in the file (the NUL tail left out)."""
        return self._position

    def sync(self) -> None:
        """fsync the file (the mapped pages included)."""
        os.fsync(self._fd)

    def close(self, *, trim: bool = True) -> None:
        """Unmap, cut the file back to its records (unless ``trim`` is false), close it."""
        try:
            self._map.close()
            if trim:
                os.ftruncate(self._fd, self._position)
        finally:
            os.close(self._fd)

    def _grow(self, size: int) -> None:
        mapping = self._mapping(size)
        self._map.close()
        self._map = mapping

    def _mapping(self, size: int) -> mmap.mmap:
        """Preallocate the file to ``size`` and map it, positioned at the end of the records."""
        os.posix_fallocate(self._fd, 0, size)  # reserves the blocks (extends the file)
        mapping = mmap.mmap(self._fd, size, flags=mmap.MAP_SHARED)
        mapping.seek(self._position)
        self._size = size
        self._populated = 0
        return mapping

    def _populate(self, end: int) -> None:
        """Fault in the pages up to ``end`` and a step beyond, in one call.

        The first write to each page of the mapping otherwise faults on its own (measured:
        about 6 µs each inside a run, one every ~16 records); ``MADV_POPULATE_WRITE`` (Linux
        5.14+) prepares a whole step at once. Where it is refused, pages fault as they come.
        """
        start = self._position - self._position % mmap.PAGESIZE
        stop = min(self._size, _page_round(end) + POPULATE_STEP)
        with contextlib.suppress(OSError, ValueError):  # an older kernel: faults as before
            self._map.madvise(_MADV_POPULATE_WRITE, start, stop - start)
        self._populated = stop


def _next_size(size: int, needed: int) -> int:
    while size < needed:
        size += min(size, MAX_CHUNK)
    return _page_round(size)


def _page_round(size: int) -> int:
    page = mmap.PAGESIZE
    return (size + page - 1) // page * page
