"""Running the test cases of a workflow file in-process (cli.md ``flowscript test``).

Each case is a separate run of the already validated workflow: the case's ``config`` over the
frontmatter defaults, its ``input``, its ``answers`` (never prompting: a checkpoint without an
answer or a default pauses the run, which fails the case), and its ``mocks``. Nothing is
persisted and no execution log is written: a test never modifies the workflow file.

Secrets are read as for a run (environment, then ``--env-file`` or the ``.env`` next to the
workflow). A secret that has no value is an error only when a node that runs for real uses
it; a mocked node's config gets a placeholder instead, so a case that mocks every node using
a secret runs without it.
"""

from __future__ import annotations

import asyncio
import fnmatch
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowscript.errors import ConfigError, NodeError
from flowscript.testing._assertions import Outcome, check_case
from flowscript.testing._loading import load_test_suite
from flowscript.testing.report import CaseResult, TestReport

if TYPE_CHECKING:
    from flowscript.execution.state import ExecutionState
    from flowscript.planning import ExecutionPlan
    from flowscript.runtimes.base import RuntimeRegistry
    from flowscript.testing._cases import TestCase
    from flowscript.testing._loading import TestSuite

__all__ = ["arun_tests", "name_matches", "run_tests"]

SECRET_PLACEHOLDER = "<mocked-secret>"
"""The value of a secret without a value that only mocked nodes use."""


def name_matches(name: str, pattern: str | None) -> bool:
    """``--name``: a shell-style pattern (``*``, ``?``, ``[…]``) matched against the whole name,
    or, without wildcards, a substring of it. Case-sensitive; ``None`` selects every case."""
    if pattern is None:
        return True
    if any(char in pattern for char in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return pattern in name


def run_tests(
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    root: str | os.PathLike[str] | None = None,
    env_file: str | os.PathLike[str] | None = None,
    runtimes: RuntimeRegistry | None = None,
) -> TestReport:
    """Run the test cases of the workflow at ``path`` (synchronous :func:`arun_tests`)."""
    return asyncio.run(arun_tests(path, name=name, root=root, env_file=env_file, runtimes=runtimes))


async def arun_tests(
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    root: str | os.PathLike[str] | None = None,
    env_file: str | os.PathLike[str] | None = None,
    runtimes: RuntimeRegistry | None = None,
) -> TestReport:
    """Run the test cases of the workflow at ``path``, one after the other.

    Args:
        path: the workflow file (or its ``.test.flow.md`` sibling).
        name: run only the cases whose name matches (:func:`name_matches`).
        root: the base folder for file paths (default: the current directory).
        env_file: an extra secrets file.
        runtimes: the runtime registry (default: the built-in runtimes).

    Returns:
        The report; ``report.defined == 0`` when the file has no test cases.

    Raises:
        DefinitionError: the workflow, its test file or a case is invalid.
        ConfigError: ``env_file`` does not exist.
    """
    if env_file is not None and not Path(env_file).is_file():
        raise ConfigError(f"env file {env_file} does not exist")
    started = time.perf_counter()
    suite, plan = await asyncio.to_thread(_load, path)
    settings = _Settings(
        root=Path(root) if root is not None else Path.cwd(),
        env_file=Path(env_file) if env_file is not None else None,
        runtimes=runtimes,
    )
    results = [
        await _run_case(suite, plan, case, settings)
        for case in suite.cases
        if name_matches(case.name, name)
    ]
    return TestReport(
        path=str(path),
        workflow=suite.workflow.name,
        cases=tuple(results),
        defined=len(suite.cases),
        duration=time.perf_counter() - started,
    )


class _Settings:
    """Per-file settings shared by every case."""

    def __init__(
        self, *, root: Path, env_file: Path | None, runtimes: RuntimeRegistry | None
    ) -> None:
        self.root = root
        self.env_file = env_file
        self.runtimes = runtimes


def _load(path: str | os.PathLike[str]) -> tuple[TestSuite, ExecutionPlan]:
    suite = load_test_suite(path)
    assert suite.plan is not None  # load_test_suite always plans
    return suite, suite.plan


async def _run_case(
    suite: TestSuite, plan: ExecutionPlan, case: TestCase, settings: _Settings
) -> CaseResult:
    started = time.perf_counter()
    outcome = await _outcome(suite, plan, case, settings)
    failures = check_case(case, outcome)
    return CaseResult(
        name=case.name,
        source=case.source,
        passed=not failures,
        duration=time.perf_counter() - started,
        status=outcome.status,
        error=outcome.error,
        failures=tuple(failures),
    )


async def _outcome(
    suite: TestSuite, plan: ExecutionPlan, case: TestCase, settings: _Settings
) -> Outcome:
    from flowscript.execution.executor import execute
    from flowscript.execution.run import workflow_result

    try:
        state = await asyncio.to_thread(_case_state, suite, plan, case, settings)
    except ConfigError as exc:
        error = {"node": None, "type": exc.code, "message": str(exc)}
        return Outcome(status="rejected", error=error)
    try:
        await execute(plan, state, _options(plan, case, settings))
    except NodeError as exc:
        error = dict(state.error or {"node": exc.node, "type": exc.type, "message": exc.message})
        node_error = {key: error.get(key) for key in ("node", "type", "message")}
        return Outcome(
            status=state.status.value,
            state=state,
            error=node_error,
            error_nodes=tuple(dict.fromkeys(_error_nodes(exc, plan))),
        )
    return Outcome(
        status=state.status.value, state=state, result=workflow_result(suite.workflow, state)
    )


def _error_nodes(error: NodeError, plan: ExecutionPlan) -> Iterator[str]:
    """The nodes a failure passed through: the failing node, each node of its cause chain,
    and every node enclosing them — inside an include/call child too (for ``c/x`` inside
    ``c``'s ``loop``: ``c/x``, ``c/loop``, ``c`` and the nodes enclosing ``c``)."""
    from flowscript.testing._tree import WorkflowTree

    tree = WorkflowTree(plan)
    current: NodeError | None = error
    while current is not None:
        for key in (current.node, current.details.get("failedNode")):
            if isinstance(key, str):
                yield from tree.lineage(key)
        current = current.cause


def _options(plan: ExecutionPlan, case: TestCase, settings: _Settings) -> Any:
    from flowscript.execution.options import ExecutionOptions
    from flowscript.testing._mocks import MockingExecutor, mock_aware_registry

    executor = MockingExecutor(plan, case.mocks)
    return ExecutionOptions(
        answers=case.answers,
        interactive=False,
        executor=executor,
        runtimes=mock_aware_registry(settings.runtimes, executor),
        root=settings.root,
    )


def _case_state(
    suite: TestSuite, plan: ExecutionPlan, case: TestCase, settings: _Settings
) -> ExecutionState:
    """Config, input and secrets of the case (execution.md §1 step 2) in a fresh state."""
    from flowscript.execution.inputs import resolve_config, resolve_input
    from flowscript.execution.state import create_execution_state

    workflow = suite.workflow
    config = resolve_config(workflow, case.config)
    workflow_input = resolve_input(workflow, case.input)
    secrets = _case_secrets(suite, plan, case, settings)
    state = create_execution_state(
        workflow.name, config=config, secrets=secrets, input=workflow_input
    )
    state.workflow_path = str(suite.path.absolute())
    return state


def _case_secrets(
    suite: TestSuite, plan: ExecutionPlan, case: TestCase, settings: _Settings
) -> dict[str, str]:
    from flowscript.execution.inputs import load_secrets
    from flowscript.testing._secrets import secrets_used

    workflow = suite.workflow
    real, mocked = secrets_used(workflow, plan.graph, frozenset(case.mocks))
    secrets = load_secrets(
        workflow,
        env_file=settings.env_file,
        workflow_dir=suite.path.absolute().parent,
        referenced=real,
    )
    for name in sorted(mocked - secrets.keys()):
        secrets[name] = SECRET_PLACEHOLDER
    return secrets
