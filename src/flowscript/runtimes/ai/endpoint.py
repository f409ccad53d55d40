"""Where an AI node's requests go and with which key (runtimes.md §6).

Base URL: the node's ``base-url``, else the run's (``--ai-base-url`` /
``ExecutionOptions.ai_base_url``, else the environment's ``FLOWSCRIPT_AI_BASE_URL``), else
OpenRouter (:data:`OPENROUTER_BASE_URL`).

Key: the node's ``api-key``, else the run's ``FLOWSCRIPT_AI_API_KEY``, else
``OPENROUTER_API_KEY`` — the latter only when the request goes to OpenRouter, so an
OpenRouter key is never sent to another provider. Keys come from the environment or the
workflow's ``.env`` / ``--env-file`` (like secrets), are held with the run's secrets (so they
are masked in everything the engine writes) and are never persisted.

A node whose endpoint is on this machine (``localhost``, ``127.0.0.0/8``, ``::1``) may run
without a key: local model servers and test servers usually need none. Any other endpoint
without a key is an error before the run starts (:func:`check_ai_credentials`).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from flowscript.errors import ConfigError

if TYPE_CHECKING:
    from flowscript.model import DataNodeSpec, Workflow
    from flowscript.planning import ExecutionPlan

__all__ = [
    "AI_KIND",
    "BASE_URL_ENV",
    "CACHE_ENV",
    "KEY_NAMES",
    "OPENROUTER_BASE_URL",
    "OPENROUTER_KEY",
    "RUN_KEY",
    "Endpoint",
    "check_ai_credentials",
    "is_loopback",
    "plan_ai_keys",
    "resolve_endpoint",
    "run_base_url",
    "run_cache_dir",
]

AI_KIND: Final = "transform:ai"
OPENROUTER_BASE_URL: Final = "https://openrouter.ai/api/v1"
OPENROUTER_KEY: Final = "OPENROUTER_API_KEY"
RUN_KEY: Final = "FLOWSCRIPT_AI_API_KEY"
BASE_URL_ENV: Final = "FLOWSCRIPT_AI_BASE_URL"
CACHE_ENV: Final = "FLOWSCRIPT_AI_CACHE"
KEY_NAMES: Final = (RUN_KEY, OPENROUTER_KEY)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A resolved endpoint.

    Attributes:
        base_url: without a trailing slash; requests go to ``{base_url}/chat/completions``.
        api_key: the bearer token, or ``None`` (only allowed for a loopback endpoint).
    """

    base_url: str
    api_key: str | None

    @property
    def url(self) -> str:
        """The chat-completions URL."""
        return f"{self.base_url}/chat/completions"


def run_base_url(explicit: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The run's base URL: the caller's, else ``FLOWSCRIPT_AI_BASE_URL``, else ``None``."""
    value = explicit or (os.environ if environ is None else environ).get(BASE_URL_ENV)
    return value.strip() or None if value else None


def run_cache_dir(
    explicit: str | os.PathLike[str] | None, environ: Mapping[str, str] | None = None
) -> str | None:
    """The record/replay folder: the caller's, else ``FLOWSCRIPT_AI_CACHE``, else ``None``."""
    if explicit is not None and str(explicit).strip():
        return str(explicit)
    value = (os.environ if environ is None else environ).get(CACHE_ENV, "").strip()
    return value or None


def is_loopback(url: str) -> bool:
    """True for ``localhost`` and loopback addresses (``127.0.0.0/8``, ``::1``)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_openrouter(url: str) -> bool:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return host == "openrouter.ai" or host.endswith(".openrouter.ai")


def resolve_endpoint(
    node_base_url: str | None,
    node_api_key: str | None,
    *,
    run_url: str | None,
    keys: Mapping[str, str],
) -> Endpoint:
    """The endpoint of one AI node (see the module docstring for the order)."""
    base_url = (node_base_url or run_url or OPENROUTER_BASE_URL).strip().rstrip("/")
    key = node_api_key or keys.get(RUN_KEY)
    if not key and _is_openrouter(base_url):
        key = keys.get(OPENROUTER_KEY)
    return Endpoint(base_url=base_url, api_key=key or None)


def missing_key_message(node_ids: Iterable[str] | str, base_url: str) -> str:
    """Why AI nodes cannot run, and every way to give them a key."""
    ids = [node_ids] if isinstance(node_ids, str) else list(node_ids)
    names = ", ".join(repr(node_id) for node_id in ids)
    subject = f"AI node {names} has" if len(ids) == 1 else f"AI nodes {names} have"
    name = OPENROUTER_KEY if _is_openrouter(base_url) else RUN_KEY
    return (
        f"{subject} no API key for {base_url}: set {name} (in the environment, a .env file "
        "next to the workflow, or --env-file), give the node an api-key "
        '(api-key="{{$secrets.MY_KEY}}"), or use a local endpoint with --ai-base-url or '
        f"{BASE_URL_ENV}"
    )


def _literal(node: DataNodeSpec, key: str) -> str | None:
    entry = node.config.get(key)
    if entry is None or not isinstance(entry.value, str) or not entry.value.strip():
        return None
    return entry.value.strip()


def _keyless_endpoint(
    node: DataNodeSpec, run_url: str | None, keys: Mapping[str, str]
) -> str | None:
    """The base URL ``node`` would call without a key (``None``: it has one or needs none)."""
    if _literal(node, "api-key") is not None:
        return None  # the node brings its own (its secrets are checked like any other)
    node_url = _literal(node, "base-url")
    if node_url is not None and "{{" in node_url:
        return None  # known only at run time: the runtime checks it then
    endpoint = resolve_endpoint(node_url, None, run_url=run_url, keys=keys)
    if endpoint.api_key is not None or is_loopback(endpoint.base_url):
        return None
    return endpoint.base_url


def check_ai_credentials(
    workflows: Iterable[Workflow],
    *,
    base_url: str | None,
    lookup: Callable[[str], str | None],
) -> dict[str, str]:
    """The AI keys the run needs, read before it starts (runtimes.md §6).

    Args:
        workflows: the workflow and its include/call children.
        base_url: the run's explicit base URL (``--ai-base-url``), if any.
        lookup: reads a secret by name (the environment, then ``.env`` / ``--env-file``).

    Returns:
        The values of :data:`KEY_NAMES` that are set, when the workflows have AI nodes
        (empty otherwise), for the run's secrets.

    Raises:
        ConfigError: an AI node would run without a key (all such nodes are named).
    """
    from flowscript.model import DataNodeSpec

    nodes = [
        node
        for workflow in workflows
        for node in workflow.walk()
        if isinstance(node, DataNodeSpec) and node.kind == AI_KIND
    ]
    if not nodes:
        return {}
    keys = {name: value for name in KEY_NAMES if (value := lookup(name))}
    run_url = run_base_url(base_url)
    keyless: dict[str, list[str]] = {}
    for node in nodes:
        url = _keyless_endpoint(node, run_url, keys)
        if url is not None:
            keyless.setdefault(url, []).append(node.id)
    if keyless:
        messages = [missing_key_message(ids, url) for url, ids in keyless.items()]
        raise ConfigError("; ".join(messages), field=RUN_KEY)
    return keys


def _workflows(plan: ExecutionPlan) -> Iterable[Workflow]:
    yield plan.workflow
    for child in plan.children.values():
        yield from _workflows(child)


def plan_ai_keys(
    plan: ExecutionPlan, *, base_url: str | None, lookup: Callable[[str], str | None]
) -> dict[str, str]:
    """:func:`check_ai_credentials` over a plan and its loaded include/call children."""
    return check_ai_credentials(_workflows(plan), base_url=base_url, lookup=lookup)
