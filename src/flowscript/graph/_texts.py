"""The evaluable strings of a node, with the role each one is read with.

``NodeSpec.texts()`` reads every data-node config string as a template. Some config fields
are bare expressions evaluated by the runtime itself (map/filter/reduce, runtimes.md §3), some
are durations, and an AI ``output-schema`` is a schema, not a template; the field declarations
of :mod:`flowscript.runtimes.fields` say which. Retry ``delay``/``max-delay``/``timeout`` are
durations that may be templates, so they are added here too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from flowscript.model import DataNodeSpec, NodeSpec, Text, TextRole
from flowscript.runtimes.fields import FieldDecl, fields_by_name

__all__ = ["EvaluableText", "node_text_tuple", "node_texts", "top_field"]

EvaluableText = tuple[str, Text, TextRole]
"""``(field name, text, role)`` as yielded by :func:`node_texts`."""

_ROLE_BY_FIELD_TYPE: dict[str, TextRole] = {
    "expression": "expression",
    "duration": "duration",
    "schema": "literal",
}


def top_field(field: str) -> str:
    """The config key a text belongs to: ``headers.Authorization`` → ``headers``."""
    return field.split(".", 1)[0].split("[", 1)[0]


def node_texts(node: NodeSpec) -> Iterator[EvaluableText]:
    """Every evaluable string of ``node`` itself (not of its nested nodes), role refined.

    A config field declared ``expression`` is read as a bare expression unless its value
    holds ``{{`` (then it is a template); ``duration`` fields are durations; ``schema``
    fields are literals.
    """
    return iter(node_text_tuple(node))


def node_text_tuple(node: NodeSpec) -> tuple[EvaluableText, ...]:
    """:func:`node_texts` as a tuple (the analysis computes it once per node)."""
    if isinstance(node, DataNodeSpec):
        declared = fields_by_name(node.kind)  # one lookup per node, not per field
        found = [
            (field, text, _data_role(declared, field, text) if role == "template" else role)
            for field, text, role in node.texts()
        ]
    else:
        found = list(node.texts())
    if node.on_error is not None and node.on_error.retry is not None:
        found.extend(_retry_durations(node))
    return tuple(found)


def _data_role(declared: Mapping[str, FieldDecl] | None, field: str, text: Text) -> TextRole:
    if declared is None or "." in field or "[" in field:  # not a top-level config key
        return "template"
    decl = declared.get(field)
    if decl is None:
        return "template"
    role = _ROLE_BY_FIELD_TYPE.get(decl.type, "template")
    if role == "expression" and "{{" in text.value:
        return "template"
    return role


def _retry_durations(node: NodeSpec) -> Iterator[EvaluableText]:
    retry = node.on_error.retry if node.on_error is not None else None
    if retry is None:
        return
    for name, text in (
        ("retry.delay", retry.delay),
        ("retry.max-delay", retry.max_delay),
        ("retry.timeout", retry.timeout),
    ):
        if text is not None:
            yield name, text, "duration"
