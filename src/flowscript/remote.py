"""What a Dask worker runs: :func:`run_node`, one attempt of one node (execution.md §12).

The coordinator (``flowscript.execution.executors.DaskExecutor``) submits ``run_node(task)``
with plain data only: the FlowScript version, the node's kind and spec, its rendered config
and input with secret values sealed into tokens, the run id, node path, attempt, deadline
(epoch seconds), idempotency key, the base folders, the secret *names*, and the name of the
attempt's cancellation event. The worker reads the secret values from its own environment,
runs the runtime from its registry (built-in runtimes plus ``FLOWSCRIPT_RUNTIMES``), and
returns an outcome dict. ``run_node`` never raises: every failure is an outcome.

A worker must run the same FlowScript version as the coordinator (else the outcome is
``executor.version_mismatch``, not retryable) and must be able to read the files the flow
names under the same paths (shared storage).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import NodeError

if TYPE_CHECKING:
    from flowscript.execution.executors._sealing import Sealer
    from flowscript.runtimes.base import NodeRequest, Runtime, RuntimeContext

__all__ = ["TASK_FORMAT", "run_node"]

TASK_FORMAT: Final = 1
"""Version of the task and outcome dictionaries (bumped when their keys change)."""


def run_node(task: Mapping[str, Any]) -> dict[str, Any]:
    """Run one attempt of one node on this worker and describe how it ended.

    Args:
        task: the plain-data task built by the coordinator.

    Returns:
        ``{"ok": True, "output", "usage", "warnings", "timings"}`` or
        ``{"ok": False, "error": {type, message, retryable, …}, "warnings", "timings"}``, with
        this worker's secret values sealed into the task's tokens.
    """
    from flowscript.execution.executors._outcome import error_outcome

    started = time.time()
    attempt = _RemoteAttempt(task)
    try:
        outcome = attempt.run()
    except Exception as exc:
        # The worker-side boundary: whatever went wrong becomes an outcome, never a Dask
        # task failure (which the coordinator could not tell from a lost worker).
        node = task.get("nodeId") if isinstance(task, Mapping) else None
        outcome = error_outcome(
            "executor.worker_error",
            f"the worker could not run node {node!r}: {type(exc).__name__}: {exc}",
        )
    outcome["warnings"] = attempt.warnings
    outcome = attempt.seal(outcome)
    outcome["timings"] = _timings(started)
    return outcome


def _timings(started: float) -> dict[str, Any]:
    from flowscript.execution.executors._worker import worker_address

    finished = time.time()
    return {
        "startedAt": int(started * 1000),
        "durationMs": round((finished - started) * 1000, 3),
        "worker": worker_address(),
    }


class _RemoteAttempt:
    """The steps of :func:`run_node`, keeping what the outcome needs (values, warnings)."""

    def __init__(self, task: Mapping[str, Any]) -> None:
        self.task = task
        self.warnings: list[str] = []
        self.values: dict[str, str] = {}
        self.sealer: Sealer | None = None
        self.bridge: Any | None = None

    def seal(self, outcome: dict[str, Any]) -> dict[str, Any]:
        """The outcome with this worker's secret values replaced by the task's tokens."""
        if self.sealer is None or not self.values:
            return outcome
        return dict(self.sealer.sealing(self.values).apply(outcome))

    def run(self) -> dict[str, Any]:
        from flowscript import __version__
        from flowscript.execution.executors._outcome import error_outcome

        task = self.task
        if not isinstance(task, Mapping):
            raise TypeError(f"a task is a dict, not {type(task).__name__}")
        if task.get("version") != __version__ or task.get("format") != TASK_FORMAT:
            return error_outcome(
                "executor.version_mismatch",
                f"the coordinator runs FlowScript {task.get('version')!r} and this worker "
                f"{__version__!r}: install the same version on the coordinator and the workers",
            )
        return self._run_checked(task)

    def _run_checked(self, task: Mapping[str, Any]) -> dict[str, Any]:
        from flowscript.execution.executors._outcome import error_outcome
        from flowscript.execution.executors._sealing import Sealer
        from flowscript.execution.executors._worker import (
            in_process_bridge,
            secret_values,
            worker_runtime,
        )

        self.bridge = bridge = in_process_bridge()
        run_id = str(task.get("runId") or "")
        self.sealer = Sealer.from_task(task["tokens"])
        self.values = secret_values(task["secretNames"], run_id, bridge)
        missing = [name for name in task["requiredSecrets"] if name not in self.values]
        if missing:
            return error_outcome(
                "executor.secret_missing",
                f"node {task['nodeId']!r} needs secret(s) {', '.join(missing)}, which this "
                "worker's environment does not set",
                details={"secrets": missing},
            )
        try:
            runtime = worker_runtime(task["kind"], run_id, bridge)
        except (ImportError, AttributeError, TypeError, ValueError) as exc:
            return error_outcome(
                "executor.runtimes_invalid",
                f"this worker cannot load FLOWSCRIPT_RUNTIMES: {type(exc).__name__}: {exc}",
            )
        if runtime is None:
            return error_outcome(
                "runtime.unknown",
                f"{task['nodeId']}: no runtime is registered for {task['kind']!r} on this "
                "worker (register custom runtimes with FLOWSCRIPT_RUNTIMES=module:factory)",
            )
        return self._execute(runtime, task)

    def _execute(self, runtime: Runtime, task: Mapping[str, Any]) -> dict[str, Any]:
        from flowscript.execution.executors._outcome import error_data, ok_outcome
        from flowscript.execution.executors._watch import CancelWatch
        from flowscript.runtimes.base import RuntimeOutput

        assert self.sealer is not None
        opening = self.sealer.opening(self.values)
        request = self._request(task, opening.apply(task["config"]), opening.apply(task["input"]))
        context = self._context(task, opening.apply(task["context"]))
        watch = CancelWatch(task.get("cancelEvent"), self.bridge)
        try:
            output = asyncio.run(_attempt(runtime, request, context, task.get("deadline"), watch))
        except NodeError as error:
            return {"ok": False, "error": error_data(error)}
        if isinstance(output, RuntimeOutput):
            return ok_outcome(output.value, output.usage)
        return ok_outcome(output)

    def _request(self, task: Mapping[str, Any], config: Any, value: Any) -> NodeRequest:
        from flowscript.execution.executors._worker import node_spec
        from flowscript.runtimes.base import NodeRequest

        return NodeRequest(
            node_id=task["nodeId"],
            kind=task["kind"],
            config=config,
            input=value,
            node=node_spec(task["node"]),
            attempt=int(task["attempt"]),
            secret_names=tuple(task["secretNames"]),
            run_id=str(task.get("runId") or ""),
            node_path=str(task.get("nodePath") or ""),
        )

    def _context(self, task: Mapping[str, Any], extras: Mapping[str, Any]) -> RuntimeContext:
        from flowscript.execution.executors._worker import worker_context

        return worker_context(task, extras, self.values, self.warnings.append)


async def _attempt(
    runtime: Runtime,
    request: NodeRequest,
    context: RuntimeContext,
    deadline: float | None,
    watch: Any,
) -> Any:
    """The runtime call, bounded by the deadline and raced against the cancellation event."""
    seconds = None if deadline is None else max(0.0, float(deadline) - time.time())
    try:
        async with asyncio.timeout(seconds) as limit, watch.watching():
            return await runtime.run(request, context)
    except TimeoutError as exc:
        if not limit.expired():
            raise _crash(request, exc) from exc
        raise NodeError(
            "timeout.attempt",
            f"attempt {request.attempt} passed its deadline on the worker",
            retryable=True,
            details={"attempt": request.attempt},
        ) from exc
    except asyncio.CancelledError:
        if not watch.cancelled:
            raise
        raise NodeError(
            "executor.cancelled", f"attempt {request.attempt} was cancelled by the coordinator"
        ) from None
    except NodeError:
        raise
    except Exception as exc:
        # The same boundary as flowscript.execution.attempt.run_attempt, on the worker.
        raise _crash(request, exc) from exc
    finally:
        await context.aclose()


def _crash(request: NodeRequest, exc: BaseException) -> NodeError:
    return NodeError(
        "runtime.crash",
        f"runtime {request.kind!r} crashed: {type(exc).__name__}: {exc}",
        retryable=False,
        details={"exception": type(exc).__name__},
    )
