"""Per-run checkpoint state: the answers given in advance, the handler, the terminal, one lock.

One :class:`CheckpointSession` per run (``RunContext.checkpoints``). It owns:

- the answers given in advance (``answers=`` / ``--answer``) and which of them are spent: an
  answer whose goto leads back to its checkpoint is used once per run, so "revise" given in
  advance re-runs the steps once and then asks again, instead of looping to the goto limit;
- the ``checkpoint_handler``;
- whether to prompt on the terminal (``interactive``: forced, forbidden, or decided by
  stdin/stdout being terminals) and the terminal reader, created on first use;
- the lock that lets one prompt at a time use the terminal while other nodes keep running.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowscript.execution.checkpoints.prompt import LineReader
    from flowscript.execution.options import CheckpointHandler, ExecutionOptions

__all__ = ["CheckpointSession", "is_terminal"]


class CheckpointSession:
    """How the checkpoints of one run get their answers.

    Args:
        options: the run's options (``answers``, ``checkpoint_handler``, ``interactive``).
        reader: the terminal reader to prompt with (default: the process terminal, through
            prompt_toolkit, created when a checkpoint first prompts).
    """

    def __init__(self, options: ExecutionOptions, *, reader: LineReader | None = None) -> None:
        self.answers: Mapping[str, Any] = options.answers or {}
        self.handler: CheckpointHandler | None = options.checkpoint_handler
        self.lock = asyncio.Lock()
        self._interactive = options.interactive
        self._reader = reader
        self._spent: set[str] = set()

    def supplied(self, keys: Iterable[str]) -> tuple[str, str] | None:
        """The first of ``keys`` with an unspent answer given in advance: ``(key, answer)``."""
        for key in keys:
            if key in self.answers and key not in self._spent:
                return key, str(self.answers[key])
        return None

    def spend(self, key: str) -> None:
        """Do not use the answer given in advance for ``key`` again in this run."""
        self._spent.add(key)

    def interactive(self) -> bool:
        """Whether checkpoints may prompt on the terminal."""
        if self._interactive is not None:
            return self._interactive
        return is_terminal(sys.stdin) and is_terminal(sys.stdout)

    def reader(self) -> LineReader:
        """The terminal reader (created on first use)."""
        if self._reader is None:
            from flowscript.execution.checkpoints.prompt import TerminalReader

            self._reader = TerminalReader()
        return self._reader


def is_terminal(stream: Any) -> bool:
    """True when ``stream`` is an open terminal."""
    try:
        return stream is not None and bool(stream.isatty())
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False
