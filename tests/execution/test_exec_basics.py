"""Data nodes, inputs, config rendering, node errors, results and events."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.execution import (
    NodeCompleted,
    NodeFailed,
    NodeStarted,
    RunFinished,
    RunStarted,
    RunStatus,
    RunWarning,
)
from flowscript.execution.events import Event


async def test_data_nodes_run_and_record_results(run_flow: Any, clock: Any) -> None:
    run = await run_flow(
        """
        <transform id="a" type="echo" value="{{ 1 + 2 }}"/>
        <transform id="b" type="echo" input="a"/>
        """
    )
    assert run.error is None
    assert run.state.status is RunStatus.COMPLETED
    assert run.output("a") == 3
    assert run.output("b") == 3
    result = run.state.node_results["a"]
    assert (result.attempts, result.error, result.started_at) == (1, None, clock.now())
    assert run.state.node_context == {"a": {"output": 3}, "b": {"output": 3}}
    assert list(run.state.node_results) == ["a", "b"]


async def test_node_without_input_gets_the_workflow_input(run_flow: Any) -> None:
    run = await run_flow('<transform id="a" type="echo"/>', input={"x": 1})
    assert run.output("a") == {"x": 1}


async def test_input_list_is_an_object_of_outputs(run_flow: Any) -> None:
    run = await run_flow(
        """
        <transform id="a" type="echo" value="1"/>
        <transform id="b" type="echo" value="2"/>
        <transform id="both" type="echo" input="a, b"/>
        <transform id="dotted" type="echo" input="a.output"/>
        """
    )
    assert run.output("both") == {"a": "1", "b": "2"}
    assert run.output("dotted") == "1"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        pytest.param("{{ $input.name }}", "ada", id="workflow-input"),
        pytest.param("{{ input.name }}", "ada", id="node-input"),
        pytest.param("{{ $config.limit * 2 }}", 10, id="config"),
        pytest.param("{{ $secrets.TOKEN }}", "s3cr3t-value", id="secrets"),
        pytest.param("{{ $run.id }}", "run-1", id="run-id"),
        pytest.param("{{ $run.workflow }}", "test-flow", id="run-workflow"),
        pytest.param("{{ $env.FLOWSCRIPT_TEST_ALLOWED }}", "yes", id="env-listed"),
        pytest.param("{{ $env.FLOWSCRIPT_TEST_HIDDEN ?? 'hidden' }}", "hidden", id="env-unlisted"),
        pytest.param("{{ missing ?? 'undefined' }}", "undefined", id="unknown-name"),
        pytest.param("{{ typeof(first) }}", "object", id="node-reference"),
        pytest.param("{{ first.output.k }}", "v", id="node-dot-output"),
    ],
)
async def test_names_visible_to_expressions(
    run_flow: Any, monkeypatch: pytest.MonkeyPatch, template: str, expected: Any
) -> None:
    monkeypatch.setenv("FLOWSCRIPT_TEST_ALLOWED", "yes")
    monkeypatch.setenv("FLOWSCRIPT_TEST_HIDDEN", "no")
    front = "runtime:\n  env: [FLOWSCRIPT_TEST_ALLOWED]\n"
    body = f"""
        <transform id="first" type="echo" value='{{{{ {{"k": "v"}} }}}}'/>
        <transform id="probe" type="echo" value="{template}"/>
        <transform id="after" type="echo" input="probe"/>
    """
    run = await run_flow(
        body,
        front=front,
        input={"name": "ada"},
        config={"limit": 5},
        secrets={"TOKEN": "s3cr3t-value"},
        run_id="run-1",
    )
    assert run.error is None, run.error
    assert run.output("probe") == expected


async def test_workflow_dir_is_the_file_folder(run_flow: Any, tmp_path: Any) -> None:
    run = await run_flow('<transform id="d" type="echo" value="{{ $workflowDir }}"/>')
    assert run.output("d") == str(tmp_path)


async def test_template_error_fails_the_node_with_expression_eval(run_flow: Any) -> None:
    run = await run_flow(
        """
        <transform id="bad" type="echo" value="{{ nope( }}"/>
        <transform id="after" type="echo" input="bad"/>
        """
    )
    assert run.error is not None
    assert run.error.type == "expression.eval"
    assert run.error.retryable is False
    assert run.error.node == "bad"
    assert "value" in run.error.message
    assert run.status("bad") == "failed"
    assert run.status("after") is None
    assert run.state.node_results["bad"].error["details"]["field"] == "value"


async def test_runtime_node_error_keeps_its_type(run_flow: Any) -> None:
    run = await run_flow('<transform id="f" type="fail" error-type="http.status" message="503"/>')
    assert run.error is not None
    assert (run.error.type, run.error.message, run.error.node) == ("http.status", "503", "f")
    assert run.state.status is RunStatus.FAILED
    assert run.state.error == {
        "type": "http.status",
        "message": "503",
        "retryable": False,
        "node": "f",
        "attempts": 1,
    }


async def test_unexpected_runtime_exception_becomes_runtime_crash(run_flow: Any) -> None:
    run = await run_flow('<transform id="c" type="crash"/>')
    assert run.error is not None
    assert run.error.type == "runtime.crash"
    assert "ValueError: unexpected bug" in run.error.message
    assert isinstance(run.error.__cause__, ValueError)


async def test_unknown_runtime_kind_fails_the_node(run_flow: Any) -> None:
    run = await run_flow('<transform id="x" type="nosuch"/>')
    assert run.error is not None
    assert run.error.type == "runtime.unknown"
    assert "transform:nosuch" in run.error.message


async def test_secret_values_are_redacted_in_error_messages(run_flow: Any) -> None:
    run = await run_flow(
        '<transform id="f" type="fail" message="token {{ $secrets.TOKEN }} refused"/>',
        secrets={"TOKEN": "s3cr3t-value"},
    )
    assert run.state.node_results["f"].error["message"] == "token *** refused"


async def test_events_are_sent_in_order(run_flow: Any) -> None:
    events: list[Event] = []
    run = await run_flow(
        """
        <transform id="a" type="echo" value="1"/>
        <transform id="b" type="fail" input="a"/>
        """,
        observers=[events.append],
    )
    assert run.error is not None
    kinds = [(type(e).__name__, getattr(e, "node_id", None)) for e in events]
    assert kinds == [
        ("RunStarted", None),
        ("NodeStarted", "a"),
        ("NodeCompleted", "a"),
        ("NodeStarted", "b"),
        ("NodeFailed", "b"),
        ("RunFinished", None),
    ]
    assert isinstance(events[0], RunStarted)
    assert isinstance(events[1], NodeStarted) and events[1].kind == "transform:echo"
    assert isinstance(events[2], NodeCompleted) and events[2].status == "success"
    assert isinstance(events[4], NodeFailed) and events[4].error["type"] == "test.failed"
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    assert finished.status == "failed"
    assert all(e.run_id == run.state.run_id for e in events)


async def test_a_failing_observer_is_ignored(run_flow: Any, caplog: Any) -> None:
    def broken(event: Event) -> None:
        raise RuntimeError("display bug")

    run = await run_flow('<transform id="a" type="echo" value="1"/>', observers=[broken])
    assert run.error is None
    assert run.output("a") == "1"
    assert "display bug" in caplog.text


async def test_template_transform_warning_reaches_observers(run_flow: Any, registry: Any) -> None:
    from flowscript.runtimes.transforms import TemplateRuntime

    registry.register(TemplateRuntime())
    events: list[Event] = []
    run = await run_flow(
        '<transform id="t" type="template" template=\'{"a": {{ 1 }},}\'/>',
        observers=[events.append],
    )
    assert run.error is None
    warnings = [e for e in events if isinstance(e, RunWarning)]
    assert len(warnings) == 1
    assert warnings[0].node_id == "t"
