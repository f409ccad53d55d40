"""``<sink type="database">``: write the input rows to a table (runtimes.md §4).

The statement and every row's parameters are built and checked first (:mod:`._statements`),
then the batches run in one transaction: all rows are written or none. Output
``{rowsAffected, batches}``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flowscript.runtimes.base import NodeRequest, RuntimeContext
from flowscript.runtimes.database._backends import backend_for
from flowscript.runtimes.database._statements import plan_write
from flowscript.runtimes.database._target import Target, parse_target

__all__ = ["DatabaseSinkRuntime"]


class DatabaseSinkRuntime:
    """``database:sink``: insert, upsert, update or delete the input rows."""

    kind = "database:sink"
    raw_fields: frozenset[str] = frozenset()

    async def prepare(self, request: NodeRequest, context: RuntimeContext) -> NodeRequest:
        """Resolve the connection (a relative SQLite path needs the base folder)."""
        target = parse_target(request.config.get("connection"), context.root)
        return dataclasses.replace(request, config={**request.config, "connection": target})

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        """Write the rows; return how many the database reported and the batch count."""
        if not isinstance(request.config.get("connection"), Target):
            request = await self.prepare(request, context)
        target = request.config["connection"]
        plan = plan_write(request.config, request.input)
        if plan is None:
            return {"rowsAffected": 0, "batches": 0}
        affected, batches = await backend_for(target).write(target, plan, context)
        return {"rowsAffected": affected, "batches": batches}
