"""Ctrl-C and SIGTERM during ``flowscript run``/``resume`` (execution.md §1, cli.md exit 130).

The first SIGINT or SIGTERM cancels the run's main task: running nodes are cancelled, the
executor records the run as ``cancelled``, persists the state and writes the log in its
``finally``, and :func:`run_interruptible` raises :class:`RunInterrupted` so the command can
print how to resume and exit with 130. A second signal exits at once (``os._exit``): the state
file on disk is complete at every moment (atomic snapshot + fsynced journal), so nothing is
corrupted, only the final snapshot and the log are skipped.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Coroutine
from typing import Any, Final, TypeVar

__all__ = ["RunInterrupted", "run_interruptible"]

_T = TypeVar("_T")

_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)
_EXIT_INTERRUPTED: Final = 130
"""cli.md: interrupted (Ctrl-C); state persisted, resumable."""


class RunInterrupted(Exception):
    """The run was cancelled by SIGINT or SIGTERM (after its state was persisted).

    Attributes:
        signal_name: ``SIGINT`` or ``SIGTERM``.
    """

    def __init__(self, signum: int) -> None:
        self.signal_name = signal.Signals(signum).name
        super().__init__(f"interrupted by {self.signal_name}")


def run_interruptible(main: Coroutine[Any, Any, _T]) -> _T:
    """``asyncio.run(main)`` where SIGINT/SIGTERM cancel ``main`` instead of killing the process.

    Raises:
        RunInterrupted: a signal cancelled the run (``main`` finished its cleanup).
    """
    return asyncio.run(_guarded(main))


async def _guarded(main: Coroutine[Any, Any, _T]) -> _T:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    received: list[int] = []

    def on_signal(signum: int) -> None:
        if received:
            os._exit(_EXIT_INTERRUPTED)  # a second signal: stop now, without cleanup
        received.append(signum)
        task.cancel()

    installed = [sig for sig in _SIGNALS if _install(loop, sig, on_signal)]
    try:
        return await main
    except asyncio.CancelledError:
        if not received:
            raise
        task.uncancel()
        raise RunInterrupted(received[0]) from None
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def _install(loop: asyncio.AbstractEventLoop, sig: int, handler: Any) -> bool:
    try:
        loop.add_signal_handler(sig, handler, sig)
    except (NotImplementedError, RuntimeError, ValueError):
        return False  # Windows, or not the main thread: the default handling stays
    return True
