"""``flowscript resume RUN``: continue a failed, paused, cancelled or crashed run (cli.md).

``RUN`` is a run id, a unique prefix of one, or a state file path. The resume plan (which
nodes run and why) is printed first, then the run continues exactly like ``flowscript run``:
same progress, summary, JSON document and exit codes, the same state file and run id.
"""

from __future__ import annotations

from pathlib import Path

import click

from flowscript.cli.commands._common import FORMAT_OPTION, settings
from flowscript.cli.commands._durable import STATE_DIR_OPTION, resume_command
from flowscript.cli.commands.run_cmd import (
    RunFlags,
    execute_and_report,
    execution_flags,
    run_flags,
)
from flowscript.cli.commands.submit_cmd import lease_option, parse_seconds, state_option

__all__ = ["resume"]


@click.command()
@click.argument("run_ref", metavar="RUN")
@click.option("--from", "from_node", metavar="NODE", help="Run NODE and everything after it again.")
@click.option("--force", is_flag=True, help="Resume even though the workflow file changed.")
@click.option(
    "-c",
    "--config",
    "config_items",
    multiple=True,
    metavar="KEY=VALUE",
    help="Config override (repeatable), applied over the run's config.",
)
@execution_flags
@STATE_DIR_OPTION
@state_option(required=False)
@lease_option(
    "With --state: how long this process holds the run without renewing it (every "
    "third); if it dies, a `serve` coordinator takes the run over once it runs out."
)
@click.option("--no-log", is_flag=True, help="Do not write the execution log into the file.")
@FORMAT_OPTION
def resume(
    run_ref: str,
    from_node: str | None,
    force: bool,
    config_items: tuple[str, ...],
    concurrency: int | None,
    schedule: str | None,
    timeout: str | None,
    answer_items: tuple[str, ...],
    interactive: bool | None,
    root: str | None,
    env_file: str | None,
    ai_base_url: str | None,
    ai_cache: str | None,
    state_dir: str | None,
    state_url: str | None,
    lease_text: str,
    no_log: bool,
    output_format: str,
) -> int:
    """Resume a failed, paused, cancelled or crashed run.

    RUN is a run id, a unique prefix of one, or a state file. Nodes that completed are
    kept; the plan of what runs again is printed first.
    """
    from flowscript.execution.inputs import parse_cli_assignments
    from flowscript.execution.resume import prepare_resume
    from flowscript.persistence.runs import find_run

    flags = run_flags(
        concurrency,
        schedule,
        timeout,
        answer_items,
        interactive,
        root,
        ai_base_url=ai_base_url,
        ai_cache=ai_cache,
    )
    if state_url is not None:  # the shared store (docs/coordinators.md)
        return _resume_on_shared_state(
            run_ref, state_url, parse_seconds(lease_text, "--lease"), flags, from_node, force,
            parse_cli_assignments(config_items), env_file, no_log, output_format,
        )  # fmt: skip
    state_path = find_run(run_ref, state_dir).absolute()
    prepared = prepare_resume(
        None,
        state_path,
        from_node=from_node,
        force=force,
        config=parse_cli_assignments(config_items),
        env_file=env_file,
        ai_base_url=ai_base_url,
    )
    if not settings().quiet:
        click.echo("\n".join(prepared.plan.lines()), err=output_format == "json")
    state = prepared.run.state
    workflow_path = state.workflow_path
    return execute_and_report(
        prepared.run,
        flags,
        output_format=output_format,
        state_path=state_path,
        log_path=None if no_log or workflow_path is None else Path(workflow_path),
        resume_hint=resume_command(run_ref if Path(run_ref).is_file() else state.run_id, state_dir),
        extra_json={"resume": prepared.plan.to_json()},
    )


def _resume_on_shared_state(
    run_ref: str,
    state_url: str,
    lease: float,
    flags: RunFlags,
    from_node: str | None,
    force: bool,
    config: dict[str, str],
    env_file: str | None,
    no_log: bool,
    output_format: str,
) -> int:
    """``resume RUN --state URL``: claim the run, resume it here under a lease."""
    import dataclasses
    import functools
    import tempfile

    from flowscript.cli.commands.submit_cmd import run_db, state_resume_command
    from flowscript.coordination.local import claim_for_resume, host_claimed, release_claim
    from flowscript.execution.resume import prepare_resume_state

    with tempfile.TemporaryDirectory(prefix="flowscript-resume-") as folder:
        claimed = run_db(claim_for_resume(state_url, run_ref, Path(folder), lease=lease))
        try:
            prepared = prepare_resume_state(
                claimed.main, claimed.state, from_node=from_node, force=force,
                config=config, env_file=env_file, ai_base_url=flags.ai_base_url,
            )  # fmt: skip
        except BaseException:
            run_db(release_claim(state_url, claimed.lease))
            raise
        state = prepared.run.state
        state.workflow_path = claimed.workflow_path
        if not settings().quiet:
            click.echo("\n".join(prepared.plan.lines()), err=output_format == "json")
        log_file = Path(claimed.workflow_path) if claimed.workflow_path else None
        return execute_and_report(
            prepared.run,
            dataclasses.replace(flags, host=functools.partial(host_claimed, state_url, claimed)),
            output_format=output_format,
            state_path=None,
            log_path=None if no_log or log_file is None or not log_file.is_file() else log_file,
            resume_hint=state_resume_command(state.run_id, state_url),
            extra_json={"resume": prepared.plan.to_json()},
        )
