"""``flowscript test`` through the real command in a subprocess."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

CLOSED = "http://127.0.0.1:1"

FLOW = f"""---
name: shop
version: "1.0"
config:
  base: {CLOSED}
  vat: 0.2
tests:
  - name: totals with a mocked API
    mocks:
      prices: [10, 20]
    expect:
      gross: [12, 24]
    expect-output: 36
  - name: a wrong expectation
    mocks:
      prices: [10]
    expect:
      gross: [13]
  - name: the API is down
    expect-error: {{node: prices, type: http.connect}}
---
<workflow>
  <source id="prices" type="http" url="{{{{ $config.base }}}}/prices"/>
  <transform id="gross" type="map" input="prices" expression="item * (1 + $config.vat)"/>
  <transform id="total" type="template" template="{{{{ sum(gross) }}}}"/>
</workflow>
"""

Runner = Callable[..., Any]
Writer = Callable[[str, str], Path]


def _timeless(text: str) -> str:
    return re.sub(r" \(\d+ ms\)| \(\d+\.\d\d s\)", "", text)


def test_passing_and_failing_cases_with_a_diff(flowscript: Runner, write_flow: Writer) -> None:
    path = write_flow("shop.flow.md", FLOW)
    before = path.read_bytes()
    result = flowscript("test", "shop.flow.md")
    assert result.returncode == 1, result.stderr
    assert _timeless(result.stdout).splitlines() == [
        "shop.flow.md",
        "  ✓ totals with a mocked API",
        "  ✗ a wrong expectation",
        "      node `gross`: output differs",
        "        --- expected",
        "        +++ actual",
        "        @@ -1,3 +1,3 @@",
        "         [",
        "        -  13",
        "        +  12",
        "         ]",
        "  ✓ the API is down",
        "2 passed, 1 failed",
    ]
    assert path.read_bytes() == before  # no execution log, nothing rewritten
    assert sorted(p.name for p in path.parent.iterdir()) == ["shop.flow.md"]  # no state


def test_a_mocked_node_never_reaches_the_server(
    flowscript: Runner, write_flow: Writer, http_server: Any
) -> None:
    write_flow("shop.flow.md", FLOW.replace(CLOSED, http_server.url))
    result = flowscript("test", "shop.flow.md", "--name", "totals*")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "1 passed, 0 failed"
    assert http_server.requests == []


def test_answers_and_expected_errors(flowscript: Runner, write_flow: Writer) -> None:
    write_flow(
        "review.flow.md",
        """---
name: review
version: "1.0"
tests:
  - name: approved
    answers: {gate: approve}
    expect-output: shipped
  - name: rejected
    answers: {gate: reject}
    expect-error: checkpoint.rejected
  - name: unanswered
---
<workflow>
  <checkpoint id="gate" prompt="ship?"/>
  <transform id="ship" type="template" input="gate" template="shipped"/>
</workflow>
""",
    )
    result = flowscript("test", "review.flow.md")
    assert result.returncode == 1
    assert _timeless(result.stdout).splitlines() == [
        "review.flow.md",
        "  ✓ approved",
        "  ✓ rejected",
        "  ✗ unanswered",
        "      the run paused at checkpoint `gate`, which has no answer (add `answers: "
        "{gate: approve}` to the case)",
        "2 passed, 1 failed",
    ]


def test_junit_xml(flowscript: Runner, write_flow: Writer, tmp_path: Path) -> None:
    write_flow("shop.flow.md", FLOW)
    result = flowscript("test", "shop.flow.md", "--junit", "out/report.xml")
    assert result.returncode == 1
    root = ET.parse(tmp_path / "out" / "report.xml").getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "0")
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("name"), suite.get("file"), suite.get("tests")) == (
        "shop",
        "shop.flow.md",
        "3",
    )
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == [
        "totals with a mocked API",
        "a wrong expectation",
        "the API is down",
    ]
    assert [case.find("failure") is not None for case in cases] == [False, True, False]
    failure = cases[1].find("failure")
    assert failure is not None and failure.text is not None
    assert failure.get("message") == "node `gross`: output differs"
    assert "-  13\n  +  12" in failure.text


def test_json_output(flowscript: Runner, write_flow: Writer) -> None:
    write_flow("shop.flow.md", FLOW)
    result = flowscript("test", "shop.flow.md", "--format", "json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert (document["passed"], document["failed"], document["errors"]) == (2, 1, 0)
    (file,) = document["files"]
    assert (file["file"], file["workflow"], file["defined"]) == ("shop.flow.md", "shop", 3)
    assert [(c["name"], c["passed"], c["status"]) for c in file["cases"]] == [
        ("totals with a mocked API", True, "completed"),
        ("a wrong expectation", False, "completed"),
        ("the API is down", True, "failed"),
    ]
    failure = file["cases"][1]["failures"][0]
    assert (failure["kind"], failure["node"], failure["expected"], failure["actual"]) == (
        "expect",
        "gross",
        [13],
        [12],
    )
    assert file["cases"][2]["error"]["type"] == "http.connect"


def test_ascii_marks_when_the_terminal_cannot_print_them(
    flowscript: Runner, write_flow: Writer
) -> None:
    write_flow("shop.flow.md", FLOW)
    result = flowscript("test", "shop.flow.md", env={"PYTHONIOENCODING": "ascii"})
    lines = _timeless(result.stdout).splitlines()
    assert lines[1:3] == ["  PASS totals with a mocked API", "  FAIL a wrong expectation"]


def test_a_file_without_tests_is_a_usage_error(flowscript: Runner, write_flow: Writer) -> None:
    write_flow("shop.flow.md", FLOW)
    write_flow("bare.flow.md", '---\nname: bare\nversion: "1.0"\n---\n<workflow/>\n')
    result = flowscript("test", "bare.flow.md", "shop.flow.md", "--name", "totals")
    assert result.returncode == 2
    assert "error[NO_TESTS]: bare.flow.md has no test cases" in result.stderr
    assert result.stdout.splitlines()[-1] == "1 passed, 0 failed"


def test_an_invalid_case_prints_the_diagnostic(flowscript: Runner, write_flow: Writer) -> None:
    write_flow("shop.flow.md", FLOW.replace("prices: [10]\n", "total: 1\n    expekt: {}\n"))
    result = flowscript("test", "shop.flow.md")
    assert result.returncode == 2
    assert "error[VALID_UNKNOWN_FIELD]: test case 2: unknown key `expekt`" in result.stderr
    assert "--> shop.flow.md:17:5" in result.stderr
    assert result.stdout == "0 passed, 0 failed\n"


def test_a_name_that_matches_nothing(flowscript: Runner, write_flow: Writer) -> None:
    write_flow("shop.flow.md", FLOW)
    result = flowscript("test", "shop.flow.md", "--name", "nothing*")
    assert result.returncode == 2
    assert "  (no test case matches 'nothing*')" in result.stdout
    assert "error: no test case matches 'nothing*'" in result.stderr


def test_a_sibling_test_file_runs_once(flowscript: Runner, write_flow: Writer) -> None:
    write_flow("shop.flow.md", FLOW)
    write_flow(
        "shop.test.flow.md",
        "---\ntests:\n  - name: from the sibling\n    mocks: {prices: [1]}\n"
        "    expect: {total: 1.2}\n---\nNotes for people.\n",
    )
    result = flowscript("test", "shop.flow.md", "shop.test.flow.md", "--name", "*the*")
    assert result.returncode == 0, result.stdout
    assert _timeless(result.stdout).splitlines() == [
        "shop.flow.md",
        "  ✓ the API is down",
        "  ✓ from the sibling",
        "2 passed, 0 failed",
    ]


def test_missing_env_file_is_a_usage_error(flowscript: Runner, write_flow: Writer) -> None:
    write_flow("shop.flow.md", FLOW)
    result = flowscript("test", "shop.flow.md", "--env-file", "nope.env")
    assert result.returncode == 2
    assert "nope.env" in result.stderr
