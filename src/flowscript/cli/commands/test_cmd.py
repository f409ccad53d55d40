"""``flowscript test FILE...``: run the test cases of workflow files (cli.md).

Exit codes: 0 every case passed; 1 a case failed; 2 a file is missing, does not parse or
validate, has an invalid test case or no test cases at all, or ``--name`` selects no case —
the problems of every file are reported before exiting.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from flowscript.cli._exit import ExitCode
from flowscript.cli.commands._common import FORMAT_OPTION, echo_json, settings
from flowscript.errors import DefinitionError

if TYPE_CHECKING:
    from flowscript.testing import TestReport
    from flowscript.testing.render import FileProblem, Marks

__all__ = ["flow_tests"]

NO_TESTS_HINT = (
    "add a `tests:` list to the frontmatter, or write them in a sibling NAME.test.flow.md"
)


@dataclass(slots=True)
class _Run:
    """What the command found, file by file."""

    reports: list[TestReport] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(report.passed for report in self.reports)

    @property
    def failed(self) -> int:
        return sum(report.failed for report in self.reports)

    @property
    def selected(self) -> int:
        return sum(len(report.cases) for report in self.reports)


def _workflow_files(files: Sequence[str]) -> Iterator[str]:
    """Each workflow once: ``x.test.flow.md`` stands for ``x.flow.md`` (a shell glob such
    as ``*.flow.md`` matches both)."""
    from flowscript.testing import workflow_path

    seen: set[Path] = set()
    for name in files:
        path = workflow_path(name)
        key = path.absolute()
        if key not in seen:
            seen.add(key)
            yield str(path)


def _load_problem(path: str, error: DefinitionError) -> FileProblem:
    from flowscript.cli._render import SourceCache, render_diagnostics
    from flowscript.testing.render import FileProblem

    click.echo(
        render_diagnostics(error.diagnostics, SourceCache(), color=settings().color), err=True
    )
    first = error.errors[0] if error.errors else None
    return FileProblem(path=path, code=first.code if first else "INVALID", message=str(error))


def _run_file(path: str, run: _Run, options: dict[str, Any]) -> TestReport | None:
    from flowscript.testing import run_tests
    from flowscript.testing.render import FileProblem

    try:
        report = run_tests(path, **options)
    except DefinitionError as error:
        run.problems.append(_load_problem(path, error))
        return None
    if report.defined == 0:
        message = f"{path} has no test cases"
        click.echo(f"error[NO_TESTS]: {message}\nhint: {NO_TESTS_HINT}", err=True)
        run.problems.append(FileProblem(path=path, code="NO_TESTS", message=message))
        return None
    run.reports.append(report)
    return report


def _print_report(report: TestReport, pattern: str | None, marks: Marks) -> None:
    from flowscript.testing.render import case_lines

    color = settings().color
    style: Any = click.style if color else (lambda text, **_: text)
    click.echo(style(report.path, bold=True))
    if not report.cases:
        click.echo(f"  (no test case matches {pattern!r})")
    for case in report.cases:
        for line in case_lines(case, marks, style):
            click.echo(line)


def _exit_code(run: _Run, pattern: str | None) -> ExitCode:
    if run.problems:
        return ExitCode.USAGE
    if run.selected == 0:
        click.echo(f"error: no test case matches {pattern!r}", err=True)
        return ExitCode.USAGE
    return ExitCode.RUN_FAILED if run.failed else ExitCode.OK


def _json_document(run: _Run) -> dict[str, Any]:
    files = [report.to_dict() for report in run.reports]
    files.extend(problem.to_dict() for problem in run.problems)
    return {
        "files": files,
        "passed": run.passed,
        "failed": run.failed,
        "errors": len(run.problems),
        "durationMs": round(sum(report.duration for report in run.reports) * 1000),
    }


def _write_junit(path: str, run: _Run) -> None:
    from flowscript.testing.render import junit_xml

    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(junit_xml(run.reports, run.problems), encoding="utf-8")
    except OSError as exc:
        raise click.FileError(path, hint=exc.strerror or str(exc)) from None


@click.command(name="test")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--name",
    "pattern",
    metavar="PATTERN",
    help="Run only the cases whose name matches (glob, or a substring without wildcards).",
)
@click.option(
    "--junit", metavar="PATH", type=click.Path(dir_okay=False), help="Write JUnit XML here."
)
@FORMAT_OPTION
@click.option(
    "--root", type=click.Path(file_okay=False), help="Base folder for file paths (default: .)."
)
@click.option(
    "--env-file",
    type=click.Path(exists=True, dir_okay=False),
    help="Extra secrets file (read after the environment).",
)
def flow_tests(
    files: tuple[str, ...],
    pattern: str | None,
    junit: str | None,
    output_format: str,
    root: str | None,
    env_file: str | None,
) -> int:
    """Run the test cases of workflow files, with mocks, and check their outputs."""
    from flowscript.testing.render import marks_for, summary_line

    run = _Run()
    options: dict[str, Any] = {"name": pattern, "root": root, "env_file": env_file}
    marks = marks_for(sys.stdout.encoding)
    for path in _workflow_files(files):
        report = _run_file(path, run, options)
        if report is not None and output_format == "text":
            _print_report(report, pattern, marks)
    if junit is not None:
        _write_junit(junit, run)
    if output_format == "json":
        echo_json(_json_document(run))
    else:
        click.echo(summary_line(run.passed, run.failed))
    return _exit_code(run, pattern)
