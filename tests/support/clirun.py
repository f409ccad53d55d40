"""Running the real ``flowscript`` command in a subprocess, for tests in any folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["run_flowscript"]


def run_flowscript(
    cwd: Path, *args: str, input: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m flowscript ARGS`` in ``cwd``, output captured as text, colour off."""
    return subprocess.run(
        [sys.executable, "-m", "flowscript", *args],
        cwd=cwd,
        input=input,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_COLOR="1", **(env or {})),
        timeout=120,
        check=False,
    )
