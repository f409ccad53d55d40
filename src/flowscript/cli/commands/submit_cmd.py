"""``flowscript submit FILE --state URL``: queue a run for the coordinators (cli.md, scale-out).

Also the ``--state URL`` option and helpers that ``serve``, ``answer``, ``run``, ``resume``
and ``runs`` share. The URL may come from ``FLOWSCRIPT_STATE`` instead, which keeps a password
off the command line; passwords are never printed (``postgresql://user:***@host/db``).
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

import click

from flowscript.cli.commands._common import FORMAT_OPTION, echo_json, parse_json_argument

__all__ = [
    "STATE_ENV",
    "parse_seconds",
    "run_db",
    "state_option",
    "state_resume_command",
    "submit",
]

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])

STATE_ENV: Final = "FLOWSCRIPT_STATE"
"""The environment variable ``--state`` falls back to."""


def state_option(*, required: bool) -> Callable[[_F], _F]:
    """The ``--state URL`` click option (``FLOWSCRIPT_STATE`` when not given)."""
    return click.option(
        "--state",
        "state_url",
        metavar="URL",
        envvar=STATE_ENV,
        required=required,
        callback=_check_url,
        help="PostgreSQL state store, postgresql://… [env: FLOWSCRIPT_STATE].",
    )


def lease_option(help_text: str) -> Callable[[_F], _F]:
    """The ``--lease DURATION`` click option (30 s; a coordinator renews it every third)."""
    return click.option(
        "--lease",
        "lease_text",
        default="30s",
        show_default=True,
        metavar="DURATION",
        help=help_text,
    )


def _check_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None  # no import at all: `run` without --state must not pay for the store
    from flowscript.persistence.postgres._url import is_postgres_url, mask_url

    if not is_postgres_url(value):
        raise click.BadParameter(
            f"{mask_url(value)!r} is not a postgresql:// URL", param_hint="--state"
        )
    return value


def parse_seconds(text: str, option: str) -> float:
    """A duration flag (``2s``, ``500ms``, ``1m``, or plain seconds) in seconds."""
    from flowscript.model.durations import parse_duration

    try:
        return float(text) if text.replace(".", "", 1).isdigit() else parse_duration(text) / 1000
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def run_db(main: Awaitable[_T]) -> _T:
    """Run a one-shot database coroutine of a command."""

    async def wrapper() -> _T:
        return await main

    return asyncio.run(wrapper())


def state_resume_command(run_id: str, url: str) -> str:
    """The command that resumes ``run_id`` from the shared store (password masked)."""
    import os

    from flowscript.persistence.postgres import mask_url

    words = ["flowscript", "resume", run_id]
    if os.environ.get(STATE_ENV) != url:
        words += ["--state", mask_url(url)]
    return shlex.join(words)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "-c",
    "--config",
    "config_items",
    multiple=True,
    metavar="KEY=VALUE",
    help="Config override (repeatable); the value is read as JSON when it parses.",
)
@click.option("--input", "input_json", metavar="JSON|@FILE", help="The workflow input.")
@state_option(required=True)
@FORMAT_OPTION
def submit(
    file: str,
    config_items: tuple[str, ...],
    input_json: str | None,
    state_url: str,
    output_format: str,
) -> int:
    """Queue a run of FILE for the coordinators (flowscript serve).

    The workflow (and the files it includes) is checked here and stored with the run,
    so coordinators on other machines need no shared disk. Prints the run id.
    """
    from flowscript.coordination import prepare_submission, submit_run
    from flowscript.execution.inputs import parse_cli_assignments
    from flowscript.persistence.postgres import Database

    submission = prepare_submission(
        file,
        config=parse_cli_assignments(config_items),
        input=parse_json_argument(input_json, "--input") if input_json else None,
    )

    async def queue() -> str:
        async with Database(state_url, max_size=1) as database:
            return await submit_run(database, submission)

    run_id = run_db(queue())
    if output_format == "json":
        echo_json({"runId": run_id})
    else:
        click.echo(run_id)
    return 0
