"""The built-in runtimes: file, HTTP, database, email, AI and the template/map/filter/reduce
transforms (runtimes.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flowscript.runtimes.base import Runtime

__all__ = ["builtin_runtimes"]


def builtin_runtimes() -> list[Runtime]:
    """A fresh instance of every built-in runtime (runtimes keep no per-run state)."""
    from flowscript.runtimes.ai import AiRuntime
    from flowscript.runtimes.database import DatabaseSinkRuntime, DatabaseSourceRuntime
    from flowscript.runtimes.email import EmailSinkRuntime
    from flowscript.runtimes.file import FileSinkRuntime, FileSourceRuntime
    from flowscript.runtimes.http import HttpSinkRuntime, HttpSourceRuntime
    from flowscript.runtimes.transforms import (
        FilterRuntime,
        MapRuntime,
        ReduceRuntime,
        TemplateRuntime,
    )

    return [
        FileSourceRuntime(),
        FileSinkRuntime(),
        HttpSourceRuntime(),
        HttpSinkRuntime(),
        TemplateRuntime(),
        MapRuntime(),
        FilterRuntime(),
        ReduceRuntime(),
        AiRuntime(),
        DatabaseSourceRuntime(),
        DatabaseSinkRuntime(),
        EmailSinkRuntime(),
    ]
