"""``flowscript test`` in a subprocess: mocks of child-workflow nodes and failing mocks."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

from clirun import run_flowscript

CLOSED = "http://127.0.0.1:1"

CHILD = f"""---
name: rates
version: "1.0"
---
<workflow>
  <source id="quote" type="http" url="{CLOSED}/rate">
    <on-error><retry max="2" delay="30s"/></on-error>
  </source>
  <transform id="rounded" type="template" template="{{{{ round(quote * 100) / 100 }}}}"/>
</workflow>
"""

PARENT = """---
name: checkout
version: "1.0"
tests:
  - name: the child's API is mocked
    mocks: {rate/quote: 1.234}
    expect: {rate/rounded: 1.23, total: 12.3}
  - name: the child's API recovers
    mocks:
      rate/quote:
        $attempts: [{$error: {type: http.status, status: 503, retryable: true}}, 2]
    expect-output: 20
  - name: the child's API is down
    mocks:
      rate/quote: {$error: {type: http.status, message: 503 busy, retryable: true}}
    expect-error: {node: rate/quote, type: http.status}
    expect: {alert: "rate/quote failed: 503 busy"}
  - name: a wrong expectation inside the child
    mocks: {rate/quote: 2}
    expect: {rate/rounded: 3}
---
<workflow>
  <call id="rate" workflow="lib/rates.flow.md"/>
  <transform id="total" type="template" template="{{ rate * 10 }}"/>
  <on-workflow-error>
    <transform id="alert" type="template"
        template="{{ $error.node }} failed: {{ $error.message }}"/>
  </on-workflow-error>
</workflow>
"""


def _project(tmp_path: Path, parent: str = PARENT) -> Path:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "rates.flow.md").write_text(CHILD, encoding="utf-8")
    path = tmp_path / "checkout.flow.md"
    path.write_text(parent, encoding="utf-8")
    return path


def _timeless(text: str) -> str:
    return re.sub(r" \(\d+ ms\)| \(\d+\.\d\d s\)", "", text)


def test_text_output(tmp_path: Path) -> None:
    _project(tmp_path)
    result = run_flowscript(tmp_path, "test", "checkout.flow.md")
    assert result.returncode == 1, result.stderr
    assert _timeless(result.stdout).splitlines() == [
        "checkout.flow.md",
        "  ✓ the child's API is mocked",
        "  ✓ the child's API recovers",
        "  ✓ the child's API is down",
        "  ✗ a wrong expectation inside the child",
        "      node `rate/rounded`: output differs",
        "        --- expected",
        "        +++ actual",
        "        @@ -1 +1 @@",
        "        -3",
        "        +2",
        "3 passed, 1 failed",
    ]


def test_json_and_junit_output(tmp_path: Path) -> None:
    _project(tmp_path)
    result = run_flowscript(
        tmp_path, "test", "checkout.flow.md", "--format", "json", "--junit", "report.xml"
    )
    assert result.returncode == 1, result.stderr
    (file,) = json.loads(result.stdout)["files"]
    assert [(case["name"], case["passed"], case["status"]) for case in file["cases"]] == [
        ("the child's API is mocked", True, "completed"),
        ("the child's API recovers", True, "completed"),
        ("the child's API is down", True, "failed"),
        ("a wrong expectation inside the child", False, "completed"),
    ]
    assert file["cases"][2]["error"] == {
        "node": "rate/quote",
        "type": "http.status",
        "message": "503 busy",
    }
    failure = file["cases"][3]["failures"][0]
    assert (failure["kind"], failure["node"], failure["expected"], failure["actual"]) == (
        "expect",
        "rate/rounded",
        3,
        2,
    )
    suite = ET.parse(tmp_path / "report.xml").getroot().find("testsuite")
    assert suite is not None
    failures = [case.find("failure") for case in suite.findall("testcase")]
    assert [f.get("message") if f is not None else None for f in failures] == [
        None,
        None,
        None,
        "node `rate/rounded`: output differs",
    ]


def test_an_unknown_child_node_is_an_invalid_case(tmp_path: Path) -> None:
    _project(tmp_path, PARENT.replace("mocks: {rate/quote: 2}", "mocks: {rate/qoute: 2}"))
    result = run_flowscript(tmp_path, "test", "checkout.flow.md")
    assert result.returncode == 2
    assert (
        "error[VALID_UNDEFINED_NODE_REF]: `mocks` of test case 4: unknown node `rate/qoute`: "
        "the workflow of `rate` has no node `qoute`"
    ) in result.stderr
    assert "hint: did you mean `rate/quote`?" in result.stderr


def test_validate_accepts_qualified_ids(tmp_path: Path) -> None:
    _project(tmp_path)
    result = run_flowscript(tmp_path, "validate", "checkout.flow.md")
    assert result.returncode == 0, result.stdout + result.stderr
