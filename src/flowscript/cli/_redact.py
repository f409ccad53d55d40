"""Keep secret values out of everything a run prints (format.md §2.2).

State files and the execution log are redacted where they are written; the terminal is the
remaining channel. While a run with secrets executes and reports, stdout and stderr go through
a proxy that replaces every secret value with ``***`` — summary, JSON document, progress lines,
warnings and error messages alike, whichever code printed them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any

from flowscript.execution.redaction import Redactor

__all__ = ["redacted_output"]


class _RedactingStream:
    """A text stream that redacts what is written and forwards everything else."""

    def __init__(self, stream: IO[str], redactor: Redactor) -> None:
        self._stream = stream
        self._redactor = redactor

    def write(self, text: str) -> int:
        self._stream.write(self._redactor.redact(text))
        return len(text)

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def redacted_output(secrets: Mapping[str, str]) -> Iterator[None]:
    """Redact secret values from ``sys.stdout`` and ``sys.stderr`` inside the block."""
    redactor = Redactor(secrets.values())
    if not redactor.active:
        yield
        return
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout = _RedactingStream(stdout, redactor)
    sys.stderr = _RedactingStream(stderr, redactor)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = stdout, stderr
