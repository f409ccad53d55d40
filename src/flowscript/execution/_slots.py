"""The run-wide concurrency slot a leaf node holds while it runs (execution.md §4.1, §4.2).

A leaf node (a runtime call, a delay) holds one slot of the run's limit for its whole run,
but a node waiting out a retry backoff or standing by while its fallback runs is not working:
it lends its slot back (:meth:`NodeSlot.released`) or gives it up (:meth:`NodeSlot.give_up`).
The slot remembers whether it is held, so the count stays exact even when the node is
cancelled while it waits to take its slot back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

__all__ = ["NodeSlot"]


class NodeSlot:
    """One node's slot of the run-wide semaphore (``None``: a node that takes no slot).

    Use as ``async with NodeSlot(semaphore) as slot:``; leaving the block releases the slot
    when it is still held.
    """

    __slots__ = ("_held", "_semaphore")

    def __init__(self, semaphore: asyncio.Semaphore | None = None) -> None:
        self._semaphore = semaphore
        self._held = False

    @property
    def held(self) -> bool:
        """True while the node holds its slot."""
        return self._held

    async def __aenter__(self) -> NodeSlot:
        if self._semaphore is not None:
            await self._semaphore.acquire()
            self._held = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.give_up()

    def give_up(self) -> None:
        """Release the slot for good (the node does no more work of its own)."""
        if self._held and self._semaphore is not None:
            self._held = False
            self._semaphore.release()

    @asynccontextmanager
    async def released(self) -> AsyncIterator[None]:
        """Lend the slot back for the duration of the block, then take it again.

        When the block raises (cancellation), the slot is not taken back: the node is
        ending, and waiting for a free slot would only delay its cancellation.
        """
        if not self._held or self._semaphore is None:
            yield
            return
        self.give_up()
        yield
        await self._semaphore.acquire()
        self._held = True
