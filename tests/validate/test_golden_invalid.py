"""Golden broken flows: each ``tests/golden/invalid/<name>.flow.md`` has ``<name>.expected``.

One line per diagnostic, in the validator's sorted order: ``CODE LINE:COL severity``, followed
by `` @ <path>`` (relative to the golden folder) when the diagnostic belongs to another file
(an included workflow). The comparison is exact, so every problem of a flow with several
problems must be reported, not only the first.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flowscript.model import Diagnostic
from flowscript.validate import validate_file

GOLDEN = Path(__file__).parents[1] / "golden"
INVALID = sorted((GOLDEN / "invalid").glob("*.flow.md"))
VALID = sorted((GOLDEN / "valid").glob("*.flow.md"))


def render(diagnostic: Diagnostic, path: Path) -> str:
    assert diagnostic.span is not None
    span = diagnostic.span
    line = f"{diagnostic.code} {span.line}:{span.column} {diagnostic.severity.value}"
    if os.path.normpath(span.path) != os.path.normpath(path):
        line += " @ " + Path(os.path.relpath(span.path, path.parent)).as_posix()
    return line


def test_there_are_enough_golden_flows() -> None:
    assert len(INVALID) >= 30


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name.removesuffix(".flow.md"))
def test_invalid_flow_reports_exactly_the_expected_diagnostics(path: Path) -> None:
    expected = path.with_name(path.name.removesuffix(".flow.md") + ".expected")
    result = validate_file(path)
    actual = [render(d, path) for d in result.diagnostics]
    assert actual == expected.read_text(encoding="utf-8").splitlines()
    assert not result.ok(strict=True)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name.removesuffix(".flow.md"))
def test_valid_flow_has_no_errors_and_no_warnings(path: Path) -> None:
    result = validate_file(path)
    assert [d.format_short() for d in result.diagnostics] == []
    assert result.ok(strict=True)
