"""Record/replay of AI responses (``--ai-cache DIR`` / ``FLOWSCRIPT_AI_CACHE``, runtimes.md §6).

The key is the SHA-256 of the canonical JSON (sorted keys, no spaces) of the base URL and the
request body — never the API key, which is not part of either. A response is stored as
``DIR/<key>.json`` (``{"version": 1, "baseUrl", "model", "response"}``), written atomically
(temporary file + rename) so a crash or a concurrent run never leaves a half-written entry.
A hit answers the call without any HTTP request; a corrupt entry is a miss and is
overwritten by the next answer.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

__all__ = ["CACHE_VERSION", "cache_key", "read_cached", "write_cached"]

CACHE_VERSION: Final = 1


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def cache_key(base_url: str, body: Mapping[str, Any]) -> str:
    """The hex SHA-256 of the canonical request (base URL + body)."""
    return hashlib.sha256(_canonical({"baseUrl": base_url, "request": body})).hexdigest()


def read_cached(folder: str | os.PathLike[str], key: str) -> dict[str, Any] | None:
    """The recorded response for ``key``, or ``None`` (absent or unreadable)."""
    path = Path(folder) / f"{key}.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("version") != CACHE_VERSION:
        return None
    response = entry.get("response")
    return response if isinstance(response, dict) else None


def write_cached(
    folder: str | os.PathLike[str], key: str, base_url: str, response: Mapping[str, Any]
) -> None:
    """Record ``response`` under ``key`` atomically (creates the folder).

    Raises:
        OSError: the folder or file cannot be written.
    """
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    entry = {
        "version": CACHE_VERSION,
        "baseUrl": base_url,
        "model": response.get("model"),
        "response": response,
    }
    data = json.dumps(entry, indent=2, ensure_ascii=False).encode()
    handle, temporary = tempfile.mkstemp(dir=target, prefix=f".{key}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target / f"{key}.json")
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
