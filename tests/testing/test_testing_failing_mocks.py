"""Failing mocks (``{$error: …}``, ``{$attempts: […]}``): retries, fallbacks and
``<on-workflow-error>`` handle them as in a real run."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import NodeError, WorkflowValidationError
from flowscript.execution.events import Event, NodeRetrying
from flowscript.execution.options import ExecutionOptions
from flowscript.execution.run import prepare_run
from flowscript.testing import CaseResult, MockingExecutor, mock_aware_registry, run_tests

CLOSED = "http://127.0.0.1:1"

FLOW = f"""---
name: resilient
version: "1.0"
tests: []
---
<workflow>
  <source id="fetch" type="http" url="{CLOSED}/items">
    <on-error>
      <retry max="2" delay="30s"/>
      <fallback node="cached"/>
    </on-error>
  </source>
  <transform id="cached" type="template"
      template="cached after {{{{ $error.attempts }}}}: {{{{ $error.type }}}} {{{{
        $primaryError }}}}"/>
  <transform id="plain" type="template" template="got {{{{ fetch }}}}"/>
  <on-workflow-error>
    <transform id="alert" type="template" template="{{{{ $error.node }}}} {{{{ $error.type }}}}"/>
  </on-workflow-error>
</workflow>
"""


def _write(tmp_path: Path, tests: str, text: str = FLOW) -> Path:
    path = tmp_path / "flow.flow.md"
    path.write_text(text.replace("tests: []", "tests:\n" + tests), encoding="utf-8")
    return path


def _case(tmp_path: Path, tests: str, text: str = FLOW) -> CaseResult:
    (case,) = run_tests(_write(tmp_path, tests, text)).cases
    return case


def _failures(case: CaseResult) -> list[tuple[str, str | None, str]]:
    return [(f.kind, f.node, f.message) for f in case.failures]


@pytest.mark.parametrize(
    ("mock", "expected"),
    [
        (
            "{$error: {type: http.status, message: 503 busy, retryable: true, status: 503}}",
            "cached after 3: http.status 503 busy",
        ),
        (
            "{$error: {type: http.status, message: 404 gone}}",
            "cached after 1: http.status 404 gone",
        ),
        ("{$error: file.not_found}", "cached after 1: file.not_found mocked file.not_found error"),
        (
            "{$attempts: [{$error: {type: t, retryable: true}}, {$error: {type: u}}, ok]}",
            "cached after 2: u mocked u error",
        ),
    ],
    ids=["retryable", "not-retryable", "type-only", "per-attempt"],
)
def test_a_failing_mock_is_retried_then_falls_back(
    tmp_path: Path, mock: str, expected: str
) -> None:
    tests = f"""\
  - mocks: {{fetch: {mock}}}
    expect: {{fetch: "{expected}", cached: "{expected}", plain: "got {expected}"}}
"""
    assert _failures(_case(tmp_path, tests)) == []


def test_attempts_fail_then_succeed(tmp_path: Path) -> None:
    tests = """\
  - mocks:
      fetch:
        $attempts:
          - $error: {type: http.status, retryable: true}
          - $error: {type: http.read, retryable: true}
          - [1, 2]
    expect: {plain: "got [1,2]"}
"""
    case = _case(tmp_path, tests)
    assert _failures(case) == []


def test_without_a_fallback_the_run_fails_and_the_workflow_error_handlers_run(
    tmp_path: Path,
) -> None:
    text = FLOW.replace('      <fallback node="cached"/>\n', "")
    tests = """\
  - mocks: {fetch: {$error: {type: http.status, message: 503 busy, retryable: true}}}
    expect-error: {node: fetch, type: http.status, message: busy}
    expect: {alert: fetch http.status}
"""
    case = _case(tmp_path, tests, text)
    assert _failures(case) == []
    assert (case.status, case.error) == (
        "failed",
        {"node": "fetch", "type": "http.status", "message": "503 busy"},
    )


def test_a_failing_mock_the_case_does_not_expect_fails_the_case(tmp_path: Path) -> None:
    text = FLOW.replace('      <fallback node="cached"/>\n', "")
    case = _case(tmp_path, "  - mocks: {fetch: {$error: {type: x.y, message: down}}}\n", text)
    assert _failures(case) == [("run", "fetch", "node `fetch` failed: [x.y] down")]


def test_retry_when_an_expression_sees_the_mocked_status(tmp_path: Path) -> None:
    text = FLOW.replace(
        '<retry max="2" delay="30s"/>', '<retry max="4" when="$error.status == 503"/>'
    )
    tests = """\
  - mocks: {fetch: {$error: {type: http.status, status: 503}}}
    expect: {cached: "cached after 5: http.status mocked http.status error"}
"""
    assert _failures(_case(tmp_path, tests, text)) == []


@pytest.mark.parametrize(
    ("mock", "output"),
    [
        ("{$output: {$error: not a failure}}", {"$error": "not a failure"}),
        ("{$output: {$attempts: []}}", {"$attempts": []}),
        ("{error: {type: x}}", {"error": {"type": "x"}}),
        ("{$errors: 1}", {"$errors": 1}),
    ],
    ids=["escaped-error", "escaped-attempts", "error-key", "other-dollar-key"],
)
def test_outputs_that_look_like_failures(tmp_path: Path, mock: str, output: Any) -> None:
    text = FLOW.replace('template="got {{ fetch }}"', 'template="{{ fetch }}"')
    case = _case(tmp_path, f"  - mocks: {{fetch: {mock}}}\n    expect-output: null\n", text)
    assert [(f.kind, f.actual) for f in case.failures] == [("expect-output", output)]


@pytest.mark.parametrize(
    ("mock", "message", "hints"),
    [
        (
            "{$error: {type: x}, status: 1}",
            "`$error` must be the only key of the mock, not one of `$error`, `status`",
            (
                "to mock an output that has this key, write it under `$output`: "
                "`{$output: {$error: …}}`",
            ),
        ),
        (
            "{$error: {message: m}}",
            "`$error` needs a `type` (a non-empty string)",
            ("keys: type, message, retryable, status, retry-after, details",),
        ),
        (
            "{$error: {type: x, retryable: maybe}}",
            "`$error` `retryable` must be true or false, not 'maybe'",
            (),
        ),
        (
            "{$attempts: []}",
            "`$attempts` must be a non-empty list: one output or `$error` per attempt",
            ("e.g. `{$attempts: [{$error: http.status}, [1, 2]]}`: fails once, then succeeds",),
        ),
    ],
    ids=["mixed", "no-type", "retryable", "empty-attempts"],
)
def test_a_malformed_failing_mock_is_an_error_of_the_case(
    tmp_path: Path, mock: str, message: str, hints: tuple[str, ...]
) -> None:
    with pytest.raises(WorkflowValidationError) as raised:
        run_tests(_write(tmp_path, f"  - mocks: {{fetch: {mock}}}\n"))
    (problem,) = raised.value.diagnostics
    assert problem.message == f"`mocks` of test case 1: the mock of `fetch`: {message}"
    assert problem.hints == hints


CHILD = f"""---
name: child
version: "1.0"
---
<workflow>
  <source id="load" type="http" url="{CLOSED}/load">
    <on-error><retry max="1" delay="30s"/></on-error>
  </source>
</workflow>
"""


def test_a_failing_mock_inside_a_called_child(tmp_path: Path) -> None:
    (tmp_path / "child.flow.md").write_text(CHILD, encoding="utf-8")
    text = """---
name: parent
version: "1.0"
tests:
  - name: recovers
    mocks: {sub/load: {$attempts: [{$error: {type: http.read, retryable: true}}, 42]}}
    expect: {sub: 42}
  - name: gives up
    mocks: {sub/load: {$error: {type: http.read, message: reset, retryable: true}}}
    expect-error: {node: sub/load, type: http.read, message: reset}
    expect: {report: "sub/load: reset"}
---
<workflow>
  <call id="sub" workflow="child.flow.md"/>
  <on-workflow-error>
    <transform id="report" type="template" template="{{ $error.node }}: {{ $error.message }}"/>
  </on-workflow-error>
</workflow>
"""
    report = run_tests(_write(tmp_path, "", text))
    assert [(case.name, _failures(case)) for case in report.cases] == [
        ("recovers", []),
        ("gives up", []),
    ]


async def _run_with_mocks(
    path: Path, mocks: dict[str, Any]
) -> tuple[Any, MockingExecutor, list[Event]]:
    prepared = await asyncio.to_thread(prepare_run, path)
    executor = MockingExecutor(prepared.plan, mocks)
    events: list[Event] = []
    options = ExecutionOptions(
        executor=executor,
        runtimes=mock_aware_registry(None, executor),
        observers=[events.append],
    )
    with contextlib.suppress(NodeError):
        await prepared.execute(options)
    return prepared.state, executor, events


async def test_the_api_records_the_real_attempt_count(tmp_path: Path) -> None:
    (tmp_path / "child.flow.md").write_text(CHILD.replace('max="1"', 'max="3"'), encoding="utf-8")
    path = tmp_path / "parent.flow.md"
    path.write_text(
        '---\nname: parent\nversion: "1.0"\n---\n<workflow>\n'
        '  <call id="sub" workflow="child.flow.md"/>\n</workflow>\n',
        encoding="utf-8",
    )
    failing = {"$error": {"type": "http.read", "retryable": True}}
    state, executor, events = await _run_with_mocks(
        path, {"sub/load": {"$attempts": [failing, failing, {"ok": True}]}}
    )
    result = state.node_results["sub/load"]
    assert (result.status.value, result.attempts, result.output) == ("success", 3, {"ok": True})
    assert executor.calls == {"sub/load": 3}
    retries = [event for event in events if isinstance(event, NodeRetrying)]
    assert [(event.node_id, event.attempt, event.delay) for event in retries] == [
        ("sub/load", 1, 0.0),
        ("sub/load", 2, 0.0),
    ]


async def test_the_api_records_attempts_of_a_node_that_gave_up(tmp_path: Path) -> None:
    path = _write(tmp_path, "", FLOW.replace('      <fallback node="cached"/>\n', ""))
    failing = {"$error": {"type": "http.status", "message": "503", "retryable": True}}
    state, executor, _ = await _run_with_mocks(path, {"fetch": failing})
    result = state.node_results["fetch"]
    assert (result.status.value, result.attempts) == ("failed", 3)
    assert state.error is not None
    assert (state.error["type"], state.error["node"]) == ("http.status", "fetch")
    assert executor.calls == {"fetch": 3}
