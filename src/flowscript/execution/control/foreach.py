"""``<foreach>`` (execution.md §5): the body once per item, up to ``concurrency`` at once.

``concurrency`` workers pull item indexes in order, so at most that many items (and tasks)
exist at a time whatever the collection's size. The first item failure halts the failure
domain: no new item starts, running items finish, then the foreach fails with that error. A
``<break>`` stops new items the same way and ends the foreach normally. Output: the list of
per-item outputs (last body node of each item) in item order, for the items that ran.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from flowscript.execution._activation import derived_error, plain
from flowscript.execution._instance import BodyResult, NodeInterrupted
from flowscript.expressions.values import UNDEFINED
from flowscript.model import ForeachSpec

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation

__all__ = ["as_items", "run_foreach"]


def as_items(value: Any) -> list[Any]:
    """A collection as a list: arrays as they are, ``null``/``undefined`` → ``[]``, any other
    value → a one-element list."""
    if isinstance(value, list):
        return value
    if value is None or value is UNDEFINED:
        return []
    return [value]


class _Items:
    def __init__(self, act: Activation, node: ForeachSpec, items: list[Any]) -> None:
        self.act = act
        self.node = node
        self.items = items
        self.body = act.body_plan("body")
        self.results: dict[int, BodyResult] = {}
        self.failures: list[BodyResult] = []

    def _stopping(self) -> bool:
        return self.act.flag.reason is not None or self.act.instance.stopped()

    async def worker(self, indexes: Iterator[int]) -> None:
        for index in indexes:
            if self._stopping():
                return
            item = self.items[index]
            bindings = {
                self.node.item: item,
                self.node.index: index,
                "$item": item,
                "$index": index,
            }
            result = await self.act.run_body(self.body, bindings=bindings)
            self.results[index] = result
            if result.state == "failed":
                self.failures.append(result)

    def output(self) -> list[Any]:
        if self.failures and self.failures[0].error is not None:
            key = self.act.flow.prefix + self.act.node.id
            raise derived_error(key, self.failures[0].error)
        if any(result.state == "halted" for result in self.results.values()):
            raise NodeInterrupted(self.act.node.id)
        if len(self.results) < len(self.items) and self.act.instance.halted():
            raise NodeInterrupted(self.act.node.id)
        return [plain(self.results[i].output) for i in sorted(self.results)]


async def run_foreach(act: Activation) -> Any:
    """Evaluate ``collection``, run the body per item, return the outputs in item order."""
    node = act.node
    assert isinstance(node, ForeachSpec)
    items = as_items(act.evaluate("collection", node.collection))
    concurrency = max(1, act.count("concurrency", node.concurrency, 1, expression=False))
    state = _Items(act, node, items)
    indexes = iter(range(len(items)))
    if items:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(concurrency, len(items))):
                group.create_task(state.worker(indexes))
    return state.output()
