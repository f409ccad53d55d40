"""The outcome of one remote attempt, as plain data both ways.

``run_node`` returns ``{"ok": True, "output": …, "usage": …, "warnings": […], "timings": {…}}``
or ``{"ok": False, "error": {type, message, retryable, status, retryAfter, details, cause},
"warnings": […], "timings": {…}}``; the coordinator turns the error back into the same
:class:`~flowscript.errors.NodeError` the runtime raised on the worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowscript.errors import NodeError

__all__ = ["error_data", "error_outcome", "node_error", "ok_outcome"]


def ok_outcome(output: Any, usage: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A successful attempt."""
    return {"ok": True, "output": output, "usage": dict(usage) if usage else None}


def error_data(error: NodeError) -> dict[str, Any]:
    """A node error as plain data (its cause chain included)."""
    return {
        "type": error.type,
        "message": error.message,
        "retryable": error.retryable,
        "status": error.status,
        "retryAfter": error.retry_after,
        "details": dict(error.details),
        "cause": error_data(error.cause) if error.cause is not None else None,
    }


def error_outcome(
    type: str,  # the spec names this field ``type``
    message: str,
    *,
    retryable: bool = False,
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A failed attempt with a new error."""
    return {
        "ok": False,
        "error": error_data(NodeError(type, message, retryable=retryable, details=details)),
    }


def node_error(data: Mapping[str, Any]) -> NodeError:
    """The :class:`NodeError` described by :func:`error_data`'s output."""
    cause = data.get("cause")
    retry_after = data.get("retryAfter")
    return NodeError(
        str(data.get("type") or "executor.error"),
        str(data.get("message") or ""),
        retryable=bool(data.get("retryable")),
        status=data.get("status"),
        retry_after=float(retry_after) if retry_after is not None else None,
        details=data.get("details") or None,
        cause=node_error(cause) if isinstance(cause, Mapping) else None,
    )
