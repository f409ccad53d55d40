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
from flowscript.cli.commands.run_cmd import execute_and_report, execution_flags, run_flags

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
    state_dir: str | None,
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

    state_path = find_run(run_ref, state_dir).absolute()
    prepared = prepare_resume(
        None,
        state_path,
        from_node=from_node,
        force=force,
        config=parse_cli_assignments(config_items),
        env_file=env_file,
    )
    if not settings().quiet:
        click.echo("\n".join(prepared.plan.lines()), err=output_format == "json")
    state = prepared.run.state
    workflow_path = state.workflow_path
    return execute_and_report(
        prepared.run,
        run_flags(concurrency, schedule, timeout, answer_items, interactive, root),
        output_format=output_format,
        state_path=state_path,
        log_path=None if no_log or workflow_path is None else Path(workflow_path),
        resume_hint=resume_command(run_ref if Path(run_ref).is_file() else state.run_id, state_dir),
        extra_json={"resume": prepared.plan.to_json()},
    )
