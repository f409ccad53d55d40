"""``flowscript answer RUN NODE=ACTION[:TEXT] --state URL``: answer a paused checkpoint.

The answer is stored with the run and a run paused at that checkpoint is queued again: the
next coordinator to claim it resumes it with the answer (or ``flowscript resume RUN --state
URL``). Runs in the local state folder are answered by resuming them:
``flowscript resume RUN --answer NODE=ACTION``.
"""

from __future__ import annotations

import shlex

import click

from flowscript.cli._exit import ExitCode
from flowscript.cli.commands._common import FORMAT_OPTION, echo_json
from flowscript.cli.commands.submit_cmd import run_db, state_option

__all__ = ["answer"]


@click.command()
@click.argument("run_ref", metavar="RUN")
@click.argument("assignment", metavar="NODE=ACTION[:TEXT]")
@state_option(required=False)
@FORMAT_OPTION
def answer(run_ref: str, assignment: str, state_url: str | None, output_format: str) -> int:
    """Answer the checkpoint a run of the shared store waits at.

    ACTION is approve, reject, input:TEXT or an action id/label of the checkpoint.
    """
    node, sep, value = assignment.partition("=")
    if not sep or not node.strip() or not value.strip():
        raise click.BadParameter(
            f"expected NODE=ACTION[:TEXT], got {assignment!r}", param_hint="NODE=ACTION"
        )
    if state_url is None:
        command = shlex.join(["flowscript", "resume", run_ref, "--answer", assignment])
        click.echo(
            "error: answer works on the shared state store (--state URL); a run in the local "
            f"state folder is answered by resuming it: {command}",
            err=True,
        )
        return ExitCode.USAGE
    from flowscript.coordination import answer_run
    from flowscript.persistence.postgres import Database, find_run_id

    async def store() -> tuple[str, str, bool]:
        async with Database(state_url, max_size=1) as database:
            run_id = await find_run_id(database, run_ref)
            result = await answer_run(database, run_id, node.strip(), value)
            return result.run_id, result.status, result.requeued

    run_id, status, requeued = run_db(store())
    if output_format == "json":
        echo_json({"runId": run_id, "node": node.strip(), "status": status, "queued": requeued})
    elif requeued:
        click.echo(f"answered {node.strip()} of run {run_id}: queued again for a coordinator")
    else:
        click.echo(
            f"answer for {node.strip()} stored with run {run_id} ({status}); it is used when "
            "the run reaches that checkpoint"
        )
    return ExitCode.OK
