"""parse_file: reading files, and the PARSE_FILE_ERROR cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowscript.errors import WorkflowParseError
from flowscript.parser import MAX_FILE_SIZE, parse_file

FLOW = "---\nname: f\nversion: 1.0.0\n---\n<workflow/>\n"


def _error(path: str | Path) -> tuple[str, str]:
    with pytest.raises(WorkflowParseError) as info:
        parse_file(path)
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.span is not None and diagnostic.span.path == str(path)
    return diagnostic.code, diagnostic.message


def test_reads_a_file_by_str_or_path(tmp_path: Path) -> None:
    path = tmp_path / "f.flow.md"
    path.write_text(FLOW, encoding="utf-8")
    assert parse_file(path).path == str(path)
    assert parse_file(str(path)).name == "f"


def test_bytes_are_not_translated(tmp_path: Path) -> None:
    path = tmp_path / "crlf.flow.md"
    raw = ("\ufeff" + FLOW + "footer").replace("\n", "\r\n")
    path.write_bytes(raw.encode("utf-8"))
    workflow = parse_file(path)
    assert workflow.source == raw
    assert workflow.footer == "\r\nfooter"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.flow.md"
    assert _error(path) == ("PARSE_FILE_ERROR", f"{path} does not exist")


def test_directory(tmp_path: Path) -> None:
    assert _error(tmp_path) == ("PARSE_FILE_ERROR", f"{tmp_path} is a directory")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.flow.md"
    path.write_bytes(FLOW.encode() + b"\nna\xefve\n")
    assert _error(path) == ("PARSE_FILE_ERROR", f"{path} is not valid UTF-8 (bad byte at line 7)")


def test_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.flow.md"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_SIZE + 1)
    code, message = _error(path)
    assert code == "PARSE_FILE_ERROR"
    limit = f"workflow files are limited to {MAX_FILE_SIZE} bytes"
    assert message == f"{path} is {MAX_FILE_SIZE + 1} bytes; {limit}"


def test_parse_errors_carry_the_file_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.flow.md"
    path.write_text("no frontmatter", encoding="utf-8")
    assert _error(path)[0] == "PARSE_MISSING_FRONTMATTER"
