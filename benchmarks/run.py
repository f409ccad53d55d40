"""Run the benchmark suite, print a table, and write docs/performance.md.

Usage: ``python benchmarks/run.py [NAME ...]`` (names: the keys of ``SUITES``; all by default).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import importlib
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Row, machine

SUITES = {
    "startup": "bench_startup",
    "parse": "bench_parse",
    "engine": "bench_engine",
    "persistence": "bench_persistence",
    "database": "bench_database",
    "dask": "bench_dask",
    "coordinators": "bench_coordinators",
}
DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
NOTES_FILE = Path(__file__).resolve().parent / "NOTES.md"


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.3f}" if value < 10 else f"{value:,.1f}"


def _table(rows: list[Row]) -> str:
    lines = [
        "| benchmark | FlowScript | baseline (same run) | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "-"
        baseline = f"{_fmt(row.baseline)} {row.unit} ({row.baseline_name})"
        lines.append(
            f"| {row.name} | {_fmt(row.value)} {row.unit} | {baseline} | {ratio} | {row.target} |"
        )
    return "\n".join(lines)


def _suite_rows(name: str) -> list[Row]:
    """Run one suite in a fresh interpreter, so no suite measures the heap or caches another
    one left behind (a 20,000-node plan makes every later garbage collection slower)."""
    result = subprocess.run(
        [sys.executable, __file__, "--suite-json", name],
        stdout=subprocess.PIPE,
        check=True,
        text=True,
    )
    return [Row(**fields) for fields in json.loads(result.stdout)]


def _print_suite_json(name: str) -> None:
    module = importlib.import_module(SUITES[name])
    with contextlib.redirect_stdout(sys.stderr):  # a suite's own progress lines
        rows = module.run()
    print(json.dumps([dataclasses.asdict(row) for row in rows]))


def main(names: list[str]) -> None:
    """Run the named suites (all by default) and write the report."""
    if names[:1] == ["--suite-json"]:
        _print_suite_json(names[1])
        return
    rows: list[Row] = []
    for name in names or list(SUITES):
        print(f"running {name} …", file=sys.stderr)
        rows.extend(_suite_rows(name))
    table = _table(rows)
    print(table)
    if names and set(names) != set(SUITES):
        print("\n(partial run: docs/performance.md is written only by a full run)", file=sys.stderr)
        return
    today = datetime.date.today().isoformat()
    DOC.write_text(
        "# Performance\n\n"
        "Figures written by `python benchmarks/run.py` (do not edit by hand). Each figure is\n"
        "compared with a floor measured in the same run on the same machine.\n\n"
        f"- Date: {today}\n- Machine: {machine()}\n\n{table}\n\n{NOTES_FILE.read_text()}",
        encoding="utf-8",
    )
    print(f"\nwrote {DOC}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
