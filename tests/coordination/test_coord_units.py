"""URL masking, workflow bundles, answer checks, schema migration and lease loss."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowscript.coordination import Lease, execute_leased, prepare_submission
from flowscript.coordination.answer import check_answer
from flowscript.coordination.bundle import materialize_bundle
from flowscript.coordination.lease import Heartbeat
from flowscript.errors import StateError
from flowscript.execution.options import ExecutionOptions
from flowscript.execution.run import prepare_run
from flowscript.persistence.postgres import Database, LeaseLost, ensure_schema, mask_url

WriteFlow = Callable[[str, str], Path]


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://app:s3cret@db:5432/flows", "postgresql://app:***@db:5432/flows"),
        ("postgres://app@db/flows", "postgres://app@db/flows"),
        (
            "postgresql://db/flows?user=a&password=pw&x=1",
            "postgresql://db/flows?user=a&password=***&x=1",
        ),
        ("postgresql://a:p@ss:w@db/f", "postgresql://a:***@db/f"),
    ],
    ids=["user-password", "no-password", "query-password", "at-in-password"],
)
def test_mask_url_hides_passwords(url: str, masked: str) -> None:
    assert mask_url(url) == masked


PARENT = """---
name: parent
version: "1.0"
---
<workflow>
  <include id="child" workflow="lib/child.flow.md"/>
  <transform id="done" type="template" input="child" template="got {{ child }}"/>
</workflow>
"""
CHILD = """---
name: child
version: "1.0"
---
<workflow>
  <transform id="inner" type="template" template="inner"/>
</workflow>
"""


def test_a_bundle_carries_included_files_and_runs_from_anywhere(
    write_flow: WriteFlow, tmp_path: Path
) -> None:
    write_flow("flows/lib/child.flow.md", CHILD)
    parent = write_flow("flows/parent.flow.md", PARENT)
    submission = prepare_submission(parent)
    assert submission.bundle == {
        "main": "parent.flow.md",
        "files": {"parent.flow.md": PARENT, "lib/child.flow.md": CHILD},
    }
    main = materialize_bundle(submission.bundle, tmp_path / "elsewhere")
    state = asyncio.run(prepare_run(main).execute())
    assert state.output_of("done") == "got inner"


@pytest.mark.parametrize(
    "bundle",
    [
        {"main": "a.flow.md", "files": {"../escape.flow.md": "x"}},
        {"main": "missing.flow.md", "files": {"a.flow.md": "x"}},
        None,
    ],
    ids=["outside-the-folder", "no-main-file", "missing"],
)
def test_a_malformed_bundle_is_refused(bundle: Any, tmp_path: Path) -> None:
    with pytest.raises(StateError, match=r"stored workflow|bundle"):
        materialize_bundle(bundle, tmp_path)


PENDING = {
    "node": "review",
    "actions": [
        {"id": "approve", "label": "Approve"},
        {"id": "reject", "label": "Reject"},
        {"id": "escalate", "label": "Send up"},
    ],
    "allowInput": True,
}


@pytest.mark.parametrize(
    "answer", ["approve", "REJECT", "send up", "escalate", "input:looks fine"],
    ids=["id", "case", "label", "custom", "input"],
)  # fmt: skip
def test_answers_matching_the_pending_checkpoint_are_accepted(answer: str) -> None:
    check_answer("r", PENDING, "review", answer)


def test_an_answer_for_another_checkpoint_or_choice_is_refused() -> None:
    with pytest.raises(StateError, match="run r waits at checkpoint 'review', not 'other'"):
        check_answer("r", PENDING, "other", "approve")
    with pytest.raises(StateError, match="choose one of approve, reject, escalate, input:TEXT"):
        check_answer("r", PENDING, "review", "maybe")


async def test_the_schema_is_created_once_and_a_newer_one_is_refused(
    database: Database, postgres_url: str
) -> None:
    import psycopg

    async with await psycopg.AsyncConnection.connect(postgres_url, autocommit=True) as conn:
        assert await ensure_schema(conn) == 1  # already there: nothing to apply
        await conn.execute("INSERT INTO flowscript_schema (version) VALUES (99)")
        with pytest.raises(StateError, match="schema version 99; this FlowScript knows version 1"):
            await ensure_schema(conn)


async def _insert_held(database: Database, run_id: str) -> Lease:
    async with database.connection() as conn:
        await conn.execute(
            "INSERT INTO flowscript_runs (id, workflow, status, lease_epoch, lease_owner,"
            " lease_expires) VALUES (%s, 'w', 'running', 1, 'me', now() + interval '1 hour')",
            (run_id,),
        )
    return Lease(run_id, 1, "me", 0.3)


async def _take_over(database: Database) -> None:
    async with database.connection() as conn:
        await conn.execute("UPDATE flowscript_runs SET lease_epoch = lease_epoch + 1")


async def test_the_heartbeat_reports_a_lease_taken_over(database: Database) -> None:
    lease = await _insert_held(database, "hb")
    lost = asyncio.Event()
    heartbeat = Heartbeat(database, lease, lost.set)
    heartbeat.start()
    try:
        await _take_over(database)
        await asyncio.wait_for(lost.wait(), timeout=10)
    finally:
        await heartbeat.stop()
    assert lost.is_set()


async def test_a_lost_lease_stops_the_run_and_releases_nothing(
    database: Database, write_flow: WriteFlow
) -> None:
    lease = await _insert_held(database, "stuck")
    started = asyncio.Event()

    async def runner(options: ExecutionOptions) -> Any:
        started.set()
        await asyncio.Event().wait()  # a node that never finishes

    task = asyncio.ensure_future(execute_leased(database, lease, runner, ExecutionOptions()))
    await started.wait()
    await _take_over(database)
    with pytest.raises(LeaseLost, match="lost the lease of run stuck \\(epoch 1\\)"):
        await asyncio.wait_for(task, timeout=10)
    async with database.connection() as conn:
        cursor = await conn.execute("SELECT status, lease_owner FROM flowscript_runs")
        assert await cursor.fetchall() == [("running", "me")]  # the new holder's row, untouched
