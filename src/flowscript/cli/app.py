"""The click command group and the single place where errors become exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import click

from flowscript import __version__
from flowscript.cli._exit import ExitCode, exit_code_for
from flowscript.cli.commands import LazyGroup
from flowscript.errors import DefinitionError, ExpressionError, FlowScriptError

__all__ = ["CliSettings", "cli", "run"]


@dataclass(frozen=True, slots=True)
class CliSettings:
    """Global flags shared by every sub-command."""

    color: bool
    quiet: bool
    verbose: bool


def _color_enabled(no_color: bool) -> bool:
    return not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, "--version", prog_name="flowscript", message="%(prog)s %(version)s"
)
@click.option("--no-color", is_flag=True, help="Plain output without colours (also NO_COLOR).")
@click.option("-q", "--quiet", is_flag=True, help="Print only results and errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print more detail.")
@click.pass_context
def cli(ctx: click.Context, no_color: bool, quiet: bool, verbose: bool) -> None:
    """FlowScript: run .flow.md workflow files."""
    ctx.obj = CliSettings(color=_color_enabled(no_color), quiet=quiet, verbose=verbose)


def _report_error(error: BaseException) -> None:
    if isinstance(error, DefinitionError):
        from flowscript.cli._render import SourceCache, render_diagnostics

        click.echo(render_diagnostics(error.diagnostics, SourceCache()), err=True)
        return
    if isinstance(error, ExpressionError):
        click.echo(f"error[{error.code}]: {error}", err=True)
        return
    code = getattr(error, "code", None)
    prefix = f"error[{code}]" if isinstance(code, str) else "error"
    click.echo(f"{prefix}: {error}", err=True)


def run(argv: Sequence[str] | None = None) -> None:
    """Run the CLI and exit with the code of cli.md; never show a traceback for our errors."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Exit as stop:
        raise SystemExit(stop.exit_code) from None
    except click.ClickException as usage:
        usage.show()
        raise SystemExit(ExitCode.USAGE) from None
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        raise SystemExit(ExitCode.INTERRUPTED) from None
    except (FlowScriptError, KeyboardInterrupt) as error:
        if not isinstance(error, KeyboardInterrupt):
            _report_error(error)
        raise SystemExit(exit_code_for(error)) from None
    raise SystemExit(result if isinstance(result, int) else ExitCode.OK)
