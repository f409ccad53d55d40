"""The shared state store on PostgreSQL (``--state postgresql://…``, docs/coordinators.md).

Public API::

    Database(url)                        a small connection pool; creates/migrates the schema
    PostgresRunStore(db, run_id, epoch)  one run's RunStore, every write fenced by the lease
    LeaseLost                            raised when another coordinator took the run over
    load_run_state(db, run_id)           the run's state (snapshot + node records)
    list_stored_runs(db) / find_run_id(db, ref) / run_events(db, run_id)
    mask_url(url) / is_postgres_url(url)
"""

from __future__ import annotations

from flowscript.persistence.postgres._schema import SCHEMA_VERSION, ensure_schema
from flowscript.persistence.postgres._url import is_postgres_url, mask_url
from flowscript.persistence.postgres.database import Database
from flowscript.persistence.postgres.runs import (
    QUEUED,
    RunRow,
    StoredRunSummary,
    find_run_id,
    list_stored_runs,
    load_run_row,
    load_run_state,
    run_events,
)
from flowscript.persistence.postgres.store import LeaseLost, PostgresRunStore

__all__ = [
    "QUEUED",
    "SCHEMA_VERSION",
    "Database",
    "LeaseLost",
    "PostgresRunStore",
    "RunRow",
    "StoredRunSummary",
    "ensure_schema",
    "find_run_id",
    "is_postgres_url",
    "list_stored_runs",
    "load_run_row",
    "load_run_state",
    "mask_url",
    "run_events",
]
