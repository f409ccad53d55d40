"""``flowscript test``: run a workflow's test cases with mocks and check their outputs.

A workflow's test cases live in its frontmatter ``tests:`` list and/or in a sibling
``NAME.test.flow.md`` (frontmatter ``tests:`` only). Each case runs the workflow in-process
with its own ``config``, ``input``, checkpoint ``answers`` and ``mocks`` (data node id →
output, or ``{$error: …}`` / ``{$attempts: […]}`` to make it fail: the node's runtime is never
called), without persisting state or writing the execution log, then checks ``expect`` (node
outputs), ``expect-output`` (the workflow result) or ``expect-error`` (how the run must fail).
Nodes of ``<include>``/``<call>`` children are named ``call-id/node-id`` (docs/testing.md)::

    from flowscript.testing import run_tests

    report = run_tests("examples/hello.flow.md")
    assert report.ok, [case.failures for case in report.cases]
"""

from __future__ import annotations

from flowscript.testing._cases import NOT_GIVEN, ErrorExpectation, TestCase
from flowscript.testing._compare import json_diff, json_equal, pretty_json
from flowscript.testing._loading import TestSuite, load_test_suite, sibling_path, workflow_path
from flowscript.testing._mocks import MockingExecutor, mock_aware_registry
from flowscript.testing._mockspec import MockError, MockShapeError, MockSpec, parse_mock
from flowscript.testing._runner import arun_tests, name_matches, run_tests
from flowscript.testing._tree import UnknownNode, WorkflowTree
from flowscript.testing.report import CaseFailure, CaseResult, TestReport

__all__ = [
    "NOT_GIVEN",
    "CaseFailure",
    "CaseResult",
    "ErrorExpectation",
    "MockError",
    "MockShapeError",
    "MockSpec",
    "MockingExecutor",
    "TestCase",
    "TestReport",
    "TestSuite",
    "UnknownNode",
    "WorkflowTree",
    "arun_tests",
    "json_diff",
    "json_equal",
    "load_test_suite",
    "mock_aware_registry",
    "name_matches",
    "parse_mock",
    "pretty_json",
    "run_tests",
    "sibling_path",
    "workflow_path",
]
