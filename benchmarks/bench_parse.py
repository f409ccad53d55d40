"""Parse + validate of generated workflows (1,000 to 10,000 nodes) vs a floor.

The floor is the least work any parser of the format must do: ``yaml.safe_load`` of the
frontmatter plus an expat parse of the XML body, measured on the same text in the same run.

Each size is timed best of three in one process, so the expression caches filled by the first
run serve the next ones (a long-lived process validating a file again). The "first parse" row
empties those caches before each run: it is what ``flowscript validate`` pays for a new file.
"""

from __future__ import annotations

import xml.parsers.expat

import yaml
from _common import Row, best_of
from generate import wide_workflow

from flowscript.expressions._template_syntax import parse_template
from flowscript.expressions.parser import parse_expression
from flowscript.parser import parse
from flowscript.validate import validate


def _floor(text: str) -> None:
    _, front, body = text.split("---", 2)
    yaml.safe_load(front)
    parser = xml.parsers.expat.ParserCreate()
    parser.Parse(body, True)


def _parse_and_validate(text: str) -> None:
    result = validate(parse(text, "generated.flow.md"))
    if not result.valid:
        raise SystemExit(f"generated workflow is invalid: {result.errors[:3]}")


def _first_parse_and_validate(text: str) -> None:
    parse_expression.cache_clear()
    parse_template.cache_clear()
    _parse_and_validate(text)


def run() -> list[Row]:
    """Seconds for 10,000 nodes, and µs/node at each size to show linear growth."""
    rows = []
    for size in (1_000, 5_000, 10_000):
        text = wide_workflow(size)
        engine = best_of(lambda text=text: _parse_and_validate(text), repeat=3)
        floor = best_of(lambda text=text: _floor(text), repeat=3)
        if size == 10_000:
            rows.append(
                Row(
                    "parse + validate, 10,000 nodes",
                    engine,
                    "s",
                    floor,
                    "yaml + expat parse",
                    "< 1 s",
                )
            )
            first = best_of(lambda text=text: _first_parse_and_validate(text), repeat=3)
            rows.append(
                Row(
                    "parse + validate, 10,000 nodes, first parse of every expression",
                    first,
                    "s",
                    floor,
                    "yaml + expat parse",
                    "< 1 s",
                )
            )
        rows.append(
            Row(
                f"parse + validate per node at {size:,} nodes",
                engine / size * 1e6,
                "µs",
                floor / size * 1e6,
                "yaml + expat parse",
                "flat (linear)",
            )
        )
    return rows
