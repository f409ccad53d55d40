"""The public API of flowscript.validate: results, ordering, robustness, files, includes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import flowscript.validate as validate_module
from flowscript.errors import WorkflowParseError, WorkflowValidationError
from flowscript.model import Diagnostic, Severity, SourceSpan, Workflow
from flowscript.parser import parse
from flowscript.validate import (
    ValidationResult,
    load_valid,
    load_workflow,
    validate,
    validate_file,
)

GOOD = """---
name: good
version: 1.0.0
---
<workflow>
  <transform id="hello" template="hi"/>
</workflow>
"""


def flow(body: str, frontmatter: str = "", name: str = "api") -> str:
    return f"---\nname: {name}\nversion: 1.0.0\n{frontmatter}---\n<workflow>\n{body}\n</workflow>\n"


def codes(result: ValidationResult) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.column) for d in result.diagnostics if d.span]


def test_a_valid_workflow_has_no_diagnostics() -> None:
    workflow = parse(GOOD, "good.flow.md")
    result = validate(workflow)
    assert result.diagnostics == ()
    assert result.valid and result.ok() and result.ok(strict=True)
    assert result.workflow is workflow
    assert result.errors == () and result.warnings == ()


def test_warnings_fail_only_strict() -> None:
    result = validate(parse(flow('  <transform id="t" template="{{ nope }}"/>'), "w.flow.md"))
    assert [d.code for d in result.warnings] == ["EXPR_UNDEFINED_VARIABLE"]
    assert result.errors == ()
    assert result.valid and result.ok(strict=False) and not result.ok(strict=True)


def test_diagnostics_are_sorted_and_every_problem_is_collected() -> None:
    text = flow(
        """
  <transform id="b" input="ghost" template="{{ uper(1) }}"/>
  <transform id="a" input="b" template="x" mode="fast"/>
  <sink id="b" type="nope" path="x"/>
""",
        frontmatter="bogus: 1\n",
    )
    result = validate(parse(text, "s.flow.md"))
    assert codes(result) == [
        ("VALID_UNKNOWN_FIELD", 4, 1),
        ("VALID_UNDEFINED_NODE_REF", 8, 28),
        ("EXPR_UNDEFINED_FUNCTION", 8, 48),
        ("VALID_UNKNOWN_FIELD", 9, 44),
        ("VALID_DUPLICATE_NODE_ID", 10, 13),
        ("VALID_UNKNOWN_NODE_TYPE", 10, 22),
    ]
    assert [d.severity for d in result.diagnostics][:2] == [Severity.WARNING, Severity.ERROR]


def test_diagnostics_carry_the_node_and_hints() -> None:
    result = validate(
        parse(
            flow(
                '  <transform id="t" input="hell" template="x"/>\n'
                '  <transform id="hello" template="x"/>'
            ),
            "h.flow.md",
        )
    )
    (diagnostic,) = result.diagnostics
    assert diagnostic.node == "t"
    assert diagnostic.hints == ("did you mean `hello`?",)
    assert diagnostic.message == "`input` of `t` names unknown node `hell`"


def test_a_crashing_rule_becomes_a_diagnostic_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(ctx: object) -> Iterator[Diagnostic]:
        raise RuntimeError("boom")
        yield  # pragma: no cover

    monkeypatch.setattr(validate_module, "RULES", (("broken", broken), *validate_module.RULES))
    result = validate(parse(flow('  <transform id="t" input="x" template="x"/>'), "c.flow.md"))
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("VALID_INTERNAL_ERROR", "validation rule `broken` crashed: RuntimeError: boom"),
        ("VALID_UNDEFINED_NODE_REF", "`input` of `t` names unknown node `x`"),
    ]


def test_parse_diagnostics_are_included() -> None:
    result = validate(parse(flow("  <sourc id='x'/>"), "p.flow.md"))
    assert [d.code for d in result.diagnostics] == ["VALID_UNKNOWN_NODE_TYPE"]
    assert result.diagnostics == result.workflow.parse_diagnostics  # type: ignore[union-attr]


def test_validate_file_reports_parse_errors(tmp_path: Path) -> None:
    path = tmp_path / "broken.flow.md"
    path.write_text("<workflow/>\n", encoding="utf-8")
    result = validate_file(path)
    assert [(d.code, d.span) for d in result.diagnostics] == [
        ("PARSE_MISSING_FRONTMATTER", SourceSpan(str(path), 1, 1)),
    ]
    assert result.workflow is None and not result.valid


def test_validate_file_of_a_missing_file(tmp_path: Path) -> None:
    result = validate_file(tmp_path / "nope.flow.md")
    assert [d.code for d in result.diagnostics] == ["PARSE_FILE_ERROR"]


def test_load_valid_hands_the_graph_to_the_planner(tmp_path: Path) -> None:
    from flowscript.planning import build_execution_plan

    good = tmp_path / "good.flow.md"
    good.write_text(GOOD, encoding="utf-8")
    result = load_valid(good)
    assert result.workflow is not None and result.graph is not None
    assert set(result.graph.nodes) == {node.id for node in result.workflow.walk()}
    assert build_execution_plan(result.workflow, graph=result.graph).graph is result.graph


def test_load_workflow(tmp_path: Path) -> None:
    good = tmp_path / "good.flow.md"
    good.write_text(GOOD, encoding="utf-8")
    assert load_workflow(good).name == "good"
    bad = tmp_path / "bad.flow.md"
    bad.write_text(flow('  <transform id="t" input="x" template="{{ y }}"/>'), encoding="utf-8")
    with pytest.raises(WorkflowValidationError, match="unknown node `x`") as info:
        load_workflow(bad)
    assert [d.code for d in info.value.diagnostics] == [
        "VALID_UNDEFINED_NODE_REF",
        "EXPR_UNDEFINED_VARIABLE",
    ]
    unparsable = tmp_path / "unparsable.flow.md"
    unparsable.write_text("no frontmatter\n", encoding="utf-8")
    with pytest.raises(WorkflowParseError, match="---"):
        load_workflow(unparsable)


def test_includes_are_validated_with_their_own_path(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "main.flow.md").write_text(
        flow(
            '  <include id="a" workflow="parts/child.flow.md"/>\n'
            '  <call id="b" workflow="./parts/child.flow.md"/>\n'
            '  <call id="c" workflow="parts/{{ $input.name }}.flow.md"/>'
        ),
        encoding="utf-8",
    )
    (tmp_path / "parts" / "child.flow.md").write_text(
        flow('  <transform id="t" input="missing" template="x"/>', name="child"),
        encoding="utf-8",
    )
    result = validate_file(tmp_path / "main.flow.md")
    assert [(d.code, d.span.path, d.span.line) for d in result.diagnostics if d.span] == [
        ("VALID_UNDEFINED_NODE_REF", str(tmp_path / "parts" / "child.flow.md"), 6),
    ]


def test_circular_includes_through_a_custom_loader() -> None:
    files = {
        "a.flow.md": flow('  <include id="to-b" workflow="b.flow.md"/>', name="a"),
        "b.flow.md": flow('  <call id="to-a" workflow="a.flow.md"/>', name="b"),
    }
    loaded: list[str] = []

    def loader(path: str) -> Workflow:
        loaded.append(path)
        if path not in files:
            raise FileNotFoundError(path)
        return parse(files[path], path)

    result = validate(parse(files["a.flow.md"], "a.flow.md"), include_loader=loader)
    assert [(d.code, d.span.path, d.message) for d in result.diagnostics if d.span] == [
        (
            "VALID_CIRCULAR_INCLUDE",
            "b.flow.md",
            "workflows include each other: a.flow.md -> b.flow.md -> a.flow.md",
        )
    ]
    assert loaded == ["b.flow.md"]


def test_loader_errors_become_diagnostics() -> None:
    def loader(path: str) -> Workflow:
        if path == "broken.flow.md":
            return parse("---\nname: x\n", path)
        raise FileNotFoundError(path)

    text = flow(
        '  <include id="a" workflow="gone.flow.md"/>\n  <include id="b" workflow="broken.flow.md"/>'
    )
    result = validate(parse(text, "main.flow.md"), include_loader=loader)
    assert [(d.code, d.span.path) for d in result.diagnostics if d.span] == [
        ("PARSE_YAML_INVALID", "broken.flow.md"),
        ("VALID_INCLUDE_NOT_FOUND", "main.flow.md"),
    ]


def test_without_a_loader_includes_are_not_followed() -> None:
    text = flow('  <include id="a" workflow="gone.flow.md"/>')
    assert validate(parse(text, "main.flow.md")).diagnostics == ()


def test_repeated_problems_are_reported_once() -> None:
    text = flow('  <transform id="t" template="{{ a }} {{ a }}"/>')
    result = validate(parse(text, "r.flow.md"))
    assert codes(result) == [
        ("EXPR_UNDEFINED_VARIABLE", 6, 34),
        ("EXPR_UNDEFINED_VARIABLE", 6, 42),
    ]


def test_public_api_is_pinned() -> None:
    import flowscript.graph as graph_module

    assert sorted(validate_module.__all__) == sorted(
        [
            "CODES",
            "RULES",
            "CodeInfo",
            "Rule",
            "ValidationResult",
            "load_valid",
            "load_workflow",
            "validate",
            "validate_file",
        ]
    )
    assert sorted(graph_module.__all__) == sorted(
        [
            "ROOT",
            "WORKFLOW_ERROR",
            "Cycle",
            "EvaluableText",
            "HandlerUse",
            "NameRef",
            "NodeDeps",
            "Part",
            "Reference",
            "ScopeInfo",
            "TextParser",
            "WorkflowGraph",
            "analyze",
            "body_names",
            "defined_names",
            "names_in",
            "node_texts",
            "text_names",
            "top_field",
        ]
    )
    assert all(name.replace("-", "").isalpha() for name, _ in validate_module.RULES)
