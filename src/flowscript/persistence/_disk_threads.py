"""Worker threads for the state store's disk work, kept across event loops.

``asyncio.to_thread`` uses the running loop's default executor, which ``asyncio.run`` creates
on first use and joins when the loop closes: about 0.3–1.4 ms per run here for one thread
started and stopped, a fixed cost on every run a program executes (measured with
``asyncio.run`` of a coroutine making one ``to_thread`` call: 0.1 ms without it). These threads
live for the process instead; a forked child starts its own.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Final, TypeVar

__all__ = ["run_in_disk_thread"]

_T = TypeVar("_T")
_WORKERS: Final = 4
"""Enough for several runs' stores at once; one store's work is serialised by its own locks."""

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


async def run_in_disk_thread(work: Callable[[], _T]) -> _T:
    """Run blocking ``work`` in a disk thread and return its result."""
    return await asyncio.get_running_loop().run_in_executor(_executor(), work)


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(_WORKERS, thread_name_prefix="flowscript-disk")
                _forget_in_forked_children()
    return _pool


def _forget_after_fork() -> None:
    """The child of a fork has none of the parent's threads: it makes its own pool."""
    global _pool, _pool_lock
    _pool = None
    _pool_lock = threading.Lock()


_registered: list[bool] = []


def _forget_in_forked_children() -> None:
    if not _registered and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_forget_after_fork)
        _registered.append(True)
