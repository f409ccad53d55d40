"""The connection of a :class:`~flowscript.execution.executors.DaskExecutor` to its cluster.

Connected lazily, on the first dispatched attempt, with an asynchronous ``distributed.Client``
on the run's event loop:

- ``dask-local``: a ``LocalCluster`` started for the executor — by default in this process
  (``processes=False``, one worker with :data:`LOCAL_THREADS` threads, no dashboard), so it
  costs no process start-up and its workers share the coordinator's secrets and runtimes
  through the in-process bridge; ``local_cluster={"processes": True, "n_workers": 2}`` gives
  real worker processes (which read secrets from the environment like remote ones);
- an address: a client to that scheduler (TLS with the given ``Security``).

A lost worker must surface at once as ``KilledWorker`` so the node's own retry policy decides
what happens: the local cluster's scheduler is created with
``distributed.scheduler.allowed-failures: 0``. A remote scheduler must be started with the same
setting (``DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=0``); otherwise Dask itself re-runs
the task on another worker before the coordinator hears of it (docs/scale-out.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import NodeError
from flowscript.execution.executors._address import DASK_LOCAL, ClusterAddress

if TYPE_CHECKING:
    from flowscript.execution.executors._bridge import InProcessBridge

__all__ = ["LOCAL_THREADS", "ClusterConnection"]

LOCAL_THREADS: Final = 10
"""Threads of the in-process worker: the engine's default concurrency (execution.md §4.1)."""

_SCHEDULER_CONFIG: Final = {"distributed.scheduler.allowed-failures": 0}


class ClusterConnection:
    """A lazily connected client (and, for ``dask-local``, the cluster it started).

    Args:
        address: the checked executor address.
        security: a ``distributed.security.Security`` (TLS), or ``None``.
        local_cluster: extra ``LocalCluster`` arguments for ``dask-local``.
        connect_timeout: seconds allowed to reach the scheduler.
    """

    def __init__(
        self,
        address: ClusterAddress,
        *,
        security: Any = None,
        local_cluster: Mapping[str, Any] | None = None,
        connect_timeout: float = 10.0,
    ) -> None:
        self.address = address
        self.security = security
        self.local_cluster = dict(local_cluster or {})
        self.connect_timeout = connect_timeout
        self.bridge: InProcessBridge | None = None
        self._client: Any = None
        self._cluster: Any = None
        self._lock: asyncio.Lock | None = None

    @property
    def connected(self) -> bool:
        """True while a client is open."""
        return self._client is not None

    async def client(self) -> Any:
        """The open client, connecting first if needed.

        Raises:
            NodeError: ``executor.connect`` (retryable) when the cluster cannot be reached or
                started.
        """
        if self._client is not None:
            return self._client
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._client is None:
                await self._connect()
        return self._client

    async def _connect(self) -> None:
        import dask
        import distributed  # noqa: F401  # loads its config defaults before we override one

        try:
            with dask.config.set(_SCHEDULER_CONFIG):
                if self.address.kind == DASK_LOCAL:
                    await self._start_local()
                else:
                    await self._connect_remote()
        except (OSError, TimeoutError, RuntimeError, ValueError) as exc:
            await self.close()
            where = self.address.url or self.address.kind
            raise NodeError(
                "executor.connect",
                f"cannot reach the Dask cluster at {where}: {type(exc).__name__}: {exc}",
                retryable=True,
            ) from exc

    async def _start_local(self) -> None:
        import distributed

        cluster_type: Any = distributed.LocalCluster
        client_type: Any = distributed.Client
        options: dict[str, Any] = {
            "processes": False,
            "n_workers": 1,
            "threads_per_worker": LOCAL_THREADS,
            "dashboard_address": None,
            "worker_dashboard_address": None,
            **self.local_cluster,
        }
        self._cluster = await cluster_type(asynchronous=True, **options)
        self._client = await client_type(self._cluster, asynchronous=True)
        if not options["processes"]:
            await self._attach_bridge()

    async def _attach_bridge(self) -> None:
        from flowscript.execution.executors._bridge import InProcessBridge
        from flowscript.execution.executors._worker import BRIDGE_NAME

        self.bridge = InProcessBridge()
        for worker in self._cluster.workers.values():
            # Directly on the in-process worker object: the bridge never meets the scheduler.
            await worker.plugin_add(plugin=self.bridge, name=BRIDGE_NAME)

    async def _connect_remote(self) -> None:
        import distributed

        client_type: Any = distributed.Client
        self._client = await client_type(
            self.address.url,
            security=self.security,
            asynchronous=True,
            timeout=self.connect_timeout,
        )

    async def close(self) -> None:
        """Close the client and the cluster this connection started (idempotent)."""
        client, cluster = self._client, self._cluster
        self._client = self._cluster = self.bridge = None
        if client is not None:
            await client.close()
        if cluster is not None:
            await cluster.close()
