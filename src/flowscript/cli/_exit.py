"""Exit codes (cli.md) and the one place where exceptions become them."""

from __future__ import annotations

from enum import IntEnum

from flowscript.errors import (
    ConfigError,
    DefinitionError,
    ExpressionError,
    FlowScriptError,
    NodeError,
    StateError,
)

__all__ = ["ExitCode", "exit_code_for"]


class ExitCode(IntEnum):
    """Process exit codes of the ``flowscript`` command."""

    OK = 0
    RUN_FAILED = 1
    USAGE = 2
    PAUSED = 3
    INTERRUPTED = 130


_CODES: tuple[tuple[type[BaseException], ExitCode], ...] = (
    (DefinitionError, ExitCode.USAGE),
    (ConfigError, ExitCode.USAGE),
    (ExpressionError, ExitCode.USAGE),
    (StateError, ExitCode.USAGE),
    (NodeError, ExitCode.RUN_FAILED),
    (FlowScriptError, ExitCode.RUN_FAILED),
    (KeyboardInterrupt, ExitCode.INTERRUPTED),
)


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code for an exception that reached the top of a command."""
    for kind, code in _CODES:
        if isinstance(error, kind):
            return code
    return ExitCode.RUN_FAILED
