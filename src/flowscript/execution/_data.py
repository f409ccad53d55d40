"""Data nodes (source, transform, sink, ai): render the config, then one runtime attempt.

Config strings are template-rendered once, here, against the node's scope snapshot — except
the runtime's ``raw_fields``, which the runtime evaluates itself (runtimes.md preamble) — and
then coerced to the declared field types.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from flowscript.errors import ExpressionError, NodeError
from flowscript.execution.attempt import run_attempt

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation
    from flowscript.model import DataNodeSpec
    from flowscript.runtimes.base import RuntimeContext

__all__ = ["render_config", "run_data_node"]


async def run_data_node(act: Activation) -> Any:
    """Render the node's config, build its request and run one attempt."""
    from flowscript.model import DataNodeSpec
    from flowscript.runtimes.base import NodeRequest
    from flowscript.runtimes.coerce import coerce_config

    node = act.node
    assert isinstance(node, DataNodeSpec)
    run = act.flow.run
    runtime = run.registry.get(node.kind)
    if runtime is None:
        raise NodeError("runtime.unknown", f"{node.id}: no runtime is registered for {node.kind!r}")
    raw = frozenset(getattr(runtime, "raw_fields", frozenset()))
    config = coerce_config(node.kind, render_config(act, node, raw), raw_fields=raw)
    request = NodeRequest(
        node_id=node.id,
        kind=node.kind,
        config=config,
        input=act.input,
        node=node,
        attempt=1,
        secret_names=tuple(act.flow.secrets),
    )
    # Retry (execution.md §6.2) will wrap this call; it is the only runtime call site.
    return await run_attempt(run.node_executor, runtime, request, _runtime_context(act))


def render_config(act: Activation, node: DataNodeSpec, raw: Collection[str]) -> dict[str, Any]:
    """Every config entry with its templates rendered (raw fields as written)."""
    rendered: dict[str, Any] = {}
    for key, entry in node.config.items():
        if key in raw:
            rendered[key] = entry.value
            continue
        try:
            rendered[key] = _render_value(entry.value, act)
        except ExpressionError as exc:
            from flowscript.model import Text

            text = Text(str(exc.expression or entry.value), entry.value_span)
            raise act.expression_error(key, text, exc) from exc
    return rendered


def _render_value(value: Any, act: Activation) -> Any:
    from flowscript.expressions import render_template

    if isinstance(value, str):
        return render_template(value, act.scope) if "{{" in value else value
    if isinstance(value, Mapping):
        return {k: _render_value(v, act) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_render_value(v, act) for v in value]
    return value


def _runtime_context(act: Activation) -> RuntimeContext:
    """The run's shared runtime context, with this node's scope and warning channel."""
    run = act.flow.run
    shared = run.runtime_context(act.flow.workflow_dir)
    key = act.flow.prefix + act.node.id
    return dataclasses.replace(
        shared,
        workflow_dir=act.flow.workflow_dir,
        scope=act.scope,
        warn=lambda message: run.warn(message, key),
        http_factory=lambda: shared.http,
    )
