"""``flowscript.expressions`` loads its modules on first use; parsing never loads evaluation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import flowscript.expressions as expressions
from flowscript.expressions import lexer, values


def _loaded_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


HELLO = Path(__file__).resolve().parents[2] / "examples" / "hello.flow.md"
EVALUATION = {
    "flowscript.expressions.evaluator",
    "flowscript.expressions.builtins",
    "flowscript.expressions.methods",
    "flowscript.expressions.templates",
    "flowscript.expressions.values",
}


def test_importing_the_package_loads_no_submodule() -> None:
    loaded = _loaded_after("import flowscript.expressions")
    assert sorted(m for m in loaded if m.startswith("flowscript.expressions.")) == []


def test_parsing_expressions_and_templates_loads_no_evaluation_code() -> None:
    loaded = _loaded_after(
        "from flowscript.expressions import parse_expression, parse_template, free_names\n"
        "free_names(parse_expression('a-b.c + f(x)[\"k\"]'), {'a-b'})\n"
        "parse_template('{{ x }} and {{ {\"k\": 1} }}')"
    )
    assert EVALUATION.isdisjoint(loaded)


def test_validating_a_file_loads_no_evaluation_code() -> None:
    loaded = _loaded_after(
        f"from flowscript.validate import validate_file\nassert validate_file({str(HELLO)!r}).valid"
    )
    assert EVALUATION.isdisjoint(loaded)
    assert "flowscript.expressions.catalog" in loaded


@pytest.mark.parametrize("name", sorted(expressions.__all__))
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(expressions, name) is not None
    assert name in dir(expressions)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = expressions.nope


def test_the_lexer_limit_is_the_value_limit() -> None:
    assert lexer.MAX_SAFE_INTEGER == values.MAX_SAFE_INTEGER == 2**53 - 1
