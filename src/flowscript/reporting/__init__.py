"""Reporting: the execution-log footer written into the workflow file (format.md §4)."""

from __future__ import annotations

from flowscript.reporting.log import (
    MAX_RECENT_RUNS,
    RecentRun,
    append_execution_log,
    format_execution_log,
)

__all__ = ["MAX_RECENT_RUNS", "RecentRun", "append_execution_log", "format_execution_log"]
