"""The coordinator side of a remote attempt: the task sent to :func:`flowscript.remote.run_node`
and the reading of its outcome.

Secret values are sealed out of everything the task carries (see ``_sealing``); the secret
names travel instead. The node's runtime-context fields that are plain data (AI endpoint,
schemas, the run's token usage so far …) travel too; the scope, the HTTP client, resources and
callbacks do not.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import NodeError

if TYPE_CHECKING:
    from flowscript.execution.executors._sealing import Sealer
    from flowscript.runtimes.base import NodeRequest, RuntimeContext

__all__ = ["RemoteCall", "context_secrets"]

_NOT_SENT: Final = frozenset(
    {"root", "workflow_dir", "scope", "http_factory", "warn", "resources", "_http", "secrets"}
)
"""Runtime-context fields that never travel (the rest travel when they are plain data)."""


def context_secrets(request: NodeRequest, context: RuntimeContext) -> dict[str, str]:
    """The secret values the attempt may contain: the run's and the node's workflow's."""
    values: dict[str, str] = {}
    shared = getattr(context, "secrets", None)
    if isinstance(shared, Mapping):
        values.update({str(k): v for k, v in shared.items() if isinstance(v, str)})
    scope = context.scope
    if scope is not None and scope.has("$secrets"):
        flow = scope.lookup("$secrets")
        if isinstance(flow, Mapping):
            values.update({str(k): v for k, v in flow.items() if isinstance(v, str)})
    return values


def _is_plain(value: Any) -> bool:
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, list | tuple):
        return all(_is_plain(item) for item in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    return False


def _context_extras(context: RuntimeContext) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    for item in dataclasses.fields(context):
        if item.name in _NOT_SENT:
            continue
        value = getattr(context, item.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            value = dataclasses.asdict(value)
        elif isinstance(value, Path):
            value = str(value)
        elif isinstance(value, Mapping):
            value = dict(value)
        if _is_plain(value):
            extras[item.name] = value
    return extras


class RemoteCall:
    """One attempt sent to the cluster: builds its task and reads its outcome.

    Args:
        request: the attempt (after the runtime's ``prepare``).
        context: the node's runtime context in the coordinator.
        sealer: the attempt's secret tokens.
        secrets: the secret values known here.
    """

    def __init__(
        self,
        request: NodeRequest,
        context: RuntimeContext,
        sealer: Sealer,
        secrets: Mapping[str, str],
    ) -> None:
        self.request = request
        self.context = context
        self.sealer = sealer
        self.secrets = dict(secrets)

    def task(self, *, deadline: float | None, cancel_event: str) -> dict[str, Any]:
        """The plain-data task for ``run_node``."""
        from flowscript import __version__
        from flowscript.execution.executors._worker import node_spec_data
        from flowscript.remote import TASK_FORMAT

        request, context = self.request, self.context
        sealing = self.sealer.sealing(self.secrets)
        config = sealing.apply(dict(request.config))
        value = sealing.apply(request.input)
        extras = sealing.apply(_context_extras(context))
        return {
            "format": TASK_FORMAT,
            "version": __version__,
            "kind": request.kind,
            "nodeId": request.node_id,
            "node": node_spec_data(request.node),
            "config": config,
            "input": value,
            "context": extras,
            "runId": request.run_id,
            "nodePath": request.node_path or request.node_id,
            "attempt": request.attempt,
            "idempotencyKey": request.idempotency_key,
            "deadline": deadline,
            "root": str(Path(context.root).resolve()),
            "workflowDir": str(Path(context.workflow_dir).resolve()),
            "secretNames": sorted({*request.secret_names, *self.secrets}),
            "requiredSecrets": sorted(self.sealer.names(sealing.used)),
            "tokens": self.sealer.to_task(),
            "cancelEvent": cancel_event,
            "submittedAt": time.time(),
        }

    def result(self, outcome: Mapping[str, Any]) -> Any:
        """The node's output from the outcome; its warnings go to the node's warning channel.

        Raises:
            NodeError: the error the runtime raised on the worker (or the worker's own).
        """
        from flowscript.execution.executors._outcome import node_error

        opened = self.sealer.opening(self.secrets).apply(dict(outcome))
        for message in opened.get("warnings") or ():
            self.context.warn(str(message))
        if not opened.get("ok"):
            raise node_error(opened.get("error") or {})
        usage = opened.get("usage")
        if usage:
            from flowscript.runtimes.base import RuntimeOutput

            return RuntimeOutput(opened.get("output"), usage)
        return opened.get("output")


def malformed_outcome(node_id: str, outcome: Any) -> NodeError:
    """The error for a worker answer that is not an outcome dict (another version's worker)."""
    return NodeError(
        "executor.version_mismatch",
        f"{node_id}: the worker answered with {type(outcome).__name__}, not an outcome: is it "
        "running the same FlowScript version as the coordinator?",
    )
