"""Running a claimed run on this coordinator: start it fresh, or resume it from the database.

The workflow comes from the run's stored bundle (:mod:`flowscript.coordination.bundle`),
written into a private temporary folder. A run that never started is prepared like
``flowscript run`` (config overrides and input as submitted; secrets from this coordinator's
environment); a run with a snapshot (paused and answered, or taken over from a dead
coordinator) is resumed like ``flowscript resume``: completed nodes are kept and never run
again. A run that cannot start here (invalid workflow, missing secret) is recorded ``failed``.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowscript.coordination.bundle import materialize_bundle
from flowscript.coordination.hosted import Runner, execute_leased
from flowscript.errors import FlowScriptError, NodeError
from flowscript.persistence.postgres.runs import load_run_row, load_run_state

if TYPE_CHECKING:
    from flowscript.coordination.lease import Lease
    from flowscript.execution.node_executor import NodeExecutor
    from flowscript.execution.options import ExecutionOptions
    from flowscript.execution.state import ExecutionState
    from flowscript.persistence.postgres.database import Database
    from flowscript.persistence.postgres.runs import RunRow

__all__ = ["RunSettings", "run_claimed"]

_log = logging.getLogger("flowscript.coordination")


@dataclass(frozen=True, slots=True, kw_only=True)
class RunSettings:
    """How this coordinator runs what it claims.

    Attributes:
        executor: where node work runs (``--executor``; ``None``: in-process).
        env_file: an extra secrets file.
        root: base folder for file paths (default: the current folder).
        write_log: write the execution log into the workflow file when that file exists on
            this machine (``serve --log``).
        concurrency: max nodes at once per run.
        ai_base_url / ai_cache: as ``flowscript run``.
    """

    executor: NodeExecutor | None = None
    env_file: str | None = None
    root: str | None = None
    write_log: bool = False
    concurrency: int | None = None
    ai_base_url: str | None = None
    ai_cache: str | None = None


async def run_claimed(database: Database, lease: Lease, settings: RunSettings) -> str:
    """Run the claimed run to its end here; return its final status.

    ``lost`` when another coordinator took it over meanwhile (it was stopped here).

    Raises:
        asyncio.CancelledError: this coordinator is stopping (the run was recorded
            ``cancelled`` and its lease released).
    """
    from flowscript.coordination.hosted import is_lease_lost

    async with database.connection() as conn:
        row = await load_run_row(conn, lease.run_id)
    with tempfile.TemporaryDirectory(prefix="flowscript-run-") as folder:
        try:
            runner, state = await _prepare(database, row, Path(folder), settings)
        except FlowScriptError as exc:
            from flowscript.coordination.lease import fail_run

            await fail_run(database, lease, _start_error(exc))
            return "failed"
        try:
            await execute_leased(database, lease, runner, _options(row, settings))
        except NodeError:
            pass  # the failure is recorded in the state
        except BaseException as error:
            if is_lease_lost(error):
                return "lost"
            raise
        return state.status.value


async def _prepare(
    database: Database, row: RunRow, folder: Path, settings: RunSettings
) -> tuple[Runner, ExecutionState]:
    main = materialize_bundle(row.bundle, folder)
    if not row.started:
        from flowscript.execution.run import prepare_run

        prepared = await asyncio.to_thread(
            prepare_run,
            main,
            config=row.config,
            input=row.input,
            env_file=settings.env_file,
            ai_base_url=settings.ai_base_url,
        )
        prepared.state.run_id = row.run_id
        prepared.state.workflow_path = row.workflow_path
        return prepared.execute, prepared.state
    from flowscript.execution.resume import prepare_resume_state

    stored = await load_run_state(database, row.run_id)
    resume = await asyncio.to_thread(
        prepare_resume_state,
        main,
        stored,
        env_file=settings.env_file,
        ai_base_url=settings.ai_base_url,
    )
    resume.run.state.workflow_path = row.workflow_path
    return resume.run.execute, resume.run.state


def _options(row: RunRow, settings: RunSettings) -> ExecutionOptions:
    from flowscript.execution.options import ExecutionOptions

    log_path = None
    if settings.write_log and row.workflow_path and Path(row.workflow_path).is_file():
        log_path = Path(row.workflow_path)
    return ExecutionOptions(
        executor=settings.executor,
        max_concurrency=settings.concurrency,
        answers=row.answers or None,
        interactive=False,  # nobody is at this terminal: an unanswered checkpoint pauses
        root=Path(settings.root) if settings.root else None,
        log_path=log_path,
        ai_base_url=settings.ai_base_url,
        ai_cache=settings.ai_cache,
    )


def _start_error(exc: FlowScriptError) -> dict[str, Any]:
    code = getattr(exc, "code", None)
    return {
        "type": code if isinstance(code, str) else type(exc).__name__,
        "message": str(exc),
        "retryable": False,
    }
