"""Crash-safe file replacement: write a temporary file, fsync it, rename it over the target,
fsync the directory. After a crash the target holds either the old or the new bytes, never a
mix (POSIX ``rename`` is atomic; the fsyncs make the new content and the rename durable).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["fsync_dir", "write_atomic"]


def fsync_dir(directory: str | os.PathLike[str]) -> None:
    """Make a rename or a new entry in ``directory`` durable (no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - platforms without directory handles (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on directories
        pass
    finally:
        os.close(fd)


def write_atomic(
    path: str | os.PathLike[str], data: bytes, *, mode: int | None = None, sync_dir: bool = True
) -> int:
    """Replace ``path`` with ``data`` atomically and durably.

    Args:
        path: the target file (its folder must exist).
        data: the new content.
        mode: permission bits for the new file; owner read/write (``0o600``) when ``None``.
        sync_dir: fsync the folder after the rename; ``False`` when the caller does it (after
            more changes to the same folder, to pay for one folder fsync).

    Returns:
        The number of bytes written.
    """
    target = Path(path)
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    if sync_dir:
        fsync_dir(target.parent)
    return len(data)
