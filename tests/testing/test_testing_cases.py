"""Loading test cases: frontmatter, sibling ``.test.flow.md`` files, and their checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowscript.errors import DefinitionError, WorkflowValidationError
from flowscript.testing import (
    NOT_GIVEN,
    ErrorExpectation,
    load_test_suite,
    name_matches,
    sibling_path,
    workflow_path,
)

BODY = """
<workflow>
  <source id="fetch" type="http" url="http://127.0.0.1:1/x"/>
  <checkpoint id="review" prompt="ok?"/>
  <if id="gate" condition="true">
    <then>
      <transform id="inner" type="template" template="x"/>
    </then>
  </if>
</workflow>
"""


def _flow(tmp_path: Path, tests: str, name: str = "flow.flow.md") -> Path:
    path = tmp_path / name
    path.write_text(f"---\nname: flow\nversion: '1.0'\n{tests}---\n{BODY}", encoding="utf-8")
    return path


def _messages(error: DefinitionError) -> list[str]:
    return [f"{d.code} {d.span.line if d.span else 0}: {d.message}" for d in error.errors]


def test_frontmatter_cases_are_read_with_every_field(tmp_path: Path) -> None:
    path = _flow(
        tmp_path,
        "tests:\n"
        "  - name: full\n"
        "    config: {a: 1}\n"
        "    input: [1, 2]\n"
        "    mocks: {fetch: {ok: true}}\n"
        "    answers: {review: {action: input, input: fine}}\n"
        "    expect: {inner: x}\n"
        "    expect-output: null\n"
        "  - expectError: {node: fetch, type: http.connect, message: refused}\n",
    )
    suite = load_test_suite(path)
    first, second = suite.cases
    assert (first.name, first.config, first.input) == ("full", {"a": 1}, [1, 2])
    assert first.mocks == {"fetch": {"ok": True}}
    assert first.answers == {"review": "input:fine"}
    assert first.expect == {"inner": "x"}
    assert first.expect_output is None
    assert first.source == str(path)
    assert second.name == "case 2"
    assert second.expect_output is NOT_GIVEN
    assert second.expect_error == ErrorExpectation(
        node="fetch", type="http.connect", message="refused"
    )
    assert suite.sibling is None


def test_expect_error_as_a_string_is_the_type(tmp_path: Path) -> None:
    suite = load_test_suite(_flow(tmp_path, "tests:\n  - expect-error: checkpoint.rejected\n"))
    assert suite.cases[0].expect_error == ErrorExpectation(type="checkpoint.rejected")


def test_sibling_cases_follow_the_frontmatter_ones(tmp_path: Path) -> None:
    path = _flow(tmp_path, "tests:\n  - name: in the file\n")
    sibling = tmp_path / "flow.test.flow.md"
    sibling.write_text(
        "---\ndescription: more cases\ntests:\n  - name: beside it\n    mocks: {fetch: 1}\n---\n"
        "# Notes\n\nFree *Markdown*, never parsed: <workflow> is fine here.\n",
        encoding="utf-8",
    )
    suite = load_test_suite(path)
    assert [case.name for case in suite.cases] == ["in the file", "beside it"]
    assert [case.source for case in suite.cases] == [str(path), str(sibling)]
    assert suite.sibling == sibling


def test_the_sibling_path_names_the_same_suite(tmp_path: Path) -> None:
    _flow(tmp_path, "")
    (tmp_path / "flow.test.flow.md").write_text("---\ntests:\n  - name: only\n---\n")
    suite = load_test_suite(tmp_path / "flow.test.flow.md")
    assert suite.path == tmp_path / "flow.flow.md"
    assert [case.name for case in suite.cases] == ["only"]


def test_a_file_without_tests_has_no_cases(tmp_path: Path) -> None:
    assert load_test_suite(_flow(tmp_path, "")).cases == ()


@pytest.mark.parametrize(
    ("path", "workflow", "sibling"),
    [
        ("a/x.flow.md", "a/x.flow.md", "a/x.test.flow.md"),
        ("a/x.test.flow.md", "a/x.flow.md", "a/x.test.flow.md"),
        ("x.md", "x.md", "x.test.flow.md"),
    ],
    ids=["workflow", "sibling", "other-suffix"],
)
def test_workflow_and_sibling_paths(path: str, workflow: str, sibling: str) -> None:
    assert workflow_path(path) == Path(workflow)
    assert sibling_path(workflow_path(path)) == Path(sibling)


@pytest.mark.parametrize(
    ("tests", "expected"),
    [
        (
            "tests:\n  - mocks: {review: approve}\n",
            "VALID_INVALID_VALUE 5: `mocks` of test case 1: `review` is a <checkpoint>: only data "
            "nodes (source, transform, sink, ai) can be mocked",
        ),
        (
            "tests:\n  - mocks: {gate: 1}\n",
            "VALID_INVALID_VALUE 5: `mocks` of test case 1: `gate` is a <if>: only data nodes "
            "(source, transform, sink, ai) can be mocked",
        ),
        (
            "tests:\n  - answers: {fetch: approve}\n",
            "VALID_INVALID_VALUE 5: `answers` of test case 1: `fetch` is a <source>, not a "
            "<checkpoint>",
        ),
        (
            "tests:\n  - answers: {review: 3}\n",
            "VALID_INVALID_TYPE 5: `answers` of test case 1: the answer for `review` must be a "
            "string (`approve`, `reject`, `input:TEXT`, an action id) or `{action: …, input: …}`",
        ),
        (
            "tests:\n  - name: a\n    expekt: {fetch: 1}\n",
            "VALID_UNKNOWN_FIELD 6: test case 1: unknown key `expekt`",
        ),
        (
            "tests:\n  - expect-error: {type: x, kind: y}\n",
            "VALID_INVALID_VALUE 5: `expect-error` of test case 1: unknown key `kind`",
        ),
        (
            "tests:\n  - expect-error: {message: boom}\n",
            "VALID_INVALID_VALUE 5: `expect-error` of test case 1: needs `node`, `type` or both",
        ),
        (
            "tests:\n  - expect-error: 3\n",
            "VALID_INVALID_TYPE 5: `expect-error` of test case 1: must be an error type or "
            "`{node, type, message}`, not a number",
        ),
        (
            "tests:\n  - expect-error: x.y\n    expect-output: 1\n",
            "VALID_INVALID_VALUE 6: `expect-output` of test case 1: cannot be combined with "
            "`expect-error` (a failed run has no result)",
        ),
        (
            "tests:\n  - config: [1]\n",
            "VALID_INVALID_TYPE 5: `config` of test case 1: must be a mapping, not a list",
        ),
        (
            "tests:\n  - name: same\n  - name: same\n",
            "VALID_INVALID_VALUE 6: test case 2: another test case is already named 'same'",
        ),
    ],
    ids=[
        "mock-checkpoint",
        "mock-control-node",
        "answer-non-checkpoint",
        "answer-type",
        "unknown-key",
        "error-unknown-key",
        "error-without-node-or-type",
        "error-type",
        "error-and-output",
        "config-type",
        "duplicate-name",
    ],
)
def test_invalid_cases_are_diagnostics_at_their_key(
    tmp_path: Path, tests: str, expected: str
) -> None:
    with pytest.raises(WorkflowValidationError) as caught:
        load_test_suite(_flow(tmp_path, tests))
    assert _messages(caught.value) == [expected]


def test_an_unknown_node_is_reported_by_the_validator(tmp_path: Path) -> None:
    with pytest.raises(WorkflowValidationError, match="names unknown node `fetc`"):
        load_test_suite(_flow(tmp_path, "tests:\n  - mocks: {fetc: 1}\n"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "---\ntests:\n  - mocks: {nope: 1}\n---\n",
            "VALID_UNDEFINED_NODE_REF 3: `mocks` of test case 1 names unknown node `nope`",
        ),
        (
            "---\nname: x\ntests: []\n---\n",
            "VALID_UNKNOWN_FIELD 2: unknown key `name` in a test file (it holds only `tests` and "
            "`description`)",
        ),
        (
            "---\ndescription: nothing\n---\n",
            "VALID_MISSING_REQUIRED_FIELD 1: a test file needs a `tests:` list in its frontmatter",
        ),
        (
            "---\ntests:\n  - expect: {fetch: 1}\n  - mocks: {review: 1}\n---\n",
            "VALID_INVALID_VALUE 4: `mocks` of test case 2: `review` is a <checkpoint>: only data "
            "nodes (source, transform, sink, ai) can be mocked",
        ),
    ],
    ids=["unknown-node", "unknown-top-key", "no-tests", "case-problem"],
)
def test_sibling_problems_point_into_the_sibling(tmp_path: Path, text: str, expected: str) -> None:
    path = _flow(tmp_path, "")
    sibling = tmp_path / "flow.test.flow.md"
    sibling.write_text(text, encoding="utf-8")
    with pytest.raises(WorkflowValidationError) as caught:
        load_test_suite(path)
    assert _messages(caught.value) == [expected]
    assert all(d.span is not None and d.span.path == str(sibling) for d in caught.value.errors)


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        (None, True),
        ("high", True),
        ("High", False),
        ("greets*", True),
        ("*scorers", True),
        ("greets", True),
        ("g?eets the high scorers", True),
        ("nobody*", False),
    ],
    ids=[
        "none",
        "substring",
        "case-sensitive",
        "glob-prefix",
        "glob-suffix",
        "prefix",
        "any-char",
        "no-match",
    ],
)
def test_name_patterns(pattern: str | None, matches: bool) -> None:
    assert name_matches("greets the high scorers", pattern) is matches
