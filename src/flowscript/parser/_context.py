"""Shared state and helpers for turning body elements into node specs."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from flowscript.model._build import make_attribute, make_text
from flowscript.model.diagnostics import Diagnostic, Severity, SourceSpan
from flowscript.model.nodes import Attribute, OnErrorSpec, Scope, Text
from flowscript.parser._blocks import clean_block
from flowscript.parser._layout import Layout
from flowscript.parser._xml import XmlAttribute, XmlElement, XmlText
from flowscript.parser._yaml import YamlProblem

__all__ = [
    "BuildContext",
    "Children",
    "did_you_mean",
    "node_fields",
    "node_identity",
    "partition",
    "split_inputs",
]

Children = list[XmlElement | XmlText]

# Codes the parser may put in parse_diagnostics and their severity (brief §4: only the
# unknown-attribute diagnostics are warnings).
_SEVERITY = {"VALID_UNKNOWN_FIELD": Severity.WARNING}


def did_you_mean(name: str, candidates: Iterable[str], *, wrap: str = "`{}`") -> tuple[str, ...]:
    """A ``did you mean …?`` hint when ``name`` is close to one of ``candidates``."""
    close = difflib.get_close_matches(name, sorted(candidates), n=1)
    return (f"did you mean {wrap.format(close[0])}?",) if close else ()


def partition(
    element: XmlElement, tags: Collection[str]
) -> tuple[dict[str, list[XmlElement]], Children]:
    """Split children into the elements named in ``tags`` (by tag) and everything else."""
    special: dict[str, list[XmlElement]] = {tag: [] for tag in tags}
    rest: Children = []
    for child in element.children:
        if isinstance(child, XmlElement) and child.tag in special:
            special[child.tag].append(child)
        else:
            rest.append(child)
    return special, rest


def split_inputs(value: str) -> list[tuple[str, int]]:
    """``input="a, b.output"`` → ``[("a", 0), ("b", 3)]`` (id, offset in the value)."""
    items: list[tuple[str, int]] = []
    start = 0
    for raw in value.split(","):
        name = raw.strip()
        if name:
            offset = start + len(raw) - len(raw.lstrip())
            items.append((name.removesuffix(".output"), offset))
        start += len(raw) + 1
    return items


class BuildContext:
    """What the body builders share: positions, collected diagnostics, the scope builder.

    Attributes:
        layout: the file layout (positions).
        diagnostics: non-fatal problems, in the order found.
        build_scope: turns a list of children into a scope (set by :mod:`body`).
        build_on_error: turns ``<on-error>`` elements into an :class:`OnErrorSpec`.
    """

    __slots__ = ("build_on_error", "build_scope", "diagnostics", "layout")

    def __init__(
        self,
        layout: Layout,
        build_scope: Callable[[BuildContext, Children, str], Scope],
        build_on_error: Callable[[BuildContext, Sequence[XmlElement], str], OnErrorSpec | None],
    ) -> None:
        self.layout = layout
        self.build_scope = build_scope
        self.build_on_error = build_on_error
        self.diagnostics: list[Diagnostic] = []

    @property
    def path(self) -> str:
        """The file path for spans."""
        return self.layout.path

    def span(self, offset: int) -> SourceSpan:
        """Span of an offset into the normalised text."""
        return self.layout.span(offset)

    def report(
        self,
        code: str,
        message: str,
        offset: int,
        *,
        hints: Iterable[str] = (),
        node: str | None = None,
    ) -> None:
        """Record a non-fatal diagnostic (severity from the code) at an offset."""
        self.report_at(code, message, self.span(offset), hints=hints, node=node)

    def report_at(
        self,
        code: str,
        message: str,
        span: SourceSpan,
        *,
        hints: Iterable[str] = (),
        node: str | None = None,
    ) -> None:
        """Record a non-fatal diagnostic (severity from the code) at a span."""
        self.diagnostics.append(
            Diagnostic(
                code=code,
                message=message,
                severity=_SEVERITY.get(code, Severity.ERROR),
                span=span,
                hints=tuple(hints),
                node=node,
            )
        )

    def report_yaml(self, problem: YamlProblem, origin: int, margin: int, node: str) -> None:
        """Report YAML that could not be read inside a block (``PARSE_YAML_INVALID``)."""
        self.report_at(
            "PARSE_YAML_INVALID",
            problem.message,
            self.block_span(origin, margin, problem.line, problem.column),
            hints=(problem.hint or "fix the YAML of this block",),
            node=node,
        )

    def text(self, attribute: XmlAttribute) -> Text:
        """An attribute value as a :class:`Text` pointing inside the quotes."""
        return make_text(attribute.value, self.layout.span(attribute.value_offset))

    def optional(self, element: XmlElement, *names: str) -> Text | None:
        """The first of ``names`` present on ``element``, as a :class:`Text`."""
        for name in names:
            attribute = element.attributes.get(name)
            if attribute is not None:
                return self.text(attribute)
        return None

    def required(self, element: XmlElement, name: str, node: str | None, *aliases: str) -> Text:
        """Like :meth:`optional`; a missing attribute is reported and read as ``""``.

        Giving an attribute and its alias together is reported too (the first name wins).
        """
        present = [element.attributes[n] for n in (name, *aliases) if n in element.attributes]
        for extra in present[1:]:
            self.report(
                "VALID_DUPLICATE_FIELD",
                f"`{extra.name}` is an alias of `{present[0].name}`; give only one of them",
                extra.offset,
                hints=(f"remove `{extra.name}`",),
                node=node,
            )
        if present:
            return self.text(present[0])
        self.report(
            "VALID_MISSING_REQUIRED_FIELD",
            f"<{element.tag}> needs a `{name}` attribute",
            element.offset,
            hints=(f'add {name}="…" to <{element.tag}>',),
            node=node,
        )
        return Text("", self.span(element.offset))

    def attributes(self, element: XmlElement) -> dict[str, Attribute]:
        """Every attribute of ``element`` as model :class:`Attribute`s."""
        items = element.attributes
        if not items:
            return {}
        # This runs for every node: the spans of all attributes are found in one call.
        spans = iter(
            self.layout.spans(
                [offset for item in items.values() for offset in (item.offset, item.value_offset)]
            )
        )
        return {
            name: make_attribute(name, item.value, next(spans), next(spans))
            for name, item in items.items()
        }

    def check_attributes(
        self, element: XmlElement, allowed: Collection[str], node: str | None
    ) -> None:
        """Warn (``VALID_UNKNOWN_FIELD``) about attributes not in ``allowed``."""
        for name, attribute in element.attributes.items():
            if name in allowed:
                continue
            self.report(
                "VALID_UNKNOWN_FIELD",
                f"<{element.tag}> has no attribute `{name}`",
                attribute.offset,
                hints=(
                    *did_you_mean(name, allowed),
                    f"<{element.tag}> accepts: {', '.join(sorted(allowed)) or 'no attributes'}",
                ),
                node=node,
            )

    def unexpected_text(self, children: Iterable[Any], where: str, node: str | None) -> None:
        """Report each non-blank text run among ``children`` (``VALID_UNEXPECTED_TEXT``)."""
        for child in children:
            if not isinstance(child, XmlText):
                continue
            offset = child.first_visible_offset()
            if offset is None:
                continue
            self.report(
                "VALID_UNEXPECTED_TEXT",
                f"unexpected text inside {where}",
                offset,
                hints=("only elements may appear here; wrap text in the element it belongs to",),
                node=node,
            )

    def misplaced(self, element: XmlElement, where: str, node: str | None) -> None:
        """Report an element that is not allowed at this place."""
        self.report(
            "VALID_UNKNOWN_NODE_TYPE",
            f"<{element.tag}> is not allowed inside {where}",
            element.offset,
            node=node,
        )

    def first(self, elements: Sequence[XmlElement], node: str | None) -> XmlElement | None:
        """The first of ``elements``; later ones are reported (``VALID_DUPLICATE_FIELD``)."""
        for extra in elements[1:]:
            self.report(
                "VALID_DUPLICATE_FIELD",
                f"<{extra.tag}> is given more than once",
                extra.offset,
                hints=("keep one; the first one is used",),
                node=node,
            )
        return elements[0] if elements else None

    @staticmethod
    def first_visible(element: XmlElement) -> int:
        """Offset of the first non-blank character of the element's text (else its content)."""
        for text in element.texts:
            offset = text.first_visible_offset()
            if offset is not None:
                return offset
        return element.content_start

    def element_text(self, element: XmlElement) -> Text:
        """The trimmed, dedented text of ``element``, pointing at its first visible character."""
        value = clean_block("".join(text.value for text in element.texts)).text
        return Text(value, self.span(self.first_visible(element)))

    def block_span(self, origin: int, margin: int, line: int, column: int) -> SourceSpan:
        """Position of ``(line, column)`` (0-based) inside a cleaned block.

        ``origin`` is the offset of the block's first visible character; later lines had
        ``margin`` characters of indentation removed.
        """
        start = self.span(origin)
        if line == 0:
            return start.at_column_offset(column)
        return SourceSpan(self.path, start.line + line, margin + column + 1)

    def inputs(self, element: XmlElement) -> tuple[Text, ...]:
        """The node ids of the ``input`` attribute, each with its own column."""
        attribute = element.attributes.get("input")
        if attribute is None:
            return ()
        base = self.layout.span(attribute.value_offset)
        return tuple(
            make_text(name, base.at_column_offset(offset) if offset else base)
            for name, offset in split_inputs(attribute.value)
        )


def node_fields(
    ctx: BuildContext, element: XmlElement, node_id: str, explicit: bool, on_error: Any
) -> dict[str, Any]:
    """The keyword arguments every :class:`NodeSpec` takes."""
    timeout = element.attributes.get("timeout")
    return {
        "id": node_id,
        "tag": element.tag,
        "span": ctx.layout.span(element.offset),
        "explicit_id": explicit,
        "inputs": ctx.inputs(element),
        "timeout": ctx.text(timeout) if timeout is not None else None,
        "on_error": on_error,
        "attributes": ctx.attributes(element),
    }


def node_identity(
    ctx: BuildContext, element: XmlElement, *names: str, optional: bool = False
) -> tuple[str, bool]:
    """The node id from the first of ``names`` (default ``id``), or a generated one.

    A missing id is reported (``VALID_MISSING_REQUIRED_FIELD``) unless ``optional``; either
    way the node gets ``<tag>-<line>`` so parsing continues (format.md §3.2).
    """
    for name in names or ("id",):
        attribute = element.attributes.get(name)
        if attribute is not None:
            return attribute.value, True
    line, _ = ctx.layout.position(element.offset)
    generated = f"{element.tag}-{line}"
    if not optional:
        wanted = " or ".join(f"`{name}`" for name in names or ("id",))
        ctx.report(
            "VALID_MISSING_REQUIRED_FIELD",
            f"<{element.tag}> needs an id ({wanted} attribute)",
            element.offset,
            hints=(f'add id="…" to <{element.tag}>; it is called `{generated}` meanwhile',),
            node=generated,
        )
    return generated, False
