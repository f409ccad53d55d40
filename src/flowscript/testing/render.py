"""Test reports for people (text) and for CI (JUnit XML).

Text: one line per case, ``✓ name`` or ``✗ name`` (``PASS``/``FAIL`` where the terminal cannot
print those marks), each failure's message under a failed case with a unified diff of the
expected and actual JSON, then a closing line ``N passed, M failed``.

JUnit XML: a ``<testsuite>`` per workflow file, a ``<testcase>`` per case, a ``<failure>``
with the messages and diffs of a failed case; a file that could not be loaded is a suite
with one ``<error>``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from flowscript.testing.report import CaseFailure, CaseResult, TestReport

__all__ = [
    "ASCII_MARKS",
    "UNICODE_MARKS",
    "FileProblem",
    "Marks",
    "case_lines",
    "failure_text",
    "junit_xml",
    "marks_for",
    "summary_line",
]

Style = Callable[..., str]


@dataclass(frozen=True, slots=True, kw_only=True)
class FileProblem:
    """A file whose cases could not run: it is invalid, missing, or has no test cases.

    Attributes:
        path: the file as given.
        code: the diagnostic code (``VALID_…``, ``PARSE_…``, ``NO_TESTS`` …).
        message: what is wrong.
    """

    path: str
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{file, error: {code, message}}``."""
        return {"file": self.path, "error": {"code": self.code, "message": self.message}}


@dataclass(frozen=True, slots=True)
class Marks:
    """The pass and fail marks."""

    passed: str
    failed: str


UNICODE_MARKS: Final = Marks("✓", "✗")
ASCII_MARKS: Final = Marks("PASS", "FAIL")


def marks_for(encoding: str | None) -> Marks:
    """The Unicode marks when ``encoding`` can print them, else the ASCII ones."""
    try:
        (UNICODE_MARKS.passed + UNICODE_MARKS.failed).encode(encoding or "ascii")
    except (LookupError, UnicodeEncodeError):
        return ASCII_MARKS
    return UNICODE_MARKS


def _plain(text: str, **_: Any) -> str:
    return text


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def case_lines(case: CaseResult, marks: Marks, style: Style = _plain) -> list[str]:
    """The lines of one case: its mark and name, then its failures indented."""
    if case.passed:
        head = f"  {style(marks.passed, fg='green')} {case.name} ({_duration(case.duration)})"
        return [head]
    lines = [
        f"  {style(marks.failed, fg='red', bold=True)} {case.name} ({_duration(case.duration)})"
    ]
    for failure in case.failures:
        lines.extend("      " + line for line in _failure_lines(failure, style))
    return lines


def _failure_lines(failure: CaseFailure, style: Style) -> Iterator[str]:
    yield style(failure.message, bold=True)
    for line in failure.diff.splitlines():
        yield "  " + _diff_line(line, style)


def _diff_line(line: str, style: Style) -> str:
    if line.startswith(("---", "+++")):
        return style(line, bold=True)
    if line.startswith("-"):
        return style(line, fg="red")
    if line.startswith("+"):
        return style(line, fg="green")
    if line.startswith("@@"):
        return style(line, fg="cyan")
    return line


def failure_text(case: CaseResult) -> str:
    """Every failure of ``case`` with its diff, as plain text (JUnit failure bodies)."""
    return "\n".join(line for failure in case.failures for line in _failure_lines(failure, _plain))


def summary_line(passed: int, failed: int) -> str:
    """``N passed, M failed`` (the closing line of the text output)."""
    return f"{passed} passed, {failed} failed"


def junit_xml(reports: Sequence[TestReport], problems: Sequence[FileProblem] = ()) -> str:
    """A JUnit XML document for ``reports`` (and the files that could not run)."""
    from xml.etree import ElementTree as ET

    root = ET.Element("testsuites", name="flowscript")
    for report in reports:
        root.append(_suite(report))
    for problem in problems:
        root.append(_problem_suite(problem))
    cases = [case for report in reports for case in report.cases]
    root.set("tests", str(len(cases) + len(problems)))
    root.set("failures", str(sum(1 for case in cases if not case.passed)))
    root.set("errors", str(len(problems)))
    root.set("time", _seconds(sum(report.duration for report in reports)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _suite(report: TestReport) -> Any:
    from xml.etree import ElementTree as ET

    suite = ET.Element(
        "testsuite",
        name=report.workflow,
        file=report.path,
        tests=str(len(report.cases)),
        failures=str(report.failed),
        errors="0",
        skipped="0",
        time=_seconds(report.duration),
    )
    for case in report.cases:
        element = ET.SubElement(
            suite,
            "testcase",
            name=case.name,
            classname=report.workflow,
            file=case.source,
            time=_seconds(case.duration),
        )
        if not case.passed:
            failure = ET.SubElement(
                element,
                "failure",
                message=case.failures[0].message,
                type=case.failures[0].kind,
            )
            failure.text = failure_text(case)
    return suite


def _problem_suite(problem: FileProblem) -> Any:
    from xml.etree import ElementTree as ET

    suite = ET.Element(
        "testsuite", name=problem.path, file=problem.path, tests="1", failures="0", errors="1"
    )
    case = ET.SubElement(suite, "testcase", name="(load)", classname=problem.path)
    error = ET.SubElement(case, "error", message=problem.message, type=problem.code)
    error.text = problem.message
    return suite
