"""``flowscript functions``: the built-in function library."""

from __future__ import annotations

import click

from flowscript.cli.commands._common import FORMAT_OPTION, echo_json

__all__ = ["functions"]


@click.command()
@FORMAT_OPTION
@click.option("--category", help="Only this category (String, Array, Math, Time, …).")
def functions(output_format: str, category: str | None) -> int:
    """List the built-in functions by category with signatures and descriptions."""
    from flowscript.expressions.builtins import CATEGORIES, FUNCTIONS

    wanted = [c for c in CATEGORIES if category is None or c.lower() == category.lower()]
    if not wanted:
        raise click.BadParameter(
            f"unknown category {category!r}; choose from {', '.join(CATEGORIES)}",
            param_hint="--category",
        )
    groups = {
        c: sorted((f for f in FUNCTIONS.values() if f.category == c), key=lambda f: f.name)
        for c in wanted
    }
    if output_format == "json":
        echo_json(
            [
                {"name": f.name, "category": c, "signature": f.signature, "description": f.doc}
                for c, items in groups.items()
                for f in items
            ]
        )
        return 0
    for index, (name, items) in enumerate(groups.items()):
        if index:
            click.echo()
        click.echo(f"{name}:")
        width = max((len(f.signature) for f in items), default=0)
        for f in items:
            click.echo(f"  {f.signature.ljust(width)}  {f.doc}")
    return 0
