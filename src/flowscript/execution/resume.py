"""Resuming a persisted run (execution.md §9.3): ``resume_workflow``, ``can_resume``.

A resumed run loads the state file, checks that it may resume (not ``completed``; the workflow
file unchanged unless ``force``), works out the resume plan (which nodes are kept, which run
and why), drops the results that will be replaced, reads the secrets again, applies config
overrides, and executes the plan on that state with the same state file, so it keeps its
``runId``; nodes that completed before are never run again (the executor restores them, see
:mod:`flowscript.execution._completed`).

:func:`prepare_resume` does everything but executing (blocking I/O), so the CLI can print the
plan first; :func:`resume_workflow` is prepare + execute.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowscript.errors import ResumeError
from flowscript.execution._fingerprint import describe_changes, node_hashes, workflow_hash
from flowscript.execution._resume_plan import ResumePlan, ResumeStep, forced_nodes
from flowscript.execution.options import ExecutionOptions
from flowscript.execution.state import ExecutionState, RunStatus

if TYPE_CHECKING:
    from flowscript.execution.run import PreparedRun
    from flowscript.model import Workflow
    from flowscript.planning import ExecutionPlan

__all__ = [
    "PreparedResume",
    "ResumePlan",
    "ResumeStep",
    "can_resume",
    "prepare_resume",
    "prepare_resume_state",
    "resume_workflow",
]


def can_resume(state: ExecutionState) -> bool:
    """True unless the run completed (failed, paused, cancelled and interrupted runs resume)."""
    if not isinstance(state, ExecutionState):
        raise TypeError("can_resume expects an ExecutionState (see load_state)")
    return state.status is not RunStatus.COMPLETED


@dataclass(slots=True, kw_only=True)
class PreparedResume:
    """A run ready to resume: the loaded and pruned state, its plan, the resume plan.

    Attributes:
        run: the workflow, its plan and the state to continue (``run.execute`` runs it).
        state_path: the state file (the resumed run keeps writing it); ``None`` for a run
            whose state is in a database (``options.state_store``).
        plan: the resume plan (print it before running).
    """

    run: PreparedRun
    state_path: Path | None
    plan: ResumePlan

    def options(self, options: ExecutionOptions | None = None) -> ExecutionOptions:
        """``options`` with the state file as ``persistence_path`` unless another is set."""
        options = options or ExecutionOptions()
        if options.persistence_path is None and self.state_path is not None:
            options = dataclasses.replace(options, persistence_path=self.state_path)
        return options

    async def execute(self, options: ExecutionOptions | None = None) -> ExecutionState:
        """Run the rest of the run (see :func:`flowscript.execution.execute`)."""
        return await self.run.execute(self.options(options))


async def resume_workflow(
    workflow: Workflow | str | os.PathLike[str] | None,
    state_path: str | os.PathLike[str],
    options: ExecutionOptions | None = None,
    *,
    from_node: str | None = None,
    force: bool = False,
    answers: Mapping[str, str] | None = None,
    config: Mapping[str, Any] | None = None,
    env_file: str | os.PathLike[str] | None = None,
) -> ExecutionState:
    """Resume the run persisted in ``state_path`` and return its final state.

    Args:
        workflow: the workflow (a parsed :class:`~flowscript.model.Workflow`, or its file
            path, loaded and validated); ``None``: the file the run recorded.
        state_path: the run's state file.
        options: execution options (``persistence_path`` defaults to ``state_path``).
        from_node: run this node and everything downstream of it again (``--from``).
        force: resume even though the workflow file changed since the run started.
        answers: checkpoint answers (added to ``options.answers``).
        config: config overrides, applied over the run's config.
        env_file: an extra secrets file; secrets are always read again.

    Raises:
        ResumeError: the run completed, the workflow changed (without ``force``), or
            ``from_node`` is not a node of the plan.
        StateError: the state file is missing or invalid.
        DefinitionError / ConfigError: the workflow, config or secrets are invalid.
        NodeError: the resumed run failed (after its state was persisted).
    """
    prepared = await asyncio.to_thread(
        prepare_resume,
        workflow,
        state_path,
        from_node=from_node,
        force=force,
        config=config,
        env_file=env_file,
        ai_base_url=options.ai_base_url if options is not None else None,
    )
    options = options or ExecutionOptions()
    if answers:
        options = dataclasses.replace(options, answers={**(options.answers or {}), **answers})
    return await prepared.execute(options)


def prepare_resume(
    workflow: Workflow | str | os.PathLike[str] | None,
    state_path: str | os.PathLike[str],
    *,
    from_node: str | None = None,
    force: bool = False,
    config: Mapping[str, Any] | None = None,
    env_file: str | os.PathLike[str] | None = None,
    ai_base_url: str | None = None,
) -> PreparedResume:
    """Everything :func:`resume_workflow` does before executing (blocking I/O).

    ``ai_base_url``: the run's AI endpoint, for the AI key check (as in ``prepare_run``).

    Raises:
        As :func:`resume_workflow`, except ``NodeError``.
    """
    from flowscript.persistence.store import read_state

    path = Path(state_path)
    return prepare_resume_state(
        workflow,
        read_state(path),
        state_path=path,
        from_node=from_node,
        force=force,
        config=config,
        env_file=env_file,
        ai_base_url=ai_base_url,
    )


def prepare_resume_state(
    workflow: Workflow | str | os.PathLike[str] | None,
    state: ExecutionState,
    *,
    state_path: Path | None = None,
    from_node: str | None = None,
    force: bool = False,
    config: Mapping[str, Any] | None = None,
    env_file: str | os.PathLike[str] | None = None,
    ai_base_url: str | None = None,
) -> PreparedResume:
    """:func:`prepare_resume` for a state already loaded (from a database store, say).

    ``state_path`` names the state in messages and becomes :attr:`PreparedResume.state_path`.
    """
    from flowscript.execution._resume_plan import plan_resume, prune_results
    from flowscript.execution.run import PreparedRun

    path = state_path
    _check_resumable(state, path)
    loaded = _load_workflow(workflow, state)
    changes = _changes(loaded, state, force=force)
    plan = _plan(loaded)
    forced = forced_nodes(plan, from_node) if from_node is not None else {}
    resume = plan_resume(plan, state, forced=forced, changes=tuple(changes))
    prune_results(plan, state, resume)
    _refresh_inputs(loaded, plan, state, config=config, env_file=env_file)
    state.secrets.update(_ai_keys(plan, loaded, env_file, ai_base_url))
    state.workflow_hash = workflow_hash(loaded)
    state.node_hashes = node_hashes(loaded)
    if not loaded.path.startswith("<"):
        state.workflow_path = str(Path(loaded.path).absolute())
    state.pending_checkpoint = None
    return PreparedResume(
        run=PreparedRun(workflow=loaded, plan=plan, state=state), state_path=path, plan=resume
    )


def _check_resumable(state: ExecutionState, path: Path | None) -> None:
    if not can_resume(state):
        where = f" ({path})" if path is not None else ""
        raise ResumeError(
            f"run {state.run_id} of {state.workflow_id} completed; there is nothing to resume"
            + where
        )


def _load_workflow(
    workflow: Workflow | str | os.PathLike[str] | None, state: ExecutionState
) -> Workflow:
    from flowscript.model import Workflow
    from flowscript.validate import load_workflow

    if isinstance(workflow, Workflow):
        loaded = workflow
    else:
        source = workflow if workflow is not None else state.workflow_path
        if source is None:
            raise ResumeError(
                f"run {state.run_id} did not record its workflow file; give the workflow"
            )
        loaded = load_workflow(source)
    if loaded.name != state.workflow_id:
        raise ResumeError(
            f"run {state.run_id} is a run of {state.workflow_id!r}, not of {loaded.name!r}"
            f" ({loaded.path})"
        )
    return loaded


def _changes(workflow: Workflow, state: ExecutionState, *, force: bool) -> list[str]:
    """What changed since the run started; refuses unless ``force`` (§9.3)."""
    if state.workflow_hash is None or workflow_hash(workflow) == state.workflow_hash:
        return []
    changes = (
        describe_changes(state.node_hashes, node_hashes(workflow)) if state.node_hashes else []
    )
    if not changes:
        changes = ["text outside the nodes" if state.node_hashes else "nodes unknown"]
    if force:
        return changes
    raise ResumeError(
        f"the workflow file {workflow.path} changed since run {state.run_id} started: "
        f"{', '.join(changes)}; resume with --force to run it anyway",
        changes=changes,
    )


def _plan(workflow: Workflow) -> ExecutionPlan:
    from flowscript.execution.control.composition import load_child_plans
    from flowscript.planning import build_execution_plan

    plan = build_execution_plan(workflow)
    if workflow.path.startswith("<"):
        return plan
    file = Path(workflow.path).absolute()
    return load_child_plans(plan, base_dir=file.parent, seen=frozenset({os.path.normpath(file)}))


def _ai_keys(
    plan: ExecutionPlan,
    workflow: Workflow,
    env_file: str | os.PathLike[str] | None,
    ai_base_url: str | None,
) -> dict[str, str]:
    """The AI keys, read again like secrets (runtimes.md §6)."""
    from flowscript.execution.inputs import secret_lookup
    from flowscript.runtimes.ai.endpoint import plan_ai_keys

    folder = None if workflow.path.startswith("<") else Path(workflow.path).absolute().parent
    lookup = secret_lookup(
        workflow, env_file=Path(env_file) if env_file is not None else None, workflow_dir=folder
    )
    return plan_ai_keys(plan, base_url=ai_base_url, lookup=lookup)


def _refresh_inputs(
    workflow: Workflow,
    plan: ExecutionPlan,
    state: ExecutionState,
    *,
    config: Mapping[str, Any] | None,
    env_file: str | os.PathLike[str] | None,
) -> None:
    """Secrets are read again (never stored); config overrides apply over the run's config."""
    from flowscript.execution.control.composition import referenced_secrets
    from flowscript.execution.inputs import load_secrets, resolve_config

    declared = {k: v for k, v in state.config.items() if k in workflow.config}
    resolved = resolve_config(workflow, {**declared, **(config or {})})
    state.config = {**resolved, **{k: v for k, v in declared.items() if k not in (config or {})}}
    folder = None if workflow.path.startswith("<") else Path(workflow.path).absolute().parent
    state.secrets = load_secrets(
        workflow,
        env_file=Path(env_file) if env_file is not None else None,
        workflow_dir=folder,
        referenced=referenced_secrets(workflow, plan.graph),
    )
