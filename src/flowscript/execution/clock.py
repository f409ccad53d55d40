"""Injected time: the executor never reads the system clock or sleeps directly.

Delays, the ``<timeout>`` node, the run deadline and (later) retry backoff all go through a
:class:`Clock`, so tests drive time with :class:`ManualClock` and never sleep for real.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "ManualClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Where the engine gets time from."""

    def now(self) -> int:
        """Wall-clock time in epoch milliseconds (for records)."""
        ...

    def monotonic(self) -> float:
        """Monotonic seconds (for measuring)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds``; cancellable."""
        ...


class SystemClock:
    """The real clock: ``time.time``, ``time.monotonic`` and ``asyncio.sleep``."""

    def now(self) -> int:
        """Epoch milliseconds."""
        return int(time.time() * 1000)

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """``asyncio.sleep(seconds)``."""
        await asyncio.sleep(max(0.0, seconds))


class ManualClock:
    """A clock that moves only when told to; sleepers wake as time passes them.

    Example::

        clock = ManualClock()
        task = asyncio.create_task(execute(plan, state, ExecutionOptions(clock=clock)))
        await clock.wait_for_sleepers(1)   # the delay node is now sleeping
        clock.advance(2.0)                 # … and wakes up

    Args:
        start_ms: the initial wall-clock time in epoch milliseconds.
    """

    def __init__(self, start_ms: int = 1_700_000_000_000) -> None:
        self._elapsed = 0.0
        self._start_ms = start_ms
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._counter = itertools.count()
        self._changed: asyncio.Event | None = None

    def now(self) -> int:
        """Epoch milliseconds: the start time plus the time advanced so far."""
        return self._start_ms + round(self._elapsed * 1000)

    def monotonic(self) -> float:
        """Seconds advanced so far."""
        return self._elapsed

    @property
    def sleepers(self) -> int:
        """How many sleeps are waiting right now."""
        return sum(1 for _, _, future in self._sleepers if not future.done())

    async def sleep(self, seconds: float) -> None:
        """Wait until the clock has been advanced past ``now + seconds``."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (self._elapsed + max(0.0, seconds), next(self._counter), future)
        heapq.heappush(self._sleepers, entry)
        self._notify()
        try:
            await future
        finally:
            if not future.done():
                future.cancel()
            self._notify()

    def advance(self, seconds: float) -> None:
        """Move time forward and wake every sleeper whose deadline has passed."""
        if seconds < 0:
            raise ValueError("time cannot go backwards")
        self._elapsed += seconds
        while self._sleepers and self._sleepers[0][0] <= self._elapsed:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)

    def advance_to_next(self) -> float:
        """Advance exactly to the earliest pending sleeper's deadline; return the step taken."""
        self._drop_done()
        if not self._sleepers:
            return 0.0
        step = max(0.0, self._sleepers[0][0] - self._elapsed)
        self.advance(step)
        return step

    async def wait_for_sleepers(self, count: int = 1) -> None:
        """Wait (without advancing time) until at least ``count`` sleeps are pending."""
        while self.sleepers < count:
            if self._changed is None:
                self._changed = asyncio.Event()
            self._changed.clear()
            await self._changed.wait()

    def _drop_done(self) -> None:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
