"""Run the benchmark suite, print a table, and write docs/performance.md.

Usage: ``python benchmarks/run.py [NAME ...]`` (names: the keys of ``SUITES``; all by default).
"""

from __future__ import annotations

import datetime
import importlib
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


def main(names: list[str]) -> None:
    """Run the named suites (all by default) and write the report."""
    rows: list[Row] = []
    for name in names or list(SUITES):
        module = importlib.import_module(SUITES[name])
        print(f"running {name} …", file=sys.stderr)
        rows.extend(module.run())
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
