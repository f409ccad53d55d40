"""Running test cases in-process: mocks, config, answers, secrets, expectations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowscript.runtimes.base import NodeRequest, RuntimeContext, RuntimeRegistry
from flowscript.testing import CaseResult, run_tests

CLOSED = "http://127.0.0.1:1"


def _write(tmp_path: Path, text: str, name: str = "flow.flow.md") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _only(path: Path, **options: Any) -> CaseResult:
    report = run_tests(path, **options)
    assert len(report.cases) == 1
    return report.cases[0]


def _failures(case: CaseResult) -> list[tuple[str, str | None, str]]:
    return [(f.kind, f.node, f.message) for f in case.failures]


FETCH_FLOW = f"""---
name: fetching
version: "1.0"
config:
  factor: 2
tests:
  - name: mocked
    mocks: {{fetch: [1, 2.5]}}
    expect: {{doubled: [2, 5]}}
    expect-output: [2, 5.0]
  - name: factor three
    config: {{factor: 3}}
    mocks: {{fetch: [1]}}
    expect-output: [3]
  - name: real call
    expect-error: {{node: fetch, type: http.connect}}
---
<workflow>
  <source id="fetch" type="http" url="{CLOSED}/items"/>
  <transform id="doubled" type="map" input="fetch" expression="item * $config.factor"/>
</workflow>
"""


class CountingRuntime:
    """Stands in for the HTTP source and records every call."""

    kind = "http:source"
    raw_fields: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def prepare(self, request: NodeRequest, context: RuntimeContext) -> NodeRequest:
        self.calls.append(f"prepare {request.node_id}")
        return request

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        self.calls.append(f"run {request.node_id}")
        return [10]


def test_mocked_cases_pass_with_config_defaults_and_overrides(tmp_path: Path) -> None:
    report = run_tests(_write(tmp_path, FETCH_FLOW))
    assert [(case.name, case.passed, case.status) for case in report.cases] == [
        ("mocked", True, "completed"),
        ("factor three", True, "completed"),
        ("real call", True, "failed"),
    ]
    assert (report.passed, report.failed, report.defined, report.ok) == (3, 0, 3, True)
    assert report.workflow == "fetching"


def test_a_mocked_runtime_is_never_called(tmp_path: Path) -> None:
    runtime = CountingRuntime()
    registry = RuntimeRegistry.default()
    registry.register(runtime, replace=True)
    report = run_tests(_write(tmp_path, FETCH_FLOW), name="mocked", runtimes=registry)
    assert report.cases[0].passed
    assert runtime.calls == []
    real = run_tests(_write(tmp_path, FETCH_FLOW), name="real call", runtimes=registry)
    assert runtime.calls == ["prepare fetch", "run fetch"]
    assert _failures(real.cases[0])[0][0] == "expect-error"


def test_name_selects_cases(tmp_path: Path) -> None:
    report = run_tests(_write(tmp_path, FETCH_FLOW), name="f*")
    assert [case.name for case in report.cases] == ["factor three"]
    assert report.defined == 3


def test_running_tests_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, FETCH_FLOW)
    before = path.read_bytes()
    monkeypatch.chdir(tmp_path)
    run_tests(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flow.flow.md"]


def test_failed_expectations_show_expected_actual_and_diff(tmp_path: Path) -> None:
    text = FETCH_FLOW.replace("expect: {doubled: [2, 5]}", "expect: {doubled: [2, 6], fetch: 1}")
    case = run_tests(_write(tmp_path, text), name="mocked").cases[0]
    assert not case.passed
    first, second = case.failures
    assert (first.kind, first.node, first.expected, first.actual) == (
        "expect",
        "doubled",
        [2, 6],
        [2, 5],
    )
    assert first.diff.splitlines()[3:] == [" [", "   2,", "-  6", "+  5", " ]"]
    assert (second.node, second.expected, second.actual) == ("fetch", 1, [1, 2.5])


def test_a_wrong_result_and_an_unexpected_failure(tmp_path: Path) -> None:
    text = FETCH_FLOW.replace("expect-output: [3]", "expect-output: [4]").replace(
        "expect-error: {node: fetch, type: http.connect}", "expect: {}"
    )
    report = run_tests(_write(tmp_path, text))
    assert [case.passed for case in report.cases] == [True, False, False]
    wrong = report.cases[1].failures[0]
    assert (wrong.kind, wrong.expected, wrong.actual) == ("expect-output", [4], [3])
    kind, node, message = _failures(report.cases[2])[0]
    assert (kind, node) == ("run", "fetch")
    assert message.startswith("node `fetch` failed: [http.connect] GET http://127.0.0.1:1/items")
    assert report.cases[2].error is not None and report.cases[2].error["type"] == "http.connect"


@pytest.mark.parametrize(
    ("expect_error", "message"),
    [
        (
            "{type: http.status}",
            "the run failed, but not as expected: [http.connect] at node `fetch`",
        ),
        ("{node: doubled}", "the run failed, but not as expected: [http.connect] at node `fetch`"),
        ("{type: http.connect, message: nope}", "the run failed, but not as expected"),
    ],
    ids=["type", "node", "message"],
)
def test_expect_error_mismatch(tmp_path: Path, expect_error: str, message: str) -> None:
    text = FETCH_FLOW.replace("{node: fetch, type: http.connect}", expect_error)
    case = run_tests(_write(tmp_path, text), name="real call").cases[0]
    assert not case.passed
    assert case.failures[0].message.startswith(message)


def test_expect_error_when_the_run_completes(tmp_path: Path) -> None:
    text = FETCH_FLOW.replace(
        "expect-error: {node: fetch, type: http.connect}",
        "expect-error: x.y\n    mocks: {fetch: []}",
    )
    case = run_tests(_write(tmp_path, text), name="real call").cases[0]
    assert _failures(case) == [
        ("expect-error", None, "expected the run to fail with [x.y], but it completed")
    ]
    assert (case.failures[0].expected, case.failures[0].actual) == ({"type": "x.y"}, None)


CHECKPOINT_FLOW = """---
name: approvals
version: "1.0"
tests:
  - name: approved
    answers: {review: approve}
    expect: {after: done}
  - name: rejected
    answers: {review: reject}
    expect-error: {node: review, type: checkpoint.rejected}
  - name: with text
    answers: {review: "input:looks good"}
    expect: {after: "done: looks good"}
  - name: unanswered
---
<workflow>
  <checkpoint id="review" prompt="ship it?" allow-input="true"/>
  <transform id="after" type="template" input="review">
    <template>done{{ review.input ? ': ' + review.input : '' }}</template>
  </transform>
</workflow>
"""


def test_checkpoint_answers(tmp_path: Path) -> None:
    report = run_tests(_write(tmp_path, CHECKPOINT_FLOW))
    assert [(case.name, case.passed, case.status) for case in report.cases] == [
        ("approved", True, "completed"),
        ("rejected", True, "failed"),
        ("with text", True, "completed"),
        ("unanswered", False, "paused"),
    ]
    assert _failures(report.cases[3]) == [
        (
            "run",
            "review",
            "the run paused at checkpoint `review`, which has no answer (add `answers: "
            "{review: approve}` to the case)",
        )
    ]


SECRET_FLOW = f"""---
name: secretive
version: "1.0"
secrets: [S7_TEST_TOKEN]
tests:
  - name: mocked
    mocks: {{call: {{ok: true}}}}
    expect-output: {{ok: true}}
  - name: real
    expect-error: http.connect
---
<workflow>
  <source id="call" type="http" url="{CLOSED}/x">
    <headers>Authorization: Bearer {{{{ $secrets.S7_TEST_TOKEN }}}}</headers>
  </source>
</workflow>
"""


def test_a_missing_secret_is_needed_only_by_nodes_that_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("S7_TEST_TOKEN", raising=False)
    mocked, real = run_tests(_write(tmp_path, SECRET_FLOW)).cases
    assert mocked.passed
    assert (real.passed, real.status) == (False, "rejected")
    assert real.failures[0].message.startswith(
        "the run failed, but not as expected: [CONFIG_INVALID] 'secret(s) without a value: "
        "S7_TEST_TOKEN"
    )


def test_secrets_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S7_TEST_TOKEN", "hunter2")
    report = run_tests(_write(tmp_path, SECRET_FLOW))
    assert [case.passed for case in report.cases] == [True, True]


def test_an_env_file_supplies_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("S7_TEST_TOKEN", raising=False)
    env = _write(tmp_path, "S7_TEST_TOKEN=from-file\n", "secrets.env")
    report = run_tests(_write(tmp_path, SECRET_FLOW), env_file=env)
    assert [case.status for case in report.cases] == ["completed", "failed"]


def test_a_mock_inside_a_loop_answers_every_item_and_children_run_for_real(tmp_path: Path) -> None:
    _write(
        tmp_path,
        '---\nname: child\nversion: "1.0"\n---\n<workflow>\n'
        '  <transform id="lookup" type="template" template="child {{ $input.n }}"/>\n</workflow>\n',
        "lib/child.flow.md",
    )
    path = _write(
        tmp_path,
        """---
name: looping
version: "1.0"
tests:
  - mocks: {lookup: {n: 0}}
    expect:
      each: [{n: 0}, {n: 0}, {n: 0}]
      called: child 7
---
<workflow>
  <foreach id="each" collection="[1, 2, 3]" item="n">
    <transform id="lookup" type="template" template="{{ n }}"/>
  </foreach>
  <call id="called" workflow="lib/child.flow.md" n="7"/>
</workflow>
""",
    )
    assert _failures(_only(path)) == []
