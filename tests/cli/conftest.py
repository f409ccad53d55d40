"""Fixtures for CLI tests: the real ``flowscript`` command in a subprocess."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from clirun import run_flowscript

ROOT = Path(__file__).resolve().parents[2]

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def flowscript(tmp_path: Path) -> CliRunner:
    """Run ``python -m flowscript ARGS`` in ``tmp_path`` (or ``cwd=``) and capture the output."""

    def run(
        *args: str,
        cwd: Path | None = None,
        input: str | None = None,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        return run_flowscript(cwd or tmp_path, *args, input=input, env=env)

    return run


@pytest.fixture
def write_flow(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a workflow file into ``tmp_path`` and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write
