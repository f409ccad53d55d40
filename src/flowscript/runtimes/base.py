"""The runtime protocol, the per-node request, and the registry users can extend.

A runtime does one node's work: it receives the node's effective config (templates already
rendered by the executor, except the fields it declares raw), the node's input, and a
:class:`RuntimeContext` with the run's shared resources. It returns the node's output or raises
:class:`~flowscript.errors.NodeError` with a ``type`` and ``retryable`` flag. Runtimes never
retry, time out or fall back on their own (runtimes.md, preamble) and they always let
``asyncio.CancelledError`` propagate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import httpx

    from flowscript.expressions.scope import EvalScope
    from flowscript.model import DataNodeSpec

__all__ = [
    "NodeRequest",
    "Runtime",
    "RuntimeContext",
    "RuntimeOutput",
    "RuntimeRegistry",
    "UsageLedger",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeRequest:
    """Everything a runtime needs to run one attempt of one node.

    Attributes:
        node_id: the node's id (for messages).
        kind: the registry key (``http:source``, ``transform:map`` …).
        config: effective config: canonical kebab-case keys, templates rendered, values coerced
            to the declared field types; raw fields (see ``Runtime.raw_fields``) as written.
        input: the node's input value.
        node: the node spec (for spans in error messages).
        attempt: 1-based attempt number.
        secret_names: names of the secrets whose values the config may contain (redaction).
        run_id: the run's id (empty when the request was not built by the engine).
        node_path: the node's path in the run with loop/foreach/parallel indices
            (``orders[2]/enrich/post``; see ``flowscript.execution.executors._identity``).
    """

    node_id: str
    kind: str
    config: Mapping[str, Any]
    input: Any
    node: DataNodeSpec | None = None
    attempt: int = 1
    secret_names: tuple[str, ...] = ()
    run_id: str = ""
    node_path: str = ""

    @property
    def idempotency_key(self) -> str:
        """A key naming this node's work in this run, the same for every attempt.

        Sinks send it (HTTP ``Idempotency-Key``) so that an attempt repeated after a lost
        worker, a timeout or a crash (execution.md §9.3: at-least-once) is recognised by the
        receiver. It is a SHA-256 digest of the run id and the node path (32 hex digits).
        """
        from hashlib import sha256

        text = f"{self.run_id}\x1f{self.node_path or self.node_id}"
        return sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class RuntimeOutput:
    """A node's output together with the resources its attempt used.

    A runtime may return this instead of the bare output; the engine unwraps it, keeps
    ``value`` as the node's output and adds ``usage`` to the node's result and to the run's
    totals (:class:`UsageLedger`).

    Attributes:
        value: the node's output.
        usage: token usage ``{promptTokens, completionTokens, totalTokens, cost, requests,
            cached}`` (see :mod:`flowscript.runtimes.ai.usage`), or ``None``.
    """

    value: Any
    usage: Mapping[str, Any] | None = None


@dataclass(slots=True)
class UsageLedger:
    """The tokens and cost used by the whole run so far (``runtime.context_budget``).

    The engine adds every attempt's usage (successful or not) once it returns; runtimes read
    :attr:`total_tokens` before each call they make.
    """

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost: float = 0.0

    def add(self, usage: Mapping[str, Any] | None) -> None:
        """Add one usage record (``None`` adds nothing)."""
        if not usage:
            return
        self.prompt_tokens += int(usage.get("promptTokens") or 0)
        self.completion_tokens += int(usage.get("completionTokens") or 0)
        self.total_tokens += int(usage.get("totalTokens") or 0)
        self.cost += float(usage.get("cost") or 0.0)


@dataclass(slots=True, kw_only=True)
class RuntimeContext:
    """Shared resources of one run, handed to every runtime call.

    Attributes:
        root: the base folder for file paths (``--root``; default the current directory).
        workflow_dir: folder of the workflow file.
        scope: the node's evaluation scope (a snapshot); transforms evaluate raw
            expressions against it, adding item bindings in a child scope.
        http: the run's shared HTTP client (one connection pool per run); created lazily.
        http_factory: builds the client on first use.
        warn: reports a non-fatal warning for the node (shown in the run output and the log).
        resources: per-run shared objects keyed by name (database pools, token caches …),
            closed by the executor at the end of the run.
        schemas: the named output schemas (frontmatter ``schemas:``) of the node's workflow.
        secrets: the run's secret values (the AI runtime's default keys live here).
        ai_base_url: the run's AI endpoint (``--ai-base-url``; ``None``: the environment's
            ``FLOWSCRIPT_AI_BASE_URL``, else OpenRouter).
        ai_cache: the AI record/replay folder (``--ai-cache``; ``None``: the environment's
            ``FLOWSCRIPT_AI_CACHE``, else no cache).
        context_budget: ``runtime.context_budget`` as written (``200k``), or ``None``.
        usage: the run's token usage so far, kept by the engine.
    """

    root: Path
    workflow_dir: Path
    scope: EvalScope | None = None
    http_factory: Callable[[], httpx.AsyncClient] | None = None
    warn: Callable[[str], None] = lambda message: None
    resources: dict[str, Any] = field(default_factory=dict)
    schemas: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    ai_base_url: str | None = None
    ai_cache: str | Path | None = None
    context_budget: int | str | None = None
    usage: UsageLedger = field(default_factory=UsageLedger)
    _http: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        """The run's HTTP client, created on first use."""
        if self._http is None:
            if self.http_factory is None:
                from flowscript.runtimes._transport import create_http_client

                self._http = create_http_client()
            else:
                self._http = self.http_factory()
        return self._http

    async def aclose(self) -> None:
        """Close the HTTP client and every closable resource."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        for resource in self.resources.values():
            closer = getattr(resource, "aclose", None)
            if closer is not None:
                await closer()
        self.resources.clear()


@runtime_checkable
class Runtime(Protocol):
    """One node kind's implementation.

    Attributes:
        kind: the registry key.
        raw_fields: config fields the executor must NOT render (expressions evaluated per
            item by the runtime itself, such as map's ``expression``, or a template the runtime
            renders in a special way, such as the template transform's ``template``).
    """

    kind: str
    raw_fields: frozenset[str]

    # Optional: ``async def prepare(self, request, context) -> NodeRequest``. Called before
    # every attempt in the coordinating process (never on a remote worker); it resolves what
    # needs the run's scope into plain data in the returned request, so ``run`` only needs the
    # request (see flowscript.execution.attempt.run_attempt).

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        """Do the node's work and return its output; raise ``NodeError`` on failure."""
        ...


class RuntimeRegistry:
    """Kind → runtime. ``RuntimeRegistry.default()`` holds the built-in runtimes.

    Users add node types from Python::

        registry = RuntimeRegistry.default()
        registry.register(MyRuntime())
        await execute(plan, state, ExecutionOptions(runtimes=registry))
    """

    def __init__(self, runtimes: Mapping[str, Runtime] | None = None) -> None:
        self._runtimes: dict[str, Runtime] = dict(runtimes or {})

    @classmethod
    def default(cls) -> RuntimeRegistry:
        """A new registry holding every built-in runtime."""
        from flowscript.runtimes.builtin import builtin_runtimes

        return cls({runtime.kind: runtime for runtime in builtin_runtimes()})

    def register(self, runtime: Runtime, *, replace: bool = False) -> None:
        """Add a runtime; refuse to replace an existing kind unless ``replace``."""
        if not isinstance(runtime, Runtime):
            raise TypeError(f"{runtime!r} does not implement the Runtime protocol")
        if runtime.kind in self._runtimes and not replace:
            raise ValueError(f"a runtime for {runtime.kind!r} is already registered")
        self._runtimes[runtime.kind] = runtime

    def get(self, kind: str) -> Runtime | None:
        """The runtime for ``kind``, or ``None``."""
        return self._runtimes.get(kind)

    def __contains__(self, kind: object) -> bool:
        return kind in self._runtimes

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._runtimes))

    def copy(self) -> RuntimeRegistry:
        """An independent registry with the same runtimes."""
        return RuntimeRegistry(self._runtimes)
