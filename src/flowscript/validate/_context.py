"""What every validation rule receives: the workflow, its graph and diagnostic helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from flowscript.graph import EvaluableText, WorkflowGraph, analyze
from flowscript.model import Diagnostic, NodeSpec, Severity, SourceSpan, Text, Workflow
from flowscript.validate._codes import severity_of
from flowscript.validate._positions import SourceLocator

if TYPE_CHECKING:
    from flowscript.validate._includes import IncludeSession

__all__ = ["Rule", "ValidationContext"]


class ValidationContext:
    """The workflow under validation plus shared, computed-once facts.

    Attributes:
        workflow: the workflow.
        graph: its scopes and dependencies.
        locator: file positions of characters inside values.
        includes: loads and validates ``<include>``/``<call>`` children (``None``: skipped).
        node_ids: every node id of the workflow.
        nodes: every node in ``workflow.walk()`` order (duplicated ids included); rules
            iterate this list rather than walking the tree again.
    """

    def __init__(self, workflow: Workflow, includes: IncludeSession | None = None) -> None:
        self.workflow = workflow
        self.graph: WorkflowGraph = analyze(workflow)
        self.locator = SourceLocator(workflow.source)
        self.includes = includes
        self.node_ids: frozenset[str] = frozenset(self.graph.nodes)
        self.nodes: tuple[NodeSpec, ...] = self.graph.all_nodes

    def texts_of(self, node: NodeSpec) -> tuple[EvaluableText, ...]:
        """The evaluable texts of ``node`` (``graph.node_texts``), computed once per node."""
        return self.graph.texts_of(node)

    def diagnostic(
        self,
        code: str,
        message: str,
        span: SourceSpan | None,
        *,
        hints: Sequence[str] = (),
        node: str | None = None,
        severity: Severity | None = None,
    ) -> Diagnostic:
        """A diagnostic with the code's default severity unless ``severity`` is given."""
        return Diagnostic(
            code=code,
            message=message,
            severity=severity if severity is not None else severity_of(code),
            span=span,
            hints=tuple(hints),
            node=node,
        )

    def key_span(self, *dotted: str) -> SourceSpan:
        """Position of the first frontmatter key path of ``dotted`` that was recorded."""
        for key in dotted:
            span = self.workflow.key_spans.get(key)
            if span is not None:
                return span
        return self.workflow.span_of_key(dotted[0]) if dotted else SourceSpan(self.path, 1, 1)

    def attr_span(self, node: NodeSpec, name: str) -> SourceSpan:
        """Position of attribute ``name``'s value on ``node`` (the node's ``<`` if absent)."""
        attribute = node.attributes.get(name)
        return attribute.value_span if attribute is not None else node.span

    def text_span(self, text: Text, offset: int = 0) -> SourceSpan:
        """Where character ``offset`` of ``text`` is in the file."""
        return self.locator.locate(text, offset)

    @property
    def path(self) -> str:
        """The workflow's path."""
        return self.workflow.path


Rule = Callable[[ValidationContext], Iterable[Diagnostic]]
"""A validation rule: one small function yielding diagnostics."""
