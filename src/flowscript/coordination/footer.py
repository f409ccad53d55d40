"""The execution log of a run in the shared store, rendered from the database.

A coordinator writes the log into the workflow file only with ``serve --log`` and only when
that file exists on its machine; otherwise ``flowscript runs --state URL RUN --log`` renders
the same section (format.md §4) from the stored state, with the Recent Runs of the same
workflow taken from the database, plus the run's event history (claims, releases, answers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowscript.persistence.postgres.runs import (
    find_run_id,
    list_stored_runs,
    load_run_state,
    run_events,
)

if TYPE_CHECKING:
    from flowscript.persistence.postgres.database import Database
    from flowscript.persistence.postgres.runs import StoredRunSummary
    from flowscript.reporting.log import RecentRun

__all__ = ["stored_log"]


async def stored_log(database: Database, run_ref: str) -> dict[str, Any]:
    """``{"runId", "log", "events"}``: the run's execution-log section and event history.

    Raises:
        StateError: no such run, or it has not started.
    """
    from flowscript.reporting.log import format_execution_log

    run_id = await find_run_id(database, run_ref)
    state = await load_run_state(database, run_id)
    others = await list_stored_runs(database, workflow=state.workflow_id)
    recent = [row for s in others if s.run_id != run_id and (row := _recent(s)) is not None]
    text = format_execution_log(state, workflow_name=state.workflow_id, recent_runs=recent)
    return {"runId": run_id, "log": text, "events": await run_events(database, run_id)}


def _recent(summary: StoredRunSummary) -> RecentRun | None:
    """A Recent Runs row for another run of the workflow (formatted as the log formats)."""
    from flowscript.reporting.log import recent_run

    if summary.started_at is None:
        return None  # queued: it has not run
    return recent_run(summary.run_id, summary.started_at, summary.status, summary.duration_ms or 0)
