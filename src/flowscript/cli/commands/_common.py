"""Helpers shared by the sub-commands: JSON arguments, output, settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from flowscript.cli.app import CliSettings

__all__ = ["FORMAT_OPTION", "echo_json", "parse_json_argument", "settings"]

FORMAT_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text for people, JSON for programs.",
)


def settings() -> CliSettings:
    """The global flags of the current invocation."""
    obj = click.get_current_context().find_root().obj
    return obj if isinstance(obj, CliSettings) else CliSettings(False, False, False)


def parse_json_argument(text: str, option: str) -> Any:
    """Parse a JSON option value, or read it from a file when written ``@path``."""
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise click.BadParameter(
                f"cannot read {path}: {exc.strerror}", param_hint=option
            ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(
            f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
            param_hint=option,
        ) from None


def echo_json(data: Any) -> None:
    """Print one JSON document on stdout (JavaScript number formatting)."""
    from flowscript.expressions.values import to_json

    click.echo(to_json(data, 2))
