"""The journal file: mapped appends, growth, trimming, reopening after a crash, the fallback."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flowscript.persistence import _journal_file
from flowscript.persistence._journal_file import (
    FIRST_CHUNK,
    MappedJournal,
    PlainJournal,
    open_journal,
)

LINUX = sys.platform.startswith("linux")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "run.journal"


@pytest.mark.skipif(not LINUX, reason="mapped journals are used on Linux only")
def test_a_mapped_journal_is_preallocated_and_trimmed_on_close(path: Path) -> None:
    journal = open_journal(path)
    assert isinstance(journal, MappedJournal)
    journal.append(b'{"seq":1}\n')
    journal.append(b'{"seq":2}\n')
    raw = path.read_bytes()  # visible to other readers at once, with the unused NUL tail
    assert len(raw) == FIRST_CHUNK
    assert raw.startswith(b'{"seq":1}\n{"seq":2}\n') and raw.endswith(b"\0")
    journal.sync()
    journal.close()
    assert path.read_bytes() == b'{"seq":1}\n{"seq":2}\n'


@pytest.mark.skipif(not LINUX, reason="mapped journals are used on Linux only")
def test_a_mapped_journal_grows_past_its_first_chunk(path: Path) -> None:
    journal = open_journal(path)
    record = b"x" * 999 + b"\n"
    count = FIRST_CHUNK * 3 // len(record)
    for _ in range(count):
        journal.append(record)
    journal.close()
    assert path.read_bytes() == record * count


def test_untrimmed_close_leaves_the_records(path: Path) -> None:
    journal = open_journal(path)
    journal.append(b"a\n")
    journal.close(trim=False)
    assert path.read_bytes().rstrip(b"\0") == b"a\n"


def test_records_survive_a_killed_process(path: Path) -> None:
    """The bytes are the file's once append returned: SIGKILL (no close, no fsync) keeps them."""
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from flowscript.persistence._journal_file import open_journal\n"
        "journal = open_journal(Path(sys.argv[1]))\n"
        "for i in range(500):\n"
        "    journal.append(b'record %d\\n' % i)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(path)], check=False)
    assert done.returncode == -9
    lines = path.read_bytes().rstrip(b"\0").splitlines()
    assert lines == [b"record %d" % i for i in range(500)]


@pytest.mark.parametrize(
    ("left_behind", "kept"),
    [
        pytest.param(b'{"a":1}\n{"b":2}\n' + b"\0" * 4000, b'{"a":1}\n{"b":2}\n', id="nul-tail"),
        pytest.param(b'{"a":1}\n{"b":', b'{"a":1}\n', id="torn-record"),
        pytest.param(b'{"a":1}\n', b'{"a":1}\n', id="complete"),
        pytest.param(b'{"torn', b"", id="only-torn"),
    ],
)
def test_reopening_appends_after_the_last_complete_record(
    path: Path, left_behind: bytes, kept: bytes
) -> None:
    path.write_bytes(left_behind)
    journal = open_journal(path)
    journal.append(b'{"c":3}\n')
    journal.close()
    assert path.read_bytes() == kept + b'{"c":3}\n'


def test_a_file_system_that_cannot_preallocate_gets_plain_writes(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(fd: int, offset: int, length: int) -> None:
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    monkeypatch.setattr(os, "posix_fallocate", refuse, raising=False)
    path.write_bytes(b"old\n")
    journal = open_journal(path)
    assert isinstance(journal, PlainJournal)
    journal.append(b"new\n")
    journal.sync()
    journal.close()
    assert path.read_bytes() == b"old\nnew\n"


@pytest.mark.skipif(not LINUX, reason="mapped journals are used on Linux only")
def test_a_full_disk_is_an_error_of_the_append_that_grows(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = open_journal(path)
    journal.append(b"a\n")

    def full(fd: int, offset: int, length: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", full)
    with pytest.raises(OSError, match="No space left"):
        journal.append(b"b" * FIRST_CHUNK + b"\n")
    journal.append(b"c\n")  # what still fits goes on
    journal.close()
    assert path.read_bytes() == b"a\nc\n"


def test_the_platform_choice(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(_journal_file, "_MAPPING_WORKS", False)
    journal = open_journal(path)
    assert isinstance(journal, PlainJournal)
    journal.close()
