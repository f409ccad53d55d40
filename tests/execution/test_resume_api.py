"""``resume_workflow`` / ``can_resume`` (execution.md §9.3) with the fake runtimes."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import NodeError, ResumeError
from flowscript.execution import (
    ExecutionOptions,
    ExecutionState,
    RunStatus,
    can_resume,
    create_execution_state,
    execute,
    load_state,
    prepare_resume,
    resume_workflow,
)
from flowscript.model import Workflow
from flowscript.parser import parse
from flowscript.persistence import journal_path
from flowscript.planning import build_execution_plan
from flowscript.runtimes.base import NodeRequest, RuntimeContext


async def started(journal: Any, node_id: str) -> None:
    """Wait until the fake runtime of ``node_id`` runs (the run persists in real threads, so
    this waits on an event instead of spinning the loop)."""
    await asyncio.wait_for(journal.started(node_id).wait(), timeout=30)


@dataclass
class SwitchRuntime:
    """``type="switch"``: fails while its node id is in ``failing``; counts every call."""

    kind: str = "transform:switch"
    raw_fields: frozenset[str] = frozenset()
    failing: set[str] = field(default_factory=set)
    calls: Counter[str] = field(default_factory=Counter)
    inputs: dict[str, Any] = field(default_factory=dict)

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        self.calls[request.node_id] += 1
        self.inputs[request.node_id] = request.input
        await asyncio.sleep(0)
        if request.node_id in self.failing:
            raise NodeError("test.switch", f"{request.node_id} is switched off")
        return request.config.get("value", request.input)


@dataclass
class Durable:
    """Runs a workflow file with persistence and resumes it."""

    root: Path
    registry: Any
    clock: Any
    switch: SwitchRuntime
    flow_file: Path = field(init=False)
    state_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.flow_file = self.root / "flow.flow.md"
        self.state_path = self.root / "state" / "run.json"

    def write(self, body: str, front: str = "") -> Workflow:
        text = f"---\nname: durable\nversion: '1.0'\n{front}---\n<workflow>\n{body}\n</workflow>\n"
        self.flow_file.write_text(text, encoding="utf-8")
        return parse(text, str(self.flow_file))

    def options(self, **options: Any) -> ExecutionOptions:
        return ExecutionOptions(runtimes=self.registry, clock=self.clock, root=self.root, **options)

    async def run(self, workflow: Workflow, **options: Any) -> tuple[ExecutionState, Any]:
        state = create_execution_state(workflow.name, run_id="run-1")
        from flowscript.execution._fingerprint import node_hashes, workflow_hash

        state.workflow_hash, state.node_hashes = workflow_hash(workflow), node_hashes(workflow)
        opts = self.options(persistence_path=self.state_path, **options)
        try:
            await execute(build_execution_plan(workflow), state, opts)
        except NodeError as error:
            return state, error
        return state, None

    async def resume(self, workflow: Workflow | None, **kw: Any) -> tuple[ExecutionState, Any]:
        options = self.options(**kw.pop("options", {}))
        try:
            state = await resume_workflow(workflow, self.state_path, options, **kw)
        except NodeError as error:
            return await load_state(self.state_path), error
        return state, None


@pytest.fixture
def switch(registry: Any) -> SwitchRuntime:
    runtime = SwitchRuntime()
    registry.register(runtime)
    return runtime


@pytest.fixture
def durable(tmp_path: Path, registry: Any, clock: Any, switch: SwitchRuntime) -> Durable:
    return Durable(tmp_path, registry, clock, switch)


PIPELINE = """
<transform id="a" type="echo" value="{{ 20 }}"/>
<transform id="b" type="switch" input="a"/>
<transform id="c" type="echo" value="{{ a + b }}"/>
<transform id="other" type="echo" value="x"/>
"""


async def test_a_failed_run_resumes_without_rerunning_what_completed(
    durable: Durable, switch: SwitchRuntime, journal: Any
) -> None:
    workflow = durable.write(PIPELINE)
    switch.failing.add("b")
    state, error = await durable.run(workflow)
    assert error is not None and state.status is RunStatus.FAILED
    switch.failing.clear()
    resumed, error = await durable.resume(workflow)
    assert error is None and resumed.status is RunStatus.COMPLETED
    assert resumed.run_id == "run-1"
    assert journal.calls() == ["a", "other", "c"]  # a and other ran once, in the first run
    assert switch.calls == {"b": 2}
    assert switch.inputs["b"] == 20  # input= reads the kept output
    assert resumed.output_of("c") == 40  # expressions read kept and new outputs
    assert (await load_state(durable.state_path)).status is RunStatus.COMPLETED


async def test_a_completed_run_is_refused(durable: Durable) -> None:
    workflow = durable.write(PIPELINE)
    await durable.run(workflow)
    with pytest.raises(ResumeError, match="completed; there is nothing to resume"):
        await durable.resume(workflow)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (RunStatus.FAILED, True),
        (RunStatus.PAUSED, True),
        (RunStatus.CANCELLED, True),
        (RunStatus.RUNNING, True),
        (RunStatus.COMPLETED, False),
    ],
    ids=lambda value: str(value),
)
def test_can_resume(status: RunStatus, expected: bool) -> None:
    state = create_execution_state("w")
    state.status = status
    assert can_resume(state) is expected


def test_can_resume_rejects_other_types() -> None:
    with pytest.raises(TypeError, match="ExecutionState"):
        can_resume({"status": "failed"})  # type: ignore[arg-type]


async def test_a_crashed_run_resumes_from_what_was_on_disk(
    durable: Durable, journal: Any, tmp_path: Path
) -> None:
    workflow = durable.write(
        '<transform id="a" type="echo" value="A"/>\n'
        '<transform id="b" type="gate" input="a"/>\n'
        '<transform id="c" type="echo" input="b"/>'
    )
    task = asyncio.create_task(durable.run(workflow))
    await started(journal, "b")
    crash = tmp_path / "crash"  # the disk as a kill -9 now would leave it
    crash.mkdir()
    shutil.copy(durable.state_path, crash / "run.json")
    shutil.copy(journal_path(durable.state_path), crash / "run.journal")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for name in ("run.json", "run.journal"):
        shutil.copy(crash / name, durable.state_path.parent / name)
    prepared = prepare_resume(workflow, durable.state_path)
    assert prepared.plan.previous_status == "running"
    assert [(s.node_id, s.reason) for s in prepared.plan.steps] == [
        ("b", "not started"),
        ("c", "not started"),
    ]
    journal.open("b")
    resumed, error = await durable.resume(workflow)
    assert error is None and resumed.output_of("c") == "b"
    assert journal.calls().count("a") == 1
    assert journal.calls().count("b") == 2  # at-least-once for the node that was running


async def test_from_reruns_the_node_and_everything_downstream(
    durable: Durable, switch: SwitchRuntime, journal: Any
) -> None:
    workflow = durable.write(PIPELINE + '<transform id="late" type="switch" input="other"/>')
    switch.failing.add("late")
    await durable.run(workflow)
    switch.failing.clear()
    prepared = prepare_resume(workflow, durable.state_path, from_node="b")
    assert [(s.node_id, s.reason) for s in prepared.plan.steps] == [
        ("b", "forced by --from"),
        ("c", "downstream of b"),
        ("late", "failed"),
    ]
    assert prepared.plan.kept == ("a", "other")
    _, error = await durable.resume(workflow, from_node="b")
    assert error is None
    assert switch.calls == {"b": 2, "late": 2}
    assert journal.calls() == ["a", "other", "c"]  # c never ran before: late failed first


async def test_from_a_nested_node_reruns_its_enclosing_nodes(
    durable: Durable, switch: SwitchRuntime, journal: Any
) -> None:
    workflow = durable.write(
        """
        <phase name="prepare">
          <transform id="p1" type="echo" value="one"/>
          <transform id="p2" type="echo" value="{{ p1 }}-two"/>
          <transform id="p3" type="echo" value="three"/>
        </phase>
        <transform id="use" type="echo" value="{{ p2 }}!"/>
        <transform id="alone" type="echo" value="alone"/>
        <transform id="stop" type="switch" input="alone"/>
        """
    )
    switch.failing.add("stop")
    await durable.run(workflow)
    switch.failing.clear()
    prepared = prepare_resume(workflow, durable.state_path, from_node="p2")
    assert [(s.node_id, s.reason) for s in prepared.plan.steps] == [
        ("prepare", "contains p2"),
        ("p2", "forced by --from"),
        ("use", "downstream of p2"),
        ("stop", "failed"),
    ]
    assert prepared.plan.kept == ("p1", "p3", "alone")
    before = len(journal.calls())
    resumed, error = await durable.resume(workflow, from_node="p2")
    assert error is None and resumed.output_of("use") == "one-two!"
    assert sorted(journal.calls()[before:]) == ["p2", "use"]


@pytest.mark.parametrize(
    ("node", "message"),
    [("bb", r"no node 'bb' \(did you mean 'b'\?\)"), ("zzz", "no node 'zzz'$")],
    ids=["typo", "unknown"],
)
async def test_from_an_unknown_node_is_refused(
    durable: Durable, switch: SwitchRuntime, node: str, message: str
) -> None:
    workflow = durable.write(PIPELINE)
    switch.failing.add("b")
    await durable.run(workflow)
    with pytest.raises(ResumeError, match=message):
        prepare_resume(workflow, durable.state_path, from_node=node)


async def test_a_changed_file_is_refused_naming_the_nodes_then_forced(
    durable: Durable, switch: SwitchRuntime, journal: Any
) -> None:
    workflow = durable.write(PIPELINE)
    switch.failing.add("b")
    await durable.run(workflow)
    switch.failing.clear()
    edited = durable.write(PIPELINE.replace('value="x"', 'value="y"'))
    with pytest.raises(ResumeError, match=r"changed since run run-1 started: other \(changed\)"):
        await durable.resume(edited)
    try:
        await durable.resume(edited)
    except ResumeError as refusal:
        assert refusal.changes == ("other (changed)",)
    prepared = prepare_resume(edited, durable.state_path, force=True)
    assert prepared.plan.changes == ("other (changed)",)
    resumed, error = await durable.resume(edited, force=True)
    assert error is None
    assert resumed.output_of("other") == "x"  # kept: forcing does not re-run changed nodes
    from flowscript.execution._fingerprint import workflow_hash

    assert resumed.workflow_hash == workflow_hash(edited)


async def test_a_run_of_another_workflow_is_refused(
    durable: Durable, switch: SwitchRuntime
) -> None:
    workflow = durable.write(PIPELINE)
    switch.failing.add("b")
    await durable.run(workflow)
    other = parse(durable.flow_file.read_text().replace("name: durable", "name: other"))
    with pytest.raises(ResumeError, match="is a run of 'durable', not of 'other'"):
        prepare_resume(other, durable.state_path)


async def test_config_overrides_apply_and_secrets_are_read_again(
    durable: Durable, switch: SwitchRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    front = "config:\n  n:\n    type: number\n    default: 1\n  keep:\n    type: string\n"
    front += "secrets: [TOKEN]\n"
    workflow = durable.write(
        '<transform id="a" type="switch" value="{{ $config.n }} {{ $config.keep }}"/>\n'
        '<transform id="b" type="echo" input="a" value="{{ $secrets.TOKEN }}"/>',
        front,
    )
    monkeypatch.setenv("TOKEN", "first-secret")
    switch.failing.add("a")
    state = create_execution_state(workflow.name, config={"n": 1, "keep": "kept"})
    state.secrets = {"TOKEN": "first-secret"}
    with contextlib.suppress(NodeError):
        await execute(
            build_execution_plan(workflow),
            state,
            durable.options(persistence_path=durable.state_path),
        )
    assert b"first-secret" not in durable.state_path.read_bytes()
    switch.failing.clear()
    monkeypatch.setenv("TOKEN", "second-secret")
    resumed, error = await durable.resume(workflow, config={"n": "5"})
    assert error is None
    assert resumed.config == {"n": 5, "keep": "kept"}
    assert resumed.output_of("a") == "5 kept"
    assert resumed.output_of("b") == "second-secret"
    assert b"second-secret" not in durable.state_path.read_bytes()


async def test_the_resumed_run_keeps_its_id_start_and_logs_once(
    durable: Durable, switch: SwitchRuntime, clock: Any
) -> None:
    workflow = durable.write(PIPELINE)
    switch.failing.add("b")
    first, _ = await durable.run(workflow, log_path=durable.flow_file)
    started = first.started_at
    clock.advance(60)
    switch.failing.clear()
    resumed, error = await durable.resume(
        parse(durable.flow_file.read_text(), str(durable.flow_file)),
        options={"log_path": durable.flow_file},
    )
    assert error is None
    assert (resumed.run_id, resumed.started_at) == ("run-1", started)
    assert resumed.duration == 60_000
    log = durable.flow_file.read_text()
    assert log.count("## Execution Log") == 1
    assert log.count("| run-1 |") == 1
    assert "| run-1 | 2023-11-14T22:13:20.000Z | completed | 60.00s |" in log


async def test_a_loop_that_did_not_finish_restarts(
    durable: Durable, switch: SwitchRuntime, journal: Any
) -> None:
    workflow = durable.write(
        """
        <transform id="first" type="echo" value="1"/>
        <foreach id="each" collection="[1, 2, 3]" item="n">
          <transform id="step" type="echo" value="{{ n * 10 }}"/>
          <transform id="gate" type="switch" input="step"/>
        </foreach>
        """
    )
    switch.failing.add("gate")
    await durable.run(workflow)
    switch.failing.clear()
    prepared = prepare_resume(workflow, durable.state_path)
    assert [(s.node_id, s.reason) for s in prepared.plan.steps] == [
        ("each", "failed"),
        ("step", "restarts with each"),
        ("gate", "failed"),
    ]
    resumed, error = await durable.resume(workflow)
    assert error is None and resumed.output_of("each") == [10, 20, 30]
    assert journal.calls() == ["first", "step", "step", "step", "step"]


async def test_a_kept_control_node_restores_the_outputs_of_its_body(
    durable: Durable, switch: SwitchRuntime, journal: Any
) -> None:
    workflow = durable.write(
        """
        <if id="check" condition="true">
          <then><transform id="inside" type="echo" value="in"/></then>
        </if>
        <transform id="late" type="switch" value="{{ inside }}+{{ check }}"/>
        """
    )
    switch.failing.add("late")
    await durable.run(workflow)
    switch.failing.clear()
    resumed, error = await durable.resume(workflow)
    assert error is None and resumed.output_of("late") == "in+in"
    assert journal.calls() == ["inside"]


async def test_a_paused_run_resumes_with_an_answer(durable: Durable, journal: Any) -> None:
    workflow = durable.write(
        '<transform id="draft" type="echo" value="d"/>\n'
        '<checkpoint id="review" prompt="ok?" input="draft"/>\n'
        '<transform id="publish" type="echo" value="{{ draft }} {{ review.action }}"/>'
    )
    state, _ = await durable.run(workflow, interactive=False)
    assert state.status is RunStatus.PAUSED
    resumed, error = await durable.resume(
        workflow, answers={"review": "approve"}, options={"interactive": False}
    )
    assert error is None and resumed.status is RunStatus.COMPLETED
    assert resumed.pending_checkpoint is None
    assert resumed.output_of("publish") == "d approve"
    assert journal.calls() == ["draft", "publish"]


async def test_resume_reads_the_workflow_file_the_run_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowscript.execution import arun_file

    flow = tmp_path / "files.flow.md"
    flow.write_text(
        "---\nname: files\nversion: '1.0'\nconfig:\n  path:\n    type: string\n"
        "    default: missing.json\n---\n<workflow>\n"
        '  <source id="data" type="file" path="{{ $config.path }}"/>\n'
        '  <transform id="total" type="template" input="data"><template>{{ data.n * 2 }}'
        "</template></transform>\n</workflow>\n",
        encoding="utf-8",
    )
    (tmp_path / "present.json").write_text('{"n": 21}', encoding="utf-8")
    state_path = tmp_path / "s.json"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NodeError, match=r"missing\.json"):
        await arun_file(flow, options=ExecutionOptions(persistence_path=state_path))
    resumed = await resume_workflow(None, state_path, config={"path": "present.json"})
    assert resumed.status is RunStatus.COMPLETED
    assert resumed.output_of("total") == 42
