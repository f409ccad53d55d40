"""``<include>`` and ``<call>`` (runtimes.md §7): another workflow run inside this run.

The child runs in the parent's run: same state (its results keyed ``<call-id>/<node-id>``),
same clock, concurrency limit, cancellation, deadline and failure domain. Children with a
literal path are loaded and validated before the run starts (``run_file`` fills
``plan.children``); a templated path is loaded when the node runs. Recursion through the
chain of running children is an error, per run.

- ``include``: the child shares the parent's config (its own defaults fill the gaps) and
  secrets; ``<bind key value>`` values form the child's ``$input``.
- ``call``: every extra attribute is an argument (template → typed value) of the child's
  ``$input``; the child gets its own config defaults and the secrets it declares, read from
  the environment (and its ``.env``).

The node's output is the child's result (execution.md §8).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowscript.errors import ConfigError, DefinitionError, ExpressionError, NodeError
from flowscript.execution._activation import derived_error
from flowscript.execution._instance import NodeInterrupted
from flowscript.model import CallSpec, IncludeSpec, Text, Workflow

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation
    from flowscript.execution._context import FlowContext
    from flowscript.graph import WorkflowGraph
    from flowscript.planning import ExecutionPlan

__all__ = [
    "child_key",
    "load_child_plans",
    "referenced_secrets",
    "run_call",
    "run_include",
    "workflow_dir",
]


def workflow_dir(workflow: Workflow, fallback: Path) -> Path:
    """The absolute folder of the workflow file (``fallback`` for an in-memory workflow)."""
    if workflow.path.startswith("<"):
        return fallback.absolute()
    return Path(workflow.path).absolute().parent


def child_key(base_dir: Path, path: str) -> str:
    """The normalised absolute path of a child workflow (the key of ``plan.children``)."""
    return os.path.normpath(base_dir / path)


def load_child_plans(
    plan: ExecutionPlan, *, base_dir: Path, seen: frozenset[str] = frozenset()
) -> ExecutionPlan:
    """Load, validate and plan every child with a literal path, recursively (I/O).

    Args:
        plan: the calling workflow's plan.
        base_dir: the calling workflow's folder (child paths are relative to it).
        seen: children already being loaded up the chain (never loaded twice).

    Raises:
        DefinitionError: a child does not parse or validate.
    """
    import dataclasses

    from flowscript.planning import build_execution_plan
    from flowscript.validate import load_workflow

    children: dict[str, ExecutionPlan] = {}
    for node in plan.workflow.walk():
        if not isinstance(node, IncludeSpec | CallSpec) or "{{" in node.workflow.value:
            continue
        key = child_key(base_dir, node.workflow.value.strip())
        if key in children or key in seen:
            continue
        child_plan = build_execution_plan(load_workflow(key))
        children[key] = load_child_plans(child_plan, base_dir=Path(key).parent, seen=seen | {key})
    return dataclasses.replace(plan, children=children)


def referenced_secrets(workflow: Workflow, graph: WorkflowGraph | None = None) -> set[str] | None:
    """Names read as ``$secrets.X``; ``None`` when some read is dynamic (``$secrets[k]``)."""
    from flowscript.graph import analyze, node_texts

    texts = (graph or analyze(workflow)).texts
    names: set[str] = set()
    for node in workflow.walk():
        for _, text, role in node_texts(node):
            try:
                uses = texts.names(text.value, role)
            except ExpressionError:
                continue  # the validator reports texts that do not parse
            for use in uses:
                if use.name != "$secrets":
                    continue
                if use.member is None:
                    return None
                names.add(use.member)
    return names


async def run_include(act: Activation) -> Any:
    """Run the child with this run's config and secrets; binds form its ``$input``."""
    node = act.node
    assert isinstance(node, IncludeSpec)
    key, plan = await _child_plan(act, node.workflow)
    child = plan.workflow
    binds = {bind.key: act.typed(f"bind.{bind.key}", bind.value) for bind in node.binds}
    defaults = {name: spec.default for name, spec in child.config.items() if spec.has_default}
    return await _run_child(
        act,
        key,
        plan,
        config={**defaults, **act.flow.config},
        secrets=act.flow.secrets,
        arguments=binds,
    )


async def run_call(act: Activation) -> Any:
    """Run the child as a function: arguments → its ``$input``; its own config and secrets."""
    from flowscript.execution.inputs import load_secrets, resolve_config

    node = act.node
    assert isinstance(node, CallSpec)
    key, plan = await _child_plan(act, node.workflow)
    child = plan.workflow
    arguments = {name: act.typed(f"argument.{name}", text) for name, text in node.arguments.items()}
    try:
        config = resolve_config(child, None)
        secrets = await asyncio.to_thread(
            load_secrets,
            child,
            workflow_dir=Path(key).parent,
            referenced=referenced_secrets(child, plan.graph),
        )
    except ConfigError as exc:
        raise NodeError("call.config", f"{node.id}: {key}: {exc}") from exc
    return await _run_child(act, key, plan, config=config, secrets=secrets, arguments=arguments)


async def _child_plan(act: Activation, path_text: Text) -> tuple[str, ExecutionPlan]:
    raw = act.render("workflow", path_text) if "{{" in path_text.value else path_text.value
    key = child_key(act.flow.workflow_dir, str(raw).strip())
    if key in act.flow.stack:
        chain = " -> ".join((*act.flow.stack, key))
        raise NodeError("include.recursion", f"{act.node.id}: workflow includes itself: {chain}")
    plan = act.flow.plan.children.get(key) or act.flow.run.child_plans.get(key)
    if plan is None:
        plan = await asyncio.to_thread(_load_plan, key, act.node.id)
        act.flow.run.child_plans[key] = plan
    return key, plan


def _load_plan(key: str, node_id: str) -> ExecutionPlan:
    from flowscript.planning import build_execution_plan
    from flowscript.validate import load_workflow

    try:
        return build_execution_plan(load_workflow(key))
    except DefinitionError as exc:
        raise NodeError("include.invalid", f"{node_id}: {key}: {exc}") from exc


async def _run_child(
    act: Activation,
    key: str,
    plan: ExecutionPlan,
    *,
    config: Mapping[str, Any],
    secrets: Mapping[str, str],
    arguments: Mapping[str, Any],
) -> Any:
    from flowscript.execution._context import FlowContext
    from flowscript.execution._scheduler import run_scope
    from flowscript.execution.inputs import resolve_input

    child_input: Any = dict(arguments) if arguments or not act.node.inputs else act.input
    try:
        child_input = resolve_input(plan.workflow, child_input)
    except ConfigError as exc:
        raise NodeError("call.input_invalid", f"{act.node.id}: {key}: {exc}") from exc
    flow = FlowContext(
        act.flow.run,
        plan,
        config=config,
        secrets=secrets,
        input=child_input,
        workflow_dir=Path(key).parent,
        prefix=f"{act.flow.prefix}{act.node.id}/",
        stack=(*act.flow.stack, key),
    )
    instance = flow.root_instance(
        flags=(*act.instance.flags, act.flag), domain=act.domain, owner=act
    )
    result = await run_scope(flow, instance)
    if result.state == "failed" and result.error is not None:
        raise derived_error(act.flow.prefix + act.node.id, result.error)
    if result.state == "halted":
        raise NodeInterrupted(act.node.id)
    return flow_result(flow)


def flow_result(flow: FlowContext) -> Any:
    """The result of a workflow run inside a flow context (execution.md §8)."""
    from flowscript.execution.run import result_of

    def output_of(node_id: str) -> tuple[bool, Any]:
        result = flow.run.state.node_results.get(flow.prefix + node_id)
        if result is None or not result.status.succeeded:
            return False, None
        return True, result.output

    return result_of(flow.workflow, output_of, flow.root_frame.variables)
