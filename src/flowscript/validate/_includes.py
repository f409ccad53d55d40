"""``<include>``/``<call>`` children: found, valid, and not including each other (runtimes.md §7).

Children are loaded through a loader (``validate_file`` reads files; a caller of ``validate``
may pass its own), validated with the same rules, and their diagnostics — which keep the
child's own path — join the parent's result. Each child is validated once per top-level call;
a child that is already being validated further up the chain is a ``VALID_CIRCULAR_INCLUDE``.
Paths that are templates are resolved at run time and skipped here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from flowscript.errors import WorkflowParseError
from flowscript.model import CallSpec, Diagnostic, IncludeSpec, NodeSpec, Workflow
from flowscript.validate._context import ValidationContext

__all__ = ["MAX_INCLUDE_DEPTH", "IncludeSession", "check_includes", "resolve_include"]

MAX_INCLUDE_DEPTH = 64
"""Deepest chain of includes followed (a deeper chain is reported as circular)."""

Collector = Callable[[Workflow, "IncludeSession"], list[Diagnostic]]


def resolve_include(parent_path: str, written: str) -> str:
    """The path of a child workflow: ``written`` relative to the parent's folder."""
    if os.path.isabs(written) or parent_path.startswith("<"):
        return os.path.normpath(written)
    return os.path.normpath(os.path.join(os.path.dirname(parent_path), written))


def _key(path: str) -> str:
    return path if path.startswith("<") else os.path.normcase(os.path.abspath(path))


class IncludeSession:
    """State of one top-level validation: the loader, the include chain, children seen."""

    def __init__(self, loader: Callable[[str], Workflow], collect: Collector) -> None:
        self.loader = loader
        self.collect = collect
        self.chain: list[tuple[str, str]] = []  # (key, path) of workflows being validated
        self.seen: set[str] = set()

    def enter(self, path: str) -> None:
        """Push ``path`` on the include chain (the root workflow too)."""
        self.chain.append((_key(path), path))
        self.seen.add(_key(path))

    def leave(self) -> None:
        """Pop the last workflow of the chain."""
        self.chain.pop()

    def cycle(self, path: str) -> list[str] | None:
        """The chain of paths leading back to ``path``, when it is being validated."""
        key = _key(path)
        keys = [k for k, _ in self.chain]
        if key in keys:
            return [p for _, p in self.chain[keys.index(key) :]] + [path]
        if len(self.chain) >= MAX_INCLUDE_DEPTH:
            return [p for _, p in self.chain] + [path]
        return None


def _children(ctx: ValidationContext) -> Iterator[NodeSpec]:
    for node in ctx.nodes:
        if isinstance(node, IncludeSpec | CallSpec):
            yield node


def check_includes(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """Load and validate every statically known child workflow."""
    session = ctx.includes
    if session is None:
        return
    for node in _children(ctx):
        assert isinstance(node, IncludeSpec | CallSpec)
        written = node.workflow.value.strip()
        if not written or "{{" in written:
            continue
        yield from _check_child(ctx, session, node, resolve_include(ctx.path, written))


def _check_child(
    ctx: ValidationContext, session: IncludeSession, node: IncludeSpec | CallSpec, path: str
) -> Iterator[Diagnostic]:
    chain = session.cycle(path)
    if chain is not None:
        yield ctx.diagnostic(
            "VALID_CIRCULAR_INCLUDE",
            "workflows include each other: " + " -> ".join(chain),
            node.workflow.span,
            hints=("a workflow may not (indirectly) include itself",),
            node=node.id,
        )
        return
    if _key(path) in session.seen:
        return  # already validated during this call; its diagnostics are collected
    session.seen.add(_key(path))
    try:
        child = session.loader(path)
    except WorkflowParseError as exc:
        yield from exc.diagnostics
        return
    except OSError as exc:
        yield ctx.diagnostic(
            "VALID_INCLUDE_NOT_FOUND",
            f"<{node.tag}> `{node.id}`: workflow file {path!r} not found"
            + ("" if isinstance(exc, FileNotFoundError) else f" ({exc})"),
            node.workflow.span,
            hints=("paths are relative to the folder of the including workflow",),
            node=node.id,
        )
        return
    yield from session.collect(child, session)
