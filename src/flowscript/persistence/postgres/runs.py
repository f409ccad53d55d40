"""Reading runs back from the state database: a run's state, the run list, its history.

:func:`load_run_state` rebuilds an :class:`~flowscript.execution.state.ExecutionState` from the
snapshot plus the node records written after it — the same replay the local store does with
its journal — so ``resume`` works the same on both stores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import StateError, format_list
from flowscript.persistence._checks import Checker
from flowscript.persistence._journal import apply_record
from flowscript.persistence.codec import parse_json, state_from_data

if TYPE_CHECKING:
    from psycopg import AsyncConnection

    from flowscript.execution.state import ExecutionState
    from flowscript.persistence.postgres.database import Database

__all__ = [
    "QUEUED",
    "RunRow",
    "StoredRunSummary",
    "find_run_id",
    "list_stored_runs",
    "load_run_row",
    "load_run_state",
    "run_events",
]

QUEUED: Final = "queued"
"""The status of a submitted run no coordinator has started yet (or an answered paused run)."""

_ROW_COLUMNS: Final = (
    "id, workflow, workflow_path, workflow_hash, bundle::text, status, config::text,"
    " input::text, snapshot IS NOT NULL, answers::text, lease_owner, lease_epoch"
)
_LIST: Final = (
    "SELECT id, workflow, status, started_at, completed_at, error::text,"
    " pending_checkpoint::text, extract(epoch FROM queued_at) * 1000"
    " FROM flowscript_runs WHERE (%s::text IS NULL OR workflow = %s)"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRow:
    """A run's row without its state: what a coordinator needs to start or resume it.

    Attributes:
        run_id / workflow / workflow_path / workflow_hash: the run and its workflow.
        bundle: ``{"main": relative path, "files": {relative path: text}}`` (``None`` for a
            run whose workflow text was not stored).
        status: the stored status (``queued`` or a run status).
        config / input: what the run was submitted with.
        started: whether a snapshot exists (the run started before: resume it).
        answers: checkpoint answers given with ``flowscript answer``.
        lease_owner / lease_epoch: who holds the run, and the lease epoch.
    """

    run_id: str
    workflow: str
    workflow_path: str | None
    workflow_hash: str | None
    bundle: dict[str, Any] | None
    status: str
    config: dict[str, Any]
    input: Any
    started: bool
    answers: dict[str, str]
    lease_owner: str | None
    lease_epoch: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredRunSummary:
    """One run as ``flowscript runs --state URL`` lists it (the local listing's shape).

    Attributes mirror :class:`~flowscript.persistence.runs.RunSummary`; ``state_path`` is the
    database (password masked) and the run id.
    """

    run_id: str
    workflow: str
    status: str
    started_at: int | None
    duration_ms: int | None
    failed_node: str | None
    pending_checkpoint: str | None
    state_path: str
    queued_at: int = 0
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``runs --format json`` object (cli.md)."""
        return {
            "runId": self.run_id,
            "workflow": self.workflow,
            "status": self.status,
            "startedAt": self.started_at,
            "durationMs": self.duration_ms,
            "failedNode": self.failed_node,
            "pendingCheckpoint": self.pending_checkpoint,
            "statePath": self.state_path,
        }


async def find_run_id(database: Database, ref: str) -> str:
    """The run id ``ref`` names: an exact id or a unique prefix.

    Raises:
        StateError: no run matches, or the prefix matches several.
    """
    async with database.connection() as conn:
        cursor = await conn.execute(
            "SELECT id FROM flowscript_runs WHERE id = %s OR id LIKE %s ORDER BY id LIMIT 6",
            (ref, _like_prefix(ref) + "%"),
        )
        ids = [str(row[0]) for row in await cursor.fetchall()]
    if ref in ids:
        return ref
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise StateError(f"no run {ref!r} in {database.location}")
    raise StateError(f"run id {ref!r} is ambiguous in {database.location}: {format_list(ids)}")


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def load_run_row(conn: AsyncConnection[Any], run_id: str) -> RunRow:
    """The row of ``run_id`` (see :class:`RunRow`).

    Raises:
        StateError: there is no such run.
    """
    cursor = await conn.execute(
        f"SELECT {_ROW_COLUMNS} FROM flowscript_runs WHERE id = %s",
        (run_id,),
    )
    row = await cursor.fetchone()
    if row is None:
        raise StateError(f"no run {run_id!r} in the state database")
    return RunRow(
        run_id=row[0],
        workflow=row[1],
        workflow_path=row[2],
        workflow_hash=row[3],
        bundle=_loads(row[4]),
        status=row[5],
        config=_loads(row[6]) or {},
        input=_loads(row[7]),
        started=bool(row[8]),
        answers=_loads(row[9]) or {},
        lease_owner=row[10],
        lease_epoch=int(row[11]),
    )


async def load_run_state(
    database: Database,
    run_id: str,
    *,
    secrets: dict[str, str] | None = None,
) -> ExecutionState:
    """The state of ``run_id``: its snapshot plus the node records written since.

    Raises:
        StateError: no such run, it never started (still queued), or its data is invalid.
    """
    label = f"{database.location} run {run_id}"
    async with database.connection() as conn:
        cursor = await conn.execute(
            "SELECT snapshot::text, snapshot_seq FROM flowscript_runs WHERE id = %s", (run_id,)
        )
        row = await cursor.fetchone()
        if row is None:
            raise StateError(f"no run {run_id!r} in {database.location}")
        if row[0] is None:
            raise StateError(f"run {run_id} has not started yet (it is queued)")
        cursor = await conn.execute(
            "SELECT seq, record::text FROM flowscript_node_results"
            " WHERE run_id = %s AND seq > %s ORDER BY seq",
            (run_id, row[1]),
        )
        records = await cursor.fetchall()
    state = state_from_data(parse_json(row[0].encode(), source=label), path=label, secrets=secrets)
    check = Checker(label)
    for seq, text in records:
        apply_record(check, state, json.loads(text), f"record {seq}")
    return state


async def list_stored_runs(
    database: Database, *, workflow: str | None = None
) -> list[StoredRunSummary]:
    """Every run in the database (of ``workflow`` when given), newest first."""
    async with database.connection() as conn:
        cursor = await conn.execute(_LIST, (workflow, workflow))
        rows = await cursor.fetchall()
    summaries = [_summary(database, row) for row in rows]
    return sorted(summaries, key=lambda s: (-(s.started_at or s.queued_at), s.run_id))


def _summary(database: Database, row: tuple[Any, ...]) -> StoredRunSummary:
    run_id, workflow, status, started, completed, error, pending, queued_ms = row
    error_data = _loads(error) or {}
    pending_data = _loads(pending) or {}
    node = error_data.get("node") if isinstance(error_data, dict) else None
    waiting = pending_data.get("node") if isinstance(pending_data, dict) else None
    started_at = int(started) if started else None
    return StoredRunSummary(
        run_id=run_id,
        workflow=workflow,
        status=status,
        started_at=started_at,
        duration_ms=int(completed) - int(started) if started and completed else None,
        failed_node=node if isinstance(node, str) else None,
        pending_checkpoint=waiting if isinstance(waiting, str) else None,
        state_path=f"{database.location}#{run_id}",
        queued_at=int(queued_ms),
    )


async def run_events(database: Database, run_id: str) -> list[dict[str, Any]]:
    """The run's event history, oldest first: ``{at, kind, owner, epoch, detail}``."""
    async with database.connection() as conn:
        cursor = await conn.execute(
            "SELECT extract(epoch FROM at) * 1000, kind, owner, epoch, detail::text"
            " FROM flowscript_run_events WHERE run_id = %s ORDER BY id",
            (run_id,),
        )
        rows = await cursor.fetchall()
    return [
        {"at": int(at), "kind": kind, "owner": owner, "epoch": epoch, "detail": _loads(detail)}
        for at, kind, owner, epoch, detail in rows
    ]


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
