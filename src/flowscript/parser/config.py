"""Data nodes (``<source>``, ``<transform>``, ``<sink>``, ``<ai>``) and their config.

format.md §3.3: every attribute other than ``id``/``type``/``input``/``timeout`` is a config
entry; every child element is a config entry keyed by its tag (text read by
:mod:`flowscript.parser._blocks`); ``<request>`` is merged into the config (attributes, child
elements and ``key: value`` lines alike, origin ``request``); ``<on-error>``/``<retry>`` are
failure handling. Keys are canonical kebab-case; the same canonical key twice is
``VALID_DUPLICATE_FIELD`` (the first wins).
"""

from __future__ import annotations

from typing import Literal

from flowscript.model._build import make_config_entry
from flowscript.model.nodes import ConfigEntry, DataNodeSpec, OnErrorSpec
from flowscript.parser._blocks import MAP_FIELDS, block_value, clean_block
from flowscript.parser._context import BuildContext, node_fields, node_identity, partition
from flowscript.parser._failure import canonical_key, data_on_error
from flowscript.parser._xml import XmlAttribute, XmlElement

__all__ = ["DATA_TAGS", "RESERVED_ATTRIBUTES", "build_data_node", "canonical_key"]

Role = Literal["source", "transform", "sink"]
Origin = Literal["attribute", "element", "request"]

DATA_TAGS: dict[str, tuple[Role, str]] = {
    "source": ("source", "http"),
    "transform": ("transform", "template"),
    "sink": ("sink", ""),  # no default: the validator reports a missing type
    "ai": ("transform", "ai"),
}
"""Data node tag → (role, default type)."""

RESERVED_ATTRIBUTES = frozenset({"id", "type", "input", "timeout"})
"""Attributes of a data node that are not config entries."""


class _Config:
    """Config entries by canonical key; a second entry for a key is reported."""

    def __init__(self, ctx: BuildContext, node: str) -> None:
        self.ctx = ctx
        self.node = node
        self.entries: dict[str, ConfigEntry] = {}

    def add(self, entry: ConfigEntry) -> None:
        first = self.entries.get(entry.key)
        if first is None:
            self.entries[entry.key] = entry
            return
        self.ctx.report_at(
            "VALID_DUPLICATE_FIELD",
            f"config field `{entry.key}` is given twice (first at line {first.span.line})",
            entry.span,
            hints=("keep one of them; the first one is used",),
            node=self.node,
        )

    def attribute(self, attribute: XmlAttribute, origin: Origin) -> None:
        span = self.ctx.layout.span
        self.add(
            make_config_entry(
                canonical_key(attribute.name),
                attribute.name,
                attribute.value,
                span(attribute.offset),
                span(attribute.value_offset),
                origin,
            )
        )

    def element(self, element: XmlElement, origin: Origin) -> None:
        ctx = self.ctx
        key = canonical_key(element.tag)
        ctx.check_attributes(element, (), self.node)
        origin_offset = ctx.first_visible(element)
        if element.elements:
            # Markup inside a config element (an HTML template, say) is kept as written.
            raw = ctx.layout.text[element.content_start : element.content_end]
            value: object = clean_block(raw).text
            origin_offset = element.content_start + len(raw) - len(raw.lstrip())
        else:
            block = clean_block("".join(text.value for text in element.texts))
            parsed = block_value(key, block.text)
            if parsed.problem is not None and key in MAP_FIELDS:
                ctx.report_yaml(parsed.problem, origin_offset, block.margin, self.node)
            value = parsed.value
        self.add(
            ConfigEntry(
                key=key,
                written_key=element.tag,
                value=value,
                span=ctx.span(element.offset),
                value_span=ctx.span(origin_offset),
                origin=origin,
            )
        )

    def request(self, element: XmlElement) -> None:
        """Merge a ``<request>`` child (format.md §3.3 rule 3)."""
        for attribute in element.attributes.values():
            self.attribute(attribute, "request")
        for child in element.elements:
            self.element(child, "request")
        text = "".join(piece.value for piece in element.texts)
        if text.strip():
            self.request_lines(element, text)

    def request_lines(self, element: XmlElement, text: str) -> None:
        ctx = self.ctx
        origin = ctx.first_visible(element)
        block = clean_block(text)
        parsed = block_value("request", block.text)
        if parsed.problem is not None:
            ctx.report_yaml(parsed.problem, origin, block.margin, self.node)
            return
        if not isinstance(parsed.value, dict):
            ctx.unexpected_text(element.texts, "<request> (expected `key: value` lines)", self.node)
            return
        for name, key_node, value_node in parsed.keys:
            key_mark, value_mark = key_node.start_mark, value_node.start_mark
            self.add(
                ConfigEntry(
                    key=canonical_key(name),
                    written_key=name,
                    value=parsed.value.get(name),
                    span=ctx.block_span(origin, block.margin, key_mark.line, key_mark.column),
                    value_span=ctx.block_span(
                        origin, block.margin, value_mark.line, value_mark.column
                    ),
                    origin="request",
                )
            )


def _node_type(ctx: BuildContext, element: XmlElement, default: str, node: str) -> str:
    attribute = element.attributes.get("type")
    if element.tag != "ai":
        return attribute.value if attribute is not None else default
    if attribute is not None and attribute.value != "ai":
        ctx.report(
            "VALID_UNKNOWN_FIELD",
            f'<ai> is always type "ai"; type="{attribute.value}" is ignored',
            attribute.offset,
            hints=(f'use <transform type="{attribute.value}"> instead, or remove `type`',),
            node=node,
        )
    return "ai"


def _children(
    ctx: BuildContext, element: XmlElement, config: _Config, node: str
) -> OnErrorSpec | None:
    """Read the child elements of a data node into ``config``; return its failure handling."""
    special, rest = partition(element, ("on-error", "retry", "fallback"))
    for child in rest:
        if not isinstance(child, XmlElement):
            continue
        if child.tag == "request":
            config.request(child)
        else:
            config.element(child, "element")
    ctx.unexpected_text(
        rest, f"<{element.tag}> (put it in a child element such as <template>)", node
    )
    return data_on_error(ctx, special["on-error"], special["retry"], special["fallback"], node)


def build_data_node(ctx: BuildContext, element: XmlElement) -> DataNodeSpec:
    """Build a :class:`DataNodeSpec` from a data element."""
    node, explicit = node_identity(ctx, element)
    role, default_type = DATA_TAGS[element.tag]
    node_type = _node_type(ctx, element, default_type, node)
    config = _Config(ctx, node)
    for name, attribute in element.attributes.items():
        if name not in RESERVED_ATTRIBUTES:
            config.attribute(attribute, "attribute")
    # Most data nodes have no children: nothing to partition, read or report then.
    on_error = _children(ctx, element, config, node) if element.children else None
    return DataNodeSpec(
        **node_fields(ctx, element, node, explicit, on_error),
        role=role,
        type=node_type,
        config=config.entries,
    )
