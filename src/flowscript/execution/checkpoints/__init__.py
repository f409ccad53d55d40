"""Checkpoints: a human (or a program) in the loop (execution.md §7).

- :mod:`.request`: :class:`CheckpointRequest`, what a checkpoint asks;
- :mod:`.answers`: :class:`Answer` and the parsing of answers from every source;
- :mod:`.session`: :class:`CheckpointSession`, per-run answers, handler, terminal and lock;
- :mod:`.prompt`: the terminal prompt (prompt_toolkit);
- :mod:`.pause`: pausing a run that nobody can answer now;
- :mod:`.resolve`: the resolution order (imported by the node handler,
  :mod:`flowscript.execution.control.checkpoint`).

The prompt and the resolution order are not imported here, so the run context can create its
session without loading prompt_toolkit or the control handlers.
"""

from __future__ import annotations

from flowscript.execution.checkpoints.answers import Answer
from flowscript.execution.checkpoints.pause import CheckpointPaused
from flowscript.execution.checkpoints.request import CheckpointAction, CheckpointRequest
from flowscript.execution.checkpoints.session import CheckpointSession

__all__ = [
    "Answer",
    "CheckpointAction",
    "CheckpointPaused",
    "CheckpointRequest",
    "CheckpointSession",
]
