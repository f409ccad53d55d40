"""The template, map, filter and reduce transforms (runtimes.md §3).

Their expressions are raw fields: the executor leaves them as written and the runtime
evaluates them itself, per item, in a child scope of the node's scope (``context.scope``)
that binds ``item``/``$item``, ``index``/``$index``, ``$first``, ``$last`` and ``$items``
(and ``$acc`` for reduce). An expression that evaluates to a function (an arrow such as
``(x, i) => x * i``) is called instead: with ``(item, index)`` for map and filter and
``(acc, item, index)`` for reduce. Expression errors fail the node with ``expression.eval``
(not retryable), in one place: :func:`_expression_error`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import ExpressionError, NodeError
from flowscript.expressions.values import UNDEFINED, JSFunction, truthy
from flowscript.runtimes.base import NodeRequest, RuntimeContext

if TYPE_CHECKING:
    from flowscript.expressions.scope import EvalScope

__all__ = [
    "FilterRuntime",
    "MapRuntime",
    "ReduceRuntime",
    "TemplateRuntime",
    "as_items",
]

# Long inputs hand control back to the event loop every so many items, so other nodes keep
# running and a cancellation (attempt timeout, Ctrl-C) is honoured promptly.
_YIELD_EVERY: Final = 1000


def as_items(value: Any) -> list[Any]:
    """Transform input as a list: ``null``/``undefined`` → ``[]``, a non-array → ``[value]``."""
    if value is None or value is UNDEFINED:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _expression_error(node_id: str, field: str, source: str, exc: ExpressionError) -> NodeError:
    expression = exc.expression or source
    message = f"node {node_id}: {field}: {exc.message} in `{expression}`"
    if exc.column is not None:
        message += f" at column {exc.column}"
    return NodeError(
        "expression.eval",
        message,
        retryable=False,
        details={"field": field, "code": exc.code, "expression": expression, "column": exc.column},
    )


@contextmanager
def _evaluating(node_id: str, field: str, source: str) -> Iterator[None]:
    try:
        yield
    except ExpressionError as exc:
        raise _expression_error(node_id, field, source, exc) from exc


def _base_scope(context: RuntimeContext) -> EvalScope:
    from flowscript.expressions import MapScope

    return context.scope if context.scope is not None else MapScope()


def _child(parent: EvalScope, variables: Mapping[str, Any]) -> EvalScope:
    from flowscript.expressions import MapScope

    return MapScope(variables, parent=parent)


def _item_variables(items: list[Any], index: int) -> dict[str, Any]:
    item = items[index]
    return {
        "item": item,
        "$item": item,
        "index": index,
        "$index": index,
        "$first": index == 0,
        "$last": index == len(items) - 1,
        "$items": items,
    }


def _required_expression(request: NodeRequest, *fields: str) -> tuple[str, str]:
    """The first of ``fields`` that is set, as ``(field, source)``."""
    present = [name for name in fields if request.config.get(name) not in (None, "")]
    if not present:
        names = " or ".join(f"'{name}'" for name in fields)
        raise NodeError("config.invalid", f"node {request.node_id}: {names} is required")
    if len(present) > 1:
        raise NodeError(
            "config.invalid",
            f"node {request.node_id}: give either 'condition' or 'expression', not both",
        )
    source = request.config[present[0]]
    if not isinstance(source, str):
        raise NodeError("config.invalid", f"node {request.node_id}: '{present[0]}' must be text")
    return present[0], source


def _apply(source: str, scope: EvalScope, args: Callable[[], list[Any]]) -> Any:
    """Evaluate ``source``; call the result with ``args()`` when it is a function."""
    from flowscript.expressions import evaluate

    value = evaluate(source, scope)
    if isinstance(value, JSFunction):
        return value.call(args())
    return value


async def _per_item(
    request: NodeRequest, context: RuntimeContext, field: str, source: str
) -> list[tuple[Any, Any]]:
    """``(item, value)`` for every input item, ``value`` being the expression's result."""
    items = as_items(request.input)
    scope = _base_scope(context)
    results: list[tuple[Any, Any]] = []
    with _evaluating(request.node_id, field, source):
        for index, item in enumerate(items):
            if index and index % _YIELD_EVERY == 0:
                await asyncio.sleep(0)
            child = _child(scope, _item_variables(items, index))
            value = _apply(source, child, lambda: [item, index])  # noqa: B023 - called at once
            results.append((item, value))
    return results


class TemplateRuntime:
    """``<transform type="template">``: render ``template`` (JSON templates parse to values)."""

    kind = "transform:template"
    raw_fields: frozenset[str] = frozenset({"template"})

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        """Render the template against the node's scope and return the value."""
        template = request.config.get("template")
        if template is None or template is UNDEFINED:
            raise NodeError("config.invalid", f"node {request.node_id}: 'template' is required")
        scope = _base_scope(context)
        if not isinstance(template, str):
            with _evaluating(request.node_id, "template", "template"):
                return _render_structure(template, scope)
        from flowscript.expressions import render_json_template

        with _evaluating(request.node_id, "template", template):
            value, warning = render_json_template(template, scope)
        if warning is not None:
            context.warn(
                f"node {request.node_id}: the template looks like JSON but is not valid JSON "
                f"({warning}); the output is the rendered text"
            )
        return value


def _render_structure(value: Any, scope: EvalScope) -> Any:
    """A template given as a YAML block: render every string inside it."""
    from flowscript.expressions import render_template

    if isinstance(value, str):
        return render_template(value, scope)
    if isinstance(value, Mapping):
        return {str(k): _render_structure(v, scope) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_render_structure(v, scope) for v in value]
    return value


class MapRuntime:
    """``<transform type="map">``: the list of ``expression`` results, one per item."""

    kind = "transform:map"
    raw_fields: frozenset[str] = frozenset({"expression"})

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        """Map every input item through ``expression``."""
        field, source = _required_expression(request, "expression")
        return [value for _, value in await _per_item(request, context, field, source)]


class FilterRuntime:
    """``<transform type="filter">``: the items for which ``condition`` is truthy."""

    kind = "transform:filter"
    raw_fields: frozenset[str] = frozenset({"condition", "expression"})

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        """Keep the input items whose condition is truthy, in order."""
        field, source = _required_expression(request, "condition", "expression")
        results = await _per_item(request, context, field, source)
        return [item for item, value in results if truthy(value)]


class ReduceRuntime:
    """``<transform type="reduce">``: fold the items with ``expression`` into ``$acc``."""

    kind = "transform:reduce"
    raw_fields: frozenset[str] = frozenset({"expression", "initial", "finalize"})

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        """Fold the input, starting from ``initial``, then apply ``finalize`` if given."""
        field, source = _required_expression(request, "expression")
        items = as_items(request.input)
        scope = _child(_base_scope(context), {"$items": items})
        acc = self._initial(request, scope)
        with _evaluating(request.node_id, field, source):
            for index, item in enumerate(items):
                if index and index % _YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                child = _child(scope, {**_item_variables(items, index), "$acc": acc})
                acc = _apply(source, child, lambda: [acc, item, index])  # noqa: B023
        return self._finalize(request, scope, acc)

    @staticmethod
    def _initial(request: NodeRequest, scope: EvalScope) -> Any:
        initial = request.config.get("initial")
        if not isinstance(initial, str):
            return None if initial is UNDEFINED else initial
        if not initial.strip():
            return None
        from flowscript.expressions import evaluate

        with _evaluating(request.node_id, "initial", initial):
            return evaluate(initial, scope)

    @staticmethod
    def _finalize(request: NodeRequest, scope: EvalScope, acc: Any) -> Any:
        finalize = request.config.get("finalize")
        if not isinstance(finalize, str) or not finalize.strip():
            return acc
        with _evaluating(request.node_id, "finalize", finalize):
            return _apply(finalize, _child(scope, {"$acc": acc}), lambda: [acc])
