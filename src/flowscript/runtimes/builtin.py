"""The built-in runtimes of this release: file, HTTP and the template/map/filter/reduce transforms.

The database, email and AI runtimes arrive in later releases and are added here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flowscript.runtimes.base import Runtime

__all__ = ["builtin_runtimes"]


def builtin_runtimes() -> list[Runtime]:
    """A fresh instance of every built-in runtime (runtimes keep no per-run state)."""
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
    ]
