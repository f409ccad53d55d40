"""``flowscript eval EXPRESSION``: evaluate one expression or template."""

from __future__ import annotations

from typing import Any

import click

from flowscript.cli._exit import ExitCode
from flowscript.cli.commands._common import parse_json_argument
from flowscript.errors import ExpressionError

__all__ = ["eval_"]


def _object_option(value: str | None, option: str) -> dict[str, Any]:
    if value is None:
        return {}
    data = parse_json_argument(value, option)
    if not isinstance(data, dict):
        raise click.BadParameter("expected a JSON object", param_hint=option)
    return data


def _show_error(source: str, error: ExpressionError) -> None:
    click.echo(f"error[{error.code}]: {error.message}", err=True)
    if error.column is not None and "\n" not in source:
        click.echo(f"  | {source}", err=True)
        click.echo(f"  | {' ' * (error.column - 1)}^", err=True)


@click.command("eval")
@click.argument("expression")
@click.option("--vars", "vars_json", metavar="JSON", help="Variables, e.g. '{\"n\": 5}'.")
@click.option("--nodes", "nodes_json", metavar="JSON", help="Node outputs by node id.")
@click.option("--input", "input_json", metavar="JSON", help="The workflow input ($input, input).")
@click.option("--config", "config_json", metavar="JSON", help="Effective config ($config).")
@click.option("--template", is_flag=True, help="Treat EXPRESSION as a template with {{ }}.")
def eval_(
    expression: str,
    vars_json: str | None,
    nodes_json: str | None,
    input_json: str | None,
    config_json: str | None,
    template: bool,
) -> int:
    """Evaluate EXPRESSION and print its value as JSON (undefined prints as null)."""
    from flowscript.expressions import MapScope, evaluate, render_template
    from flowscript.expressions.values import to_json

    variables = _object_option(vars_json, "--vars")
    workflow_input = parse_json_argument(input_json, "--input") if input_json else {}
    variables.setdefault("input", workflow_input)
    variables["$input"] = workflow_input
    variables["$config"] = _object_option(config_json, "--config")
    scope = MapScope(variables, _object_option(nodes_json, "--nodes"))
    try:
        value = render_template(expression, scope) if template else evaluate(expression, scope)
    except ExpressionError as error:
        _show_error(expression, error)
        return ExitCode.USAGE
    click.echo(to_json(value))
    return ExitCode.OK
