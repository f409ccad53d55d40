"""The dispatch policy: which data nodes run on the cluster and which stay in the coordinator.

Only data nodes reach an executor (control flow, ``<set>``, delays and checkpoints are the
coordinator's own work). Among them, by default:

- sources, sinks and AI transforms go to the cluster: they wait on the network, the disk or a
  model, which is the work worth spreading;
- template, map, filter and reduce stay in the coordinator: they are cheap, and they evaluate
  expressions against the run's scope, which does not leave the coordinator.

A runtime may declare its own default with a class attribute ``dispatch = "local"`` or
``"cluster"``. A run may change the default for every node (``dispatch="local"``: nothing is
sent; ``"cluster"``: every node that can run on a worker is sent), and a node may override both
with its ``dispatch="local|cluster"`` attribute. A runtime with raw fields and no ``prepare``
(it evaluates expressions against the scope while it runs) can never run on a worker: forcing
one there is a ``config.invalid`` error, a run-wide ``"cluster"`` leaves it in the coordinator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Literal

from flowscript.errors import NodeError

if TYPE_CHECKING:
    from flowscript.runtimes.base import NodeRequest, Runtime

__all__ = ["DISPATCH_MODES", "DispatchMode", "Placement", "can_run_remotely", "placement"]

Placement = Literal["local", "cluster"]
DispatchMode = Literal["default", "local", "cluster"]
DISPATCH_MODES: Final[tuple[DispatchMode, ...]] = ("default", "local", "cluster")
_PLACEMENTS: Final = frozenset({"local", "cluster"})
_CLUSTER_KINDS: Final = frozenset({"transform:ai"})


def can_run_remotely(runtime: Runtime) -> bool:
    """False for runtimes that evaluate expressions against the run's scope when they run:
    raw fields without a ``prepare`` that resolves them in the coordinator."""
    return not getattr(runtime, "raw_fields", frozenset()) or hasattr(runtime, "prepare")


def _kind_default(runtime: Runtime, kind: str) -> Placement:
    declared = getattr(runtime, "dispatch", None)
    if declared in _PLACEMENTS:
        return declared  # type: ignore[no-any-return]  # one of the two literals
    role = kind.rpartition(":")[2]
    if kind in _CLUSTER_KINDS or role in ("source", "sink"):
        return "cluster"
    return "local"


def _node_setting(request: NodeRequest) -> Placement | None:
    value: Any = request.config.get("dispatch")
    if value is None or value == "":
        return None
    word = str(value).strip().lower()
    if word not in _PLACEMENTS:
        raise NodeError(
            "config.invalid",
            f"{request.node_id}: dispatch must be 'local' or 'cluster', not {value!r}",
        )
    return word  # type: ignore[return-value]  # checked just above


def placement(runtime: Runtime, request: NodeRequest, mode: DispatchMode) -> Placement:
    """Where this attempt runs: the node's ``dispatch`` attribute, else the run's mode, else
    the kind's default (see the module docstring).

    Raises:
        NodeError: ``config.invalid`` for a bad ``dispatch`` value, or a node forced to the
            cluster whose runtime cannot leave the coordinator.
    """
    chosen = _node_setting(request)
    remote_ok = can_run_remotely(runtime)
    if chosen == "cluster" and not remote_ok:
        raise NodeError(
            "config.invalid",
            f'{request.node_id}: dispatch="cluster" is not possible for {request.kind}: it '
            "evaluates expressions against the run's scope, which stays in the coordinator",
        )
    if chosen is None:
        chosen = _kind_default(runtime, request.kind) if mode == "default" else mode
    return "cluster" if chosen == "cluster" and remote_ok else "local"
