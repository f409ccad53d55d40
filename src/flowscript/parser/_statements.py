"""Checkpoint, variables, delay and composition elements → node specs (format.md §3.4)."""

from __future__ import annotations

from collections.abc import Sequence

from flowscript.model.nodes import (
    ActionSpec,
    BindSpec,
    CallSpec,
    CheckpointSpec,
    ContextSpec,
    DelaySpec,
    IncludeSpec,
    SetEntry,
    SetSpec,
    Text,
)
from flowscript.parser._context import BuildContext, node_fields, partition
from flowscript.parser._controls import COMMON_ATTRIBUTES, begin, leaf_on_error
from flowscript.parser._xml import XmlElement

__all__ = ["STATEMENT_BUILDERS"]

_CHECKPOINT_ATTRIBUTES = ("prompt", "timeout", "default", "allow-input", "condition")
_CHECKPOINT_CHILDREN = ("on-error", "prompt", "condition", "actions", "action", "timeout")


def _attribute_or_child(
    ctx: BuildContext, element: XmlElement, name: str, children: Sequence[XmlElement], node: str
) -> Text | None:
    """A text given as an attribute or as a child element (both → duplicate, attribute wins)."""
    attribute = ctx.optional(element, name)
    child = ctx.first(children, node)
    if child is None:
        return attribute
    ctx.check_attributes(child, (), node)
    for nested in child.elements:
        ctx.misplaced(nested, f"<{name}>", node)
    if attribute is not None:
        ctx.report(
            "VALID_DUPLICATE_FIELD",
            f"`{name}` is given both as an attribute and as <{name}>",
            child.offset,
            hints=("keep one; the attribute is used",),
            node=node,
        )
        return attribute
    return ctx.element_text(child)


def _wait(
    ctx: BuildContext, element: XmlElement, children: Sequence[XmlElement], node: str
) -> tuple[Text | None, Text | None]:
    """The answer wait: ``timeout`` attribute or ``<timeout duration goto/>`` child."""
    attribute = ctx.optional(element, "timeout")
    child = ctx.first(children, node)
    if child is None:
        return attribute, None
    ctx.check_attributes(child, ("duration", "goto"), node)
    ctx.unexpected_text(child.children, "<timeout>", node)
    duration = ctx.required(child, "duration", node)
    if attribute is not None:
        ctx.report(
            "VALID_DUPLICATE_FIELD",
            "the checkpoint timeout is given both as an attribute and as <timeout>",
            child.offset,
            hints=("keep one; the attribute is used",),
            node=node,
        )
    return attribute or duration, ctx.optional(child, "goto")


def _action(ctx: BuildContext, element: XmlElement, node: str) -> ActionSpec:
    ctx.check_attributes(element, ("id", "label", "goto"), node)
    ctx.unexpected_text(element.children, "<action>", node)
    action_id = ctx.optional(element, "id")
    if action_id is None:
        ctx.required(element, "id", node)
        line, _ = ctx.layout.position(element.offset)
        action_id = Text(f"action-{line}", ctx.span(element.offset))
    goto = ctx.optional(element, "goto")
    for child in element.elements:
        # The original format also wrote the target as a nested <goto node="…"/>.
        if child.tag == "goto" and goto is None:
            ctx.check_attributes(child, ("node",), node)
            goto = ctx.required(child, "node", node)
        else:
            ctx.misplaced(child, "<action>", node)
    label = element.attributes.get("label")
    return ActionSpec(
        id=action_id.value,
        span=ctx.span(element.offset),
        label=label.value if label is not None else None,
        goto=goto,
    )


def _actions(ctx: BuildContext, element: XmlElement, node: str) -> tuple[ActionSpec, ...]:
    """``<action>`` children, directly or inside ``<actions>``, in document order."""
    actions: list[ActionSpec] = []
    for child in element.elements:
        if child.tag == "action":
            actions.append(_action(ctx, child, node))
        elif child.tag == "actions":
            ctx.check_attributes(child, (), node)
            ctx.unexpected_text(child.children, "<actions>", node)
            for item in child.elements:
                if item.tag == "action":
                    actions.append(_action(ctx, item, node))
                else:
                    ctx.misplaced(item, "<actions>", node)
    return tuple(actions)


def build_checkpoint(ctx: BuildContext, element: XmlElement) -> CheckpointSpec:
    """``<checkpoint>``: ``timeout`` is the answer wait, not a per-attempt deadline."""
    node, explicit = begin(ctx, element, _CHECKPOINT_ATTRIBUTES)
    special, rest = partition(element, _CHECKPOINT_CHILDREN)
    for child in rest:
        if isinstance(child, XmlElement):
            ctx.misplaced(child, "<checkpoint>", node)
    ctx.unexpected_text(rest, "<checkpoint>", node)
    on_error = ctx.build_on_error(ctx, special["on-error"], node)
    wait, timeout_goto = _wait(ctx, element, special["timeout"], node)
    fields = node_fields(ctx, element, node, explicit, on_error)
    fields["timeout"] = None
    return CheckpointSpec(
        **fields,
        prompt=_attribute_or_child(ctx, element, "prompt", special["prompt"], node),
        wait=wait,
        default=ctx.optional(element, "default"),
        allow_input=ctx.optional(element, "allow-input"),
        condition=_attribute_or_child(ctx, element, "condition", special["condition"], node),
        actions=_actions(ctx, element, node),
        timeout_goto=timeout_goto,
    )


def _set_entry(ctx: BuildContext, element: XmlElement, node: str) -> SetEntry:
    ctx.check_attributes(element, ("key", "var", "value"), node)
    ctx.unexpected_text(element.children, "<set>", node)
    for child in element.elements:
        ctx.misplaced(child, "<set>", node)
    key = ctx.required(element, "key", node, "var")
    value = ctx.required(element, "value", node)
    return SetEntry(key=key.value, value=value, span=ctx.span(element.offset))


def build_context(ctx: BuildContext, element: XmlElement) -> ContextSpec:
    """``<context>`` holding ``<set key value/>`` entries (``id`` optional, format.md §3.4)."""
    node, explicit = begin(ctx, element, (), optional_id=True)
    special, rest = partition(element, ("on-error", "set"))
    for child in rest:
        if isinstance(child, XmlElement):
            ctx.misplaced(child, "<context> (expected <set key value/>)", node)
    ctx.unexpected_text(rest, "<context>", node)
    return ContextSpec(
        **node_fields(
            ctx, element, node, explicit, ctx.build_on_error(ctx, special["on-error"], node)
        ),
        entries=tuple(_set_entry(ctx, child, node) for child in special["set"]),
    )


def build_set(ctx: BuildContext, element: XmlElement) -> SetSpec:
    """``<set var value>``: the id defaults to the variable name."""
    node, explicit = begin(
        ctx, element, ("var", "key", "value"), "id", "var", "key", optional_id=True
    )
    var = ctx.required(element, "var", node, "key")
    value = ctx.required(element, "value", node)
    return SetSpec(
        **node_fields(ctx, element, node, explicit, leaf_on_error(ctx, element, node)),
        var=var.value,
        value=value,
    )


def build_delay(ctx: BuildContext, element: XmlElement) -> DelaySpec:
    """``<delay duration>`` (id optional)."""
    node, explicit = begin(ctx, element, ("duration",), optional_id=True)
    duration = ctx.required(element, "duration", node)
    return DelaySpec(
        **node_fields(ctx, element, node, explicit, leaf_on_error(ctx, element, node)),
        duration=duration,
    )


def _bind(ctx: BuildContext, element: XmlElement, node: str) -> BindSpec:
    ctx.check_attributes(element, ("key", "value"), node)
    ctx.unexpected_text(element.children, "<bind>", node)
    key = ctx.required(element, "key", node)
    return BindSpec(
        key=key.value, value=ctx.required(element, "value", node), span=ctx.span(element.offset)
    )


def build_include(ctx: BuildContext, element: XmlElement) -> IncludeSpec:
    """``<include workflow>`` with ``<bind key value/>`` children."""
    node, explicit = begin(ctx, element, ("workflow",))
    workflow = ctx.required(element, "workflow", node)
    special, rest = partition(element, ("on-error", "bind"))
    for child in rest:
        if isinstance(child, XmlElement):
            ctx.misplaced(child, "<include> (expected <bind key value/>)", node)
    ctx.unexpected_text(rest, "<include>", node)
    return IncludeSpec(
        **node_fields(
            ctx, element, node, explicit, ctx.build_on_error(ctx, special["on-error"], node)
        ),
        workflow=workflow,
        binds=tuple(_bind(ctx, child, node) for child in special["bind"]),
    )


def build_call(ctx: BuildContext, element: XmlElement) -> CallSpec:
    """``<call workflow>``: every other attribute is an argument."""
    reserved = COMMON_ATTRIBUTES | {"workflow"}
    node, explicit = begin(ctx, element, element.attributes.keys())
    workflow = ctx.required(element, "workflow", node)
    arguments = {
        name: ctx.text(attribute)
        for name, attribute in element.attributes.items()
        if name not in reserved
    }
    return CallSpec(
        **node_fields(ctx, element, node, explicit, leaf_on_error(ctx, element, node)),
        workflow=workflow,
        arguments=arguments,
    )


STATEMENT_BUILDERS = {
    "checkpoint": build_checkpoint,
    "context": build_context,
    "set": build_set,
    "delay": build_delay,
    "include": build_include,
    "call": build_call,
}
"""Tag → builder for the elements of this module."""
