"""Run progress for people: a live display on a terminal, one line per event otherwise.

Both are observers of the engine's events (:mod:`flowscript.execution.events`); the engine
never knows how it is displayed. Lines go to stderr so ``--format json`` keeps stdout clean.
"""

from __future__ import annotations

import sys
import time
from typing import IO, TYPE_CHECKING, Any

from flowscript.execution.events import (
    Event,
    NodeCompleted,
    NodeFailed,
    NodeRetrying,
    NodeSkipped,
    NodeStarted,
    RunFinished,
    RunWarning,
)

if TYPE_CHECKING:
    from rich.live import Live

__all__ = ["LiveProgress", "PlainProgress", "format_duration"]


def format_duration(milliseconds: float) -> str:
    """``850ms``, ``1.25s``, ``2m05s`` — short and readable."""
    if milliseconds < 1000:
        return f"{milliseconds:.0f}ms"
    seconds = milliseconds / 1000
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s"


def _error_text(error: dict[str, Any]) -> str:
    return f"{error.get('type', 'error')}: {error.get('message', '')}"


class PlainProgress:
    """One line per node event, for logs and pipes (no colours, no cursor movement)."""

    def __init__(self, stream: IO[str] | None = None, *, verbose: bool = False) -> None:
        self._stream = stream or sys.stderr
        self._verbose = verbose

    def _line(self, text: str) -> None:
        self._stream.write(text + "\n")
        self._stream.flush()

    def __call__(self, event: Event) -> None:
        """Print the event."""
        if isinstance(event, NodeStarted):
            if self._verbose:
                self._line(f"▶ {event.node_id} ({event.kind})")
        elif isinstance(event, NodeCompleted) and event.status == "pending":
            # Stopped before it finished: a checkpoint waiting for an answer, or a body
            # interrupted by a failure elsewhere. Not a success, so no check mark.
            self._line(f"⏸ {event.node_id} not finished (pending)")
        elif isinstance(event, NodeCompleted):
            self._line(f"✓ {event.node_id} {event.status} {format_duration(event.duration)}")
        elif isinstance(event, NodeFailed):
            self._line(f"✗ {event.node_id} failed: {_error_text(event.error)}")
        elif isinstance(event, NodeRetrying):
            self._line(
                f"↻ {event.node_id} attempt {event.attempt} failed ({_error_text(event.error)}); "
                f"retrying in {event.delay:.2f}s"
            )
        elif isinstance(event, NodeSkipped):
            if self._verbose:
                self._line(f"- {event.node_id} skipped ({event.reason})")
        elif isinstance(event, RunWarning):
            where = f"{event.node_id}: " if event.node_id else ""
            self._line(f"! warning: {where}{event.message}")


class LiveProgress:
    """A live terminal display: running nodes with elapsed time, a bar of finished/total, and
    retries, fallbacks, failures and warnings printed above it as they happen."""

    def __init__(self, total: int, *, color: bool = True) -> None:
        from rich.console import Console

        self._console = Console(stderr=True, no_color=not color, highlight=False)
        self._total = max(total, 1)
        self._done = 0
        self._running: dict[str, tuple[str, float]] = {}
        self._live: Live | None = None

    def __enter__(self) -> LiveProgress:
        from rich.live import Live

        # get_renderable: the refresh thread re-renders, so elapsed times tick between events.
        self._live = Live(
            get_renderable=self._render,
            console=self._console,
            refresh_per_second=8,
            transient=True,
        )
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)
            self._live = None

    def _render(self) -> Any:
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        table = Table.grid(padding=(0, 2))
        now = time.monotonic()
        for node_id, (kind, started) in list(self._running.items())[:12]:
            elapsed = format_duration((now - started) * 1000)
            table.add_row(Text("⠿ " + node_id, style="cyan"), Text(kind, style="dim"), elapsed)
        if len(self._running) > 12:
            table.add_row(Text(f"… {len(self._running) - 12} more running", style="dim"), "", "")
        bar = Table.grid(padding=(0, 1))
        bar.add_row(
            ProgressBar(total=self._total, completed=self._done, width=40),
            f"{self._done}/{self._total} nodes",
        )
        return Group(table, bar)

    def _print(self, text: str, style: str) -> None:
        self._console.print(text, style=style, highlight=False, markup=False)

    def __call__(self, event: Event) -> None:
        """Update the display with the event."""
        if isinstance(event, NodeStarted):
            self._running[event.node_id] = (event.kind, time.monotonic())
        elif isinstance(event, NodeCompleted | NodeFailed | NodeSkipped):
            self._running.pop(event.node_id, None)
            self._done = min(self._done + 1, self._total)
            if isinstance(event, NodeFailed):
                self._print(f"✗ {event.node_id} failed: {_error_text(event.error)}", "red")
            elif isinstance(event, NodeCompleted) and event.status == "recovered":
                self._print(f"↺ {event.node_id} recovered by its fallback", "yellow")
        elif isinstance(event, NodeRetrying):
            self._print(
                f"↻ {event.node_id} attempt {event.attempt} failed "
                f"({_error_text(event.error)}); retrying in {event.delay:.2f}s",
                "yellow",
            )
        elif isinstance(event, RunWarning):
            where = f"{event.node_id}: " if event.node_id else ""
            self._print(f"! warning: {where}{event.message}", "yellow")
        elif isinstance(event, RunFinished):
            self._running.clear()
        if self._live is not None:
            self._live.refresh()
