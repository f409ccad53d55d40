"""Worker-side helpers of :func:`flowscript.remote.run_node`.

- the runtime registry of a worker: the built-in runtimes plus the ones named by the
  ``FLOWSCRIPT_RUNTIMES`` environment variable (``module:factory`` entries, comma-separated;
  each factory returns a runtime or an iterable of runtimes — a runtime class works);
- the in-process bridge: when the cluster runs inside the coordinator's process
  (``dask-local``), the coordinator shares each run's secret values and runtimes with its
  workers directly in memory, so a flow runs exactly as with the local executor even when its
  secrets came from a ``.env`` file or its runtimes from a custom registry;
- the runtime context of a remote attempt (plain data from the task, a fresh HTTP client);
- the node spec rebuilt from plain data.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import httpx

    from flowscript.model import DataNodeSpec
    from flowscript.runtimes.base import Runtime, RuntimeContext, RuntimeRegistry

__all__ = [
    "BRIDGE_NAME",
    "RUNTIMES_ENV",
    "in_process_bridge",
    "node_spec",
    "node_spec_data",
    "secret_values",
    "worker_address",
    "worker_context",
    "worker_runtime",
]

RUNTIMES_ENV: Final = "FLOWSCRIPT_RUNTIMES"
BRIDGE_NAME: Final = "flowscript-in-process-bridge"
"""The worker plugin name under which an in-process coordinator shares secrets and runtimes."""

_DEFAULT_FACTORY: Final = "flowscript_runtimes"


def in_process_bridge() -> Any | None:
    """The bridge plugin of the worker running this task, when the coordinator put one there."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return None  # not inside a Dask task (a direct call, e.g. in tests)
    return worker.plugins.get(BRIDGE_NAME)


def worker_address() -> str | None:
    """The address of the worker running this task, or ``None`` outside a worker."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return None


def secret_values(names: Iterable[str], run_id: str, bridge: Any | None) -> dict[str, str]:
    """The values of ``names`` available here: the in-process bridge, else the environment."""
    shared: Mapping[str, str] = bridge.secrets(run_id) if bridge is not None else {}
    values: dict[str, str] = {}
    for name in names:
        value = shared.get(name, os.environ.get(name))
        if value:
            values[name] = value
    return values


def _factories(spec: str) -> Iterable[tuple[str, str]]:
    for entry in spec.split(","):
        module, _, attribute = entry.strip().partition(":")
        if module:
            yield module, attribute or _DEFAULT_FACTORY


@functools.lru_cache(maxsize=8)
def _registry(spec: str) -> RuntimeRegistry:
    from flowscript.runtimes.base import RuntimeRegistry

    registry = RuntimeRegistry.default()
    for module_name, attribute in _factories(spec):
        factory: Callable[[], Any] = getattr(importlib.import_module(module_name), attribute)
        made = factory()
        for runtime in made if isinstance(made, Iterable) else (made,):
            registry.register(runtime, replace=True)
    return registry


def worker_runtime(kind: str, run_id: str, bridge: Any | None) -> Runtime | None:
    """The runtime for ``kind``: the coordinator's own (in-process bridge), else this
    worker's registry (built-in + ``FLOWSCRIPT_RUNTIMES``).

    Raises:
        ImportError / AttributeError / ValueError / TypeError: a ``FLOWSCRIPT_RUNTIMES`` entry
            that cannot be loaded.
    """
    if bridge is not None:
        shared: Runtime | None = bridge.runtime(run_id, kind)
        if shared is not None:
            return shared
    return _registry(os.environ.get(RUNTIMES_ENV, "")).get(kind)


# -- the node spec as plain data ------------------------------------------------------------


def node_spec_data(node: DataNodeSpec | None) -> dict[str, Any] | None:
    """What a runtime may read of the node spec (id, kind, config as written, timeout)."""
    if node is None:
        return None
    return {
        "id": node.id,
        "tag": node.tag,
        "role": node.role,
        "type": node.type,
        "span": [node.span.path, node.span.line, node.span.column],
        "timeout": node.timeout.value if node.timeout is not None else None,
        "config": {
            key: [entry.written_key, entry.value, entry.origin]
            for key, entry in node.config.items()
        },
    }


def node_spec(data: Mapping[str, Any] | None) -> DataNodeSpec | None:
    """The node spec rebuilt from :func:`node_spec_data` (every span at the node's start)."""
    if data is None:
        return None
    from flowscript.model import ConfigEntry, DataNodeSpec, SourceSpan, Text

    path, line, column = data["span"]
    span = SourceSpan(path, line, column)
    config = {
        key: ConfigEntry(
            key=key, written_key=written, value=value, span=span, value_span=span, origin=origin
        )
        for key, (written, value, origin) in data["config"].items()
    }
    timeout = data.get("timeout")
    return DataNodeSpec(
        id=data["id"],
        tag=data["tag"],
        span=span,
        role=data["role"],
        type=data["type"],
        config=config,
        timeout=Text(timeout, span) if timeout is not None else None,
    )


# -- the runtime context ---------------------------------------------------------------------


@functools.cache
def _ssl_context() -> Any:
    """One TLS context per worker process (building one costs ~20 ms; a client per task)."""
    import httpx

    create = getattr(httpx, "create_ssl_context", None)
    if create is not None:
        return create()
    import ssl

    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _http_client() -> httpx.AsyncClient:
    from flowscript.runtimes._transport import create_http_client

    return create_http_client(verify=_ssl_context())


def worker_context(
    task: Mapping[str, Any],
    extras: Mapping[str, Any],
    secrets: Mapping[str, str],
    warn: Callable[[str], None],
) -> RuntimeContext:
    """The runtime context of one remote attempt.

    ``extras`` are the plain fields the coordinator's context carried (AI endpoint, schemas,
    the run's usage so far …); ``secrets`` are this worker's values; resources (connection
    pools) and the HTTP client live for this attempt only.
    """
    from flowscript.runtimes.base import RuntimeContext

    known = {item.name for item in dataclasses.fields(RuntimeContext)}
    fields = {name: value for name, value in extras.items() if name in known}
    if "usage" in fields and isinstance(fields["usage"], Mapping):
        fields["usage"] = _ledger(fields["usage"])
    if "secrets" in known:
        fields["secrets"] = dict(secrets)
    return RuntimeContext(
        root=Path(task["root"]),
        workflow_dir=Path(task["workflowDir"]),
        warn=warn,
        http_factory=_http_client,
        **fields,
    )


def _ledger(data: Mapping[str, Any]) -> Any:
    from flowscript.runtimes import base

    ledger_type = getattr(base, "UsageLedger", None)
    return ledger_type(**data) if ledger_type is not None else dict(data)
