"""``<loop>`` and ``<while>`` (execution.md §5).

Each iteration runs the body as a fresh scope instance with ``$iteration`` bound; the
previous iteration's instance is kept so ``input=`` feedback reads it. A ``<break>`` (or a
goto leaving the body) stops the body and ends the loop. After the loop, ``$iteration`` keeps
the last iteration's value in the enclosing scope. Output: the output of the last body node
of the last iteration that produced one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import NodeError
from flowscript.execution._activation import plain
from flowscript.execution._instance import BodyResult, Frame, ScopeInstance
from flowscript.expressions.values import UNDEFINED, truthy
from flowscript.model import LoopSpec, WhileSpec

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation

__all__ = ["DEFAULT_LOOP_MAX", "DEFAULT_WHILE_MAX", "run_loop", "run_while"]

DEFAULT_LOOP_MAX: Final = 100
"""format.md §3.4: ``<loop max>`` defaults to 100."""

DEFAULT_WHILE_MAX: Final = 1000
"""format.md §3.4: the ``<while>`` safety cap defaults to 1000."""


class _Iterations:
    """State carried from one iteration to the next."""

    def __init__(self, act: Activation) -> None:
        self.act = act
        self.body = act.body_plan("body")
        self.previous: ScopeInstance | None = None
        self.output: Any = UNDEFINED
        self.index = -1

    async def run(self, index: int) -> BodyResult:
        """Run iteration ``index``; return how its body ended (failures raise)."""
        self.index = index
        frame = Frame(parent=self.act.frame, bindings={"$iteration": index})
        result = await self.act.run_body(self.body, frame=frame, previous=self.previous)
        self.act.check_body(result)
        if result.output is not UNDEFINED:
            self.output = result.output
        if self.previous is not None:
            self.previous.previous = None  # keep one iteration back, not the whole history
        self.previous = result.instance
        return result

    def scope_after(self, index: int) -> Any:
        """A fresh scope seeing the outputs of the iterations run so far."""
        frame = Frame(parent=self.act.frame, bindings={"$iteration": index})
        return self.act.make_scope(instance=self.previous or self.act.instance, frame=frame)

    def finish(self) -> Any:
        if self.index >= 0:
            self.act.frame.bind("$iteration", self.index)
        return plain(self.output)


async def run_loop(act: Activation) -> Any:
    """Up to ``max`` iterations (evaluated once); ``break`` is checked after each one."""
    node = act.node
    assert isinstance(node, LoopSpec)
    limit = act.count("max", node.max, DEFAULT_LOOP_MAX, expression=True)
    loop = _Iterations(act)
    for index in range(limit):
        result = await loop.run(index)
        if result.state == "stopped":
            break
        if node.break_ is not None and truthy(
            act.evaluate("break", node.break_, loop.scope_after(index))
        ):
            break
    return loop.finish()


async def run_while(act: Activation) -> Any:
    """Iterate while ``condition`` (checked before each iteration) is truthy.

    Reaching ``max`` with the condition still true stops the loop when ``max`` was written,
    and fails it with ``LOOP_LIMIT_EXCEEDED`` when the default cap was reached.
    """
    node = act.node
    assert isinstance(node, WhileSpec)
    limit = act.count("max", node.max, DEFAULT_WHILE_MAX, expression=True)
    loop = _Iterations(act)
    index = 0
    while truthy(act.evaluate("condition", node.condition, loop.scope_after(index))):
        if index >= limit:
            if node.max is not None:
                break
            raise NodeError(
                "LOOP_LIMIT_EXCEEDED",
                f"{node.id}: the condition was still true after {limit} iterations "
                "(set max= to allow more)",
            )
        result = await loop.run(index)
        if result.state == "stopped":
            break
        index += 1
    return loop.finish()
