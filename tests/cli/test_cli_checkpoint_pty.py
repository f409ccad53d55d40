"""Checkpoints from the command line: the prompt on a REAL pseudo-terminal (``pty``), and runs
without a terminal (default, pause → exit 3 → ``flowscript resume … --answer``, JSON output).

The pty tests start ``python -m flowscript run`` with a pseudo-terminal as its stdin, stdout
and stderr, read what it prints (escape sequences stripped) and type answers. The deadlines
below only stop a hung test; nothing asserts on how long anything took.
"""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>]|[\x07\x08\r]")
_DEADLINE = 60.0  # seconds before a test is declared hung (a safety net, not an assertion)

REVIEW = """---
name: review
version: '1.0'
---
<workflow>
<transform id="draft" type="template" template="draft v1"/>
<checkpoint id="review" prompt="Ship {{ draft }}?" allow-input="true" default="hold"{wait}>
  <action id="hold" label="Put on hold"/>
</checkpoint>
<transform id="after" type="template"
    template="{{ review.action }}|{{ review.input }}|{{ review.timedOut }}|{{ review.by }}"/>
</workflow>
"""

PAUSING = """---
name: pausing
version: '1.0'
---
<workflow>
<transform id="draft" type="template" template="draft v1"/>
<checkpoint id="review" prompt="Ship {{ draft }}?"/>
<transform id="after" type="template" template="{{ review.action }} by {{ review.by }}"/>
</workflow>
"""


class Terminal:
    """``flowscript ARGS`` running on a pseudo-terminal."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        env = dict(os.environ, NO_COLOR="1", TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal
            try:
                import fcntl
                import termios

                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
                os.chdir(cwd)
                os.execve(sys.executable, [sys.executable, "-m", "flowscript", *args], env)
            finally:
                os._exit(127)
        self.pid = pid
        self.fd = fd
        self.raw = ""
        self.seen = 0  # what expect() has consumed of the cleaned output
        self.code: int | None = None

    @property
    def text(self) -> str:
        """Everything printed so far, without escape sequences."""
        return _ESCAPES.sub("", self.raw)

    def _read(self, wait: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        self.raw += data.decode("utf-8", "replace")
        return bool(data)

    def expect(self, wanted: str) -> None:
        """Read until ``wanted`` appears after what earlier calls consumed."""
        end = time.monotonic() + _DEADLINE
        while wanted not in self.text[self.seen :]:
            if time.monotonic() > end or not self._read(0.1):
                raise AssertionError(f"{wanted!r} never appeared in:\n{self.text}")
        self.seen = self.text.index(wanted, self.seen) + len(wanted)

    def send(self, keys: str) -> None:
        """Type ``keys`` (``\\r`` is Enter)."""
        os.write(self.fd, keys.encode())

    def finish(self) -> int:
        """Read until the process exits; return its exit code."""
        end = time.monotonic() + _DEADLINE
        while self._read(0.1) and time.monotonic() < end:
            pass
        while self.code is None and time.monotonic() < end:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.code = os.waitstatus_to_exitcode(status)
            else:
                self._read(0.1)
        if self.code is None:
            raise AssertionError(f"flowscript did not exit:\n{self.text}")
        return self.code

    def close(self) -> None:
        if self.code is None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.fd)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Callable[..., Terminal]]:
    """``terminal(*args)``: start ``flowscript ARGS`` in ``tmp_path`` on a pseudo-terminal."""
    started: list[Terminal] = []

    def start(*args: str) -> Terminal:
        term = Terminal(list(args), tmp_path)
        started.append(term)
        return term

    yield start
    for term in started:
        term.close()


@pytest.fixture
def review(tmp_path: Path) -> Callable[..., str]:
    """Write the review flow (optionally with a checkpoint timeout) and return its name."""

    def write(wait: str = "") -> str:
        attribute = f' timeout="{wait}"' if wait else ""
        (tmp_path / "review.flow.md").write_text(REVIEW.replace("{wait}", attribute))
        return "review.flow.md"

    return write


def start_review(terminal: Callable[..., Terminal], flow: str) -> Terminal:
    term = terminal("run", "--no-log", "--no-state", flow)
    term.expect("Checkpoint review: Ship draft v1?")
    term.expect("[A]pprove / [R]eject / [I]nput / Put on hold")
    term.expect("default: hold")
    term.expect(">")
    return term


@pytest.mark.parametrize(
    ("keys", "result"),
    [
        pytest.param(["a\r"], "approve||false|terminal", id="a"),
        pytest.param(["APPROVE\r"], "approve||false|terminal", id="approve"),
        pytest.param(["put on hold\r"], "hold||false|terminal", id="action-label"),
        pytest.param(["hold\r"], "hold||false|terminal", id="action-id"),
        pytest.param(["i\r", "ship it as is\r"], "input|ship it as is|false|terminal", id="input"),
    ],
)
def test_answers_at_the_prompt(
    terminal: Callable[..., Terminal], review: Callable[..., str], keys: list[str], result: str
) -> None:
    term = start_review(terminal, review())
    term.send(keys[0])
    for more in keys[1:]:
        term.expect("Input:")
        term.send(more)
    assert term.finish() == 0
    term.expect("review completed")
    term.expect(f'result: "{result}"')


def test_reject_at_the_prompt_fails_the_run(
    terminal: Callable[..., Terminal], review: Callable[..., str]
) -> None:
    term = start_review(terminal, review())
    term.send("r\r")
    assert term.finish() == 1
    term.expect("error: node 'review' failed: [checkpoint.rejected]")


def test_invalid_answers_re_prompt(
    terminal: Callable[..., Terminal], review: Callable[..., str]
) -> None:
    term = start_review(terminal, review())
    term.send("maybe\r")
    term.expect("'maybe' is not a choice here: answer a (approve), r (reject), i (input)")
    term.send("a\r")
    assert term.finish() == 0
    term.expect('result: "approve||false|terminal"')


def test_three_invalid_answers_use_the_default(
    terminal: Callable[..., Terminal], review: Callable[..., str]
) -> None:
    term = start_review(terminal, review())
    for answer in ("x", "y", "z"):
        term.send(f"{answer}\r")
        term.expect(f"'{answer}' is not a choice here")
    term.expect("3 invalid answers: using hold.")
    assert term.finish() == 0
    term.expect('result: "hold||false|default"')


def test_a_timeout_uses_the_default(
    terminal: Callable[..., Terminal], review: Callable[..., str]
) -> None:
    term = terminal("run", "--no-log", "--no-state", review(wait="500ms"))
    term.expect("times out after 0.5s")
    term.expect("No answer within 0.5s: hold.")
    assert term.finish() == 0
    term.expect('result: "hold||true|default"')


def test_ctrl_c_at_the_prompt_rejects(
    terminal: Callable[..., Terminal], review: Callable[..., str]
) -> None:
    term = start_review(terminal, review())
    term.send("\x03")
    term.expect("Interrupted: the checkpoint is rejected.")
    assert term.finish() == 1
    term.expect("[checkpoint.rejected]")


def test_non_interactive_on_a_terminal_takes_the_default(
    terminal: Callable[..., Terminal], review: Callable[..., str]
) -> None:
    term = terminal("run", "--no-log", "--no-state", "--non-interactive", review())
    assert term.finish() == 0
    term.expect('result: "hold||false|default"')
    assert "Checkpoint review" not in term.text


def test_without_a_terminal_the_default_is_used(
    flowscript: Any, review: Callable[..., str]
) -> None:
    done = flowscript("run", "--no-log", "--no-state", review(), input="")
    assert done.returncode == 0, done.stderr
    assert 'result: "hold||false|default"' in done.stdout
    assert "Checkpoint review" not in done.stdout + done.stderr


def test_piped_answers_with_forced_interactive(flowscript: Any, review: Callable[..., str]) -> None:
    done = flowscript(
        "run",
        "--no-log",
        "--no-state",
        "--interactive",
        "--format",
        "json",
        review(),
        input="nope\nput on hold\n",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outputs"]["after"] == "hold||false|terminal"
    # stdout is not a terminal: the prompt goes to stderr and stdout stays one JSON document
    assert "Checkpoint review: Ship draft v1?" in done.stderr
    assert "'nope' is not a choice here" in done.stderr


def test_pause_exit_3_then_resume_with_an_answer(flowscript: Any, tmp_path: Path) -> None:
    (tmp_path / "pausing.flow.md").write_text(PAUSING)
    paused = flowscript("run", "--no-log", "--format", "json", "pausing.flow.md", input="")
    assert paused.returncode == 3, paused.stderr
    document = json.loads(paused.stdout)
    assert document["status"] == "paused"
    assert document["pendingCheckpoint"] == {
        "node": "review",
        "prompt": "Ship draft v1?",
        "actions": [{"id": "approve", "label": "Approve"}, {"id": "reject", "label": "Reject"}],
        "allowInput": False,
        "default": None,
    }
    run_id = document["runId"]

    again = flowscript("run", "--no-log", "pausing.flow.md", input="")
    assert again.returncode == 3
    other_id = again.stdout.split("(run ")[1].split(")")[0]
    assert "waiting at checkpoint 'review': Ship draft v1?" in again.stdout
    assert f"answer it with: flowscript resume {other_id} --answer review=approve" in again.stdout

    resumed = flowscript(
        "resume", run_id, "--no-log", "--answer", "review=approve", "--format", "json", input=""
    )
    assert resumed.returncode == 0, resumed.stderr + resumed.stdout
    final = json.loads(resumed.stdout)
    assert (final["runId"], final["status"]) == (run_id, "completed")
    assert final["pendingCheckpoint"] is None
    assert final["outputs"]["after"] == "approve by answer"
    assert final["outputs"]["draft"] == "draft v1"
    assert final["resume"]["kept"] == ["draft"]  # what completed before does not run again
    assert [step["node"] for step in final["resume"]["run"]] == ["review", "after"]
