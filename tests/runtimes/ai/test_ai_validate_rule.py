"""``flowscript validate`` reports an invalid schema DSL with its position."""

from __future__ import annotations

from flowscript.parser import parse
from flowscript.validate import validate

FLOW = """---
name: v
version: "1.0"
schemas:
  good: "{score: integer}"
  alias: good
  broken: "{score: integr}"
---
<workflow>
  <ai id="x" model="m" prompt="p" output-schema="{n: integer, n: string}"/>
  <ai id="y" model="m" prompt="p" output-schema="alias"/>
  <ai id="z" model="m" prompt="p" output-schema='{"type": "object"}'/>
  <ai id="w" model="m" prompt="p" output-schema="string[]"/>
</workflow>
"""


def test_invalid_dsl_strings_are_reported() -> None:
    result = validate(parse(FLOW, "v.flow.md"))
    found = [
        (d.code, d.message, d.span.line, d.span.column)
        for d in result.diagnostics
        if d.severity == "error"
    ]
    assert found == [
        (
            "VALID_INVALID_VALUE",
            "`schemas.broken` is not a valid schema: unknown type 'integr' (known types: string, "
            "number, integer, boolean, null) (schema line 1, column 9)",
            7,
            3,
        ),
        (
            "CONFIG_INVALID",
            "`output-schema` of `x` is not a valid schema: duplicate field 'n' "
            "(schema line 1, column 14)",
            10,
            50,
        ),
    ]
