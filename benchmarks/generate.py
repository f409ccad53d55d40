"""Generators of large workflow files for the benchmarks."""

from __future__ import annotations

__all__ = ["wide_workflow"]


def wide_workflow(nodes: int) -> str:
    """A valid workflow of about ``nodes`` nodes: chains of templates, maps and filters.

    Every fifth node reads the previous one's output through a template expression, so the
    validator and the dependency analysis have real references to resolve.
    """
    lines = [
        "---",
        "name: generated",
        'version: "1.0"',
        "config:",
        "  factor: 2",
        "---",
        "",
        "<workflow>",
        '  <source id="seed" type="file" path="data.json"/>',
    ]
    for i in range(1, nodes):
        prev = "seed" if i == 1 else f"node-{i - 1}"
        kind = i % 5
        if kind == 0:
            lines.append(
                f'  <transform id="node-{i}" type="map" input="{prev}" '
                f'expression="item * $config.factor + {i}"/>'
            )
        elif kind == 1:
            lines.append(
                f'  <transform id="node-{i}" type="filter" input="{prev}" condition="item > {i}"/>'
            )
        elif kind == 2:
            lines.append(
                f'  <transform id="node-{i}" type="template">'
                f"<template>{{{{ length({prev}) + {i} }}}} items</template></transform>"
            )
        elif kind == 3:
            lines.append(
                f'  <if id="node-{i}" condition="length({prev}) > 3 &amp;&amp; {i} &lt; 10">'
                f'<then><set var="v{i}" value="{{{{ {prev} }}}}"/></then></if>'
            )
        else:
            lines.append(
                f'  <transform id="node-{i}" type="reduce" input="seed" '
                f'expression="$acc + item" initial="0"/>'
            )
    lines.append("</workflow>")
    return "\n".join(lines) + "\n"
