"""Durable run state: the JSON state format, the journal + snapshot store, run lookup.

Public API::

    state_to_data(state) / state_from_data(data, path=…)   the format (execution.md §9.2)
    StateStore(path): open / record_node / checkpoint / close   crash-safe incremental writes
    RunStore                                               what the executor needs of a store
    save_state(state, path) / load_state(path)              whole-state write / read
    get_state_path(workflow, run_id, state_dir)            .flowscript/runs/<wf>/<runId>.json
    list_runs(state_dir) / find_run(run, state_dir)          for ``flowscript runs`` / ``resume``
"""

from __future__ import annotations

from flowscript.persistence.codec import SCHEMA_VERSION, state_from_data, state_to_data
from flowscript.persistence.paths import default_state_dir, get_state_path, journal_path
from flowscript.persistence.protocol import RunStore
from flowscript.persistence.runs import RunSummary, find_run, list_runs
from flowscript.persistence.store import (
    StateStore,
    StoreStats,
    load_state,
    read_state,
    save_state,
)

__all__ = [
    "SCHEMA_VERSION",
    "RunStore",
    "RunSummary",
    "StateStore",
    "StoreStats",
    "default_state_dir",
    "find_run",
    "get_state_path",
    "journal_path",
    "list_runs",
    "load_state",
    "read_state",
    "save_state",
    "state_from_data",
    "state_to_data",
]
