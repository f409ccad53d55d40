"""Text lines, marks and JUnit XML of test reports."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from flowscript.testing import CaseFailure, CaseResult, TestReport
from flowscript.testing.render import (
    ASCII_MARKS,
    UNICODE_MARKS,
    FileProblem,
    case_lines,
    junit_xml,
    marks_for,
    summary_line,
)

FAILURE = CaseFailure(
    kind="expect",
    node="total",
    message="node `total`: output differs",
    compared=True,
    expected=3,
    actual=4,
    diff="--- expected\n+++ actual\n@@ -1 +1 @@\n-3\n+4",
)
PASSED = CaseResult(
    name="sums", source="f.flow.md", passed=True, duration=0.004, status="completed"
)
FAILED = CaseResult(
    name="wrong <sum> & more",
    source="f.test.flow.md",
    passed=False,
    duration=1.5,
    status="completed",
    failures=(FAILURE,),
)
REPORT = TestReport(
    path="f.flow.md", workflow="adder", cases=(PASSED, FAILED), defined=2, duration=1.504
)


@pytest.mark.parametrize(
    ("encoding", "marks"),
    [
        ("utf-8", UNICODE_MARKS),
        ("ascii", ASCII_MARKS),
        ("cp1252", ASCII_MARKS),
        (None, ASCII_MARKS),
        ("no-such", ASCII_MARKS),
    ],
    ids=["utf8", "ascii", "cp1252", "none", "unknown"],
)
def test_marks_fall_back_to_ascii(encoding: str | None, marks: object) -> None:
    assert marks_for(encoding) == marks


def test_case_lines() -> None:
    assert case_lines(PASSED, UNICODE_MARKS) == ["  ✓ sums (4 ms)"]
    assert case_lines(FAILED, ASCII_MARKS) == [
        "  FAIL wrong <sum> & more (1.50 s)",
        "      node `total`: output differs",
        "        --- expected",
        "        +++ actual",
        "        @@ -1 +1 @@",
        "        -3",
        "        +4",
    ]


def test_summary_line() -> None:
    assert summary_line(3, 1) == "3 passed, 1 failed"


def test_junit_xml_parses_back() -> None:
    problem = FileProblem(
        path="bad.flow.md", code="NO_TESTS", message="bad.flow.md has no test cases"
    )
    root = ET.fromstring(junit_xml([REPORT], [problem]))
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors")} == {
        "tests": "3",
        "failures": "1",
        "errors": "1",
    }
    suite, broken = root.findall("testsuite")
    assert {k: suite.get(k) for k in ("name", "file", "tests", "failures", "errors", "time")} == {
        "name": "adder",
        "file": "f.flow.md",
        "tests": "2",
        "failures": "1",
        "errors": "0",
        "time": "1.504",
    }
    ok, bad = suite.findall("testcase")
    assert (ok.get("name"), ok.get("classname"), ok.get("time"), list(ok)) == (
        "sums",
        "adder",
        "0.004",
        [],
    )
    assert (bad.get("name"), bad.get("file")) == ("wrong <sum> & more", "f.test.flow.md")
    failure = bad.find("failure")
    assert failure is not None
    assert (failure.get("message"), failure.get("type")) == (
        "node `total`: output differs",
        "expect",
    )
    assert (
        failure.text
        == "node `total`: output differs\n  --- expected\n  +++ actual\n  @@ -1 +1 @@\n  -3\n  +4"
    )
    error = broken.find("testcase/error")
    assert error is not None
    assert (broken.get("errors"), error.get("type"), error.get("message")) == (
        "1",
        "NO_TESTS",
        "bad.flow.md has no test cases",
    )


def test_report_json_form() -> None:
    data = REPORT.to_dict()
    assert (data["passed"], data["failed"], data["durationMs"]) == (1, 1, 1504)
    assert data["cases"][1]["failures"] == [
        {
            "kind": "expect",
            "node": "total",
            "message": "node `total`: output differs",
            "expected": 3,
            "actual": 4,
            "diff": FAILURE.diff,
        }
    ]
    assert data["cases"][0] == {
        "name": "sums",
        "source": "f.flow.md",
        "passed": True,
        "durationMs": 4,
        "status": "completed",
        "error": None,
        "failures": [],
    }
