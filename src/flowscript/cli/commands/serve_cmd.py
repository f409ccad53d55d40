"""``flowscript serve --state URL``: a coordinator process (cli.md, scale-out).

Claims queued runs (and runs whose coordinator died) and runs them, up to ``--max-runs`` at
once, until SIGTERM or SIGINT: then it stops claiming, cancels the runs in progress (recorded
``cancelled``, leases released) and exits 0. One line per claimed, finished or lost run goes
to stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from flowscript.cli.commands.submit_cmd import lease_option, parse_seconds, state_option

if TYPE_CHECKING:
    from flowscript.coordination import Coordinator
    from flowscript.execution.node_executor import NodeExecutor

__all__ = ["serve"]

_F = TypeVar("_F", bound=Callable[..., Any])


def _executor_options(command: _F) -> _F:
    from flowscript.cli.commands._executor import EXECUTOR_OPTIONS

    for option in reversed(EXECUTOR_OPTIONS):
        command = option(command)
    return command


@click.command()
@state_option(required=True)
@_executor_options
@click.option("--max-runs", type=click.IntRange(min=1), default=4, show_default=True,
              help="Runs executed at once.")  # fmt: skip
@lease_option("Lease length; renewed every third of it.")
@click.option("--poll", "poll_text", default="1s", show_default=True, metavar="DURATION",
              help="How often an empty queue is looked at again.")  # fmt: skip
@click.option("--concurrency", type=click.IntRange(min=1), help="Max nodes at once per run.")
@click.option("--log", "write_log", is_flag=True,
              help="Write each run's execution log into its workflow file when that file "
              "exists on this machine.")  # fmt: skip
@click.option("--root", type=click.Path(file_okay=False), help="Base folder for file paths.")
@click.option("--env-file", type=click.Path(dir_okay=False), help="Extra secrets file.")
@click.option("--ai-base-url", metavar="URL", help="AI endpoint for nodes without base-url.")
@click.option("--ai-cache", type=click.Path(file_okay=False), help="AI record/replay folder.")
def serve(
    state_url: str,
    max_runs: int,
    lease_text: str,
    poll_text: str,
    concurrency: int | None,
    write_log: bool,
    root: str | None,
    env_file: str | None,
    ai_base_url: str | None,
    ai_cache: str | None,
) -> int:
    """Claim and run queued runs until stopped (SIGTERM or Ctrl-C).

    Runs come from flowscript submit (and from run --state runs whose process died).
    Completed nodes of a run taken over from a dead coordinator never run again.
    """
    from flowscript.cli.commands._executor import executor_option_value
    from flowscript.coordination import Coordinator, RunSettings
    from flowscript.persistence.postgres import Database

    lease = parse_seconds(lease_text, "--lease")
    poll = parse_seconds(poll_text, "--poll")
    executor = executor_option_value()
    settings = RunSettings(
        executor=executor,
        env_file=env_file,
        root=root,
        write_log=write_log,
        concurrency=concurrency,
        ai_base_url=ai_base_url,
        ai_cache=ai_cache,
    )
    database = Database(state_url, max_size=max_runs * 2 + 2)
    coordinator = Coordinator(
        database,
        settings,
        max_runs=max_runs,
        lease=lease,
        poll=poll,
        report=lambda line: click.echo(f"serve: {line}", err=True),
    )
    asyncio.run(_serve(database, coordinator, executor))
    return 0


async def _serve(database: Any, coordinator: Coordinator, executor: NodeExecutor | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    async with contextlib.AsyncExitStack() as stack:
        if hasattr(executor, "__aenter__"):
            await stack.enter_async_context(executor)  # type: ignore[arg-type]
        await database.open()
        stack.push_async_callback(database.close)
        click.echo(f"serve: coordinator {coordinator.owner} on {database.location}", err=True)
        report = await coordinator.serve(stop)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(report.statuses.items()))
    click.echo(f"serve: stopped ({counts or 'no runs'})", err=True)
