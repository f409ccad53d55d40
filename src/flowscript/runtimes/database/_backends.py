"""Dialect → backend functions (a dispatch table; drivers are imported on first use)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from flowscript.runtimes.base import RuntimeContext
    from flowscript.runtimes.database._sqltext import BoundQuery
    from flowscript.runtimes.database._statements import WritePlan
    from flowscript.runtimes.database._target import Target

__all__ = ["Backend", "backend_for"]

Fetch = Callable[["Target", "BoundQuery", "RuntimeContext"], Awaitable[list[dict[str, Any]]]]
Write = Callable[["Target", "WritePlan", "RuntimeContext"], Awaitable[tuple[int, int]]]


@dataclass(frozen=True, slots=True)
class Backend:
    """What a dialect provides: run a query, run a sink's batches."""

    fetch: Fetch
    write: Write


def _sqlite() -> Backend:
    from flowscript.runtimes.database._sqlite import sqlite_fetch, sqlite_write

    return Backend(fetch=sqlite_fetch, write=sqlite_write)


def _postgres() -> Backend:
    from flowscript.runtimes.database._postgres import postgres_fetch, postgres_write

    return Backend(fetch=postgres_fetch, write=postgres_write)


_BACKENDS: Final[Mapping[str, Callable[[], Backend]]] = {
    "sqlite": _sqlite,
    "postgresql": _postgres,
}


def backend_for(target: Target) -> Backend:
    """The backend of ``target``'s dialect."""
    return _BACKENDS[target.dialect]()
