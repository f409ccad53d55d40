"""The PostgreSQL schema of the shared state store, created and migrated by the engine.

``flowscript_schema`` holds one row per applied migration. :func:`ensure_schema` applies the
missing ones in order inside one transaction holding an advisory lock, so coordinators starting
together never race; a database migrated by a newer FlowScript is refused.

Payload columns are ``json``, not ``jsonb``: ``jsonb`` reorders object keys and rejects the
``\\u0000`` escape, and node outputs must come back exactly as they were recorded (key order
shows in results and logs). Only ``answers`` (a flat map merged with ``||``) is ``jsonb``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from flowscript.errors import StateError

if TYPE_CHECKING:
    from psycopg import AsyncConnection

__all__ = ["SCHEMA_VERSION", "ensure_schema"]

_LOCK_KEY: Final = 0x466C6F77  # "Flow": the advisory lock serializing migrations

_MIGRATIONS: Final[tuple[str, ...]] = (
    """
    CREATE TABLE flowscript_runs (
        id text PRIMARY KEY,
        workflow text NOT NULL,
        workflow_path text,
        workflow_hash text,
        bundle json,
        status text NOT NULL,
        config json NOT NULL DEFAULT '{}',
        input json,
        snapshot json,
        snapshot_seq bigint NOT NULL DEFAULT 0,
        started_at bigint,
        completed_at bigint,
        error json,
        pending_checkpoint json,
        answers jsonb NOT NULL DEFAULT '{}',
        queued_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        lease_owner text,
        lease_epoch bigint NOT NULL DEFAULT 0,
        lease_expires timestamptz
    );
    CREATE INDEX flowscript_runs_claimable ON flowscript_runs (queued_at)
        WHERE status IN ('queued', 'running');
    CREATE INDEX flowscript_runs_by_workflow ON flowscript_runs (workflow, queued_at);
    CREATE TABLE flowscript_node_results (
        run_id text NOT NULL REFERENCES flowscript_runs (id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        epoch bigint NOT NULL,
        node text NOT NULL,
        status text,
        record json NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, seq)
    );
    CREATE INDEX flowscript_node_results_by_node ON flowscript_node_results (run_id, node);
    CREATE TABLE flowscript_run_events (
        id bigserial PRIMARY KEY,
        run_id text NOT NULL REFERENCES flowscript_runs (id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT now(),
        kind text NOT NULL,
        owner text,
        epoch bigint,
        detail json
    );
    CREATE INDEX flowscript_run_events_by_run ON flowscript_run_events (run_id, id);
    """,
)

SCHEMA_VERSION: Final = len(_MIGRATIONS)
"""The schema version this FlowScript writes (the number of migrations)."""


async def ensure_schema(conn: AsyncConnection[object]) -> int:
    """Create or migrate the schema on ``conn``; return the version found before.

    Raises:
        StateError: the database holds a newer schema than this FlowScript knows.
    """
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS flowscript_schema ("
            " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor = await conn.execute("SELECT coalesce(max(version), 0) FROM flowscript_schema")
        row = await cursor.fetchone()
        found = int(row[0]) if row is not None else 0  # type: ignore[index]
        if found > SCHEMA_VERSION:
            raise StateError(
                f"the state database has schema version {found}; this FlowScript knows "
                f"version {SCHEMA_VERSION} at most (upgrade FlowScript)"
            )
        for version in range(found + 1, SCHEMA_VERSION + 1):
            await conn.execute(_MIGRATIONS[version - 1].encode())
            await conn.execute("INSERT INTO flowscript_schema (version) VALUES (%s)", (version,))
    return found
