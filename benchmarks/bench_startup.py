"""CLI start-up: ``flowscript --version`` and ``validate`` of a small file vs bare Python."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from _common import Row, time_command

ROOT = Path(__file__).resolve().parent.parent


def run() -> list[Row]:
    """Median wall times of the commands, against ``python -c pass`` measured in the same run."""
    flowscript = shutil.which("flowscript") or str(Path(sys.executable).parent / "flowscript")
    baseline = time_command([sys.executable, "-c", "pass"])
    version = time_command([flowscript, "--version"])
    validate = time_command([flowscript, "validate", str(ROOT / "examples" / "hello.flow.md")])
    return [
        Row(
            "`flowscript --version`",
            version * 1000,
            "ms",
            baseline * 1000,
            "`python -c pass`",
            "< 150 ms",
        ),
        Row(
            "`flowscript validate` small file",
            validate * 1000,
            "ms",
            baseline * 1000,
            "`python -c pass`",
            "< 250 ms",
        ),
    ]
