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


def fan_out_workflow(width: int) -> str:
    """One seed node, ``width`` template nodes reading it, and one node gathering them all."""
    lines = [
        "---",
        f"name: fan-out-{width}",
        'version: "1.0"',
        "runtime:",
        "  concurrency: 50",
        "---",
        "<workflow>",
        '  <transform id="seed" type="template" template="{{ 1 }}"/>',
    ]
    lines.extend(
        f'  <transform id="n{i}" type="template" template="{{{{ seed + {i} }}}}"/>'
        for i in range(width)
    )
    inputs = ", ".join(f"n{i}" for i in range(width))
    lines.append(
        f'  <transform id="gather" type="template" input="{inputs}" '
        'template="{{ length(keys(input)) }}"/>'
    )
    lines.append("</workflow>")
    return "\n".join(lines) + "\n"


def chain_workflow(depth: int) -> str:
    """A chain of ``depth`` template nodes, each reading the previous one."""
    lines = ["---", f"name: chain-{depth}", 'version: "1.0"', "---", "<workflow>"]
    lines.append('  <transform id="c0" type="template" template="{{ 0 }}"/>')
    lines.extend(
        f'  <transform id="c{i}" type="template" input="c{i - 1}" template="{{{{ input + 1 }}}}"/>'
        for i in range(1, depth)
    )
    lines.append("</workflow>")
    return "\n".join(lines) + "\n"


def uneven_chains_workflow(chains: int, long_delay: str, short_delay: str) -> str:
    """Chains of two delays each: chain k starts with a long delay only when k is even.

    With wave barriers, every second step waits for the slowest node of the wave; eager
    scheduling lets each chain run at its own pace.
    """
    lines = ["---", "name: uneven", 'version: "1.0"', "runtime:", "  concurrency: 100", "---"]
    lines.append("<workflow>")
    for k in range(chains):
        first, second = (long_delay, short_delay) if k % 2 == 0 else (short_delay, long_delay)
        lines.append(f'  <delay id="a{k}" duration="{first}"/>')
        lines.append(f'  <delay id="b{k}" input="a{k}" duration="{second}"/>')
    lines.append("</workflow>")
    return "\n".join(lines) + "\n"


def http_fan_out_workflow(requests: int, base_url: str) -> str:
    """``requests`` HTTP GETs to ``base_url`` with concurrency 50."""
    lines = [
        "---",
        "name: http-fan-out",
        'version: "1.0"',
        "runtime:",
        "  concurrency: 50",
        "---",
        "<workflow>",
    ]
    lines.extend(
        f'  <source id="get{i}" type="http" url="{base_url}/item/{i}"/>' for i in range(requests)
    )
    lines.append("</workflow>")
    return "\n".join(lines) + "\n"
