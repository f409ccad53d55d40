"""Mocks, ``expect`` and ``expect-error`` on nodes of ``<call>``/``<include>`` children,
named ``call-id/node-id`` as in the run state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import WorkflowValidationError
from flowscript.runtimes.base import NodeRequest, RuntimeContext, RuntimeRegistry
from flowscript.testing import CaseResult, run_tests

CLOSED = "http://127.0.0.1:1"

PRICES = f"""---
name: prices
version: "1.0"
---
<workflow>
  <source id="fetch" type="http" url="{CLOSED}/prices"/>
  <foreach id="each" collection="fetch" item="p">
    <transform id="net" type="template" template="{{{{ p * 2 }}}}"/>
  </foreach>
  <call id="rate" workflow="rate.flow.md"/>
</workflow>
"""

RATE = f"""---
name: rate
version: "1.0"
---
<workflow>
  <source id="quote" type="http" url="{CLOSED}/rate"/>
</workflow>
"""

PARENT = """---
name: shop
version: "1.0"
tests: []
---
<workflow>
  <source id="fetch" type="http" url="http://127.0.0.1:1/own"/>
  <foreach id="stores" collection="[1, 2]" item="store">
    <call id="prices" workflow="lib/prices.flow.md"/>
  </foreach>
  <include id="again" workflow="lib/prices.flow.md"/>
</workflow>
"""

WITH_DYNAMIC = PARENT.replace(
    "</workflow>", """  <call id="dynamic" workflow="lib/{{ 'rate' }}.flow.md"/>\n</workflow>"""
)


def _project(tmp_path: Path, tests: str, parent: str = PARENT) -> Path:
    (tmp_path / "lib").mkdir(exist_ok=True)
    (tmp_path / "lib" / "prices.flow.md").write_text(PRICES, encoding="utf-8")
    (tmp_path / "lib" / "rate.flow.md").write_text(RATE, encoding="utf-8")
    path = tmp_path / "shop.flow.md"
    path.write_text(parent.replace("tests: []", "tests:\n" + tests), encoding="utf-8")
    return path


def _failures(case: CaseResult) -> list[tuple[str, str | None, str]]:
    return [(f.kind, f.node, f.message) for f in case.failures]


ALL_MOCKED = """\
  - name: all mocked
    mocks:
      fetch: own
      prices/fetch: [1, 2]
      prices/rate/quote: 1.5
      again/fetch: [5]
      again/rate/quote: 2
    expect:
      fetch: own
      prices/fetch: [1, 2]
      prices/net: 4
      prices/each: [2, 4]
      prices/rate/quote: 1.5
      again/each: [10]
      again/rate/quote: 2
      stores: [1.5, 1.5]
      again: 2
"""


def test_mocks_reach_nodes_of_call_and_include_children_at_any_depth(tmp_path: Path) -> None:
    report = run_tests(_project(tmp_path, ALL_MOCKED))
    assert [(case.name, _failures(case)) for case in report.cases] == [("all mocked", [])]


class RecordingRuntime:
    """Stands in for the HTTP source: records the node paths it ran and answers 7."""

    kind = "http:source"
    raw_fields: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        self.paths.append(request.node_path)
        return [7] if request.node_id == "fetch" else 7


def test_only_the_named_call_is_mocked(tmp_path: Path) -> None:
    """``again`` includes the same child file as ``prices``: its nodes run for real, and the
    parent's own ``fetch`` (same id as the child's) too."""
    tests = """\
  - mocks:
      prices/fetch: [1]
      prices/rate/quote: 0.5
    expect:
      fetch: [7]
      stores: [0.5, 0.5]
      again/each: [14]
      again/rate/quote: 7
"""
    runtime = RecordingRuntime()
    registry = RuntimeRegistry.default()
    registry.register(runtime, replace=True)
    case = run_tests(_project(tmp_path, tests), runtimes=registry).cases[0]
    assert _failures(case) == []
    assert sorted(runtime.paths) == ["again/fetch", "again/rate/quote", "fetch"]


@pytest.mark.parametrize(
    ("tests", "message", "hint"),
    [
        (
            "  - mocks: {prices/fetc: []}\n",
            "`mocks` of test case 1: unknown node `prices/fetc`: the workflow of `prices` has "
            "no node `fetc`",
            "did you mean `prices/fetch`?",
        ),
        (
            "  - expect: {prices/rate/nope: 1}\n",
            "`expect` of test case 1: unknown node `prices/rate/nope`: the workflow of "
            "`prices/rate` has no node `nope`",
            "nodes there: `prices/rate/quote`",
        ),
        (
            "  - expect: {prices/nope/x: 1}\n",
            "`expect` of test case 1: unknown node `prices/nope/x`: the workflow of `prices` has "
            "no node `nope`",
            "nodes there: `prices/fetch`, `prices/each`, `prices/net`, `prices/rate`",
        ),
        (
            "  - expect: {prices/each/x: 1}\n",
            "`expect` of test case 1: unknown node `prices/each/x`: `prices/each` is a "
            "<foreach>, not an <include> or <call>",
            None,
        ),
        (
            "  - mocks: {dynamic/quote: 1}\n",
            "`mocks` of test case 1: unknown node `dynamic/quote`: the workflow of `dynamic` is "
            "only known when it runs (a `{{ }}` path), so its nodes cannot be named in a test",
            None,
        ),
        (
            "  - answers: {again/x: approve}\n",
            "`answers` of test case 1: unknown node `again/x`: the workflow of `again` has no "
            "node `x`",
            "nodes there: `again/fetch`, `again/each`, `again/net`, `again/rate`",
        ),
        (
            "  - expect-error: {node: prices/fetchh}\n",
            "`expect-error` of test case 1: unknown node `prices/fetchh`: the workflow of "
            "`prices` has no node `fetchh`",
            "did you mean `prices/fetch`?",
        ),
    ],
    ids=["mock", "nested", "middle", "control-node", "templated", "answer", "expect-error"],
)
def test_an_unknown_qualified_id_is_an_error_of_the_case(
    tmp_path: Path, tests: str, message: str, hint: str | None
) -> None:
    with pytest.raises(WorkflowValidationError) as raised:
        run_tests(_project(tmp_path, tests, WITH_DYNAMIC))
    (problem,) = raised.value.diagnostics
    assert (problem.code, problem.message) == ("VALID_UNDEFINED_NODE_REF", message)
    assert problem.hints == ((hint,) if hint else ())


def test_a_qualified_id_under_a_node_that_calls_nothing_is_refused_by_the_validator(
    tmp_path: Path,
) -> None:
    with pytest.raises(WorkflowValidationError) as raised:
        run_tests(_project(tmp_path, "  - expect: {stores/prices: 1}\n"))
    (problem,) = raised.value.diagnostics
    assert problem.message == "`expect` of test case 1 names unknown node `stores/prices`"


@pytest.mark.parametrize(
    ("mock", "message"),
    [
        (
            "{type: x}",
            "`mocks` of test case 1: `prices/each` is a <foreach>: only data nodes (source, "
            "transform, sink, ai) can be mocked",
        ),
    ],
    ids=["control-node"],
)
def test_a_qualified_mock_must_name_a_data_node(tmp_path: Path, mock: str, message: str) -> None:
    with pytest.raises(WorkflowValidationError) as raised:
        run_tests(_project(tmp_path, f"  - mocks: {{prices/each: {mock}}}\n"))
    assert [problem.message for problem in raised.value.diagnostics] == [message]


def test_qualified_ids_pass_the_validator(tmp_path: Path) -> None:
    from flowscript.validate import validate_file

    result = validate_file(_project(tmp_path, ALL_MOCKED))
    assert [d.message for d in result.diagnostics] == []


def test_expect_reports_a_child_node_that_differs(tmp_path: Path) -> None:
    tests = ALL_MOCKED.replace("prices/net: 4", "prices/net: 5")
    case = run_tests(_project(tmp_path, tests)).cases[0]
    assert [(f.kind, f.node, f.expected, f.actual) for f in case.failures] == [
        ("expect", "prices/net", 5, 4)
    ]


FAILING_CHILD = """\
  - name: {name}
    mocks:
      fetch: own
      prices/fetch: [1]
      prices/net: {{$error: {{type: price.bad, message: no price}}}}
      again/fetch: [1]
      again/rate/quote: 1
    expect-error: {{node: {node}, type: price.bad}}
"""


@pytest.mark.parametrize(
    ("node", "passed"),
    [
        ("prices/net", True),
        ("prices/each", True),
        ("prices", True),
        ("stores", True),
        ("again/net", False),
        ("prices/fetch", False),
        ("prices/rate", False),
        ("fetch", False),
    ],
    ids=lambda value: str(value),
)
def test_expect_error_matches_the_child_node_and_every_node_around_it(
    tmp_path: Path, node: str, passed: bool
) -> None:
    tests = FAILING_CHILD.format(name="fails", node=node)
    case = run_tests(_project(tmp_path, tests)).cases[0]
    assert case.passed is passed
    assert case.error == {"node": "prices/net", "type": "price.bad", "message": "no price"}


def test_the_executor_needs_the_plan_with_its_children_for_qualified_ids(tmp_path: Path) -> None:
    from flowscript.testing import MockingExecutor, load_test_suite

    suite = load_test_suite(_project(tmp_path, ALL_MOCKED))
    assert suite.plan is not None
    executor = MockingExecutor(suite.plan, {"prices/rate/quote": 1, "fetch": 2})
    assert executor.calls == {}
    with pytest.raises(
        ValueError, match=r"the workflow of `prices` \(lib/prices.flow.md\) was not loaded"
    ):
        MockingExecutor(suite.workflow, {"prices/rate/quote": 1})
    with pytest.raises(ValueError, match="mock 'prices/each' names a <foreach>, not a data node"):
        MockingExecutor(suite.plan, {"prices/each": 1})


def test_answers_reach_checkpoints_of_a_child(tmp_path: Path) -> None:
    (tmp_path / "child.flow.md").write_text(
        '---\nname: child\nversion: "1.0"\n---\n<workflow>\n'
        '  <checkpoint id="gate" prompt="ok?"/>\n'
        '  <transform id="after" type="template" input="gate" template="{{ gate.action }}"/>\n'
        "</workflow>\n",
        encoding="utf-8",
    )
    path = tmp_path / "parent.flow.md"
    path.write_text(
        """---
name: parent
version: "1.0"
tests:
  - name: approved
    answers: {sub/gate: approve}
    expect: {sub/after: approve, sub: approve}
  - name: rejected
    answers: {sub/gate: reject}
    expect-error: {node: sub/gate, type: checkpoint.rejected}
  - name: unanswered
---
<workflow>
  <call id="sub" workflow="child.flow.md"/>
</workflow>
""",
        encoding="utf-8",
    )
    report = run_tests(path)
    assert [(case.name, _failures(case)) for case in report.cases] == [
        ("approved", []),
        ("rejected", []),
        (
            "unanswered",
            [
                (
                    "run",
                    "sub/gate",
                    "the run paused at checkpoint `sub/gate`, which has no answer (add "
                    "`answers: {sub/gate: approve}` to the case)",
                )
            ],
        ),
    ]
