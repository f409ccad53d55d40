"""The public API of ``flowscript.expressions`` is pinned here."""

from __future__ import annotations

import subprocess
import sys

import flowscript.expressions as expressions

EXPECTED = {
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
}


def test_public_names() -> None:
    assert set(expressions.__all__) == EXPECTED
    for name in EXPECTED:
        assert getattr(expressions, name) is not None


def test_limits_constants() -> None:
    assert expressions.MAX_NESTING == 100
    assert expressions.MAX_SOURCE_LENGTH == 100_000


def test_import_does_not_load_the_function_library() -> None:
    code = (
        "import sys, flowscript.expressions as e; "
        "e.evaluate('1 + 1'); e.render_template('{{ 1 }}'); "
        "print('flowscript.expressions.builtins' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_facade_exports_evaluate_and_render() -> None:
    import flowscript

    assert flowscript.evaluate("2 * 21") == 42
    assert flowscript.render_template("{{ [1] }}") == [1]
