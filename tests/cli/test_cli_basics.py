"""The command skeleton: version, help, usage errors, exit codes."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from flowscript import __version__

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


def test_version_prints_the_package_version(flowscript: CliRunner) -> None:
    result = flowscript("--version")
    assert result.returncode == 0
    assert result.stdout == f"flowscript {__version__}\n"


def test_help_lists_every_command(flowscript: CliRunner) -> None:
    result = flowscript("--help")
    assert result.returncode == 0
    for command in ("validate", "parse", "inspect", "eval", "functions"):
        assert command in result.stdout


def test_unknown_command_is_a_usage_error(flowscript: CliRunner) -> None:
    result = flowscript("frobnicate")
    assert result.returncode == 2
    assert "No such command" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_is_exit_2_without_traceback(flowscript: CliRunner) -> None:
    result = flowscript("validate", "nope.flow.md")
    assert result.returncode == 2
    assert "nope.flow.md" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
