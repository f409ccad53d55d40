"""``run_file``/``arun_file`` end to end with the built-in runtimes; ``workflow_result``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from flowscript.errors import ConfigError, DefinitionError, NodeError
from flowscript.execution import (
    ExecutionOptions,
    RunStatus,
    arun_file,
    prepare_run,
    run_file,
    workflow_result,
)
from flowscript.parser import parse

PIPELINE = """---
name: pipeline
version: '1.0'
config:
  threshold: 2
secrets: [API_TOKEN]
input:
  title:
    type: string
    default: Report
---
<workflow>
  <source id="load" type="file" path="data/items.json"/>
  <transform id="keep" type="filter" input="load" condition="item.score > $config.threshold"/>
  <foreach id="each" collection="keep">
    <transform id="line" type="template" template="{{ item.name }}={{ item.score }}"/>
  </foreach>
  <include id="summary" workflow="parts/summary.flow.md">
    <bind key="lines" value="{{ each }}"/>
  </include>
  <transform id="auth" type="template" template="Bearer {{ $secrets.API_TOKEN }}"/>
  <sink id="save" type="file" path="out/report.json" input="summary"/>
</workflow>
"""

SUMMARY = """---
name: summary
version: '1.0'
config:
  sep: ', '
---
<workflow>
  <transform id="joined" type="template"
             template="{{ $input.title ?? 'Items' }}: {{ join($input.lines, $config.sep) }}"/>
</workflow>
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("API_TOKEN", "token-value")
    (tmp_path / "data").mkdir()
    (tmp_path / "parts").mkdir()
    items = [{"name": "a", "score": 1}, {"name": "b", "score": 5}, {"name": "c", "score": 3}]
    (tmp_path / "data" / "items.json").write_text(json.dumps(items), encoding="utf-8")
    (tmp_path / "parts" / "summary.flow.md").write_text(SUMMARY, encoding="utf-8")
    flow = tmp_path / "pipeline.flow.md"
    flow.write_text(PIPELINE, encoding="utf-8")
    return flow


def test_run_file_runs_a_real_pipeline(project: Path, tmp_path: Path) -> None:
    state = run_file(project, config={"threshold": "2"}, root=tmp_path)
    assert state.status is RunStatus.COMPLETED
    assert state.output_of("keep") == [{"name": "b", "score": 5}, {"name": "c", "score": 3}]
    assert state.output_of("each") == ["b=5", "c=3"]
    assert state.output_of("summary") == "Items: b=5, c=3"
    assert state.output_of("summary/joined") == "Items: b=5, c=3"
    written = (tmp_path / "out" / "report.json").read_text(encoding="utf-8")
    assert written == "Items: b=5, c=3"  # format auto: a string is written as text
    assert state.output_of("auth") == "Bearer token-value"
    assert state.output_of("save")["path"] == "out/report.json"
    assert state.workflow_path == str(project)
    # The hash covers the text before the execution log, trailing whitespace left out (§9.3).
    assert state.workflow_hash == hashlib.sha256(project.read_bytes().rstrip()).hexdigest()
    assert state.secrets == {"API_TOKEN": "token-value"}
    assert state.input == {"title": "Report"}
    assert state.config == {"threshold": 2}
    workflow = parse(project.read_text(encoding="utf-8"), str(project))
    assert workflow_result(workflow, state) == state.output_of("save")


async def test_arun_file_raises_the_node_error_after_recording(
    project: Path, tmp_path: Path
) -> None:
    (tmp_path / "data" / "items.json").unlink()
    with pytest.raises(NodeError, match=r"items\.json") as caught:
        await arun_file(project, options=ExecutionOptions(root=tmp_path))
    assert caught.value.type == "file.not_found"
    assert caught.value.node == "load"


async def test_prepare_run_loads_everything_and_runs_nothing(project: Path, tmp_path: Path) -> None:
    prepared = prepare_run(project, input={"title": "T"})
    assert prepared.workflow.name == "pipeline"
    assert prepared.state.status is RunStatus.PENDING
    assert prepared.state.node_results == {}
    assert prepared.state.input == {"title": "T"}
    assert list(prepared.plan.children) == [str(tmp_path / "parts" / "summary.flow.md")]
    assert prepared.plan.describe()["waves"] == [
        ["load", "auth"],
        ["keep"],
        ["each"],
        ["summary"],
        ["save"],
    ]
    state = await prepared.execute(ExecutionOptions(root=tmp_path))
    assert state is prepared.state
    assert state.output_of("summary") == "Items: b=5, c=3"  # the child sees only its binds


def test_invalid_file_raises_definition_error_before_running(tmp_path: Path) -> None:
    flow = tmp_path / "bad.flow.md"
    flow.write_text("---\nname: bad\nversion: '1.0'\n---\n<workflow><nope/></workflow>\n")
    with pytest.raises(DefinitionError, match="VALID_UNKNOWN_NODE_TYPE"):
        run_file(flow)


def test_invalid_config_raises_config_error(project: Path) -> None:
    with pytest.raises(ConfigError, match="threshold"):
        run_file(project, config={"threshold": "many"})


def test_missing_secret_raises_config_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("API_TOKEN")
    with pytest.raises(ConfigError, match="API_TOKEN"):
        run_file(project)


def test_workflow_result_with_output_schema(tmp_path: Path) -> None:
    flow = tmp_path / "out.flow.md"
    flow.write_text(
        "---\nname: out\nversion: '1.0'\noutput:\n  total:\n    type: number\n"
        "  label:\n    type: string\n  missing:\n    type: string\n---\n"
        "<workflow>\n"
        '  <set var="label" value="done"/>\n'
        '  <transform id="total" type="template" template="{{ 40 + 2 }}"/>\n'
        '  <transform id="last" type="template" template="ignored"/>\n'
        "</workflow>\n",
        encoding="utf-8",
    )
    state = run_file(flow)
    workflow = parse(flow.read_text(encoding="utf-8"), str(flow))
    assert workflow_result(workflow, state) == {"total": 42, "label": "done", "missing": None}


def test_workflow_result_without_schema_is_the_last_successful_top_level_node(
    tmp_path: Path,
) -> None:
    flow = tmp_path / "last.flow.md"
    flow.write_text(
        "---\nname: last\nversion: '1.0'\n---\n<workflow>\n"
        '  <transform id="a" type="template" template="first"/>\n'
        '  <if id="never" condition="false">\n'
        '    <then><transform id="b" type="template" template="x"/></then>\n'
        "  </if>\n"
        "</workflow>\n",
        encoding="utf-8",
    )
    state = run_file(flow)
    workflow = parse(flow.read_text(encoding="utf-8"), str(flow))
    # `never` succeeded (nothing matched: null) and is the last top-level node
    assert workflow_result(workflow, state) is None
    state.node_results.pop("never")
    assert workflow_result(workflow, state) == "first"
