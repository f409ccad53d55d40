"""The ``<workflow>`` element → node specs (format.md §3.2–§3.6).

One builder per element kind, looked up in :data:`NODE_BUILDERS`. Problems that do not stop
parsing (unknown elements and attributes, unexpected text, missing ids or attributes,
duplicate fields) are collected as diagnostics; the node tree is built around them.
"""

from __future__ import annotations

from collections.abc import Callable

from flowscript.model.diagnostics import Diagnostic
from flowscript.model.nodes import NodeSpec, Scope
from flowscript.parser._context import BuildContext, Children, did_you_mean, partition
from flowscript.parser._controls import CONTROL_BUILDERS
from flowscript.parser._failure import build_on_error
from flowscript.parser._layout import Layout
from flowscript.parser._statements import STATEMENT_BUILDERS
from flowscript.parser._xml import XmlElement, XmlText
from flowscript.parser.config import DATA_TAGS, build_data_node

__all__ = ["NODE_BUILDERS", "NODE_TAGS", "WorkflowBody", "build_body"]

Builder = Callable[[BuildContext, XmlElement], NodeSpec]

NODE_BUILDERS: dict[str, Builder] = {
    **dict.fromkeys(DATA_TAGS, build_data_node),
    **CONTROL_BUILDERS,
    **STATEMENT_BUILDERS,
}
"""Element tag → builder, for every node element of the catalogue (format.md §3.4)."""

NODE_TAGS = tuple(NODE_BUILDERS)
"""The node elements, in catalogue order."""

# Structural elements that are valid only inside a particular parent.
_PLACES = {
    "then": "<if>",
    "else": "<if>",
    "case": "<branch>",
    "match": "<branch>",
    "default": "<branch>",
    "otherwise": "<branch>",
    "do": "<while>",
    "actions": "<checkpoint>",
    "action": "<checkpoint>",
    "prompt": "<checkpoint> or a data node",
    "condition": "<checkpoint> or a data node",
    "bind": "<include>",
    "on-error": "a node",
    "retry": "<on-error> or a data node",
    "fallback": "<on-error> or a data node",
    "request": "a data node",
    "on-workflow-error": "<workflow>",
}


def _unknown_element(ctx: BuildContext, element: XmlElement, where: str) -> None:
    place = _PLACES.get(element.tag)
    if place is not None:
        ctx.report(
            "VALID_UNKNOWN_NODE_TYPE",
            f"<{element.tag}> is not a node: it belongs inside {place}, not {where}",
            element.offset,
            hints=(f"move <{element.tag}> into {place}",),
        )
        return
    ctx.report(
        "VALID_UNKNOWN_NODE_TYPE",
        f"unknown element <{element.tag}>",
        element.offset,
        hints=(
            *did_you_mean(element.tag, NODE_TAGS, wrap="<{}>"),
            "valid elements: " + ", ".join(f"<{tag}>" for tag in NODE_TAGS),
        ),
    )


def build_scope(ctx: BuildContext, children: Children, where: str) -> Scope:
    """The nodes among ``children``; text and unknown elements are reported."""
    nodes: list[NodeSpec] = []
    for child in children:
        if isinstance(child, XmlText):
            ctx.unexpected_text((child,), where, None)
            continue
        builder = NODE_BUILDERS.get(child.tag)
        if builder is None:
            _unknown_element(ctx, child, where)
        else:
            nodes.append(builder(ctx, child))
    return tuple(nodes)


class WorkflowBody:
    """The result of :func:`build_body`."""

    __slots__ = ("diagnostics", "nodes", "on_workflow_error")

    def __init__(
        self, nodes: Scope, on_workflow_error: Scope, diagnostics: tuple[Diagnostic, ...]
    ) -> None:
        self.nodes = nodes
        self.on_workflow_error = on_workflow_error
        self.diagnostics = diagnostics


def build_body(layout: Layout, root: XmlElement) -> WorkflowBody:
    """Build the node tree of the ``<workflow>`` element ``root``."""
    ctx = BuildContext(layout, build_scope=build_scope, build_on_error=build_on_error)
    ctx.check_attributes(root, (), None)
    special, rest = partition(root, ("on-workflow-error",))
    nodes = build_scope(ctx, rest, "<workflow>")
    handlers: list[NodeSpec] = []
    # Several <on-workflow-error> elements are joined in document order.
    for element in special["on-workflow-error"]:
        ctx.check_attributes(element, (), None)
        handlers.extend(build_scope(ctx, element.children, "<on-workflow-error>"))
    return WorkflowBody(nodes, tuple(handlers), tuple(ctx.diagnostics))
