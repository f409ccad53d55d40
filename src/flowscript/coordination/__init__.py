"""Many coordinators sharing runs through the PostgreSQL state store (docs/coordinators.md).

Public API::

    prepare_submission(file, config=…, input=…) / submit_run(db, submission) -> run id
    Coordinator(db, settings, max_runs=…, lease=…).serve(stop)   the ``serve`` loop
    answer_run(db, run_id, node, answer)                         ``flowscript answer``
    execute_leased(db, lease, runner, options)                   one run under a lease
    claim_next / claim_run / release / Heartbeat / Lease         the lease protocol
"""

from __future__ import annotations

from flowscript.coordination.answer import AnswerResult, answer_run
from flowscript.coordination.claimed import RunSettings, run_claimed
from flowscript.coordination.hosted import execute_leased, is_lease_lost
from flowscript.coordination.lease import (
    DEFAULT_LEASE,
    Heartbeat,
    Lease,
    claim_next,
    claim_run,
    coordinator_name,
    release,
)
from flowscript.coordination.serve import DEFAULT_POLL, Coordinator, ServeReport
from flowscript.coordination.submit import Submission, insert_run, prepare_submission, submit_run

__all__ = [
    "DEFAULT_LEASE",
    "DEFAULT_POLL",
    "AnswerResult",
    "Coordinator",
    "Heartbeat",
    "Lease",
    "RunSettings",
    "ServeReport",
    "Submission",
    "answer_run",
    "claim_next",
    "claim_run",
    "coordinator_name",
    "execute_leased",
    "insert_run",
    "is_lease_lost",
    "prepare_submission",
    "release",
    "run_claimed",
    "submit_run",
]
