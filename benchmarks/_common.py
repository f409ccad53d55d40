"""Shared helpers for the benchmark suite: timing, result rows, machine description."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Row", "best_of", "machine", "time_command"]


@dataclass(frozen=True, slots=True)
class Row:
    """One benchmark figure with its same-run baseline."""

    name: str
    value: float
    unit: str
    baseline: float | None
    baseline_name: str
    target: str

    @property
    def ratio(self) -> float | None:
        """value / baseline."""
        if not self.baseline:
            return None
        return self.value / self.baseline


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """The fastest of ``repeat`` runs of ``fn``, in seconds (least disturbed by noise)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def time_command(argv: Sequence[str], repeat: int = 7) -> float:
    """Median wall time of a command, in seconds."""
    times = []
    env = dict(os.environ, NO_COLOR="1")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=False, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def machine() -> str:
    """A one-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()} "
        f"({sys.implementation.name}), {platform.system()} {platform.release()}"
    )
