"""Queueing runs: ``flowscript submit`` (status ``queued``) and ``run --state`` (held at once).

A submission is checked on the submitting machine — the workflow and its children parse and
validate, the config overrides and the input fit their schemas — so a bad run is refused with
exit 2 instead of failing later on a coordinator. Secrets are *not* read here: coordinators
read them from their own environment.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from flowscript.coordination.bundle import workflow_bundle
from flowscript.coordination.lease import Lease, record_event

if TYPE_CHECKING:
    from psycopg import AsyncConnection

    from flowscript.persistence.postgres.database import Database

__all__ = ["Submission", "insert_run", "prepare_submission", "submit_run"]

_INSERT: Final = (
    "INSERT INTO flowscript_runs (id, workflow, workflow_path, workflow_hash, bundle, status,"
    " config, input, lease_owner, lease_epoch, lease_expires)"
    " VALUES (%s, %s, %s, %s, %s::json, %s, %s::json, %s::json, %s, %s,"
    " CASE WHEN %s::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => %s) END)"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Submission:
    """A checked run, ready to be queued.

    Attributes:
        workflow: the workflow's name.
        path: the workflow file (absolute, as on the submitting machine).
        workflow_hash: SHA-256 of its text without the execution log.
        bundle: the workflow's files (see :mod:`flowscript.coordination.bundle`).
        config: the config overrides, as given (coordinators resolve them again).
        input: the workflow input, as given.
    """

    workflow: str
    path: str
    workflow_hash: str
    bundle: dict[str, Any]
    config: dict[str, Any]
    input: Any


def prepare_submission(
    file: str | os.PathLike[str],
    *,
    config: Mapping[str, Any] | None = None,
    input: Any = None,
) -> Submission:
    """Load, validate and check a run of ``file`` (blocking I/O; secrets are not read).

    Raises:
        DefinitionError: the file or a child does not parse or validate.
        ConfigError: the config or the input is invalid.
    """
    from flowscript.execution._fingerprint import workflow_hash
    from flowscript.execution.control.composition import load_child_plans
    from flowscript.execution.inputs import resolve_config, resolve_input
    from flowscript.planning import build_execution_plan
    from flowscript.validate import load_workflow

    path = Path(file).absolute()
    workflow = load_workflow(path)
    resolve_config(workflow, config)
    resolve_input(workflow, input)
    plan = load_child_plans(
        build_execution_plan(workflow),
        base_dir=path.parent,
        seen=frozenset({os.path.normpath(path)}),
    )
    return Submission(
        workflow=workflow.name,
        path=str(path),
        workflow_hash=workflow_hash(workflow),
        bundle=workflow_bundle(path, plan),
        config=dict(config or {}),
        input=input,
    )


async def insert_run(
    conn: AsyncConnection[Any],
    submission: Submission,
    *,
    run_id: str | None = None,
    holder: tuple[str, float] | None = None,
) -> Lease | None:
    """Insert the run row: ``queued``, or — with ``holder=(owner, lease seconds)`` — already
    ``running`` under a lease (``run --state``), returned."""
    run = run_id or str(uuid.uuid4())
    owner, seconds = holder if holder is not None else (None, None)
    await conn.execute(
        _INSERT,
        (
            run,
            submission.workflow,
            submission.path,
            submission.workflow_hash,
            json.dumps(submission.bundle),
            "queued" if holder is None else "running",
            json.dumps(submission.config),
            json.dumps(submission.input),
            owner,
            0 if holder is None else 1,
            seconds,
            seconds,
        ),
    )
    kind = "queued" if holder is None else "claimed"
    await record_event(conn, run, kind, owner, None if holder is None else 1)
    if holder is None or owner is None or seconds is None:
        return None
    return Lease(run, 1, owner, seconds, "new")


async def submit_run(database: Database, submission: Submission) -> str:
    """Queue ``submission``; return the new run id."""
    run_id = str(uuid.uuid4())
    async with database.connection() as conn, conn.transaction():
        await insert_run(conn, submission, run_id=run_id)
    return run_id
