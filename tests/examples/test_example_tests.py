"""Every example workflow has test cases, and ``flowscript test`` passes them all offline.

A new ``examples/**/*.flow.md`` without test cases (in its frontmatter or a sibling
``.test.flow.md``) fails here unless it is listed in :data:`EXEMPT`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flowscript.testing import load_test_suite

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

EXEMPT: frozenset[str] = frozenset()
"""Example files (relative to ``examples/``) allowed to have no test cases yet."""

CASES: dict[str, int] = {
    "hello.flow.md": 3,
    "control-flow-tour.flow.md": 3,
    "parallel-fan-out.flow.md": 2,
    "composition.flow.md": 2,
    "json-report.flow.md": 2,
    "http-enrich.flow.md": 3,
    "lib/greet.flow.md": 2,
    "lib/score.flow.md": 3,
}
"""The number of cases of the examples whose tests this file pins."""


def _workflows() -> list[str]:
    return sorted(
        str(path.relative_to(EXAMPLES))
        for path in EXAMPLES.rglob("*.flow.md")
        if not path.name.endswith(".test.flow.md")
    )


def _expected_cases(name: str) -> int:
    if name in CASES:
        return CASES[name]
    return len(load_test_suite(EXAMPLES / name).cases)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the examples, run from its parent like the README does."""
    root = tmp_path_factory.mktemp("example-tests")
    shutil.copytree(EXAMPLES, root / "examples")
    return root


def test_the_pinned_examples_exist() -> None:
    assert set(CASES) <= set(_workflows())


@pytest.mark.parametrize("name", _workflows())
def test_every_example_has_tests(name: str) -> None:
    if name in EXEMPT:
        return
    assert _expected_cases(name) > 0, f"examples/{name} has no test cases"


@pytest.mark.parametrize("name", [name for name in _workflows() if name not in EXEMPT])
def test_flowscript_test_passes_every_example(workdir: Path, name: str) -> None:
    path = workdir / "examples" / name
    before = path.read_bytes()
    result = subprocess.run(
        [sys.executable, "-m", "flowscript", "test", f"examples/{name}", "--format", "json"],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_COLOR="1"),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert (document["passed"], document["failed"], document["errors"]) == (
        _expected_cases(name),
        0,
        0,
    )
    assert path.read_bytes() == before
    assert not (workdir / "output").exists()  # the examples' sinks are mocked
