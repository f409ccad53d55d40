"""References from a node's ``input=`` and expressions to node ids and set variables.

References are found from parsed expression trees (``free_names``), never by text matching.
A text that does not parse contributes no reference (the validator reports the syntax error).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from flowscript.errors import ExpressionError
from flowscript.expressions.analysis import NameUse
from flowscript.graph._texts import EvaluableText
from flowscript.model import ContextSpec, ForeachSpec, NodeSpec, SetSpec, SourceSpan, Text, Workflow
from flowscript.model._build import slot_builder

__all__ = [
    "NameRef",
    "Part",
    "Reference",
    "TextParser",
    "collect_names",
    "defined_names",
    "defined_of",
    "names_in",
    "setters_of",
    "text_names",
    "variable_setters",
]

ReferenceVia = Literal["input", "expression", "variable"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    """One reference from a node to another node.

    Attributes:
        target: the referenced node id (for ``variable``: the node that sets the variable).
        source: id of the node whose ``input=`` or text holds the reference.
        field: ``input`` or the text's field name (``condition``, ``url``, ``retry.delay`` …).
        via: ``input`` (``input=``), ``expression`` (a name in an expression or template),
            or ``variable`` (a ``<context>``/``<set>`` variable read by name or ``$context.k``).
        name: the name as written.
        text: the ``input=`` value or the text holding the reference.
        offset: 0-based offset of the name inside ``text.value``.
    """

    target: str
    source: str
    field: str
    via: ReferenceVia
    name: str
    text: Text
    offset: int = 0

    @property
    def span(self) -> SourceSpan:
        """Where the text holding the reference starts."""
        return self.text.span


# Positional builder (see flowscript.model._build): one Reference per name a node reads.
_make_reference = slot_builder(
    Reference, "target", "source", "field", "via", "name", "text", "offset"
)

NameRef = NameUse
"""A free name read by a text: ``name``, first ``member`` and ``offset`` in the text value,
``ambiguous`` (see :class:`~flowscript.expressions.analysis.NameUse`, which it is)."""


def variable_setters(workflow: Workflow) -> dict[str, tuple[str, ...]]:
    """Variable name → ids of the ``<context>``/``<set>`` nodes that set it, document order."""
    return setters_of(workflow.walk())


def setters_of(nodes: Iterable[NodeSpec]) -> dict[str, tuple[str, ...]]:
    """:func:`variable_setters` over already walked nodes."""
    setters: dict[str, list[str]] = {}
    for node in nodes:
        for name in _set_names(node):
            ids = setters.setdefault(name, [])
            if node.id not in ids:
                ids.append(node.id)
    return {name: tuple(ids) for name, ids in setters.items()}


def _set_names(node: NodeSpec) -> tuple[str, ...]:
    if isinstance(node, ContextSpec):
        return tuple(entry.key for entry in node.entries)
    if isinstance(node, SetSpec):
        return (node.var,)
    return ()


def defined_names(workflow: Workflow, node_ids: Sequence[str]) -> frozenset[str]:
    """Names an expression may read as one hyphenated name: ids, variables, foreach names."""
    nodes = tuple(workflow.walk())
    return defined_of(nodes, node_ids, setters_of(nodes))


def defined_of(
    nodes: Iterable[NodeSpec], node_ids: Iterable[str], setters: Iterable[str]
) -> frozenset[str]:
    """:func:`defined_names` over already walked nodes and their variable setters."""
    names = set(node_ids)
    names.update(setters)
    for node in nodes:
        if isinstance(node, ForeachSpec):
            names.update((node.item, node.index))
    return frozenset(names)


Part = tuple[Any, int]
"""A parsed expression and the offset of its source inside the text value."""


class TextParser:
    """Parses each distinct text once per analysis (the validator reuses the results).

    Attributes:
        defined: the names a hyphenated name is resolved against in :meth:`names`.
    """

    def __init__(self, defined: Container[str] = frozenset()) -> None:
        # Imported once here, not per text: importing the graph does not load the parser.
        from flowscript.expressions._template_syntax import parse_template
        from flowscript.expressions.analysis import names_of_parts
        from flowscript.expressions.parser import parse_expression

        self.defined = defined
        self._names_of_parts = names_of_parts
        self._parse_expression = parse_expression
        self._parse_template = parse_template
        self._parts: dict[tuple[str, str], tuple[Part, ...] | ExpressionError] = {}
        self._names: dict[tuple[str, str], tuple[NameRef, ...]] = {}

    def parts(self, value: str, role: str) -> tuple[Part, ...]:
        """The expressions of a text: one for ``expression``, one per ``{{ }}`` of a template.

        Literals and durations that are not templates have none.

        Raises:
            ExpressionError: the text does not parse (the same error every time).
        """
        key = (role, value)
        found = self._parts.get(key)
        if found is None:
            try:
                found = self._parse(value, role)
            except ExpressionError as exc:
                found = exc
            self._parts[key] = found
        if isinstance(found, ExpressionError):
            raise found
        return found

    def _parse(self, value: str, role: str) -> tuple[Part, ...]:
        if role == "expression":
            return ((self._parse_expression(value), 0),)
        if role == "template" or (role == "duration" and "{{" in value):
            template = self._parse_template(value)
            return tuple((part.expr, part.offset) for part in template.interpolations)
        return ()

    def names(self, value: str, role: str) -> tuple[NameRef, ...]:
        """Free names of a text, hyphens resolved against :attr:`defined` (cached).

        Raises:
            ExpressionError: the text does not parse.
        """
        key = (role, value)
        found = self._names.get(key)
        if found is None:
            found = tuple(self._names_of_parts(self.parts(value, role), self.defined))
            self._names[key] = found
        return found


def names_in(parts: tuple[Part, ...], defined: Container[str]) -> tuple[NameRef, ...]:
    """Free names of parsed parts, offsets relative to the text value."""
    from flowscript.expressions.analysis import names_of_parts

    return tuple(names_of_parts(parts, defined))


def text_names(text: Text, role: str, parser: TextParser) -> tuple[NameRef, ...]:
    """Free names read by one text (none for literals and texts that do not parse)."""
    try:
        return parser.names(text.value, role)
    except ExpressionError:
        return ()


def collect_names(
    node: NodeSpec,
    texts: Iterable[EvaluableText],
    node_ids: Container[str],
    setters: Mapping[str, tuple[str, ...]],
    parser: TextParser,
) -> Iterator[Reference]:
    """The references of ``node`` itself: its ``input=`` ids and the names of ``texts``.

    ``texts`` are the node's own evaluable texts (:func:`node_texts`), computed once by the
    caller.
    """
    for text in node.inputs:
        if text.value in node_ids:
            yield _make_reference(text.value, node.id, "input", "input", text.value, text, 0)
    for field, text, role in texts:
        if role == "literal":
            continue  # read as written: no names
        for use in text_names(text, role, parser):
            if use.name in node_ids:
                yield _make_reference(
                    use.name, node.id, field, "expression", use.name, text, use.offset
                )
            elif setters and _variable_of(use) in setters:  # most names set no variable
                yield from _variable_references(node.id, field, text, use, setters)


def _variable_of(use: NameRef) -> str:
    """The variable a name use reads (``k`` for ``$context.k``), or ``""``."""
    return (use.member if use.name == "$context" else use.name) or ""


def _variable_references(
    source: str,
    field: str,
    text: Text,
    use: NameRef,
    setters: Mapping[str, tuple[str, ...]],
) -> Iterator[Reference]:
    variable = use.member if use.name == "$context" else use.name
    for setter in setters.get(variable or "", ()):
        yield Reference(
            target=setter,
            source=source,
            field=field,
            via="variable",
            name=variable or "",
            text=text,
            offset=use.offset,
        )
