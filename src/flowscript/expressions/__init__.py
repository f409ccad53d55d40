"""The FlowScript expression and template language (expressions.md).

Pipeline: :mod:`.lexer` → :mod:`.parser` (hand-written Pratt parser) → AST (:mod:`.syntax`)
→ closures (:mod:`._compile`) run by :mod:`.evaluator` inside a :class:`.sandbox.Sandbox`.
:mod:`.templates` handles ``{{ }}`` strings, :mod:`.analysis` answers static questions for the
validator and the planner, :mod:`.printer` prints trees back to source. Built-in functions
live in :mod:`.builtins`, whitelisted JavaScript methods in :mod:`.methods`.

Typical use::

    from flowscript.expressions import MapScope, evaluate, render_template

    scope = MapScope({"items": [1, 2, 3]}, nodes={"fetch-joke": {"text": "hi"}})
    evaluate("items.length > 2 && fetch-joke.text", scope)  # "hi"
    render_template("{{ items }}", scope)                    # [1, 2, 3]
"""

from __future__ import annotations

from flowscript.expressions.analysis import (
    NameUse,
    free_names,
    function_calls,
    line_and_column,
    method_calls,
    template_expressions,
    walk,
)
from flowscript.expressions.evaluator import evaluate
from flowscript.expressions.parser import MAX_NESTING, MAX_SOURCE_LENGTH, parse_expression
from flowscript.expressions.printer import to_source
from flowscript.expressions.sandbox import DEFAULT_LIMITS, Limits, Sandbox
from flowscript.expressions.scope import EvalScope, MapScope
from flowscript.expressions.syntax import Expr
from flowscript.expressions.templates import (
    Interpolation,
    Template,
    is_template,
    parse_template,
    render_json_template,
    render_template,
)
from flowscript.expressions.values import UNDEFINED, JSFunction, to_json

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_NESTING",
    "MAX_SOURCE_LENGTH",
    "UNDEFINED",
    "EvalScope",
    "Expr",
    "Interpolation",
    "JSFunction",
    "Limits",
    "MapScope",
    "NameUse",
    "Sandbox",
    "Template",
    "evaluate",
    "free_names",
    "function_calls",
    "is_template",
    "line_and_column",
    "method_calls",
    "parse_expression",
    "parse_template",
    "render_json_template",
    "render_template",
    "template_expressions",
    "to_json",
    "to_source",
    "walk",
]
