"""``flowscript run --state URL`` and ``flowscript resume RUN --state URL``: a run executed by
this process, with its state in the shared database and a lease like any coordinator's.

Such a run is one row like a submitted one (its workflow bundle is stored too), so if this
process dies, any ``flowscript serve`` takes it over once the lease expires.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowscript.coordination.bundle import materialize_bundle, workflow_bundle
from flowscript.coordination.hosted import execute_leased
from flowscript.coordination.lease import DEFAULT_LEASE, Lease, claim_run, coordinator_name
from flowscript.coordination.submit import Submission, insert_run
from flowscript.persistence.postgres.database import Database
from flowscript.persistence.postgres.runs import find_run_id, load_run_row, load_run_state

if TYPE_CHECKING:
    from flowscript.execution.options import ExecutionOptions
    from flowscript.execution.run import PreparedRun
    from flowscript.execution.state import ExecutionState

__all__ = [
    "ClaimedRun",
    "claim_for_resume",
    "host_claimed",
    "host_new_run",
    "release_claim",
    "submission_of",
]


def submission_of(prepared: PreparedRun, config: Mapping[str, Any] | None) -> Submission:
    """The row data of a run prepared here (``config``: the overrides as given)."""
    path = Path(prepared.state.workflow_path or prepared.workflow.path)
    return Submission(
        workflow=prepared.workflow.name,
        path=str(path),
        workflow_hash=prepared.state.workflow_hash or "",
        bundle=workflow_bundle(path, prepared.plan),
        config=dict(config or {}),
        input=prepared.state.input,
    )


async def host_new_run(
    url: str,
    submission: Submission,
    prepared: PreparedRun,
    options: ExecutionOptions,
    *,
    lease: float = DEFAULT_LEASE,
) -> ExecutionState:
    """Insert the run (held by this process for ``lease`` seconds, renewed) and execute it
    with the shared store."""
    async with Database(url, max_size=3) as database:
        async with database.connection() as conn, conn.transaction():
            held = await insert_run(
                conn,
                submission,
                run_id=prepared.state.run_id,
                holder=(f"run:{coordinator_name()}", lease),
            )
        assert held is not None
        return await execute_leased(database, held, prepared.execute, options)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimedRun:
    """A run this process claimed to resume it.

    Attributes:
        lease: the lease (heartbeat it with :func:`host_claimed`).
        main: the workflow file, written from the stored bundle.
        state: the run's state, loaded from the database.
        answers: the checkpoint answers stored with the run.
        workflow_path: the workflow file the run was submitted from.
    """

    lease: Lease
    main: Path
    state: ExecutionState
    answers: dict[str, str]
    workflow_path: str | None


async def claim_for_resume(
    url: str, run_ref: str, folder: Path, *, lease: float = DEFAULT_LEASE
) -> ClaimedRun:
    """Claim the run ``run_ref`` names (for ``lease`` seconds, renewed while it runs), load its
    state, write its workflow under ``folder``.

    Raises:
        StateError: no such run, or another coordinator holds a live lease on it.
        ResumeError: the run completed.
    """
    async with Database(url, max_size=1) as database:
        run_id = await find_run_id(database, run_ref)
        held = await claim_run(database, run_id, f"resume:{coordinator_name()}", lease)
        try:
            async with database.connection() as conn:
                row = await load_run_row(conn, run_id)
            main = materialize_bundle(row.bundle, folder)
            state = await load_run_state(database, run_id)
        except BaseException:
            await release_claim_on(database, held)
            raise
    return ClaimedRun(
        lease=held, main=main, state=state, answers=row.answers, workflow_path=row.workflow_path
    )


async def host_claimed(
    url: str, claimed: ClaimedRun, prepared: PreparedRun, options: ExecutionOptions
) -> ExecutionState:
    """Execute a run claimed with :func:`claim_for_resume` (stored answers, then ``options``')."""
    answers = {**claimed.answers, **(options.answers or {})}
    options = dataclasses.replace(options, answers=answers or None)
    async with Database(url, max_size=3) as database:
        return await execute_leased(database, claimed.lease, prepared.execute, options)


async def release_claim(url: str, lease: Lease) -> None:
    """Give back a claimed run that will not run after all (``resume`` refused to start)."""
    async with Database(url, max_size=1) as database:
        await release_claim_on(database, lease)


async def release_claim_on(database: Database, lease: Lease) -> None:
    """Release ``lease`` on an open database, keeping the run's stored status."""
    from flowscript.coordination.lease import release

    await asyncio.shield(release(database, lease, status=lease.was))
