"""Test cases: one frontmatter ``tests:`` entry read into a :class:`TestCase`.

The validator already checked the keys and that ``mocks``/``answers``/``expect`` name nodes
of the workflow (``validate/_testcases.py``); this module checks what running a case needs
beyond that — the shape of each value (mocks: :mod:`._mockspec`), that mocks replace data
nodes and answers go to checkpoints, and that a qualified id (``call-id/node-id``, a node of an
``<include>``/``<call>`` child, which the validator cannot see) names a node — and reports
every problem as a diagnostic at the case's key.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from flowscript.model import CheckpointSpec, DataNodeSpec, Diagnostic, NodeSpec, SourceSpan
from flowscript.testing._mockspec import MockShapeError, parse_mock
from flowscript.testing._tree import SEPARATOR, UnknownNode

if TYPE_CHECKING:
    from flowscript.testing._tree import WorkflowTree

__all__ = ["NOT_GIVEN", "CaseSource", "ErrorExpectation", "TestCase", "parse_case"]


class _NotGiven:
    """The type of :data:`NOT_GIVEN`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = _NotGiven()
"""``expect-output`` was not written (``expect-output: null`` expects ``null``)."""

_ERROR_KEYS: Final = ("node", "type", "message")


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorExpectation:
    """``expect-error``: how the run must fail. ``None`` fields are not checked.

    Attributes:
        type: the error type (``http.status``, ``checkpoint.rejected``, ``CONFIG_INVALID`` …).
        node: the failing node's id.
        message: a substring of the error message.
    """

    type: str | None = None
    node: str | None = None
    message: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The fields that are checked."""
        return {key: value for key in _ERROR_KEYS if (value := getattr(self, key)) is not None}


@dataclass(frozen=True, slots=True, kw_only=True)
class TestCase:
    """One test case (cli.md ``flowscript test``).

    Attributes:
        name: the case's name (``case N`` when the entry has none).
        source: the file the case is written in (the workflow or its ``.test.flow.md``).
        span: where the case starts in ``source``.
        config: config overrides; the workflow's defaults apply to the rest.
        input: the workflow input (``None``: none given).
        mocks: node id → the output the node produces instead of running its runtime, or
            a ``$`` form (``{$error: …}``, ``{$attempts: […]}``, ``{$output: …}``).
            Node ids here and in ``answers``/``expect``/``expect_error`` may be qualified:
            ``call-id/node-id`` names a node of an ``<include>``/``<call>`` child.
        answers: checkpoint id → answer (``approve``, ``reject``, ``input:TEXT``, an action).
        expect: node id → expected output.
        expect_output: the expected workflow result, or :data:`NOT_GIVEN`.
        expect_error: how the run must fail, or ``None`` when it must succeed.
    """

    __test__ = False  # not a pytest test class

    name: str
    source: str
    span: SourceSpan | None = None
    config: Mapping[str, Any] = field(default_factory=dict)
    input: Any = None
    mocks: Mapping[str, Any] = field(default_factory=dict)
    answers: Mapping[str, str] = field(default_factory=dict)
    expect: Mapping[str, Any] = field(default_factory=dict)
    expect_output: Any = NOT_GIVEN
    expect_error: ErrorExpectation | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseSource:
    """Where a ``tests:`` list was read: for positions and node lookups.

    Attributes:
        path: the file holding the list.
        key_spans: its frontmatter key positions (``tests.0.mocks`` …).
        nodes: node id → node of the workflow under test.
        tree: the workflow with its loaded children, for qualified ids (``None``: a
            qualified id is not checked).
    """

    path: str
    key_spans: Mapping[str, SourceSpan]
    nodes: Mapping[str, NodeSpec]
    tree: WorkflowTree | None = None

    def span(self, index: int, key: str = "") -> SourceSpan:
        """The position of ``tests[index].key`` (falling back to the case, then ``tests``)."""
        for dotted in (f"tests.{index}.{key}", f"tests.{index}", "tests"):
            span = self.key_spans.get(dotted.rstrip("."))
            if span is not None:
                return span
        return SourceSpan(self.path, 1, 1)


def _kebab(key: str) -> str:
    """``expectOutput`` / ``expect_output`` → ``expect-output`` (as the validator reads keys)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", key).replace("_", "-").lower()


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    names = {bool: "a boolean", str: "a string", list: "a list", dict: "a mapping"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else "a value")


class _Problems:
    """Collects the diagnostics of one case."""

    def __init__(self, source: CaseSource, index: int) -> None:
        self.source = source
        self.index = index
        self.found: list[Diagnostic] = []
        self.written: dict[str, str] = {}  # canonical key → the key as written (for spans)

    def add(
        self,
        key: str,
        message: str,
        *hints: str,
        code: str = "VALID_INVALID_VALUE",
        about_key: bool = True,
    ) -> None:
        """A problem with the value of ``key`` (or, ``about_key=False``, with the case
        itself, positioned at ``key``)."""
        case = f"test case {self.index + 1}"
        where = f"`{key}` of {case}" if about_key else case
        self.found.append(
            Diagnostic(
                code=code,
                message=f"{where}: {message}",
                span=self.source.span(self.index, self.written.get(key, key)),
                hints=hints,
            )
        )

    def wrong_type(self, key: str, expected: str, value: Any) -> None:
        self.add(key, f"must be {expected}, not {_type_name(value)}", code="VALID_INVALID_TYPE")

    def node(self, key: str, node_id: str) -> NodeSpec | None:
        """The node ``node_id`` names in ``key``, or ``None``. The validator reports unknown
        plain ids; an unknown qualified id (``call-id/node-id``) is reported here."""
        tree = self.source.tree
        if SEPARATOR not in node_id or tree is None:
            return self.source.nodes.get(node_id)
        try:
            return tree.find(node_id)
        except UnknownNode as exc:
            self.add(key, f"unknown node {exc}", *exc.hints, code="VALID_UNDEFINED_NODE_REF")
            return None


def parse_case(
    raw: Mapping[str, Any], index: int, source: CaseSource
) -> tuple[TestCase, list[Diagnostic]]:
    """Read entry ``index`` of a ``tests:`` list.

    Returns:
        The case and the problems found (the case is meaningful only without problems).
    """
    problems = _Problems(source, index)
    problems.written = {_kebab(str(key)): str(key) for key in raw}
    entries = {_kebab(str(key)): value for key, value in raw.items()}
    fields: dict[str, Any] = {}
    for key, value in entries.items():
        reader = _READERS.get(key)
        if reader is None:
            _unknown_key(key, problems)
        else:
            fields.update(reader(value, problems))
    if "expect_error" in fields and "expect-output" in entries:
        problems.add(
            "expect-output",
            "cannot be combined with `expect-error` (a failed run has no result)",
        )
    name = fields.pop("name", None) or f"case {index + 1}"
    case = TestCase(name=name, source=source.path, span=source.span(index), **fields)
    return case, problems.found


def _unknown_key(key: str, problems: _Problems) -> None:
    # An error here, not the validator's warning: a mistyped `expect` would make the case
    # pass without checking anything.
    close = difflib.get_close_matches(key, list(_READERS), n=1)
    hint = f"did you mean `{close[0]}`?" if close else "keys: " + ", ".join(_READERS)
    problems.add(
        key,
        f"unknown key `{problems.written.get(key, key)}`",
        hint,
        code="VALID_UNKNOWN_FIELD",
        about_key=False,
    )


# -- one reader per key: value → dataclass fields, problems reported ------------------------

_Reader = Callable[[Any, _Problems], dict[str, Any]]


def _read_name(value: Any, problems: _Problems) -> dict[str, Any]:
    if not isinstance(value, str) or not value.strip():
        problems.wrong_type("name", "a non-empty string", value)
        return {}
    return {"name": value.strip()}


def _read_mapping(key: str, attribute: str) -> _Reader:
    def read(value: Any, problems: _Problems) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            problems.wrong_type(key, "a mapping", value)
            return {}
        return {attribute: {str(k): v for k, v in value.items()}}

    return read


def _read_input(value: Any, problems: _Problems) -> dict[str, Any]:
    return {"input": value}


def _read_expect_output(value: Any, problems: _Problems) -> dict[str, Any]:
    return {"expect_output": value}


def _read_mocks(value: Any, problems: _Problems) -> dict[str, Any]:
    fields = _read_mapping("mocks", "mocks")(value, problems)
    for node_id, mock in fields.get("mocks", {}).items():
        node = problems.node("mocks", node_id)
        if node is not None and not isinstance(node, DataNodeSpec):
            problems.add(
                "mocks",
                f"`{node_id}` is a <{node.tag}>: only data nodes (source, transform, sink, ai) "
                "can be mocked",
                *_mock_hints(node),
            )
        try:
            parse_mock(mock)
        except MockShapeError as exc:
            problems.add("mocks", f"the mock of `{node_id}`: {exc}", *exc.hints)
    return fields


def _read_expect(value: Any, problems: _Problems) -> dict[str, Any]:
    fields = _read_mapping("expect", "expect")(value, problems)
    for node_id in fields.get("expect", {}):
        problems.node("expect", node_id)
    return fields


def _mock_hints(node: NodeSpec) -> tuple[str, ...]:
    if isinstance(node, CheckpointSpec):
        return (f"answer the checkpoint instead: `answers: {{{node.id}: approve}}`",)
    return ("mock the data nodes inside it instead",)


def _answer_text(node_id: str, value: Any, problems: _Problems) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, Mapping) and isinstance(value.get("action"), str):
        action = str(value["action"])
        if action.lower() == "input":
            return f"input:{value.get('input', '')}"
        return action
    problems.add(
        "answers",
        f"the answer for `{node_id}` must be a string (`approve`, `reject`, `input:TEXT`, an "
        "action id) or `{action: …, input: …}`",
        code="VALID_INVALID_TYPE",
    )
    return None


def _read_answers(value: Any, problems: _Problems) -> dict[str, Any]:
    fields = _read_mapping("answers", "answers")(value, problems)
    answers: dict[str, str] = {}
    for node_id, answer in fields.get("answers", {}).items():
        node = problems.node("answers", node_id)
        if node is not None and not isinstance(node, CheckpointSpec):
            problems.add("answers", f"`{node_id}` is a <{node.tag}>, not a <checkpoint>")
        text = _answer_text(node_id, answer, problems)
        if text is not None:
            answers[node_id] = text
    return {"answers": answers} if fields else {}


def _read_expect_error(value: Any, problems: _Problems) -> dict[str, Any]:
    if isinstance(value, str) and value.strip():
        return {"expect_error": ErrorExpectation(type=value.strip())}
    if not isinstance(value, Mapping):
        problems.wrong_type("expect-error", "an error type or `{node, type, message}`", value)
        return {}
    fields: dict[str, str] = {}
    for key, item in value.items():
        if key not in _ERROR_KEYS:
            problems.add("expect-error", f"unknown key `{key}`", "keys: node, type, message")
        elif not isinstance(item, str) or not item:
            problems.wrong_type("expect-error", f"`{key}` as a non-empty string", item)
        else:
            fields[str(key)] = item
    if not {"node", "type"} & value.keys():
        problems.add("expect-error", "needs `node`, `type` or both")
        return {}
    if "node" in fields:
        problems.node("expect-error", fields["node"])
    return {"expect_error": ErrorExpectation(**fields)}


_READERS: Final[dict[str, _Reader]] = {
    "name": _read_name,
    "config": _read_mapping("config", "config"),
    "input": _read_input,
    "mocks": _read_mocks,
    "answers": _read_answers,
    "expect": _read_expect,
    "expect-output": _read_expect_output,
    "expect-error": _read_expect_error,
}
"""Case key → its reader."""


def duplicate_names(cases: list[tuple[TestCase, int, CaseSource]]) -> Iterator[Diagnostic]:
    """A diagnostic for every case whose name an earlier case already has."""
    seen: set[str] = set()
    for case, index, source in cases:
        if case.name in seen:
            yield Diagnostic(
                code="VALID_INVALID_VALUE",
                message=f"test case {index + 1}: another test case is already named {case.name!r}",
                span=source.span(index, "name"),
                hints=("give every test case of a workflow its own name",),
            )
        seen.add(case.name)
