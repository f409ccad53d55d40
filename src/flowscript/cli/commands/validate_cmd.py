"""``flowscript validate FILE...``."""

from __future__ import annotations

from typing import Any

import click

from flowscript.cli._exit import ExitCode
from flowscript.cli.commands._common import FORMAT_OPTION, echo_json, settings

__all__ = ["validate"]


def _node_count(result: Any) -> int:
    workflow = getattr(result, "workflow", None)
    return sum(1 for _ in workflow.walk()) if workflow is not None else 0


def _file_report(path: str, result: Any) -> dict[str, Any]:
    from flowscript.model.serialize import diagnostic_to_dict

    def entries(items: Any) -> list[dict[str, Any]]:
        return [
            {k: v for k, v in diagnostic_to_dict(d).items() if k not in ("file",)}
            | {"file": d.span.path if d.span else path}
            for d in items
        ]

    return {
        "file": path,
        "valid": result.valid,
        "errors": entries(result.errors),
        "warnings": entries(result.warnings),
        "nodeCount": _node_count(result),
    }


def _print_text(path: str, result: Any, strict: bool) -> None:
    options = settings()
    shown = result.diagnostics if not options.quiet else result.errors
    if shown:
        from flowscript.cli._render import SourceCache, render_diagnostics

        click.echo(render_diagnostics(shown, SourceCache(), color=options.color), err=True)
        click.echo(err=True)
    errors, warnings = len(result.errors), len(result.warnings)
    if result.ok(strict):
        suffix = f", {warnings} warning(s)" if warnings else ""
        click.echo(f"Valid {path} ({_node_count(result)} nodes{suffix})")
    else:
        click.echo(f"Invalid {path}: {errors} error(s), {warnings} warning(s)", err=True)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@FORMAT_OPTION
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def validate(files: tuple[str, ...], output_format: str, strict: bool) -> int:
    """Parse and validate workflow files; print every problem with its location."""
    from flowscript.validate import validate_file

    reports = []
    all_ok = True
    for path in files:
        result = validate_file(path)
        all_ok = all_ok and result.ok(strict)
        if output_format == "json":
            reports.append(_file_report(path, result))
        else:
            _print_text(path, result, strict)
    if output_format == "json":
        echo_json(reports)
    return ExitCode.OK if all_ok else ExitCode.USAGE
