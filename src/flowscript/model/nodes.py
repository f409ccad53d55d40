"""Node specifications: the parsed, immutable form of every element of the XML body.

Values that the engine evaluates (expressions, templates, durations, numbers written in
attributes) are kept as :class:`Text` — the string as written plus where it was written — so
the validator can report problems at the right line and column and the planner can find
dependencies in them. Coercion to numbers, booleans and durations happens in the validator
(for diagnostics) and in the planner/executor (for values).

Node kinds are one dataclass each. Every node exposes its nested scopes through
:meth:`NodeSpec.scopes` and its evaluable strings through :meth:`NodeSpec.texts`, so generic
passes (validation, dependency discovery) never need an if/elif chain over kinds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from flowscript.model.diagnostics import SourceSpan

__all__ = [
    "ActionSpec",
    "Attribute",
    "BindSpec",
    "BranchSpec",
    "BreakSpec",
    "CallSpec",
    "CaseSpec",
    "CheckpointSpec",
    "ConfigEntry",
    "ContextSpec",
    "DataNodeSpec",
    "DelaySpec",
    "ForeachSpec",
    "GotoSpec",
    "IfSpec",
    "IncludeSpec",
    "LoopSpec",
    "NodeSpec",
    "OnErrorSpec",
    "ParallelBranchSpec",
    "ParallelSpec",
    "PhaseSpec",
    "RetrySpec",
    "Scope",
    "SetEntry",
    "SetSpec",
    "Text",
    "TextRole",
    "TimeoutSpec",
    "WhileSpec",
]

TextRole = Literal["template", "expression", "duration", "literal"]
"""How a :class:`Text` is read: ``template`` strings may hold ``{{ }}``; ``expression`` is a bare
expression; ``duration`` is a duration that may be a template; ``literal`` is taken as written
(ids, enum words, numbers)."""


@dataclass(frozen=True, slots=True)
class Text:
    """A string from the source file and where it starts.

    ``span`` points at the first character of the value itself (inside the quotes of an
    attribute, or the first non-blank character of element text), so a column inside the
    value can be turned into a file column with ``span.at_column_offset``.
    """

    value: str
    span: SourceSpan

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Attribute:
    """An XML attribute as written: name, value and the positions of both."""

    name: str
    value: str
    span: SourceSpan
    value_span: SourceSpan


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigEntry:
    """One configuration field of a data node.

    Attributes:
        key: the canonical kebab-case key (``conflict-columns``).
        written_key: the key as written (``conflictColumns``).
        value: a string, or the YAML-parsed structure of a ``key: value`` block child.
        span: position of the attribute or child element.
        value_span: position of the value's first character.
        origin: ``attribute``, ``element``, or ``request`` (merged from ``<request>``).
    """

    key: str
    written_key: str
    value: Any
    span: SourceSpan
    value_span: SourceSpan
    origin: Literal["attribute", "element", "request"] = "attribute"


@dataclass(frozen=True, slots=True, kw_only=True)
class RetrySpec:
    """``<retry>`` as written (all fields optional; defaults apply in the planner)."""

    span: SourceSpan
    max: Text | None = None
    backoff: Text | None = None
    delay: Text | None = None
    max_delay: Text | None = None
    when: Text | None = None
    timeout: Text | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OnErrorSpec:
    """``<on-error>`` (or the compact ``<retry>`` YAML block) of a node."""

    span: SourceSpan
    retry: RetrySpec | None = None
    fallback: Text | None = None


Scope = tuple["NodeSpec", ...]
"""The nodes of one body, in document order."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeSpec:
    """Fields every node has.

    Attributes:
        id: unique id (``name`` of a phase, ``var`` of a set, or ``<tag>-<line>`` when the
            element may omit it).
        tag: the XML element name as written (``source``, ``ai``, ``if``, …).
        span: position of the ``<`` of the start tag.
        explicit_id: ``False`` when the id was generated.
        inputs: the node ids of ``input=`` (``.output`` suffix removed), each with its span.
        timeout: the per-attempt ``timeout`` attribute.
        on_error: ``<on-error>`` handling.
        attributes: every attribute as written, for validation and ``parse`` output.
        dispatch: the ``dispatch`` attribute (``local``/``cluster``) when given.
    """

    TAG: ClassVar[str] = ""

    id: str
    tag: str
    span: SourceSpan
    explicit_id: bool = True
    inputs: tuple[Text, ...] = ()
    timeout: Text | None = None
    on_error: OnErrorSpec | None = None
    attributes: Mapping[str, Attribute] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """The runtime registry key of this node (``http:source``, ``transform:ai``, ``if``)."""
        return self.TAG

    def scopes(self) -> tuple[Scope, ...]:
        """The nested bodies of this node, in document order (empty for leaf nodes)."""
        return ()

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """Every evaluable string of this node itself (not of nested nodes).

        Yields ``(field name, text, role)``. Used by the validator (syntax, references) and
        the planner (dependencies).
        """
        if self.timeout is not None:
            yield "timeout", self.timeout, "duration"
        if self.on_error is not None and self.on_error.retry is not None:
            retry = self.on_error.retry
            if retry.when is not None and retry.when.value not in ("retryable", "always"):
                yield "retry.when", retry.when, "expression"

    def walk(self) -> Iterator[NodeSpec]:
        """This node and every nested node, depth first in document order."""
        yield self
        for scope in self.scopes():
            for child in scope:
                yield from child.walk()


@dataclass(frozen=True, slots=True, kw_only=True)
class DataNodeSpec(NodeSpec):
    """``<source>``, ``<transform>``, ``<sink>`` and ``<ai>``.

    Attributes:
        role: ``source``, ``transform`` or ``sink`` (``<ai>`` has role ``transform``).
        type: the runtime type (``http``, ``file``, ``template``, ``ai``, …).
        config: canonical key → entry, attributes and children merged (``<request>`` too).
    """

    role: Literal["source", "transform", "sink"]
    type: str
    config: Mapping[str, ConfigEntry] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """``<type>:<role>`` for sources and sinks, ``transform:<type>`` for transforms."""
        if self.role == "transform":
            return f"transform:{self.type}"
        return f"{self.type}:{self.role}"

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """Config strings (recursively inside YAML blocks) are templates."""
        yield from NodeSpec.texts(self)
        for entry in self.config.values():
            yield from _config_texts(entry.key, entry.value, entry.value_span)


def _config_texts(key: str, value: Any, span: SourceSpan) -> Iterator[tuple[str, Text, TextRole]]:
    if isinstance(value, str):
        yield key, Text(value, span), "template"
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _config_texts(f"{key}.{k}", v, span)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _config_texts(f"{key}[{i}]", v, span)


@dataclass(frozen=True, slots=True, kw_only=True)
class IfSpec(NodeSpec):
    """``<if condition>`` with ``<then>`` and optional ``<else>``."""

    TAG: ClassVar[str] = "if"
    condition: Text
    then: Scope = ()
    else_: Scope | None = None

    def scopes(self) -> tuple[Scope, ...]:
        """Then, then else when present."""
        return (self.then,) if self.else_ is None else (self.then, self.else_)

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """The condition."""
        yield from NodeSpec.texts(self)
        yield "condition", self.condition, "expression"


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseSpec:
    """A ``<case when>`` (or ``<match pattern>``) of a branch."""

    span: SourceSpan
    when: Text | None = None
    pattern: Text | None = None
    body: Scope = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class BranchSpec(NodeSpec):
    """``<branch [on]>``: the first truthy case runs, else ``<default>``/``<otherwise>``."""

    TAG: ClassVar[str] = "branch"
    on: Text | None = None
    cases: tuple[CaseSpec, ...] = ()
    default: Scope | None = None

    def scopes(self) -> tuple[Scope, ...]:
        """Each case body, then the default."""
        bodies = tuple(case.body for case in self.cases)
        return bodies if self.default is None else (*bodies, self.default)

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """``on`` and every case's ``when`` (patterns are templates)."""
        yield from NodeSpec.texts(self)
        if self.on is not None:
            yield "on", self.on, "expression"
        for case in self.cases:
            if case.when is not None:
                yield "case.when", case.when, "expression"
            if case.pattern is not None:
                yield "match.pattern", case.pattern, "template"


@dataclass(frozen=True, slots=True, kw_only=True)
class LoopSpec(NodeSpec):
    """``<loop max break>``."""

    TAG: ClassVar[str] = "loop"
    max: Text | None = None
    break_: Text | None = None
    body: Scope = ()

    def scopes(self) -> tuple[Scope, ...]:
        """The body."""
        return (self.body,)

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """``max`` and ``break`` are expressions."""
        yield from NodeSpec.texts(self)
        if self.max is not None:
            yield "max", self.max, "expression"
        if self.break_ is not None:
            yield "break", self.break_, "expression"


@dataclass(frozen=True, slots=True, kw_only=True)
class WhileSpec(NodeSpec):
    """``<while condition max>`` (body optionally wrapped in ``<do>``)."""

    TAG: ClassVar[str] = "while"
    condition: Text
    max: Text | None = None
    body: Scope = ()

    def scopes(self) -> tuple[Scope, ...]:
        """The body."""
        return (self.body,)

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """``condition`` and ``max``."""
        yield from NodeSpec.texts(self)
        yield "condition", self.condition, "expression"
        if self.max is not None:
            yield "max", self.max, "expression"


@dataclass(frozen=True, slots=True, kw_only=True)
class ForeachSpec(NodeSpec):
    """``<foreach collection item index concurrency>``."""

    TAG: ClassVar[str] = "foreach"
    collection: Text
    item: str = "item"
    index: str = "index"
    concurrency: Text | None = None
    body: Scope = ()

    def scopes(self) -> tuple[Scope, ...]:
        """The body."""
        return (self.body,)

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """``collection`` is an expression; ``concurrency`` a literal or template."""
        yield from NodeSpec.texts(self)
        yield "collection", self.collection, "expression"
        if self.concurrency is not None:
            yield "concurrency", self.concurrency, "template"


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelBranchSpec:
    """One ``<branch>`` of a ``<parallel>``; ``id`` is optional."""

    span: SourceSpan
    id: str | None = None
    body: Scope = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelSpec(NodeSpec):
    """``<parallel wait merge concurrency>`` holding ``<branch>`` elements."""

    TAG: ClassVar[str] = "parallel"
    wait: Text | None = None
    merge: Text | None = None
    concurrency: Text | None = None
    branches: tuple[ParallelBranchSpec, ...] = ()

    def scopes(self) -> tuple[Scope, ...]:
        """Each branch body."""
        return tuple(branch.body for branch in self.branches)

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """A ``merge`` that is not a keyword is an expression over ``$branches``."""
        yield from NodeSpec.texts(self)
        if self.merge is not None and self.merge.value not in ("array", "concat", "object"):
            yield "merge", self.merge, "expression"
        if self.concurrency is not None:
            yield "concurrency", self.concurrency, "template"


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakSpec(NodeSpec):
    """``<break [loop] [when]>``."""

    TAG: ClassVar[str] = "break"
    loop: Text | None = None
    when: Text | None = None

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """``when``."""
        yield from NodeSpec.texts(self)
        if self.when is not None:
            yield "when", self.when, "expression"


@dataclass(frozen=True, slots=True, kw_only=True)
class GotoSpec(NodeSpec):
    """``<goto node [when]>``."""

    TAG: ClassVar[str] = "goto"
    target: Text
    when: Text | None = None

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """``when``."""
        yield from NodeSpec.texts(self)
        if self.when is not None:
            yield "when", self.when, "expression"


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionSpec:
    """A checkpoint ``<action id label goto>``."""

    id: str
    span: SourceSpan
    label: str | None = None
    goto: Text | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckpointSpec(NodeSpec):
    """``<checkpoint>``: a human decision (execution.md §7)."""

    TAG: ClassVar[str] = "checkpoint"
    prompt: Text | None = None
    wait: Text | None = None
    """The ``timeout`` attribute / ``<timeout duration>``: how long to wait for an answer."""
    default: Text | None = None
    allow_input: Text | None = None
    condition: Text | None = None
    actions: tuple[ActionSpec, ...] = ()
    timeout_goto: Text | None = None

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """Prompt (template), condition (expression), wait (duration)."""
        yield from NodeSpec.texts(self)
        if self.prompt is not None:
            yield "prompt", self.prompt, "template"
        if self.condition is not None:
            yield "condition", self.condition, "expression"
        if self.wait is not None:
            yield "timeout", self.wait, "duration"


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseSpec(NodeSpec):
    """``<phase name>``: a sequential stage with its own context scope."""

    TAG: ClassVar[str] = "phase"
    body: Scope = ()

    def scopes(self) -> tuple[Scope, ...]:
        """The body."""
        return (self.body,)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetEntry:
    """A ``<set key value>`` inside ``<context>``."""

    key: str
    value: Text
    span: SourceSpan


@dataclass(frozen=True, slots=True, kw_only=True)
class ContextSpec(NodeSpec):
    """``<context>``: sets variables in the enclosing scope."""

    TAG: ClassVar[str] = "context"
    entries: tuple[SetEntry, ...] = ()

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """Each value is a template."""
        yield from NodeSpec.texts(self)
        for entry in self.entries:
            yield f"set.{entry.key}", entry.value, "template"


@dataclass(frozen=True, slots=True, kw_only=True)
class SetSpec(NodeSpec):
    """``<set var value>``: sets one variable; its output is the value."""

    TAG: ClassVar[str] = "set"
    var: str
    value: Text

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """The value is a template."""
        yield from NodeSpec.texts(self)
        yield "value", self.value, "template"


@dataclass(frozen=True, slots=True, kw_only=True)
class DelaySpec(NodeSpec):
    """``<delay duration>``: sleeps, passes its input through."""

    TAG: ClassVar[str] = "delay"
    duration: Text

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """The duration."""
        yield from NodeSpec.texts(self)
        yield "duration", self.duration, "duration"


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeoutSpec(NodeSpec):
    """``<timeout duration on-timeout>`` around a body."""

    TAG: ClassVar[str] = "timeout"
    duration: Text
    on_timeout: Text | None = None
    body: Scope = ()

    def scopes(self) -> tuple[Scope, ...]:
        """The body."""
        return (self.body,)

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """The duration."""
        yield from NodeSpec.texts(self)
        yield "duration", self.duration, "duration"


@dataclass(frozen=True, slots=True, kw_only=True)
class BindSpec:
    """An ``<include>`` ``<bind key value>``."""

    key: str
    value: Text
    span: SourceSpan


@dataclass(frozen=True, slots=True, kw_only=True)
class IncludeSpec(NodeSpec):
    """``<include workflow>``: runs another flow sharing config and secrets."""

    TAG: ClassVar[str] = "include"
    workflow: Text
    binds: tuple[BindSpec, ...] = ()

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """The path and the bind values are templates."""
        yield from NodeSpec.texts(self)
        yield "workflow", self.workflow, "template"
        for bind in self.binds:
            yield f"bind.{bind.key}", bind.value, "template"


@dataclass(frozen=True, slots=True, kw_only=True)
class CallSpec(NodeSpec):
    """``<call workflow ...arguments>``: runs another flow as a function."""

    TAG: ClassVar[str] = "call"
    workflow: Text
    arguments: Mapping[str, Text] = field(default_factory=dict)

    def texts(self) -> Iterator[tuple[str, Text, TextRole]]:
        """The path and every argument are templates."""
        yield from NodeSpec.texts(self)
        yield "workflow", self.workflow, "template"
        for name, value in self.arguments.items():
            yield f"argument.{name}", value, "template"
