"""The parsed workflow: frontmatter fields, the node tree and the footer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flowscript.model.diagnostics import Diagnostic, SourceSpan
from flowscript.model.nodes import NodeSpec, Scope

__all__ = ["FieldSpec", "RuntimeSettings", "Workflow"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldSpec:
    """A config / input / output field declared in the frontmatter (format.md §2.1).

    Attributes:
        name: the field name.
        type: ``string``, ``number``, ``integer``, ``boolean``, ``object``, ``array``, ``enum``
            or ``any`` (no type given and no default to infer it from).
        default: the default value (meaningful only when ``has_default``).
        required: a value must be given when there is no default.
        values: allowed values of an ``enum``.
        span: position of the field's key in the frontmatter.
        raw: the declaration as written (extra keys such as ``items`` are kept here).
    """

    name: str
    type: str
    span: SourceSpan
    default: Any = None
    has_default: bool = False
    required: bool = False
    description: str | None = None
    values: tuple[Any, ...] | None = None
    raw: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeSettings:
    """The frontmatter ``runtime:`` mapping, values as written (validated later).

    Attributes:
        timeout: run deadline (duration string).
        retry: default retry count for every node.
        concurrency: max nodes running at once.
        schedule: ``eager`` or ``waves``.
        context_budget: total AI tokens allowed (``200k``).
        env: environment variables expressions may read as ``$env.NAME``.
    """

    timeout: Any = None
    retry: Any = None
    concurrency: Any = None
    schedule: Any = None
    context_budget: Any = None
    env: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Workflow:
    """A parsed ``.flow.md`` file.

    Attributes:
        path: the file path as given (used in every diagnostic).
        source: the whole file text (for code frames and the workflow hash).
        name / version / description: identity (``version`` always a string).
        trigger: ``manual``, or the mapping as written.
        config / input_schema / output_schema: declared fields by name.
        secrets: declared secret names.
        runtime: runtime settings.
        schemas: named AI output schemas.
        evolution / tests: kept as written.
        frontmatter: the whole YAML mapping as loaded.
        key_spans: dotted frontmatter key path (``config.limit.type``) → its position.
        nodes: the top-level nodes in document order.
        on_workflow_error: the nodes of ``<on-workflow-error>``.
        workflow_span: position of ``<workflow``.
        footer: everything after ``</workflow>``, verbatim.
        footer_offset: character offset in ``source`` where the footer starts.
        parse_diagnostics: non-fatal problems found while parsing (unknown elements or
            attributes, unexpected text, duplicate fields); the validator reports them too.
    """

    path: str
    source: str
    name: str
    version: str
    nodes: Scope
    workflow_span: SourceSpan
    description: str | None = None
    trigger: Any = "manual"
    config: Mapping[str, FieldSpec] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    input_schema: Mapping[str, FieldSpec] = field(default_factory=dict)
    output_schema: Mapping[str, FieldSpec] = field(default_factory=dict)
    runtime: RuntimeSettings = field(default_factory=RuntimeSettings)
    schemas: Mapping[str, Any] = field(default_factory=dict)
    evolution: Mapping[str, Any] | None = None
    tests: tuple[Mapping[str, Any], ...] = ()
    frontmatter: Mapping[str, Any] = field(default_factory=dict)
    key_spans: Mapping[str, SourceSpan] = field(default_factory=dict)
    on_workflow_error: Scope = ()
    footer: str = ""
    footer_offset: int = 0
    parse_diagnostics: tuple[Diagnostic, ...] = ()

    def walk(self) -> Iterator[NodeSpec]:
        """Every node (top level, nested, and workflow error handlers), depth first."""
        for node in self.nodes:
            yield from node.walk()
        for node in self.on_workflow_error:
            yield from node.walk()

    def node_index(self) -> dict[str, NodeSpec]:
        """Node id → node for every node in the file (first one wins on duplicates)."""
        index: dict[str, NodeSpec] = {}
        for node in self.walk():
            index.setdefault(node.id, node)
        return index

    def span_of_key(self, dotted: str) -> SourceSpan:
        """The position of a frontmatter key, falling back to its parent, then to line 1."""
        key = dotted
        while key:
            span = self.key_spans.get(key)
            if span is not None:
                return span
            key = key.rpartition(".")[0]
        return SourceSpan(self.path, 1, 1)
