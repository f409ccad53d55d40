"""``<include>`` and ``<call>``: child workflows run inside the parent run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowscript.runtimes.transforms import TemplateRuntime


@pytest.fixture(autouse=True)
def _template_runtime(registry: Any) -> None:
    registry.register(TemplateRuntime())


def write(path: Path, front: str, body: str) -> Path:
    path.write_text(
        f"---\nname: {path.stem.split('.')[0]}\nversion: '1.0'\n{front}---\n"
        f"<workflow>\n{body}\n</workflow>\n",
        encoding="utf-8",
    )
    return path


async def test_include_shares_config_and_secrets_and_binds_input(
    run_flow: Any, tmp_path: Path
) -> None:
    write(
        tmp_path / "child.flow.md",
        "config:\n  greeting: hello\n  punct: '!'\nsecrets: [TOKEN]\n",
        """
        <transform id="hello" type="template"
                   template="{{ $config.greeting }} {{ $input.who }}{{ $config.punct }}"/>
        <transform id="secret" type="template" template="{{ $secrets.TOKEN }}"/>
        <transform id="last" type="template" template="{{ hello }} / {{ secret }}"/>
        """,
    )
    run = await run_flow(
        """
        <include id="inc" workflow="child.flow.md">
          <bind key="who" value="{{ $input.name }}"/>
        </include>
        <transform id="after" type="echo" input="inc"/>
        """,
        input={"name": "ada"},
        config={"greeting": "hi"},
        secrets={"TOKEN": "tok-1234"},
    )
    assert run.error is None, run.error
    assert run.output("inc") == "hi ada! / tok-1234"  # parent config wins; child fills gaps
    assert run.output("after") == "hi ada! / tok-1234"
    assert run.output("inc/hello") == "hi ada!"
    assert "hello" not in run.state.node_results
    assert list(run.state.node_results)[:3] == ["inc/hello", "inc/secret", "inc/last"]


async def test_call_passes_typed_arguments_and_uses_its_own_config(
    run_flow: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHILD_KEY", "child-secret")
    write(
        tmp_path / "math.flow.md",
        "config:\n  factor: 3\nsecrets: [CHILD_KEY]\n"
        "input:\n  n:\n    type: number\n  label:\n    type: string\n"
        "output:\n  product:\n    type: number\n  key:\n    type: string\n",
        """
        <transform id="product" type="template" template="{{ $input.n * $config.factor }}"/>
        <transform id="key" type="template" template="{{ $secrets.CHILD_KEY }}"/>
        <transform id="unused" type="template" template="{{ $input.label }}"/>
        """,
    )
    run = await run_flow(
        """
        <call id="calc" workflow="math.flow.md" n="{{ 2 + 3 }}" label="five"/>
        """,
        config={"factor": 100},
    )
    assert run.error is None, run.error
    assert run.output("calc") == {"product": 15, "key": "child-secret"}
    assert run.output("calc/unused") == "five"


async def test_call_literal_argument_is_read_as_json(run_flow: Any, tmp_path: Path) -> None:
    write(
        tmp_path / "echo.flow.md", "", '<transform id="t" type="template" template="{{ $input }}"/>'
    )
    run = await run_flow('<call id="c" workflow="echo.flow.md" n="7" flag="true" s="text"/>')
    assert run.output("c") == {"n": 7, "flag": True, "s": "text"}


async def test_child_failure_fails_the_calling_node(run_flow: Any, tmp_path: Path) -> None:
    write(
        tmp_path / "broken.flow.md",
        "",
        '<transform id="bad" type="template" template="{{ \'a\' in 5 }}"/>',
    )
    run = await run_flow(
        """
        <include id="inc" workflow="broken.flow.md"/>
        <transform id="after" type="echo" input="inc"/>
        """
    )
    assert run.error is not None
    assert run.error.node == "inc/bad"
    assert run.status("inc") == "failed"
    assert run.status("inc/bad") == "failed"
    assert run.status("after") is None


async def test_recursion_through_a_templated_path_is_detected_at_run_time(
    run_flow: Any, tmp_path: Path
) -> None:
    write(
        tmp_path / "loop.flow.md",
        "",
        '<include id="again" workflow="{{ \'loop.flow.md\' }}"/>',
    )
    run = await run_flow('<include id="start" workflow="{{ \'loop.flow.md\' }}"/>')
    assert run.error is not None
    assert run.error.type == "include.recursion"
    assert run.error.node == "start/again"
    assert "loop.flow.md -> " in run.error.message


async def test_invalid_child_fails_the_node(run_flow: Any, tmp_path: Path) -> None:
    (tmp_path / "bad.flow.md").write_text("no frontmatter", encoding="utf-8")
    run = await run_flow('<include id="inc" workflow="bad.flow.md"/>')
    assert run.error is not None
    assert run.error.type == "include.invalid"
    assert "bad.flow.md" in run.error.message


async def test_child_in_a_foreach_runs_per_item(run_flow: Any, tmp_path: Path) -> None:
    write(
        tmp_path / "sq.flow.md",
        "",
        '<transform id="t" type="template" template="{{ $input.x * $input.x }}"/>',
    )
    run = await run_flow(
        """
        <foreach id="each" collection="[2, 3]">
          <call id="square" workflow="sq.flow.md" x="{{ item }}"/>
        </foreach>
        """
    )
    assert run.output("each") == [4, 9]


async def test_include_without_binds_passes_its_input(run_flow: Any, tmp_path: Path) -> None:
    write(
        tmp_path / "child.flow.md",
        "",
        '<transform id="t" type="template" template="{{ $input.v }}"/>',
    )
    run = await run_flow(
        """
        <transform id="src" type="echo" value='{{ {"v": "from-src"} }}'/>
        <include id="inc" workflow="child.flow.md" input="src"/>
        """
    )
    assert run.output("inc") == "from-src"


async def test_call_child_missing_required_config_fails(run_flow: Any, tmp_path: Path) -> None:
    write(
        tmp_path / "needs.flow.md",
        "config:\n  key:\n    type: string\n    required: true\n",
        '<transform id="t" type="template" template="{{ $config.key }}"/>',
    )
    run = await run_flow('<call id="c" workflow="needs.flow.md"/>', config={"key": "parent"})
    assert run.error is not None
    assert run.error.type == "call.config"
    assert "key" in run.error.message
