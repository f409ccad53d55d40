"""The FlowScript expression and template language (expressions.md).

Pipeline: :mod:`.lexer` → :mod:`.parser` (hand-written Pratt parser) → AST (:mod:`.syntax`)
→ closures (:mod:`._compile`) run by :mod:`.evaluator` inside a :class:`.sandbox.Sandbox`.
:mod:`.templates` handles ``{{ }}`` strings, :mod:`.analysis` answers static questions for the
validator and the planner, :mod:`.printer` prints trees back to source. Built-in functions
live in :mod:`.builtins`, whitelisted JavaScript methods in :mod:`.methods`; :mod:`.catalog`
lists their names without loading them.

Typical use::

    from flowscript.expressions import MapScope, evaluate, render_template

    scope = MapScope({"items": [1, 2, 3]}, nodes={"fetch-joke": {"text": "hi"}})
    evaluate("items.length > 2 && fetch-joke.text", scope)  # "hi"
    render_template("{{ items }}", scope)                    # [1, 2, 3]

The names below are imported from their modules on first use, so that parsing and validating
(``flowscript validate``) never load the evaluator, the built-ins or the methods.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_LAZY: dict[str, str] = {
    **dict.fromkeys(
        (
            "NameUse",
            "free_names",
            "function_calls",
            "line_and_column",
            "method_calls",
            "template_expressions",
            "walk",
        ),
        "analysis",
    ),
    "evaluate": "evaluator",
    **dict.fromkeys(("MAX_NESTING", "MAX_SOURCE_LENGTH", "parse_expression"), "parser"),
    "to_source": "printer",
    **dict.fromkeys(("DEFAULT_LIMITS", "Limits", "Sandbox"), "sandbox"),
    **dict.fromkeys(("EvalScope", "MapScope"), "scope"),
    "Expr": "syntax",
    **dict.fromkeys(
        ("Interpolation", "Template", "is_template", "parse_template"), "_template_syntax"
    ),
    **dict.fromkeys(("render_json_template", "render_template"), "templates"),
    **dict.fromkeys(("UNDEFINED", "JSFunction", "to_json"), "values"),
}
"""Public name → the module of this package that defines it."""

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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'flowscript.expressions' has no attribute {name!r}")
    value = getattr(import_module(f"flowscript.expressions.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
