"""Data nodes (source, transform, sink, ai): render the config, then the runtime attempts.

Config strings are template-rendered once, here, against the node's scope snapshot — except
the runtime's ``raw_fields``, which the runtime evaluates itself (runtimes.md preamble) — and
then coerced to the declared field types. Every attempt of a retried node gets the same
config, input and scope snapshot (execution.md §6.2); only ``request.attempt`` changes.

The node's retry policy is decided in one place, :func:`resolve_retry_config`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from flowscript.errors import ExpressionError, NodeError
from flowscript.execution.attempt import retry_node, run_attempt
from flowscript.execution.retry import RetryConfig

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation
    from flowscript.model import DataNodeSpec, RetrySpec, Text
    from flowscript.runtimes.base import RuntimeContext

__all__ = ["render_config", "resolve_retry_config", "run_data_node"]


async def run_data_node(act: Activation) -> Any:
    """Render the node's config, build its request and run one attempt."""
    from flowscript.model import DataNodeSpec
    from flowscript.runtimes.base import NodeRequest, RuntimeOutput
    from flowscript.runtimes.coerce import coerce_config

    node = act.node
    assert isinstance(node, DataNodeSpec)
    run = act.flow.run
    runtime = run.registry.get(node.kind)
    if runtime is None:
        raise NodeError("runtime.unknown", f"{node.id}: no runtime is registered for {node.kind!r}")
    raw = frozenset(getattr(runtime, "raw_fields", frozenset()))
    config = coerce_config(node.kind, render_config(act, node, raw), raw_fields=raw)
    policy = resolve_retry_config(act)
    context = _runtime_context(act)
    from flowscript.execution.executors._identity import node_path

    path = node_path(act)

    async def attempt(number: int) -> Any:
        act.attempts = number
        request = NodeRequest(
            node_id=node.id,
            kind=node.kind,
            config=config,
            input=act.input,
            node=node,
            attempt=number,
            secret_names=tuple(act.flow.secrets),
            run_id=run.state.run_id,
            node_path=path,
        )
        # The only runtime call site; retries and attempt timeouts wrap it.
        try:
            output = await run_attempt(run.node_executor, runtime, request, context)
        except NodeError as error:
            _note_usage(act, context, error.details.get("usage"))
            raise
        if isinstance(output, RuntimeOutput):
            _note_usage(act, context, output.usage)
            return output.value
        return output

    return await retry_node(act, attempt, policy)


def _note_usage(act: Activation, context: RuntimeContext, usage: Any) -> None:
    """Add an attempt's token usage (failed attempts too) to the node's and the run's."""
    if not isinstance(usage, Mapping):
        return
    from flowscript.runtimes.ai.usage import combine_usage

    act.usage = combine_usage(act.usage, usage)
    state = act.flow.run.state
    state.usage = combine_usage(state.usage, usage)
    context.usage.add(usage)


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
        schemas=act.flow.workflow.schemas,
    )


# -- the retry policy (execution.md §6.2, format.md §3.6) -----------------------------------


def resolve_retry_config(act: Activation) -> RetryConfig:
    """The node's retry policy, from the first source that has one:

    1. its own ``<on-error><retry>`` (or compact ``<retry>``): omitted fields take the
       defaults of format.md §3.6, values may be templates rendered against the node scope;
    2. the frontmatter ``runtime.retry`` count: ``RetryConfig(max_retries=n)``;
    3. the caller's ``ExecutionOptions.default_retry_config``;
    4. no retry.

    The node's ``timeout`` attribute, when set, is the per-attempt deadline whatever the
    source (it wins over a ``<retry timeout>``).

    Raises:
        NodeError: ``config.invalid`` for a value that cannot be read (a template that renders
            to a bad number or duration); ``expression.eval`` for a template that fails.
    """
    node = act.node
    spec = node.on_error.retry if node.on_error is not None else None
    policy = (
        _from_spec(act, spec)
        if spec is not None
        else _frontmatter_policy(act) or act.flow.run.options.default_retry_config
    ) or RetryConfig(max_retries=0)
    if node.timeout is not None:
        policy = dataclasses.replace(policy, timeout=act.seconds("timeout", node.timeout))
    return policy


def _from_spec(act: Activation, spec: RetrySpec) -> RetryConfig:
    defaults = RetryConfig()
    backoff = _word(act, "retry.backoff", spec.backoff) or defaults.backoff
    if backoff not in ("exponential", "linear", "fixed"):
        raise NodeError(
            "config.invalid",
            f"{act.node.id}: retry backoff must be exponential, linear or fixed, not {backoff!r}",
        )
    return RetryConfig(
        max_retries=act.count("retry.max", spec.max, defaults.max_retries, expression=False),
        backoff=backoff,  # type: ignore[arg-type]  # checked just above
        delay=_seconds(act, "retry.delay", spec.delay, defaults.delay),
        max_delay=_seconds(act, "retry.max-delay", spec.max_delay, defaults.max_delay),
        when=_when(spec.when),
        timeout=_seconds(act, "retry.timeout", spec.timeout, None),
    )


def _when(text: Text | None) -> str:
    """``retryable``/``always`` (any case), else the expression as written."""
    if text is None or not text.value.strip():
        return "retryable"
    value = text.value.strip()
    return value.lower() if value.lower() in ("retryable", "always") else value


def _word(act: Activation, field: str, text: Text | None) -> str | None:
    if text is None or not text.value.strip():
        return None
    value = act.render(field, text) if "{{" in text.value else text.value
    return str(value).strip().lower()


def _seconds(act: Activation, field: str, text: Text | None, default: float | None) -> Any:
    if text is None or not text.value.strip():
        return default
    return act.seconds(field, text)


def _frontmatter_policy(act: Activation) -> RetryConfig | None:
    """``runtime.retry: n`` of the workflow being run (a bad value is the validator's to
    report: it is ignored here)."""
    setting = act.flow.workflow.runtime.retry
    if setting is None or isinstance(setting, bool):
        return None
    try:
        count = int(str(setting).strip())
    except ValueError:
        return None
    return RetryConfig(max_retries=count) if count >= 0 else None
