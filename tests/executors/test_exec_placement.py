"""The dispatch policy: which data nodes go to the cluster."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.execution.executors._placement import placement
from flowscript.runtimes.base import NodeRequest, RuntimeContext


class _Runtime:
    def __init__(self, kind: str, raw: frozenset[str] = frozenset(), **extra: Any) -> None:
        self.kind = kind
        self.raw_fields = raw
        for name, value in extra.items():
            setattr(self, name, value)

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        return None


class _Prepared(_Runtime):
    async def prepare(self, request: NodeRequest, context: RuntimeContext) -> NodeRequest:
        return request


def _request(kind: str, dispatch: str | None = None) -> NodeRequest:
    config = {"dispatch": dispatch} if dispatch is not None else {}
    return NodeRequest(node_id="n", kind=kind, config=config, input=None)


@pytest.mark.parametrize(
    ("runtime", "dispatch", "mode", "expected"),
    [
        (_Runtime("http:source"), None, "default", "cluster"),
        (_Runtime("file:sink"), None, "default", "cluster"),
        (_Runtime("transform:ai"), None, "default", "cluster"),
        (_Runtime("transform:template", frozenset({"template"})), None, "default", "local"),
        (_Runtime("transform:score"), None, "default", "local"),
        (_Runtime("transform:score"), None, "cluster", "cluster"),
        (_Runtime("transform:map", frozenset({"expression"})), None, "cluster", "local"),
        (_Runtime("http:source"), None, "local", "local"),
        (_Runtime("http:source"), "local", "default", "local"),
        (_Runtime("http:source"), "Cluster", "local", "cluster"),
        (_Runtime("transform:score"), "cluster", "default", "cluster"),
        (_Runtime("probe:source", dispatch="local"), None, "default", "local"),
        (_Runtime("transform:heavy", dispatch="cluster"), None, "default", "cluster"),
        (_Prepared("database:source", frozenset({"query"})), None, "default", "cluster"),
    ],
    ids=[
        "source",
        "sink",
        "ai",
        "template",
        "custom-transform",
        "run-cluster",
        "run-cluster-keeps-scope-runtimes",
        "run-local",
        "node-local",
        "node-beats-run",
        "node-cluster",
        "runtime-declares-local",
        "runtime-declares-cluster",
        "raw-fields-with-prepare",
    ],
)
def test_placement(runtime: _Runtime, dispatch: str | None, mode: Any, expected: str) -> None:
    assert placement(runtime, _request(runtime.kind, dispatch), mode) == expected


def test_forcing_a_scope_runtime_to_the_cluster_is_a_config_error() -> None:
    runtime = _Runtime("transform:map", frozenset({"expression"}))
    with pytest.raises(NodeError, match="not possible for transform:map") as caught:
        placement(runtime, _request("transform:map", "cluster"), "default")
    assert (caught.value.type, caught.value.retryable) == ("config.invalid", False)


def test_a_bad_dispatch_value_is_a_config_error() -> None:
    with pytest.raises(NodeError, match="dispatch must be 'local' or 'cluster', not 'gpu'"):
        placement(_Runtime("http:source"), _request("http:source", "gpu"), "default")
