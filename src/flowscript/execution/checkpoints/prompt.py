"""The terminal prompt of a checkpoint (execution.md §7 step 3, runtimes.md §8).

The dialogue (:func:`ask`) talks to a :class:`LineReader`; the real one,
:class:`TerminalReader`, is prompt_toolkit's ``PromptSession.prompt_async``, which runs inside
the event loop (other nodes keep running) and stops cleanly when the checkpoint's timeout
cancels it. The shape of the dialogue::

    Checkpoint review: Ship version 2.1?
      [A]pprove / [R]eject / [I]nput / Put on hold
      default: approve · times out after 30s
    > maybe
    'maybe' is not a choice here: answer a (approve), r (reject), i (input), or Put on hold
    > a

Answers are case-insensitive: ``a``/``approve``, ``r``/``reject``, an action's id or label,
and, with ``allow-input``, ``i``/``input`` (then a line of text) or ``input:TEXT``. After
:data:`MAX_INVALID` invalid answers the default action is used (reject without a default);
Ctrl-C (or the end of the input) at the prompt rejects.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Final, Literal, Protocol

from flowscript.execution.checkpoints.answers import (
    INPUT_PREFIX,
    Answer,
    default_answer,
    match_answer,
)
from flowscript.execution.checkpoints.session import is_terminal

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output

    from flowscript.execution.checkpoints.request import CheckpointRequest

__all__ = [
    "MAX_INVALID",
    "LineReader",
    "TerminalReader",
    "ask",
    "describe_request",
    "reply_answer",
]

MAX_INVALID: Final = 3
"""execution.md §7: after 3 invalid answers the default action is used."""

_SHORTCUTS: Final = {"a": "approve", "r": "reject"}
_INPUT_WORDS: Final = frozenset({"i", "input"})

_Reply = Answer | Literal["input"] | None


class LineReader(Protocol):
    """Where a checkpoint prompt reads answers and shows text."""

    def show(self, text: str) -> None:
        """Print ``text`` (and a newline)."""
        ...

    async def read(self, message: str) -> str:
        """Show ``message`` and read one line.

        Raises:
            KeyboardInterrupt: Ctrl-C was pressed.
            EOFError: Ctrl-D was pressed or the input ended.
        """
        ...


class TerminalReader:
    """A :class:`LineReader` on the process terminal, through prompt_toolkit.

    The prompt is written to stdout when it is a terminal, else to stderr (so ``--format
    json`` output stays one document).

    Args:
        input: prompt_toolkit input (default: stdin); tests pass a pipe input.
        output: prompt_toolkit output (default: see above).
    """

    def __init__(self, *, input: Input | None = None, output: Output | None = None) -> None:
        self._input = input
        self._output = output
        self._session: PromptSession[str] | None = None

    def _prompt_session(self) -> PromptSession[str]:
        if self._session is None:
            from prompt_toolkit import PromptSession
            from prompt_toolkit.output import create_output

            if self._output is None:
                self._output = create_output(sys.stdout if is_terminal(sys.stdout) else sys.stderr)
            if self._input is None and sys.stdin is None:  # stdin closed: reading ends at once
                from prompt_toolkit.input import DummyInput

                self._input = DummyInput()
            self._session = PromptSession(input=self._input, output=self._output)
        return self._session

    def show(self, text: str) -> None:
        """Print ``text`` on the prompt's output."""
        from prompt_toolkit import print_formatted_text

        self._prompt_session()
        print_formatted_text(text, output=self._output)

    async def read(self, message: str) -> str:
        """One line, read inside the event loop (cancellable)."""
        # SIGINT stays with the run (Ctrl-C on the terminal arrives as a key: the prompt
        # raises KeyboardInterrupt); the loop's exception handler is left alone.
        return await self._prompt_session().prompt_async(
            message, handle_sigint=False, set_exception_handler=False
        )


async def ask(request: CheckpointRequest, reader: LineReader) -> Answer:
    """Prompt for ``request`` until a valid answer, :data:`MAX_INVALID` invalid ones, or
    Ctrl-C (→ ``reject``)."""
    reader.show(describe_request(request))
    for _ in range(MAX_INVALID):
        try:
            answer = await _read_answer(request, reader)
        except (KeyboardInterrupt, EOFError):
            reader.show("Interrupted: the checkpoint is rejected.")
            return Answer(action="reject", by="terminal")
        if answer is not None:
            return answer
    answer = default_answer(request) or Answer(action="reject", by="terminal")
    reader.show(f"{MAX_INVALID} invalid answers: using {answer.action}.")
    return answer


def describe_request(request: CheckpointRequest) -> str:
    """The text shown before the first ``>``: prompt, choices, default and wait."""
    title = f"Checkpoint {request.node_id}"
    lines = [f"{title}: {request.prompt}" if request.prompt else title]
    choices = ["[A]pprove", "[R]eject"]
    if request.allow_input:
        choices.append("[I]nput")
    choices += [action.label for action in request.custom_actions]
    lines.append("  " + " / ".join(choices))
    notes = []
    if request.default is not None:
        notes.append(f"default: {request.default}")
    if request.timeout is not None:
        notes.append(f"times out after {request.timeout:g}s")
    if notes:
        lines.append("  " + " · ".join(notes))
    return "\n".join(lines)


async def _read_answer(request: CheckpointRequest, reader: LineReader) -> Answer | None:
    text = (await reader.read("> ")).strip()
    reply = reply_answer(request, text)
    if reply == "input":
        return Answer(action="input", input=await reader.read("Input: "), by="terminal")
    if reply is None:
        reader.show(f"{text!r} is not a choice here: answer {_hint(request)}")
    return reply


def reply_answer(request: CheckpointRequest, text: str) -> _Reply:
    """What a line typed at the prompt means: an answer, ``"input"`` (read the text next),
    or ``None`` (invalid)."""
    if not text:
        return None
    if text.lower().startswith(INPUT_PREFIX):
        return match_answer(request, text, by="terminal") if request.allow_input else None
    answer = match_answer(request, text, by="terminal")
    if answer is not None:
        return answer
    folded = text.casefold()
    if folded in _SHORTCUTS:
        return match_answer(request, _SHORTCUTS[folded], by="terminal")
    if request.allow_input and folded in _INPUT_WORDS:
        return "input"
    return None


def _hint(request: CheckpointRequest) -> str:
    words = ["a (approve)", "r (reject)"]
    if request.allow_input:
        words.append("i (input)")
    labels = [action.label for action in request.custom_actions]
    if labels:
        return ", ".join(words) + ", or " + " / ".join(labels)
    return ", ".join(words[:-1]) + " or " + words[-1]
