"""Checking a finished run against a case's expectations.

- ``expect-error``: the run must fail (or be refused before it starts) with that type, at that
  node, with that text in the message. The node matches the failing node or any node the
  failure passed through on its way up (a node inside a ``foreach`` fails the ``foreach`` too).
- otherwise the run must complete: a failure, or a pause at a checkpoint that had no answer,
  fails the case with the node and the error.
- ``expect``: each node's output, when it succeeded (the latest iteration's in a loop).
- ``expect-output``: the workflow result, when the run completed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flowscript.testing._cases import NOT_GIVEN, ErrorExpectation, TestCase
from flowscript.testing._compare import json_diff, json_equal, normalize
from flowscript.testing.report import CaseFailure

if TYPE_CHECKING:
    from flowscript.execution.state import ExecutionState

__all__ = ["Outcome", "check_case"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What a case's run did.

    Attributes:
        status: ``completed``, ``failed``, ``paused`` or ``rejected`` (nothing ran).
        state: the final run state (``None`` when rejected).
        error: ``{node, type, message}`` of the failure, or ``None``.
        error_nodes: the failing node and every node the failure passed through.
        result: the workflow result (execution.md §8).
    """

    status: str
    state: ExecutionState | None = None
    error: dict[str, Any] | None = None
    error_nodes: tuple[str, ...] = ()
    result: Any = None


def check_case(case: TestCase, outcome: Outcome) -> list[CaseFailure]:
    """Every expectation of ``case`` that ``outcome`` breaks (empty: the case passed)."""
    failures = list(_check_ending(case, outcome))
    failures.extend(_check_nodes(case, outcome))
    failures.extend(_check_result(case, outcome))
    return failures


def _compared(
    kind: str, message: str, expected: Any, actual: Any, node: str | None = None
) -> CaseFailure:
    return CaseFailure(
        kind=kind,
        message=message,
        node=node,
        compared=True,
        expected=normalize(expected),
        actual=normalize(actual),
        diff=json_diff(expected, actual),
    )


def _check_ending(case: TestCase, outcome: Outcome) -> Iterator[CaseFailure]:
    if case.expect_error is not None:
        yield from _check_expected_error(case.expect_error, outcome)
    elif outcome.error is not None:
        error = outcome.error
        where = f"node `{error['node']}` failed" if error.get("node") else "the run failed"
        if outcome.status == "rejected":
            where = "the run could not start"
        yield CaseFailure(
            kind="run",
            node=error.get("node"),
            message=f"{where}: [{error['type']}] {error['message']}",
        )
    elif outcome.status == "paused":
        yield _paused(outcome)


def _paused(outcome: Outcome) -> CaseFailure:
    pending = (outcome.state.pending_checkpoint if outcome.state else None) or {}
    node = str(pending.get("node") or pending.get("nodeId") or "?")
    return CaseFailure(
        kind="run",
        node=node,
        message=f"the run paused at checkpoint `{node}`, which has no answer "
        f"(add `answers: {{{node}: approve}}` to the case)",
    )


def _check_expected_error(expected: ErrorExpectation, outcome: Outcome) -> Iterator[CaseFailure]:
    want = expected.as_dict()
    if outcome.error is None:
        yield CaseFailure(
            kind="expect-error",
            message=f"expected the run to fail with {_describe(want)}, but it {outcome.status}",
            compared=True,
            expected=want,
            actual=None,
            diff=json_diff(want, None),
        )
        return
    if not _error_matches(expected, outcome):
        actual = {key: outcome.error.get(key) for key in want}
        yield _compared(
            "expect-error",
            f"the run failed, but not as expected: {_describe(outcome.error)}",
            want,
            actual,
        )


def _error_matches(expected: ErrorExpectation, outcome: Outcome) -> bool:
    error = outcome.error or {}
    if expected.type is not None and expected.type != error.get("type"):
        return False
    if expected.node is not None and expected.node not in outcome.error_nodes:
        return False
    return expected.message is None or expected.message in str(error.get("message", ""))


def _describe(error: dict[str, Any]) -> str:
    parts = []
    if error.get("type"):
        parts.append(f"[{error['type']}]")
    if error.get("node"):
        parts.append(f"at node `{error['node']}`")
    if error.get("message"):
        parts.append(repr(error["message"]))
    return " ".join(parts)


def _check_nodes(case: TestCase, outcome: Outcome) -> Iterator[CaseFailure]:
    if outcome.state is None:
        return
    results = outcome.state.node_results
    for node_id, expected in case.expect.items():
        result = results.get(node_id)
        if result is None or not result.status.succeeded:
            status = "did not run" if result is None else f"ended `{result.status.value}`"
            yield _compared("expect", f"node `{node_id}` {status}", expected, None, node_id)
        elif not json_equal(expected, result.output):
            message = f"node `{node_id}`: output differs"
            yield _compared("expect", message, expected, result.output, node_id)


def _check_result(case: TestCase, outcome: Outcome) -> Iterator[CaseFailure]:
    if case.expect_output is NOT_GIVEN or outcome.status != "completed":
        return  # a run that did not complete already failed the case
    if not json_equal(case.expect_output, outcome.result):
        yield _compared(
            "expect-output", "the workflow result differs", case.expect_output, outcome.result
        )
