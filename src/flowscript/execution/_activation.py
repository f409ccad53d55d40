"""One run of one node: its scope snapshot, input, stop flag, and helpers for handlers.

Control handlers receive an :class:`Activation` and use it to evaluate their expressions
(errors become ``expression.eval`` node errors naming the field), to run their bodies as child
scope instances, and to turn a body's outcome into their own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flowscript.errors import ExpressionError, NodeError
from flowscript.execution._instance import (
    SILENT,
    BodyResult,
    FailureDomain,
    Frame,
    NodeInterrupted,
    ScopeInstance,
    StopFlag,
)
from flowscript.execution._slots import NodeSlot
from flowscript.execution.scope import NodeScope
from flowscript.expressions.values import UNDEFINED, to_int
from flowscript.model import NodeSpec, Text

if TYPE_CHECKING:
    from flowscript.execution._context import FlowContext
    from flowscript.planning import ScopePlan

__all__ = ["Activation", "derived_error", "plain"]


class Activation:
    """A node being run: everything its handler needs."""

    __slots__ = (
        "attempts",
        "domain",
        "fallback_for",
        "flag",
        "flow",
        "input",
        "instance",
        "node",
        "scope",
        "slot",
        "started_at",
        "usage",
    )

    def __init__(
        self,
        flow: FlowContext,
        instance: ScopeInstance,
        node: NodeSpec,
        input_value: Any,
        *,
        slot: NodeSlot | None = None,
        fallback_for: str | None = None,
    ) -> None:
        self.flow = flow
        self.instance = instance
        self.node = node
        self.input = input_value
        self.flag = StopFlag()
        self.domain = instance.domain
        # Failure handling (execution.md §6): the node's concurrency slot (lent back during a
        # retry backoff), the runtime attempts made so far, and — when the node runs as a
        # fallback — the key of the node it stands in for.
        self.slot = slot if slot is not None else NodeSlot()
        self.attempts = 1
        self.fallback_for = fallback_for
        # Token usage its runtime attempts reported (RuntimeOutput), summed; see _data.
        self.usage: dict[str, Any] | None = None
        self.started_at = flow.run.clock.now()
        self.scope = self.make_scope()

    @property
    def frame(self) -> Frame:
        """The variable frame the node runs in."""
        return self.instance.frame

    def make_scope(
        self,
        *,
        instance: ScopeInstance | None = None,
        frame: Frame | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> NodeScope:
        """A scope snapshot taken now (loops re-evaluate conditions against fresh ones)."""
        frame = frame or self.frame
        return NodeScope(
            self.flow,
            instance or self.instance,
            frame.snapshot(),
            self.flow.run.seq,
            self.input,
            extras,
        )

    # -- evaluation -------------------------------------------------------------------------

    def evaluate(self, field: str, text: Text, scope: NodeScope | None = None) -> Any:
        """Evaluate a bare expression; an error fails the node with ``expression.eval``."""
        from flowscript.expressions import evaluate

        try:
            return evaluate(text.value, scope or self.scope)
        except ExpressionError as exc:
            raise self.expression_error(field, text, exc) from exc

    def render(self, field: str, text: Text, scope: NodeScope | None = None) -> Any:
        """Render a template (native value for a single ``{{ expr }}``)."""
        from flowscript.expressions import render_template

        try:
            return render_template(text.value, scope or self.scope)
        except ExpressionError as exc:
            raise self.expression_error(field, text, exc) from exc

    def typed(self, field: str, text: Text) -> Any:
        """A value written as a template or a literal: templates render; a literal is read as
        JSON when it parses (``0`` → 0, ``true``, ``[1, 2]``), else kept as the string."""
        if "{{" in text.value:
            return self.render(field, text)
        try:
            return json.loads(text.value)
        except ValueError:
            return text.value

    def seconds(self, field: str, text: Text) -> float:
        """A duration (possibly a template) in seconds; invalid → ``config.invalid``."""
        from flowscript.model.durations import parse_duration

        value = self.render(field, text) if "{{" in text.value else text.value
        try:
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                return float(value) / 1000
            return parse_duration(str(value)) / 1000
        except ValueError as exc:
            raise NodeError("config.invalid", f"{self.node.id}: {field}: {exc}") from exc

    def count(self, field: str, text: Text | None, default: int, *, expression: bool) -> int:
        """An integer attribute (loop ``max``, ``concurrency``) written literally, as a
        template, or as an expression; must be ≥ 0."""
        if text is None or not text.value.strip():
            return default
        raw = text.value.strip()
        if raw.isdigit():
            return int(raw)
        value = self.evaluate(field, text) if expression else self.render(field, text)
        number = to_int(value, default=-1)
        if number < 0:
            raise NodeError(
                "config.invalid",
                f"{self.node.id}: {field} must be a whole number ≥ 0, got {value!r}",
            )
        return number

    def expression_error(self, field: str, text: Text, exc: ExpressionError) -> NodeError:
        """``expression.eval`` (not retryable) naming the node, the field and where."""
        details: dict[str, Any] = {"field": field, "expression": exc.expression or text.value}
        if exc.column is not None:
            details["column"] = exc.column
        where = f"{text.span.path}:{text.span.line}:{text.span.column}"
        return NodeError(
            "expression.eval",
            f"{self.node.id}: {field}: {exc} ({where})",
            retryable=False,
            node=self.flow.prefix + self.node.id,
            details=details,
        )

    # -- bodies -----------------------------------------------------------------------------

    def isolate_failures(self) -> None:
        """Give this node's bodies a failure domain of their own (execution.md §6.4).

        A failure inside the body then stops the body (through :attr:`flag`) but not the
        enclosing scope: the node's own failure handling (its fallback) decides first, and
        only a node that still fails halts its scope.
        """
        domain = FailureDomain(parent=self.instance.domain)
        domain.flag = self.flag
        self.domain = domain

    def body_plan(self, name: str) -> ScopePlan:
        """The plan of this node's body ``name``."""
        return self.flow.plan.body(self.node.id, name)

    async def run_body(
        self,
        plan: ScopePlan,
        *,
        bindings: Mapping[str, Any] | None = None,
        frame: Frame | None = None,
        flags: tuple[StopFlag, ...] = (),
        domain: FailureDomain | None = None,
        previous: ScopeInstance | None = None,
    ) -> BodyResult:
        """Run one execution of a body of this node and report how it ended."""
        from flowscript.execution._scheduler import run_scope

        if frame is None:
            frame = Frame(parent=self.frame, bindings=bindings) if bindings else self.frame
        domain = domain or self.domain
        instance = ScopeInstance(
            flow=self.flow,
            plan=plan,
            frame=frame,
            domain=domain,
            flags=(*self.instance.flags, self.flag, *flags),
            default_input=self.input,
            parent=self.instance,
            owner=self,
            previous=previous,
        )
        return await run_scope(self.flow, instance)

    def check_body(self, result: BodyResult) -> None:
        """Turn a failed body into this node's failure, a halted one into an interruption."""
        if result.state == "failed" and result.error is not None:
            raise derived_error(self.flow.prefix + self.node.id, result.error)
        if result.state == "halted":
            raise NodeInterrupted(self.node.id)

    def body_output(self, result: BodyResult) -> Any:
        """The node's output from its body: the last succeeded node's output (or ``null``)."""
        self.check_body(result)
        return plain(result.output)

    def chosen_output(self, result: BodyResult) -> Any:
        """Like :meth:`body_output`, but ``SILENT`` when no node of the body produced output
        (``<if>``/``<branch>`` stay transparent for the output of the body around them)."""
        self.check_body(result)
        return SILENT if result.last_node is None else plain(result.output)

    def skip_bodies(self, plans: list[ScopePlan], reason: str) -> None:
        """Record every node of bodies that will not run as ``skipped``."""
        for plan in plans:
            for node in plan.nodes:
                self.flow.record_skipped(self.instance, node, reason)


def derived_error(node_id: str, inner: NodeError) -> NodeError:
    """The error of a control node whose body failed: same type and message, with ``cause``."""
    return NodeError(
        inner.type,
        inner.message,
        retryable=inner.retryable,
        node=node_id,
        status=inner.status,
        retry_after=inner.retry_after,
        details={"failedNode": inner.node},
        cause=inner,
    )


def plain(value: Any) -> Any:
    """``UNDEFINED`` → ``None`` for outputs (outputs are JSON values)."""
    return None if value is UNDEFINED else value
