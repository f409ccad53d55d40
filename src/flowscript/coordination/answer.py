"""``flowscript answer RUN NODE=ACTION[:TEXT]``: answer a paused checkpoint in the shared store.

The answer is stored with the run (``answers``, merged) and a run paused at that checkpoint
goes back to ``queued``: whichever coordinator claims it next resumes it with the answer (or
``flowscript resume RUN --state URL`` does). An answer may also be given before the run
reaches its checkpoint; a run that pauses at an answered checkpoint is re-queued when its lease
is released.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flowscript.coordination.lease import record_event
from flowscript.errors import ResumeError, StateError

if TYPE_CHECKING:
    from flowscript.persistence.postgres.database import Database

__all__ = ["AnswerResult", "answer_run", "check_answer"]

_TERMINAL = frozenset({"completed"})


@dataclass(frozen=True, slots=True)
class AnswerResult:
    """What ``answer`` did.

    Attributes:
        run_id: the run.
        status: the run's status afterwards (``queued`` when it was re-queued).
        requeued: whether the answer re-queued a paused run.
    """

    run_id: str
    status: str
    requeued: bool


async def answer_run(database: Database, run_id: str, node: str, answer: str) -> AnswerResult:
    """Store ``answer`` for checkpoint ``node`` of ``run_id``; re-queue the run if paused there.

    Raises:
        ResumeError: the run completed.
        StateError: no such run, or it is paused at another checkpoint, or the answer is not
            one of the checkpoint's choices.
    """
    async with database.connection() as conn, conn.transaction():
        cursor = await conn.execute(
            "SELECT status, pending_checkpoint::text FROM flowscript_runs WHERE id = %s FOR UPDATE",
            (run_id,),
        )
        row = await cursor.fetchone()
        if row is None:
            raise StateError(f"no run {run_id!r} in {database.location}")
        status, pending_text = str(row[0]), row[1]
        if status in _TERMINAL:
            raise ResumeError(f"run {run_id} completed; there is nothing to answer")
        paused = status == "paused"
        if paused:
            check_answer(run_id, json.loads(pending_text) if pending_text else {}, node, answer)
        new_status = "queued" if paused else status
        await conn.execute(
            "UPDATE flowscript_runs SET status = %s, updated_at = now(),"
            " answers = answers || jsonb_build_object(%s::text, %s::text) WHERE id = %s",
            (new_status, node, answer, run_id),
        )
        await record_event(conn, run_id, "answered", None, None, {"node": node})
    return AnswerResult(run_id, new_status, paused)


def check_answer(run_id: str, pending: dict[str, Any], node: str, answer: str) -> None:
    """Refuse an answer to another checkpoint than the pending one, or not among its choices.

    Raises:
        StateError: with the checkpoint and the choices it offers.
    """
    waiting = pending.get("node")
    if waiting != node:
        raise StateError(f"run {run_id} waits at checkpoint {waiting!r}, not {node!r}")
    actions = [a for a in pending.get("actions", []) if isinstance(a, dict)]
    text = answer.strip()
    if pending.get("allowInput") and text.lower().startswith("input:"):
        return
    folded = text.casefold()
    for action in actions:
        if folded in (
            str(action.get("id", "")).casefold(),
            str(action.get("label", "")).casefold(),
        ):
            return
    choices = [str(a.get("id")) for a in actions]
    if pending.get("allowInput"):
        choices.append("input:TEXT")
    raise StateError(
        f"{answer!r} is not an answer to checkpoint {node!r}; choose one of {', '.join(choices)}"
    )
