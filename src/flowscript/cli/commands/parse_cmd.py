"""``flowscript parse FILE``: the parsed model as JSON, for tooling."""

from __future__ import annotations

import click

from flowscript.cli.commands._common import echo_json

__all__ = ["parse"]


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
def parse(file: str) -> int:
    """Print the parsed model of FILE as JSON."""
    from flowscript.model.serialize import workflow_to_dict
    from flowscript.parser import parse_file

    echo_json(workflow_to_dict(parse_file(file)))
    return 0
