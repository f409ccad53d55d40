"""Distributed node executors (execution.md §12): node work on a Dask cluster.

``DaskExecutor`` sends the work of sources, sinks and AI nodes to a Dask cluster while the
coordinator keeps planning, expressions, control flow, retries, timeouts and state
(docs/scale-out.md). :func:`executor_from_url` builds an executor from an ``--executor`` value.

Importing this package does not import Dask: ``DaskExecutor`` is loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowscript.execution.executors._address import ClusterAddress, parse_address
from flowscript.execution.executors._factory import executor_from_url
from flowscript.execution.executors._placement import DISPATCH_MODES, DispatchMode

if TYPE_CHECKING:
    from flowscript.execution.executors.dask import DaskExecutor

__all__ = [
    "DISPATCH_MODES",
    "ClusterAddress",
    "DaskExecutor",
    "DispatchMode",
    "executor_from_url",
    "parse_address",
]


def __getattr__(name: str) -> Any:
    if name == "DaskExecutor":
        from flowscript.execution.executors.dask import DaskExecutor

        return DaskExecutor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
