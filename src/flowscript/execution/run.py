"""Run a workflow file in one call: load + validate + inputs + plan + execute (execution.md §1).

Also the workflow *result* (execution.md §8): the values named by the frontmatter ``output:``
schema, or the output of the last top-level node that succeeded.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowscript.execution.options import ExecutionOptions
from flowscript.execution.state import ExecutionState, create_execution_state

if TYPE_CHECKING:
    from flowscript.model import Workflow
    from flowscript.planning import ExecutionPlan

__all__ = ["PreparedRun", "arun_file", "prepare_run", "result_of", "run_file", "workflow_result"]


async def arun_file(
    path: str | os.PathLike[str],
    *,
    config: Mapping[str, Any] | None = None,
    input: Any = None,
    options: ExecutionOptions | None = None,
    root: str | os.PathLike[str] | None = None,
    env_file: str | os.PathLike[str] | None = None,
) -> ExecutionState:
    """Load, validate and run the workflow at ``path``.

    Args:
        path: the ``.flow.md`` file.
        config: config overrides (format.md §2.1; CLI strings are read as JSON when they parse).
        input: the workflow input (checked against the ``input:`` schema).
        options: execution options.
        root: base folder for file paths (overrides ``options.root``).
        env_file: an extra secrets file (``--env-file``).

    Returns:
        The final state (status ``completed``).

    Raises:
        DefinitionError: the file (or a child it includes) does not parse or validate.
        ConfigError: config, input or secrets were rejected; nothing ran.
        NodeError: the run failed (the state is complete when it is raised).
    """
    file = Path(path)
    # Reading and validating files (and .env) is blocking I/O: keep it off the event loop.
    prepared = await asyncio.to_thread(
        prepare_run,
        file,
        config=config,
        input=input,
        env_file=env_file,
        ai_base_url=options.ai_base_url if options is not None else None,
    )
    options = options or ExecutionOptions()
    if root is not None:
        options = dataclasses.replace(options, root=Path(root))
    return await prepared.execute(options)


@dataclass(slots=True, kw_only=True)
class PreparedRun:
    """A workflow loaded, validated and planned, with its run state ready (nothing ran yet).

    Attributes:
        workflow: the validated workflow.
        plan: its execution plan (include/call children loaded).
        state: a fresh ``pending`` state holding the effective config, secrets and input.
    """

    workflow: Workflow
    plan: ExecutionPlan
    state: ExecutionState

    async def execute(self, options: ExecutionOptions | None = None) -> ExecutionState:
        """Execute the plan (see :func:`flowscript.execution.execute`)."""
        from flowscript.execution.executor import execute

        return await execute(self.plan, self.state, options)

    @property
    def nodes_to_run(self) -> int:
        """How many of the plan's nodes will run: all of them, less those a resumed state
        keeps (they are not run again; execution.md §9.3)."""
        from flowscript.execution._completed import is_kept

        results = self.state.node_results
        return sum(
            1
            for node_id in self.plan.node_ids
            if (result := results.get(node_id)) is None or not is_kept(result)
        )


def prepare_run(
    path: str | os.PathLike[str],
    *,
    config: Mapping[str, Any] | None = None,
    input: Any = None,
    env_file: str | os.PathLike[str] | None = None,
    ai_base_url: str | None = None,
) -> PreparedRun:
    """Steps 1–4 of execution.md §1 (blocking I/O): load and validate the file and its
    include/call children, resolve config, input and secrets, build the plan and the state.

    ``ai_base_url`` is the run's AI endpoint (``--ai-base-url``): AI nodes that will call a
    non-local endpoint need a key, checked here (runtimes.md §6); the keys join the secrets.

    Raises:
        DefinitionError: the file (or a child) does not parse or validate.
        ConfigError: config, input or secrets were rejected.
    """
    from flowscript.execution._fingerprint import node_hashes, workflow_hash
    from flowscript.execution.control.composition import load_child_plans, referenced_secrets
    from flowscript.execution.inputs import load_secrets, resolve_config, resolve_input
    from flowscript.planning import build_execution_plan
    from flowscript.validate import load_valid

    file = Path(path)
    checked = load_valid(file)
    workflow = checked.workflow
    assert workflow is not None
    plan = build_execution_plan(workflow, graph=checked.graph)
    effective = resolve_config(workflow, config)
    workflow_input = resolve_input(workflow, input)
    secrets = load_secrets(
        workflow,
        env_file=Path(env_file) if env_file is not None else None,
        workflow_dir=file.absolute().parent,
        referenced=referenced_secrets(workflow, plan.graph),
    )
    own = os.path.normpath(file.absolute())
    plan = load_child_plans(plan, base_dir=file.absolute().parent, seen=frozenset({own}))
    secrets.update(_ai_keys(plan, workflow, file, env_file, ai_base_url))
    state = create_execution_state(
        workflow.name, config=effective, secrets=secrets, input=workflow_input
    )
    # Absolute, so `flowscript resume` finds the file from any folder; hashed without the
    # execution log, which every run rewrites (execution.md §9.3).
    state.workflow_path = str(file.absolute())
    state.workflow_hash = workflow_hash(workflow)
    state.node_hashes = node_hashes(workflow)
    return PreparedRun(workflow=workflow, plan=plan, state=state)


def _ai_keys(
    plan: ExecutionPlan,
    workflow: Workflow,
    file: Path,
    env_file: str | os.PathLike[str] | None,
    ai_base_url: str | None,
) -> dict[str, str]:
    """The AI keys the run's AI nodes need (ConfigError when one has none)."""
    from flowscript.execution.inputs import secret_lookup
    from flowscript.runtimes.ai.endpoint import plan_ai_keys

    lookup = secret_lookup(
        workflow,
        env_file=Path(env_file) if env_file is not None else None,
        workflow_dir=file.absolute().parent,
    )
    return plan_ai_keys(plan, base_url=ai_base_url, lookup=lookup)


def run_file(
    path: str | os.PathLike[str],
    *,
    config: Mapping[str, Any] | None = None,
    input: Any = None,
    options: ExecutionOptions | None = None,
    root: str | os.PathLike[str] | None = None,
    env_file: str | os.PathLike[str] | None = None,
) -> ExecutionState:
    """Synchronous :func:`arun_file` (runs its own event loop)."""
    return asyncio.run(
        arun_file(path, config=config, input=input, options=options, root=root, env_file=env_file)
    )


def workflow_result(workflow: Workflow, state: ExecutionState) -> Any:
    """The workflow result of a run (execution.md §8).

    With an ``output:`` schema: an object with each declared field read from the node with
    that id, nested or not (its output, when it succeeded), or else the top-level variable
    with that name (``null`` when neither exists). Without one: the output of the last
    top-level node, in document order, that succeeded (``null`` when none did).
    """

    def output_of(node_id: str) -> tuple[bool, Any]:
        result = state.node_results.get(node_id)
        if result is None or not result.status.succeeded:
            return False, None
        return True, result.output

    return result_of(workflow, output_of, state.global_context)


def result_of(
    workflow: Workflow,
    output_of: Callable[[str], tuple[bool, Any]],
    variables: Mapping[str, Any],
) -> Any:
    """§8 over accessors, shared by :func:`workflow_result` and include/call children."""
    if workflow.output_schema:
        fields: dict[str, Any] = {}
        for name in workflow.output_schema:
            found, value = output_of(name)
            if not found and name in variables:
                found, value = True, variables[name]
            fields[name] = value if found else None
        return fields
    for node in reversed(workflow.nodes):
        found, value = output_of(node.id)
        if found:
            return value
    return None
