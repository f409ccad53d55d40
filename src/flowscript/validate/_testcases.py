"""Frontmatter ``tests``: test cases for ``flowscript test`` (cli.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from flowscript.model import CallSpec, Diagnostic, IncludeSpec, SourceSpan
from flowscript.validate._coerce import describe
from flowscript.validate._context import ValidationContext
from flowscript.validate._frontmatter import invalid_type, item_keys
from flowscript.validate._hints import did_you_mean, one_of

__all__ = ["TEST_KEYS", "check_tests"]

TEST_KEYS = (
    "name",
    "config",
    "input",
    "mocks",
    "answers",
    "expect",
    "expect-output",
    "expect-error",
)
_NODE_KEYED = ("mocks", "answers", "expect")


def _kebab(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", key).replace("_", "-").lower()


def check_tests(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """``tests``: a list of mappings with known keys naming existing nodes."""
    raw = ctx.workflow.frontmatter.get("tests")
    if raw is None:
        return
    if not isinstance(raw, list):
        yield invalid_type(ctx, "tests", "a list of test cases", raw)
        return
    for index, case in enumerate(raw):
        if not isinstance(case, Mapping):
            yield ctx.diagnostic(
                "VALID_INVALID_TYPE",
                f"test case {index + 1} must be a mapping, not {describe(case)}",
                ctx.key_span(*item_keys("tests", index)),
            )
            continue
        yield from _check_test_case(ctx, index, case)


def _check_test_case(
    ctx: ValidationContext, index: int, case: Mapping[str, Any]
) -> Iterator[Diagnostic]:
    for key, value in case.items():
        name = _kebab(str(key))
        span = ctx.key_span(*item_keys("tests", index, str(key)))
        if name not in TEST_KEYS:
            yield ctx.diagnostic(
                "VALID_UNKNOWN_FIELD",
                f"unknown key `{key}` in test case {index + 1}",
                span,
                hints=did_you_mean(name, TEST_KEYS) or (one_of("keys", TEST_KEYS),),
            )
        elif name in _NODE_KEYED and isinstance(value, Mapping):
            yield from _unknown_nodes(ctx, value.keys(), f"`{key}` of test case {index + 1}", span)
        elif name == "expect-error" and isinstance(value, Mapping) and "node" in value:
            yield from _unknown_nodes(
                ctx, [value["node"]], f"`{key}` of test case {index + 1}", span
            )


def _unknown_nodes(
    ctx: ValidationContext, names: Any, where: str, span: SourceSpan
) -> Iterator[Diagnostic]:
    for name in names:
        if str(name) not in ctx.node_ids and not _names_a_child_node(ctx, str(name)):
            yield ctx.diagnostic(
                "VALID_UNDEFINED_NODE_REF",
                f"{where} names unknown node `{name}`",
                span,
                hints=did_you_mean(str(name), ctx.node_ids),
            )


def _names_a_child_node(ctx: ValidationContext, name: str) -> bool:
    """``call-id/node-id``: a node of an ``<include>``/``<call>`` child (named as in the run
    state). Only the first part is checked here; ``flowscript test`` loads the children and
    checks the rest."""
    head, slash, rest = name.partition("/")
    return bool(slash and rest) and isinstance(ctx.graph.nodes.get(head), IncludeSpec | CallSpec)
