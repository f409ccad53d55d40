"""``flowscript inspect FILE``: what a workflow declares and how it will run."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import click

from flowscript.cli.commands._common import FORMAT_OPTION, echo_json

if TYPE_CHECKING:
    from flowscript.model import FieldSpec, Workflow
    from flowscript.planning import ExecutionPlan

__all__ = ["inspect", "mermaid_graph"]


def _field(spec: FieldSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"type": spec.type, "required": spec.required}
    if spec.has_default:
        data["default"] = spec.default
    if spec.values:
        data["values"] = list(spec.values)
    if spec.description:
        data["description"] = spec.description
    return data


def _runtime_schema(workflow: Workflow) -> dict[str, list[dict[str, Any]]]:
    from flowscript.runtimes.fields import fields_for

    kinds = sorted({node.kind for node in workflow.walk()})
    schema: dict[str, list[dict[str, Any]]] = {}
    for kind in kinds:
        fields = fields_for(kind)
        if fields is None:
            continue
        schema[kind] = [
            {
                "name": f.name,
                "type": f.type,
                "required": f.required,
                "default": f.default,
                "description": f.description,
                **({"values": list(f.values)} if f.values else {}),
            }
            for f in fields
        ]
    return schema


def _report(workflow: Workflow, plan: ExecutionPlan, schema: bool) -> dict[str, Any]:
    description = plan.describe()
    nodes = []
    for node in workflow.walk():
        info = description["nodes"].get(node.id) or description["handlers"].get(node.id) or {}
        nodes.append(
            {
                "id": node.id,
                "kind": node.kind,
                "line": node.span.line,
                "inputs": [text.value for text in node.inputs],
                "dependencies": info.get("dependencies", []),
                "handler": node.id in description["handlers"],
                "parent": plan.graph.enclosing.get(node.id),
            }
        )
    report: dict[str, Any] = {
        "file": workflow.path,
        "name": workflow.name,
        "version": workflow.version,
        "description": workflow.description,
        "trigger": workflow.trigger,
        "config": {name: _field(spec) for name, spec in workflow.config.items()},
        "input": {name: _field(spec) for name, spec in workflow.input_schema.items()},
        "output": {name: _field(spec) for name, spec in workflow.output_schema.items()},
        "secrets": list(workflow.secrets),
        "nodes": nodes,
        "waves": description["waves"],
    }
    if schema:
        report["runtimeSchema"] = _runtime_schema(workflow)
    return report


def _mermaid_id(node_id: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", node_id)


def mermaid_graph(report: dict[str, Any]) -> str:
    """A Mermaid flowchart of the nodes and their dependency edges, nested bodies as subgraphs."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    for node in report["nodes"]:
        children.setdefault(node["parent"], []).append(node)
    lines = ["flowchart TD"]

    def emit(parent: str | None, indent: str) -> None:
        for node in children.get(parent, []):
            label = f"{node['id']}<br/><small>{node['kind']}</small>"
            if node["id"] in children:
                lines.append(f'{indent}subgraph {_mermaid_id(node["id"])}_body["{label}"]')
                lines.append(f"{indent}  direction TB")
                emit(node["id"], indent + "  ")
                lines.append(f"{indent}end")
            else:
                shape = ("{{", "}}") if node["handler"] else ('["', '"]')
                text = f'"{label}"' if node["handler"] else label
                lines.append(f"{indent}{_mermaid_id(node['id'])}{shape[0]}{text}{shape[1]}")

    emit(None, "  ")
    has_body = {node["id"] for node in report["nodes"] if node["id"] in children}

    def ref(node_id: str) -> str:
        return _mermaid_id(node_id) + ("_body" if node_id in has_body else "")

    for node in report["nodes"]:
        lines.extend(f"  {ref(dep)} --> {ref(node['id'])}" for dep in node["dependencies"])
    return "\n".join(lines)


def _fields_text(title: str, fields: dict[str, dict[str, Any]]) -> Iterable[str]:
    if not fields:
        return
    yield f"{title}:"
    for name, field in fields.items():
        extras = []
        if "default" in field:
            extras.append(f"default {field['default']!r}")
        if field.get("required"):
            extras.append("required")
        if "values" in field:
            extras.append("one of " + ", ".join(map(str, field["values"])))
        detail = f" ({'; '.join(extras)})" if extras else ""
        text = f" — {field['description']}" if field.get("description") else ""
        yield f"  {name}: {field['type']}{detail}{text}"


def _text(report: dict[str, Any], deps: bool) -> Iterable[str]:
    yield f"{report['name']} {report['version']}  ({report['file']})"
    if report["description"]:
        yield f"  {report['description']}"
    yield f"Trigger: {report['trigger']}"
    yield from _fields_text("Config", report["config"])
    yield from _fields_text("Input", report["input"])
    yield from _fields_text("Output", report["output"])
    if report["secrets"]:
        yield "Secrets: " + ", ".join(report["secrets"])
    yield f"Nodes ({len(report['nodes'])}):"
    for node in report["nodes"]:
        depth = 0
        parent = node["parent"]
        by_id = {n["id"]: n for n in report["nodes"]}
        while parent is not None:
            depth += 1
            parent = by_id[parent]["parent"]
        inputs = f" input={','.join(node['inputs'])}" if node["inputs"] else ""
        handler = " (handler)" if node["handler"] else ""
        line = f"  {'  ' * depth}{node['id']} [{node['kind']}]{inputs}{handler}"
        if deps and node["dependencies"]:
            line += "  ← " + ", ".join(node["dependencies"])
        yield line
    yield "Waves:"
    for index, wave in enumerate(report["waves"]):
        yield f"  {index}: {', '.join(wave)}"
    for kind, fields in report.get("runtimeSchema", {}).items():
        yield f"Runtime {kind}:"
        for field in fields:
            required = " (required)" if field["required"] else ""
            default = f" = {field['default']!r}" if field["default"] is not None else ""
            yield f"  {field['name']}: {field['type']}{default}{required} — {field['description']}"


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--deps", is_flag=True, help="Show each node's dependencies.")
@click.option("--schema", is_flag=True, help="Show the config fields of each runtime used.")
@click.option("--graph", is_flag=True, help="Print a Mermaid flowchart of nodes and edges.")
@FORMAT_OPTION
def inspect(file: str, deps: bool, schema: bool, graph: bool, output_format: str) -> int:
    """Show a workflow's declarations, nodes, dependencies and waves."""
    from flowscript.planning import build_execution_plan
    from flowscript.validate import load_workflow

    workflow = load_workflow(file)
    report = _report(workflow, build_execution_plan(workflow), schema)
    if graph:
        report["mermaid"] = mermaid_graph(report)
    if output_format == "json":
        echo_json(report)
    elif graph:
        click.echo(report["mermaid"])
    else:
        click.echo("\n".join(_text(report, deps)))
    return 0
