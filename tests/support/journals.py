"""Reading a run's journal file in tests, while its run is live or after it ended."""

from __future__ import annotations

from pathlib import Path

from flowscript.persistence import journal_path

__all__ = ["journal_lines"]


def journal_lines(state_path: Path) -> list[bytes]:
    """The complete record lines of the journal beside ``state_path``.

    A live journal is preallocated and ends in NUL bytes (``persistence/_journal_file.py``);
    those, and any torn last record, are not lines.
    """
    raw = journal_path(state_path).read_bytes()
    return raw[: raw.rfind(b"\n") + 1].splitlines()
