"""What running test cases produced: per case pass/fail, failures with expected/actual."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["CaseFailure", "CaseResult", "TestReport"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseFailure:
    """One reason a case failed.

    Attributes:
        kind: what failed: ``expect`` (a node's output), ``expect-output`` (the workflow
            result), ``expect-error`` (the run did not fail as expected), ``run`` (an
            unexpected failure, or a pause at a checkpoint nobody answered).
        message: one line for people.
        node: the node concerned, when there is one.
        compared: whether ``expected``/``actual``/``diff`` hold a comparison.
        expected: the expected value.
        actual: the actual value.
        diff: a unified diff of the two, as indented JSON with sorted keys.
    """

    kind: str
    message: str
    node: str | None = None
    compared: bool = False
    expected: Any = None
    actual: Any = None
    diff: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{kind, node, message}`` plus ``expected``/``actual``/``diff``."""
        data: dict[str, Any] = {"kind": self.kind, "node": self.node, "message": self.message}
        if self.compared:
            data.update(expected=self.expected, actual=self.actual, diff=self.diff)
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseResult:
    """The outcome of one test case.

    Attributes:
        name: the case's name.
        source: the file the case is written in.
        passed: every expectation held.
        duration: seconds the case took (loading the file excluded).
        status: the run's final status (``completed``, ``failed``, ``paused``), or
            ``rejected`` when config, input or secrets were refused before anything ran.
        error: the run's error ``{node, type, message}``, or ``None``.
        failures: why the case failed (empty when it passed).
    """

    name: str
    source: str
    passed: bool
    duration: float
    status: str
    error: dict[str, Any] | None = None
    failures: tuple[CaseFailure, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``durationMs`` in whole milliseconds)."""
        return {
            "name": self.name,
            "source": self.source,
            "passed": self.passed,
            "durationMs": round(self.duration * 1000),
            "status": self.status,
            "error": self.error,
            "failures": [failure.to_dict() for failure in self.failures],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class TestReport:
    """The result of running the test cases of one workflow file.

    Attributes:
        path: the workflow file.
        workflow: the workflow's name.
        cases: one result per case run, in definition order.
        defined: how many cases the file defines (``cases`` holds those selected by name).
        duration: seconds for the whole file.
    """

    __test__ = False  # not a pytest test class

    path: str
    workflow: str
    cases: tuple[CaseResult, ...]
    defined: int
    duration: float

    @property
    def passed(self) -> int:
        """How many cases passed."""
        return sum(1 for case in self.cases if case.passed)

    @property
    def failed(self) -> int:
        """How many cases failed."""
        return len(self.cases) - self.passed

    @property
    def ok(self) -> bool:
        """No case failed."""
        return self.failed == 0

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{file, workflow, defined, passed, failed, durationMs, cases}``."""
        return {
            "file": self.path,
            "workflow": self.workflow,
            "defined": self.defined,
            "passed": self.passed,
            "failed": self.failed,
            "durationMs": round(self.duration * 1000),
            "cases": [case.to_dict() for case in self.cases],
        }
