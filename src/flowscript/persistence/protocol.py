"""What the executor needs from a run's state store (:class:`RunStore`).

:class:`~flowscript.execution.durability.RunDurability` drives a store through these five calls
and nothing else, so a run can keep its state in the local JSON file + journal
(:class:`~flowscript.persistence.store.StateStore`, the embedded default) or in a shared
database (:class:`~flowscript.persistence.postgres.PostgresRunStore`) without any change to
the executor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from flowscript.execution.state import ExecutionState

__all__ = ["RunStore"]


class RunStore(Protocol):
    """The state store of one run, used from one event loop.

    ``open`` first (a complete snapshot, status ``running``), then ``append_node`` as results
    are recorded and ``wait`` for the tickets it returns, ``checkpoint`` for a full snapshot,
    ``close`` at the end (in a ``finally``).
    """

    async def open(self, state: ExecutionState) -> None:
        """Write the run's first snapshot; the run must not start when this raises."""

    def append_node(self, state: ExecutionState, node_id: str) -> int | None:
        """Queue (or write) ``node_id``'s record; a ticket to :meth:`wait` for, or ``None``
        when the record is durable already."""

    async def wait(self, ticket: int) -> None:
        """Return once the record of ``ticket`` and every earlier one is durable."""

    async def checkpoint(self, state: ExecutionState) -> None:
        """Write a complete snapshot of ``state``; durable once returned."""

    async def close(self) -> None:
        """Finish or drop pending work and release the store (idempotent)."""
