"""``<source type="database">``: run one SQL statement and return its rows (runtimes.md §4).

``query`` is a raw field: :meth:`DatabaseSourceRuntime.prepare` (in the coordinating process)
evaluates its ``{{ }}`` interpolations against the node's scope and binds each value as a
parameter, or converts the ``?``/``$1``/``:name`` placeholders of a query with ``params``
(see :mod:`._sqltext`). ``run`` then needs nothing but the request.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flowscript.errors import ExpressionError, NodeError
from flowscript.runtimes.base import NodeRequest, RuntimeContext
from flowscript.runtimes.database._backends import backend_for
from flowscript.runtimes.database._sqltext import BoundQuery, bind_params, bind_template
from flowscript.runtimes.database._target import Target, parse_target

if TYPE_CHECKING:
    from flowscript.runtimes.database._target import Dialect

__all__ = ["DatabaseSourceRuntime"]


def _invalid(node_id: str, message: str, field: str) -> NodeError:
    return NodeError(
        "config.invalid", f"node {node_id}: {message}", retryable=False, details={"field": field}
    )


def _params(value: Any, node_id: str) -> list[Any] | Mapping[str, Any] | None:
    """``params`` as a list or a map; ``None`` when absent or empty."""
    if isinstance(value, str):
        text = value.strip()
        with contextlib.suppress(ValueError):
            value = json.loads(text) if text[:1] in ("[", "{") else value
    if value is None or (isinstance(value, list | tuple | Mapping) and not value):
        return None
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, Mapping):
        return value
    raise _invalid(
        node_id, "field 'params': expected a list (for ? or $1) or a map (:name)", "params"
    )


def _has_interpolations(query: str, node_id: str) -> bool:
    from flowscript.expressions import parse_template

    if "{{" not in query:
        return False
    try:
        return bool(parse_template(query).interpolations)
    except ExpressionError as exc:
        raise NodeError("expression.eval", f"node {node_id}: query: {exc}") from exc


def _bind(request: NodeRequest, dialect: Dialect, context: RuntimeContext) -> BoundQuery:
    from flowscript.expressions import MapScope

    node_id = request.node_id
    query = request.config.get("query")
    if not isinstance(query, str) or not query.strip():
        raise _invalid(node_id, "field 'query': an SQL statement is required", "query")
    params = _params(request.config.get("params"), node_id)
    if params is not None:
        if _has_interpolations(query, node_id):
            raise _invalid(
                node_id,
                "use either {{ }} values in the query or params with ?, $1 or :name "
                "placeholders, not both",
                "params",
            )
        return bind_params(query, params, dialect, node_id=node_id)
    scope = context.scope if context.scope is not None else MapScope()
    bound = bind_template(query, scope, dialect, node_id=node_id)
    return bound if bound is not None else BoundQuery(query)


class DatabaseSourceRuntime:
    """``database:source``: the output is the list of row objects (``[]`` for a statement
    that returns no rows)."""

    kind = "database:source"
    raw_fields: frozenset[str] = frozenset({"query"})

    async def prepare(self, request: NodeRequest, context: RuntimeContext) -> NodeRequest:
        """Resolve the connection and bind the query's values (needs the node's scope)."""
        target = parse_target(request.config.get("connection"), context.root)
        query = _bind(request, target.dialect, context)
        config = {**request.config, "connection": target, "query": query}
        return dataclasses.replace(request, config=config)

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        """Run the bound statement and return its rows."""
        if not isinstance(request.config.get("query"), BoundQuery):
            request = await self.prepare(request, context)
        target = request.config["connection"]
        query = request.config["query"]
        assert isinstance(target, Target) and isinstance(query, BoundQuery)
        return await backend_for(target).fetch(target, query, context)
