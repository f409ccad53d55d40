"""Fixtures for CLI tests: the real ``flowscript`` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

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
        environment = dict(os.environ, NO_COLOR="1", **(env or {}))
        return subprocess.run(
            [sys.executable, "-m", "flowscript", *args],
            cwd=cwd or tmp_path,
            input=input,
            capture_output=True,
            text=True,
            env=environment,
            timeout=120,
            check=False,
        )

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
