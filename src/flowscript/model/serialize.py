"""Model → plain JSON-compatible data (``flowscript parse``, tooling)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from flowscript.model.diagnostics import Diagnostic, SourceSpan
from flowscript.model.nodes import Attribute, NodeSpec, Text
from flowscript.model.workflow import Workflow

__all__ = ["diagnostic_to_dict", "node_to_dict", "to_data", "workflow_to_dict"]

# Fields that are bulky or derivable and would only add noise to ``parse`` output.
_SKIPPED_FIELDS = frozenset({"source", "attributes", "frontmatter", "key_spans", "footer_offset"})


def _span(span: SourceSpan) -> dict[str, int]:
    return {"line": span.line, "column": span.column}


def to_data(value: Any) -> Any:
    """Convert model objects (dataclasses, spans, texts, tuples) into JSON-compatible data."""
    if isinstance(value, Text):
        return {"value": value.value, **_span(value.span)}
    if isinstance(value, SourceSpan):
        return _span(value)
    if isinstance(value, Attribute):
        return {"value": value.value, **_span(value.value_span)}
    if isinstance(value, NodeSpec):
        return node_to_dict(value)
    if isinstance(value, Diagnostic):
        return diagnostic_to_dict(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            _json_key(f.name): to_data(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in _SKIPPED_FIELDS
        }
    if isinstance(value, Mapping):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_data(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _json_key(name: str) -> str:
    """``else_`` → ``else``, ``on_error`` → ``onError`` (the JSON side uses camelCase)."""
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part.capitalize() for part in rest)


def node_to_dict(node: NodeSpec) -> dict[str, Any]:
    """A node as ``{"id", "tag", "kind", "line", "column", …fields}``."""
    data: dict[str, Any] = {"id": node.id, "tag": node.tag, "kind": node.kind, **_span(node.span)}
    for f in dataclasses.fields(node):
        if f.name in ("id", "tag", "span") or f.name in _SKIPPED_FIELDS:
            continue
        value = getattr(node, f.name)
        if value is None or value == () or value == {}:
            continue
        data[_json_key(f.name)] = to_data(value)
    return data


def diagnostic_to_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    """The JSON form used by ``validate --format json`` (cli.md)."""
    span = diagnostic.span
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "file": span.path if span else None,
        "line": span.line if span else None,
        "column": span.column if span else None,
        "hints": list(diagnostic.hints),
        "node": diagnostic.node,
    }


def workflow_to_dict(workflow: Workflow) -> dict[str, Any]:
    """The whole parsed workflow as JSON-compatible data."""
    data = to_data(workflow)
    assert isinstance(data, dict)
    return data
