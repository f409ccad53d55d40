"""``DaskExecutor``: node work on a Dask cluster, the coordinator keeping everything else.

Per attempt of a dispatched node (see ``_placement`` for which nodes are dispatched):

1. the runtime's ``prepare`` already ran here (``attempt.run_attempt``); the request is sealed
   into a plain-data task (``_task``; secret values become tokens);
2. ``flowscript.remote.run_node(task)`` is submitted with Dask retries off, ``pure=False`` and
   a unique key (run id, node path, attempt, a random suffix);
3. the outcome is read (the runtime's own error re-raised as the same ``NodeError``) and the
   future released, so the cluster keeps no result;
4. a lost worker (``KilledWorker``) or a lost connection becomes ``executor.worker_lost``
   (retryable): the node's own retry policy decides whether it runs again;
5. when the coordinator stops waiting (attempt timeout, ``<timeout>``, ``wait="any"`` loser,
   run cancel or deadline) the attempt's Dask ``Event`` is set and the future cancelled: the
   worker-side watcher cancels the node body (``_watch``).

The executor is closed with the run that used it (``RunContext.aclose`` calls
:meth:`DaskExecutor.close_run`) unless it is held open by ``async with``, so one executor can
serve many runs.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import NodeError
from flowscript.execution.executors._address import check_address, parse_address
from flowscript.execution.executors._cluster import ClusterConnection
from flowscript.execution.executors._placement import DISPATCH_MODES, DispatchMode, placement

if TYPE_CHECKING:
    from types import TracebackType

    from flowscript.runtimes.base import NodeRequest, Runtime, RuntimeContext

__all__ = ["DaskExecutor"]

_CANCEL_TIMEOUT: Final = 5.0
"""Seconds allowed to tell the cluster that an attempt is cancelled."""
_EVENT_GRACE: Final = 2.0
"""Seconds a set cancellation event is left for a worker that is still starting the body
(its watcher starts within ``_watch.WATCH_DELAY`` plus a scheduler round trip)."""


class DaskExecutor:
    """Runs sources, sinks and AI nodes on a Dask cluster (docs/scale-out.md).

    Args:
        address: ``dask-local`` (a cluster started for the executor), ``dask://HOST:PORT``,
            ``tcp://HOST:PORT`` or ``tls://HOST:PORT``.
        insecure: allow plain TCP to a scheduler that is not on the loopback interface.
        security: a ``distributed.security.Security`` for ``tls://``.
        dispatch: ``default`` (sources, sinks and AI on the cluster), ``local`` (nothing
            dispatched unless a node says ``dispatch="cluster"``) or ``cluster`` (every node
            that can leave the coordinator); a node's ``dispatch`` attribute wins.
        local_cluster: extra ``LocalCluster`` arguments for ``dask-local``
            (e.g. ``{"processes": True, "n_workers": 2}``).
        connect_timeout: seconds allowed to reach the scheduler.

    Raises:
        ValueError: an unknown or refused address (plain TCP off loopback without
            ``insecure``), a ``tls://`` address without ``security``, or a bad ``dispatch``.
    """

    def __init__(
        self,
        address: str = "dask-local",
        *,
        insecure: bool = False,
        security: Any = None,
        dispatch: DispatchMode = "default",
        local_cluster: Mapping[str, Any] | None = None,
        connect_timeout: float = 10.0,
    ) -> None:
        parsed = parse_address(address)
        if parsed.kind == "local":
            raise ValueError("DaskExecutor needs a cluster address; use LocalExecutor for local")
        check_address(parsed, insecure=insecure)
        if parsed.kind == "tls" and security is None:
            raise ValueError(f"{parsed.url} needs security=distributed.security.Security(...)")
        if dispatch not in DISPATCH_MODES:
            raise ValueError(f"dispatch must be one of {', '.join(DISPATCH_MODES)}")
        self.address = parsed
        self.dispatch: DispatchMode = dispatch
        self._connection = ClusterConnection(
            parsed, security=security, local_cluster=local_cluster, connect_timeout=connect_timeout
        )
        self._sequence = itertools.count(1)
        self._held = 0
        self._runs: set[str] = set()
        self._set_events: dict[str, float] = {}
        self.dispatched = 0
        """Attempts sent to the cluster so far (for tests and benchmarks)."""

    def __repr__(self) -> str:
        return f"DaskExecutor({self.address.url or self.address.kind!r})"

    async def run(self, runtime: Runtime, request: NodeRequest, context: RuntimeContext) -> Any:
        """Run the attempt in the coordinator or on the cluster (see the module docstring).

        Raises:
            NodeError: the runtime's error; ``executor.worker_lost`` (retryable) for a lost
                worker or connection; ``executor.connect`` when the cluster is unreachable;
                ``executor.version_mismatch`` for a worker of another FlowScript version.
        """
        if placement(runtime, request, self.dispatch) == "local":
            return await runtime.run(request, context)
        return await self._dispatch(runtime, request, context)

    async def _dispatch(
        self, runtime: Runtime, request: NodeRequest, context: RuntimeContext
    ) -> Any:
        from flowscript.execution.executors._sealing import Sealer
        from flowscript.execution.executors._task import RemoteCall, context_secrets
        from flowscript.execution.retry import current_attempt_deadline
        from flowscript.remote import run_node

        client = await self._connection.client()
        self._runs.add(request.run_id)
        secrets = context_secrets(request, context)
        if self._connection.bridge is not None:
            self._connection.bridge.share(request.run_id, secrets, runtime)
        call = RemoteCall(request, context, Sealer({*request.secret_names, *secrets}), secrets)
        key = self._key(request)
        task = call.task(deadline=current_attempt_deadline(), cancel_event=f"{key}/cancel")
        future = client.submit(run_node, task, key=key, pure=False, retries=0)
        self.dispatched += 1
        try:
            outcome = await self._outcome(client, future, request)
        finally:
            future.release()
        if not isinstance(outcome, Mapping):
            from flowscript.execution.executors._task import malformed_outcome

            raise malformed_outcome(request.node_id, outcome)
        return call.result(outcome)

    def _key(self, request: NodeRequest) -> str:
        path = request.node_path or request.node_id
        suffix = f"{next(self._sequence)}-{uuid.uuid4().hex[:8]}"
        return f"flowscript/{request.run_id or 'run'}/{path}/attempt-{request.attempt}/{suffix}"

    async def _outcome(self, client: Any, future: Any, request: NodeRequest) -> Any:
        from distributed import KilledWorker
        from distributed.client import FutureCancelledError

        try:
            return await future
        except asyncio.CancelledError:
            await asyncio.shield(self._cancel_remote(client, future, request.run_id))
            raise
        except (KilledWorker, FutureCancelledError, OSError) as exc:
            # OSError covers CommClosedError: the connection to the scheduler was lost.
            raise NodeError(
                "executor.worker_lost",
                f"{request.node_id}: the Dask worker running attempt {request.attempt} was "
                f"lost ({type(exc).__name__}: {exc})",
                retryable=True,
                details={"key": future.key},
            ) from exc

    async def _cancel_remote(self, client: Any, future: Any, run_id: str) -> None:
        """Tell the worker to stop (the attempt's event) and drop the task."""
        import distributed

        event_type: Any = distributed.Event
        name = f"{future.key}/cancel"
        if self._connection.bridge is not None:
            self._connection.bridge.cancel(name)  # an in-process body stops at once
        self._set_events[name] = time.monotonic()
        try:
            async with asyncio.timeout(_CANCEL_TIMEOUT):
                await event_type(name, client=client).set()
                await future.cancel()
        except (OSError, TimeoutError, RuntimeError):
            pass  # the cluster is gone: nothing is left running there to stop

    async def close_run(self, run_id: str) -> None:
        """Release what the run left on the cluster; close the executor when it was the last
        run and nobody holds it open (``async with``)."""
        self._runs.discard(run_id)
        if self._connection.bridge is not None:
            self._connection.bridge.forget(run_id)
        if not self._held and not self._runs:
            await self.aclose()

    async def _clear_events(self) -> None:
        """Clear the cancellation events no worker cleared (attempts cancelled before they
        started), leaving the most recent ones to the workers that may still be starting."""
        if not self._connection.connected:
            return
        import distributed

        event_type: Any = distributed.Event
        client = await self._connection.client()
        now = time.monotonic()
        for name, when in list(self._set_events.items()):
            if now - when < _EVENT_GRACE:
                continue
            del self._set_events[name]
            try:
                async with asyncio.timeout(_CANCEL_TIMEOUT):
                    await event_type(name, client=client).clear()
            except (OSError, TimeoutError, RuntimeError):
                return

    async def aclose(self) -> None:
        """Close the client, and the cluster when the executor started it (idempotent).

        Bodies still running on in-process workers are cancelled first: their threads
        would otherwise outlive the cluster.
        """
        if self._connection.bridge is not None:
            self._connection.bridge.cancel_all()
        await self._clear_events()
        await self._connection.close()

    async def __aenter__(self) -> DaskExecutor:
        self._held += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._held -= 1
        if not self._held:
            await self.aclose()
