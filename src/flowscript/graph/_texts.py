"""The evaluable strings of a node, with the role each one is read with.

``NodeSpec.texts()`` reads every data-node config string as a template. Some config fields
are bare expressions evaluated by the runtime itself (map/filter/reduce, runtimes.md §3), some
are durations, and an AI ``output-schema`` is a schema, not a template; the field declarations
of :mod:`flowscript.runtimes.fields` say which. Retry ``delay``/``max-delay``/``timeout`` are
durations that may be templates, so they are added here too.
"""

from __future__ import annotations

from collections.abc import Iterator

from flowscript.model import DataNodeSpec, NodeSpec, Text, TextRole
from flowscript.runtimes.fields import field_decl

__all__ = ["EvaluableText", "node_texts", "top_field"]

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
    for field, text, role in node.texts():
        if isinstance(node, DataNodeSpec) and role == "template":
            role = _data_role(node, field, text)
        yield field, text, role
    yield from _retry_durations(node)


def _data_role(node: DataNodeSpec, field: str, text: Text) -> TextRole:
    if field != top_field(field):
        return "template"
    decl = field_decl(node.kind, field)
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
