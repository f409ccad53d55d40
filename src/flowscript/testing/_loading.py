"""Finding and loading the test cases of a workflow file.

Cases come from the workflow's frontmatter ``tests:`` list and from a sibling
``NAME.test.flow.md`` next to ``NAME.flow.md``, in that order (both when both exist).

The sibling holds only a YAML frontmatter between ``---`` lines: a ``tests:`` list (required)
and an optional ``description``; anything after the closing ``---`` is free Markdown for
people and is never parsed. Its cases are validated like frontmatter cases (unknown keys,
unknown node ids), with positions in the sibling file.

The workflow's ``<include>``/``<call>`` children with literal paths are loaded and validated
with it (as a run does before it starts), so that cases can name their nodes
(``call-id/node-id``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import WorkflowParseError, WorkflowValidationError
from flowscript.model import Diagnostic, SourceSpan, Workflow
from flowscript.testing._cases import CaseSource, TestCase, duplicate_names, parse_case
from flowscript.testing._tree import WorkflowTree

if TYPE_CHECKING:
    from flowscript.planning import ExecutionPlan

__all__ = ["TestSuite", "load_test_suite", "sibling_path", "workflow_path"]

WORKFLOW_SUFFIX: Final = ".flow.md"
SIBLING_SUFFIX: Final = ".test.flow.md"
_SIBLING_KEYS: Final = ("tests", "description")


@dataclass(frozen=True, slots=True, kw_only=True)
class TestSuite:
    """A validated workflow and its test cases.

    Attributes:
        path: the workflow file.
        workflow: the validated workflow.
        cases: every case, frontmatter first, then the sibling's.
        sibling: the ``.test.flow.md`` file that was read, if any.
        plan: the workflow's plan with its ``<include>``/``<call>`` children loaded
            (``None`` only for a suite built by hand).
    """

    __test__ = False  # not a pytest test class

    path: Path
    workflow: Workflow
    cases: tuple[TestCase, ...]
    sibling: Path | None = None
    plan: ExecutionPlan | None = None


def workflow_path(path: str | os.PathLike[str]) -> Path:
    """The workflow a path names: ``x.test.flow.md`` → ``x.flow.md``; others unchanged."""
    file = Path(path)
    if file.name.endswith(SIBLING_SUFFIX) and len(file.name) > len(SIBLING_SUFFIX):
        return file.with_name(file.name[: -len(SIBLING_SUFFIX)] + WORKFLOW_SUFFIX)
    return file


def sibling_path(path: str | os.PathLike[str]) -> Path:
    """The test file of a workflow: ``x.flow.md`` → ``x.test.flow.md`` (``x.md`` →
    ``x.test.flow.md`` too)."""
    file = Path(path)
    name = file.name
    stem = name[: -len(WORKFLOW_SUFFIX)] if name.endswith(WORKFLOW_SUFFIX) else file.stem
    return file.with_name(stem + SIBLING_SUFFIX)


def load_test_suite(path: str | os.PathLike[str]) -> TestSuite:
    """Load, validate and read the test cases of the workflow at ``path`` (blocking I/O).

    Args:
        path: the workflow file, or its ``.test.flow.md`` sibling.

    Returns:
        The suite (``cases`` may be empty: the file has no tests).

    Raises:
        DefinitionError: the workflow, a child it includes or calls, the sibling or a case
            is invalid (every problem).
    """
    from flowscript.validate import load_workflow

    file = workflow_path(path)
    workflow = load_workflow(file)
    plan = _plan_with_children(file, workflow)
    tree = WorkflowTree(plan)
    nodes = workflow.node_index()
    lists: list[tuple[list[Any], CaseSource]] = [
        (
            list(workflow.tests),
            CaseSource(path=str(file), key_spans=workflow.key_spans, nodes=nodes, tree=tree),
        )
    ]
    sibling = sibling_path(file)
    found = sibling.is_file()
    if found:
        lists.append(_read_sibling(sibling, workflow, tree))
    cases, problems = _parse_cases(lists)
    if problems:
        raise WorkflowValidationError(problems)
    return TestSuite(
        path=file, workflow=workflow, cases=cases, sibling=sibling if found else None, plan=plan
    )


def _plan_with_children(file: Path, workflow: Workflow) -> ExecutionPlan:
    """The workflow's plan, its literal ``<include>``/``<call>`` children loaded (I/O)."""
    from flowscript.execution.control.composition import load_child_plans
    from flowscript.planning import build_execution_plan

    own = os.path.normpath(file.absolute())
    return load_child_plans(
        build_execution_plan(workflow), base_dir=file.absolute().parent, seen=frozenset({own})
    )


def _parse_cases(
    lists: list[tuple[list[Any], CaseSource]],
) -> tuple[tuple[TestCase, ...], list[Diagnostic]]:
    parsed: list[tuple[TestCase, int, CaseSource]] = []
    problems: list[Diagnostic] = []
    for raw_cases, source in lists:
        for index, raw in enumerate(raw_cases):
            if not isinstance(raw, Mapping):
                continue  # reported by the validator
            case, found = parse_case(raw, index, source)
            parsed.append((case, index, source))
            problems.extend(found)
    problems.extend(duplicate_names(parsed))
    return tuple(case for case, _, _ in parsed), problems


def _read_sibling(
    path: Path, workflow: Workflow, tree: WorkflowTree
) -> tuple[list[Any], CaseSource]:
    """The ``tests:`` list of the sibling file, validated against ``workflow``."""
    from flowscript.parser._layout import split_layout
    from flowscript.parser.frontmatter import parse_frontmatter

    text = _read_text(path)
    layout = split_layout(text, str(path))
    frontmatter = parse_frontmatter(layout.frontmatter, str(path), layout.frontmatter_line)
    data, spans = frontmatter.data, frontmatter.key_spans
    problems = list(_sibling_keys(path, data, spans))
    if not problems:
        problems.extend(_validate_tests(path, text, data["tests"], spans, workflow))
    if any(problem.is_error for problem in problems):
        raise WorkflowValidationError(problems)
    nodes = workflow.node_index()
    source = CaseSource(path=str(path), key_spans=spans, nodes=nodes, tree=tree)
    return list(data["tests"]), source


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkflowParseError(
            [
                Diagnostic(
                    code="PARSE_FILE_ERROR",
                    message=f"cannot read the test file {path}: {exc}",
                    span=SourceSpan(str(path), 1, 1),
                )
            ]
        ) from exc


def _sibling_keys(
    path: Path, data: Mapping[str, Any], spans: Mapping[str, SourceSpan]
) -> list[Diagnostic]:
    problems = [
        Diagnostic(
            code="VALID_UNKNOWN_FIELD",
            message=f"unknown key `{key}` in a test file (it holds only `tests` and `description`)",
            span=spans.get(str(key), SourceSpan(str(path), 1, 1)),
            hints=("the workflow's own settings belong in the workflow file",),
        )
        for key in data
        if key not in _SIBLING_KEYS
    ]
    if not isinstance(data.get("tests"), list):
        problems.append(
            Diagnostic(
                code="VALID_MISSING_REQUIRED_FIELD",
                message="a test file needs a `tests:` list in its frontmatter",
                span=spans.get("tests", SourceSpan(str(path), 1, 1)),
            )
        )
    return problems


def _validate_tests(
    path: Path,
    text: str,
    tests: list[Any],
    spans: Mapping[str, SourceSpan],
    workflow: Workflow,
) -> list[Diagnostic]:
    """The validator's ``tests`` rule run on the sibling's list, positions in the sibling."""
    from flowscript.validate._context import ValidationContext
    from flowscript.validate._testcases import check_tests

    stand_in = dataclasses.replace(
        workflow, path=str(path), source=text, frontmatter={"tests": tests}, key_spans=spans
    )
    # Warnings (unknown case keys) are left out: parse_case reports those as errors.
    return [found for found in check_tests(ValidationContext(stand_in)) if found.is_error]
