"""CLI start-up: ``flowscript --version`` and ``validate`` of a small file vs bare Python.

The commands run with the environment of the benchmark. Where ``PYTHONDONTWRITEBYTECODE`` is
set (as in some containers), every FlowScript module is compiled from source at each start;
the last row measures ``validate`` with compiled bytecode cached (in a temporary
``PYTHONPYCACHEPREFIX``), as after a normal ``pip install``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from _common import Row, time_command

ROOT = Path(__file__).resolve().parent.parent


def _time_with_env(argv: Sequence[str], env: Mapping[str, str], repeat: int = 7) -> float:
    """Median wall time of a command run with ``env``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=False, capture_output=True, env=dict(env))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cached_bytecode_env(pycache: str) -> dict[str, str]:
    env = dict(os.environ, NO_COLOR="1", PYTHONPYCACHEPREFIX=pycache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run() -> list[Row]:
    """Median wall times of the commands, against ``python -c pass`` measured in the same run."""
    flowscript = shutil.which("flowscript") or str(Path(sys.executable).parent / "flowscript")
    small = str(ROOT / "examples" / "hello.flow.md")
    baseline = time_command([sys.executable, "-c", "pass"])
    version = time_command([flowscript, "--version"])
    validate = time_command([flowscript, "validate", small])
    with tempfile.TemporaryDirectory() as pycache:
        env = _cached_bytecode_env(pycache)
        subprocess.run([flowscript, "validate", small], check=False, capture_output=True, env=env)
        cached = _time_with_env([flowscript, "validate", small], env)
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
        Row(
            "`flowscript validate` small file, bytecode cached",
            cached * 1000,
            "ms",
            baseline * 1000,
            "`python -c pass`",
            "< 250 ms",
        ),
    ]
