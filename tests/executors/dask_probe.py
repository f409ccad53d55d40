"""A runtime for executor tests (``<source type="probe">``), importable by worker processes.

Worker processes load it through ``FLOWSCRIPT_RUNTIMES=dask_probe:ProbeSource`` with this
folder on ``PYTHONPATH``; in-process workers get the test's own instance through the bridge.

Modes (config ``mode``):
- ``echo``: returns what the runtime saw (config, input, path, key, attempt, pid, warnings);
- ``block``: sleeps for a minute; records that it started and whether it was cancelled (on the
  instance, and as marker files in config ``marker`` for worker processes);
- ``fail``: raises ``NodeError("probe.failed", …)`` with the config's ``message``;
- ``crash``: raises ``ValueError``;
- ``after-start``: waits (up to 10 s) until a ``block`` attempt of the same instance started,
  then returns ``"won"`` (in-process workers only);
- ``usage``: returns ``RuntimeOutput(1, usage)`` with two prompt and three completion tokens.
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import Any

from flowscript.errors import NodeError
from flowscript.runtimes.base import NodeRequest, RuntimeContext, RuntimeOutput


def _touch(folder: Any, name: str) -> None:
    if folder:
        Path(str(folder), name).write_text(str(os.getpid()))


class ProbeSource:
    """See the module docstring."""

    kind = "probe:source"
    raw_fields: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.started = threading.Event()
        self.cancelled = threading.Event()

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        mode = request.config.get("mode", "echo")
        if mode == "block":
            return await self._block(request)
        if mode == "fail":
            raise NodeError("probe.failed", str(request.config.get("message")), retryable=False)
        if mode == "crash":
            raise ValueError("probe crashed")
        if mode == "after-start":
            await asyncio.to_thread(self.started.wait, 10)
            return "won"
        if mode == "usage":
            usage = {"promptTokens": 2, "completionTokens": 3, "totalTokens": 5, "cost": 0.0}
            return RuntimeOutput(1, usage)
        context.warn(f"probe {request.node_id} ran")
        return {
            "config": dict(request.config),
            "input": request.input,
            "path": request.node_path,
            "key": request.idempotency_key,
            "attempt": request.attempt,
            "pid": os.getpid(),
            "secrets": sorted(getattr(context, "secrets", {}) or {}),
        }

    async def _block(self, request: NodeRequest) -> Any:
        marker = request.config.get("marker")
        self.started.set()
        _touch(marker, f"started-{request.node_id}")
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            self.cancelled.set()
            _touch(marker, f"cancelled-{request.node_id}")
            raise
        return "finished"
